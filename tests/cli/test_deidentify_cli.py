"""``piguard deidentify`` / ``piguard reidentify`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piguard.cli.app import app

KEY = "3c" * 32


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("PIGUARD_KEY_DEIDENTIFY", KEY)
    return CliRunner()


def test_help_has_examples(runner: CliRunner) -> None:
    for cmd in ("deidentify", "reidentify"):
        result = runner.invoke(app, [cmd, "--help"])
        assert result.exit_code == 0
        assert "Examples" in result.output
        assert f"piguard {cmd}" in result.output


def test_text_round_trip(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "chat.txt"
    src.write_text("用户：身份证360426199101010071，手机13812345678\n", "utf-8")
    out = tmp_path / "safe.txt"
    result = runner.invoke(app, ["deidentify", str(src), "-o", str(out), "--summary", "json"])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "360426199101010071" not in text
    assert "138****5678" in text
    summary = json.loads(result.stderr)
    assert {c["entity"] for c in summary["changes"]} == {"CN_RESIDENT_ID", "CN_MOBILE"}
    meta = (tmp_path / "safe.txt.piguard.json").read_text("utf-8")
    assert "env:deidentify" in meta
    assert KEY not in meta
    assert KEY not in result.output
    back = tmp_path / "back.txt"
    result = runner.invoke(app, ["reidentify", str(out), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert "360426199101010071" in back.read_text("utf-8")
    assert "138****5678" in back.read_text("utf-8")  # masking is not reversible


def test_csv_with_policy(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "orders.csv"
    src.write_text("name,phone\n张三,13812345678\n李四丰,13987654321\n", "utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "columns: {name: PERSON_NAME, phone: CN_MOBILE}\n"
        "rules:\n  - entity: [PERSON_NAME, CN_MOBILE]\n    operator: waybill\n",
        "utf-8",
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["deidentify", str(src), "-o", str(out), "-p", str(policy)])
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8") == "name,phone\n张*,138****5678\n李**,139****4321\n"
    assert "waybill" in result.stderr


def test_bad_policy_is_one_line_exit_2_and_no_output(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("手机13812345678\n", "utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules:\n  - entity: CN_MOBILE\n    operator: fpe3\n", "utf-8")
    out = tmp_path / "out.txt"
    result = runner.invoke(app, ["deidentify", str(src), "-o", str(out), "-p", str(policy)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"piguard: error: {policy}:3: unknown operator 'fpe3'"
    assert not out.exists()


def test_missing_key_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIGUARD_KEY_DEIDENTIFY", raising=False)
    src = tmp_path / "a.txt"
    src.write_text("身份证360426199101010071\n", "utf-8")
    result = CliRunner().invoke(app, ["deidentify", str(src), "-o", str(tmp_path / "o.txt")])
    assert result.exit_code == 2
    assert "PIGUARD_KEY_DEIDENTIFY is not set" in result.stderr
    assert "360426199101010071" not in result.stderr
    assert not (tmp_path / "o.txt").exists()


def test_bad_row_and_missing_input(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("a,b\n1\n", "utf-8")
    result = runner.invoke(app, ["deidentify", str(src), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert f"{src}:2: expected 2 fields, found 1" in result.stderr
    result = runner.invoke(app, ["deidentify", str(tmp_path / "nope.csv"), "-o", "x.csv"])
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    result = runner.invoke(app, ["reidentify", str(src), "-o", str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    assert "no metadata file" in result.stderr


def test_audit_log_records_the_run(runner: CliRunner, tmp_path: Path) -> None:
    from piguard.audit import AuditLog

    log = tmp_path / "audit.db"
    AuditLog.create(log, origin="example.com/audit").close()
    src = tmp_path / "a.txt"
    src.write_text("手机13812345678\n", "utf-8")
    out = tmp_path / "o.txt"
    result = runner.invoke(app, ["deidentify", str(src), "-o", str(out), "--audit-log", str(log)])
    assert result.exit_code == 0, result.output
    with AuditLog.open(log) as audit:
        assert audit.size == 1
        data = json.loads(audit.event_data(0))
    assert data["action"] == "deidentify.run"
    assert data["details"]["changes"] == 1
    assert "13812345678" not in json.dumps(data)


def test_database_table(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    db = tmp_path / "shop.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE orders (buyer TEXT, phone TEXT)")
    con.executemany("INSERT INTO orders VALUES (?, ?)", [("张三", "13812345678")] * 5)
    con.commit()
    con.close()
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{db}"
    result = runner.invoke(app, ["deidentify", url, "--table", "orders", "-o", "orders_safe"])
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(db)
    assert con.execute("SELECT * FROM orders_safe").fetchall() == [("张*", "138****5678")] * 5
    con.close()
    assert (tmp_path / "orders_safe.piguard.json").exists()
    result = runner.invoke(app, ["deidentify", url, "-o", "x"])
    assert result.exit_code == 2
    assert "needs --table" in result.stderr
