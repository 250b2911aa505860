"""``piguard scan`` on tables, folders of tables and database URLs: the inventory."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piguard.cli._inventory import is_structured
from piguard.cli.app import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"


def _ck(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.csv"
    lines = ["xm,sjh,sfzh,order_no"]
    names = ["张伟", "李娜", "王芳", "刘洋"]
    for i in range(40):
        rid = _ck(f"11010519{60 + i:02d}0101{i:03d}")
        lines.append(f"{names[i % 4]},1381234{i:04d},{rid},2024{i:014d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _values(path: Path) -> list[str]:
    cells = [
        c for line in path.read_text(encoding="utf-8").splitlines()[1:] for c in line.split(",")
    ]
    return [c for c in cells if len(c) >= 11]


def test_routing(tmp_path: Path, users: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.txt").write_text("x\n")
    assert is_structured([str(users)])
    assert is_structured(["postgresql://u@h/db", "notes.txt"])
    assert is_structured([str(tmp_path)])  # a folder holding a table
    assert not is_structured([str(tmp_path / "t"), "-"])


def test_table_output(users: Path) -> None:
    result = runner.invoke(app, ["scan", str(users)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for word in ("PERSON_NAME", "CN_MOBILE", "CN_RESIDENT_ID", "lookalike", "sensitive"):
        assert word in out
    assert "people" in out
    assert not [v for v in _values(users) if v in out]


def test_json_inventory(users: Path, tmp_path: Path) -> None:
    target = tmp_path / "inv.json"
    result = runner.invoke(app, ["scan", str(users), "--format", "json", "-o", str(target)])
    assert result.exit_code == 0, result.output
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["schema"] == "piguard.inventory/1"
    cols = {c["column"]: c for c in doc["tables"][0]["columns"]}
    assert cols["sfzh"]["entity"] == "CN_RESIDENT_ID"
    assert cols["sfzh"]["grade"] == "sensitive"
    assert cols["sjh"]["category"] == "basic.phone.mobile"
    assert cols["order_no"]["pi"] is False
    assert doc["tables"][0]["facts"]["people"] == 40
    text = target.read_text(encoding="utf-8")
    assert not [v for v in _values(users) if v in text]


def test_jsonl_inventory(users: Path) -> None:
    result = runner.invoke(app, ["scan", str(users), "-f", "jsonl", "--sample-size", "10"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [line["record"] for line in lines]
    assert kinds == ["column"] * 4 + ["table", "summary"]
    assert all(line["rows_sampled"] <= 10 for line in lines[:4])
    assert lines[-1]["schema"] == "piguard.inventory/1"


def test_full_counts_every_value(users: Path) -> None:
    result = runner.invoke(app, ["scan", str(users), "-f", "jsonl", "--full"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["rows_sampled"] == 40
    assert lines[4]["facts"]["people_method"] == "exact"


def test_html_report_on_the_sample_folder(tmp_path: Path) -> None:
    target = tmp_path / "inventory.html"
    result = runner.invoke(
        app, ["scan", str(EXAMPLES), "--include", "*.csv", "--format", "html", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 3
    assert "ridehailing_orders.csv" in page
    assert "shop_orders.csv" in page
    assert "health_consultations" not in page  # --include
    assert "<script" not in page
    assert "https://" not in page
    for name in ("ridehailing_orders.csv", "shop_orders.csv"):
        assert not [v for v in _values(EXAMPLES / name)[:300] if v in page]


def test_bad_sources_are_reported_and_the_rest_is_scanned(tmp_path: Path, users: Path) -> None:
    bad = tmp_path / "cut.csv"
    bad.write_text('a,b\n1,"unterminated', encoding="utf-8")
    xlsx = tmp_path / "broken.xlsx"
    xlsx.write_bytes(b"not a workbook")
    url = "postgresql://alice:Sup3rS3cret@127.0.0.1:9/shop"
    result = runner.invoke(app, ["scan", str(bad), str(users), str(xlsx), url, "-f", "json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert [t["table"] for t in doc["tables"]] == ["users.csv"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("piguard: error:")]
    assert len(errors) == 3
    assert f"{bad}:2:" in errors[0]
    assert "truncated" in errors[0]
    assert str(xlsx) in errors[1]
    assert "postgresql://***@127.0.0.1:9/shop" in errors[2]
    assert "Sup3rS3cret" not in result.output
    assert "alice" not in result.output


def test_sqlite_url(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE members (name TEXT, mobile INTEGER, note TEXT)")
    conn.executemany(
        "INSERT INTO members VALUES (?, ?, ?)",
        [
            ("张伟", 13812345678 + i, f"住在北京市朝阳区建国路{i}号，电话1390000{i:04d}")
            for i in range(30)
        ],
    )
    conn.commit()
    conn.close()
    result = runner.invoke(app, ["scan", f"sqlite:///{db}", "-f", "json"])
    assert result.exit_code == 0, result.output
    (table,) = json.loads(result.stdout)["tables"]
    cols = {c["column"]: c for c in table["columns"]}
    assert (table["table"], cols["mobile"]["entity"]) == ("members", "CN_MOBILE")
    assert cols["note"]["kind"] == "free_text"


def test_plain_text_alone_keeps_the_text_scan(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("手机13800138000\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(path), "-f", "jsonl"])
    assert result.exit_code == 0
    assert '"preview": "138****8000"' in result.stdout


def test_help_names_the_inventory_options() -> None:
    result = runner.invoke(app, ["scan", "--help"])
    assert result.exit_code == 0
    for option in ("--full", "--sample-size", "--include", "--schema"):
        assert option in result.stdout
    assert "sqlite:///" in result.stdout or "postgresql://" in result.stdout


def test_summary_only_and_as_text(users: Path) -> None:
    summary = runner.invoke(app, ["scan", str(users), "-f", "json", "--summary-only"])
    assert summary.exit_code == 0, summary.output
    data = json.loads(summary.stdout)
    assert list(data) == ["summary"]
    assert data["summary"]["pi_columns"] == 3
    text = runner.invoke(app, ["scan", str(users), "-f", "jsonl", "--as-text"])
    assert text.exit_code == 0, text.output
    assert '"preview": "138****0000"' in text.stdout  # line findings, masked
