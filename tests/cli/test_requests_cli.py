"""``piguard requests``: create, verify, run, fail, show, resume, list --overdue, on the
example description (examples/datastores/ride-hailing.yaml) over a SQLite database."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piguard.cli.app import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "datastores" / "ride-hailing.yaml"
SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, phone TEXT, email TEXT, name TEXT, id_number TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), address TEXT);
CREATE TABLE trips (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id), pickup TEXT);
CREATE TABLE payments (id INTEGER PRIMARY KEY, order_id INTEGER, card TEXT);
CREATE TABLE messages (id INTEGER PRIMARY KEY, sender_id INTEGER, body TEXT);
INSERT INTO users VALUES (1, '13800000001', 'a@example.cn', '张三', '110101199003071233'),
                         (2, '13900000002', 'b@example.cn', '李四', NULL);
INSERT INTO orders VALUES (10, 1, '北京市朝阳区建国路88号'), (11, 2, '上海市浦东新区');
INSERT INTO trips VALUES (100, 10, '国贸'), (101, 11, '陆家嘴');
INSERT INTO payments VALUES (200, 10, '6222020200112233445'), (201, 11, NULL);
INSERT INTO messages VALUES (300, 1, '我在门口'), (301, 2, '马上到');
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "ride.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA)
    monkeypatch.setenv("PIGUARD_RIDE_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("PIGUARD_REQUESTS_DB", str(tmp_path / "requests.db"))
    return db


def _ok(args: list[str], code: int = 0) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == code, result.output
    return result.output


def _create(*args: str) -> str:
    out = _ok(["requests", "create", *args])
    m = re.match(r"(req-[0-9a-f]{16})\s", out)
    assert m, out
    return m.group(1)


def test_help_has_examples() -> None:
    for cmd in ("create", "verify", "run", "resume", "show", "list", "refuse", "describe"):
        assert "Examples" in _ok(["requests", cmd, "--help"])


def test_access_package_via_cli(env: Path, tmp_path: Path) -> None:
    rid = _create("portability", "--phone", "13800000001", "--received", "2026-11-02")
    _ok(["requests", "verify", rid])
    out = tmp_path / "alice.zip"
    _ok(["requests", "run", rid, "-d", str(EXAMPLE), "-o", str(out)])
    with zipfile.ZipFile(out) as zf:
        assert [r["id"] for r in json.loads(zf.read("ride/orders.json"))] == [10]
        assert [r["id"] for r in json.loads(zf.read("ride/trips.json"))] == [100]
        assert "manifest.json" in zf.namelist()
    shown = json.loads(_ok(["requests", "show", rid, "--format", "json"]))
    assert shown["state"] == "completed"
    assert shown["identity"] == {"phone": "***"}  # never echoed
    assert "13800000001" not in _ok(["requests", "list"])


def test_cancellation_fail_show_resume(env: Path, tmp_path: Path, monkeypatch) -> None:
    rid = _create("cancellation", "--user-id", "1", "--received", "2026-11-02")
    _ok(["requests", "verify", rid])
    monkeypatch.setenv("PIGUARD_RIDE_DB_URL", f"sqlite:///{tmp_path}/gone/ride.db")
    out = _ok(["requests", "run", rid, "-d", str(EXAMPLE)], code=1)
    assert "failed" in out
    shown = json.loads(_ok(["requests", "show", rid, "--format", "json"]))
    assert shown["steps"][0]["state"] == "failed"
    assert "OperationalError" in shown["steps"][0]["error"]
    monkeypatch.setenv("PIGUARD_RIDE_DB_URL", f"sqlite:///{env}")
    _ok(["requests", "resume", rid, "-d", str(EXAMPLE)])
    with sqlite3.connect(env) as conn:
        assert conn.execute("SELECT * FROM users ORDER BY id").fetchall() == [
            (1, "138****0001", "", "张*", "110101********1233"),
            (2, "13900000002", "b@example.cn", "李四", None),
        ]
        assert conn.execute("SELECT id FROM orders").fetchall() == [(10,), (11,)]  # hold
        assert conn.execute("SELECT id FROM trips").fetchall() == [(101,)]
        assert conn.execute("SELECT id FROM messages").fetchall() == [(301,)]


def test_overdue_listing_and_refusal(env: Path) -> None:
    old = _create("access", "--user-id", "1", "--received", "2026-10-01")
    cancel = _create("cancellation", "--user-id", "2", "--received", "2026-11-02")
    listed = json.loads(
        _ok(["requests", "list", "--overdue", "--today", "2026-11-20", "--format", "json"])
    )
    assert [r["id"] for r in listed] == [old]
    listed = json.loads(
        _ok(["requests", "list", "--overdue", "--today", "2026-11-24", "--format", "json"])
    )
    assert [r["id"] for r in listed] == [old, cancel]
    out = _ok(["requests", "refuse", old, "--reason", "identity could not be verified"])
    assert "complaint route" in out


def test_bad_input_exit_2(env: Path) -> None:
    result = CliRunner().invoke(app, ["requests", "create", "erase", "--user-id", "1"])
    assert result.exit_code == 2
    assert "unknown request type" in result.output
    result = CliRunner().invoke(app, ["requests", "show", "req-nope"])
    assert result.exit_code == 2


def test_describe_writes_a_loadable_description(env: Path, tmp_path: Path) -> None:
    inv = tmp_path / "inv.json"
    _ok(["scan", f"sqlite:///{env}", "--format", "json", "-o", str(inv)])
    out = tmp_path / "desc.yaml"
    _ok(
        [
            "requests",
            "describe",
            "PIGUARD_RIDE_DB_URL",
            "--name",
            "ride",
            "--inventory",
            str(inv),
            "-o",
            str(out),
        ]
    )
    from piguard.rights import load_description

    desc = load_description(out)
    users = desc.datastores["ride"].tables["users"]
    assert users.identity.get("phone") == "phone"
    assert str(env) not in out.read_text()  # the URL stays in the environment


def test_correction_via_cli(env: Path) -> None:
    rid = _create("correction", "--user-id", "2", "--set", "ride.users.email=li@example.cn")
    _ok(["requests", "verify", rid])
    out = _ok(["requests", "run", rid, "-d", str(EXAMPLE)])
    assert "li@example.cn" not in out
    with sqlite3.connect(env) as conn:
        assert conn.execute("SELECT id, email FROM users ORDER BY id").fetchall() == [
            (1, "a@example.cn"),
            (2, "li@example.cn"),
        ]
    bad = CliRunner().invoke(
        app, ["requests", "create", "correction", "--user-id", "2", "--set", "x=1"]
    )
    assert bad.exit_code == 2


def test_run_writes_audit_events_without_pi(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from piguard.audit import AuditLog

    log = tmp_path / "audit.db"
    AuditLog.create(log, origin="example.com/audit").close()
    monkeypatch.setenv("PIGUARD_KEY_AUDIT", "22" * 32)
    rid = _create("deletion", "--phone", "13800000001")
    _ok(["requests", "verify", rid])
    _ok(["requests", "run", rid, "-d", str(EXAMPLE), "--audit-log", str(log), "--keys", "env"])
    with AuditLog.open(log) as audit:
        events = [json.loads(audit.event_data(i)) for i in range(audit.size)]
    assert [e["action"] for e in events] == [
        "rights.request.started",
        "rights.step.erase",
        "rights.step.consents",  # skipped (no --consents), and audited as such
        "rights.request.completed",
    ]
    assert all(e["subject"].startswith("hmac-sha256:audit:") for e in events)
    assert "13800000001" not in json.dumps(events)


def test_cancellation_without_consent_store_says_why_and_how(env: Path) -> None:
    rid = _create("cancellation", "--user-id", "2")
    _ok(["requests", "verify", rid])
    out = _ok(["requests", "run", rid, "-d", str(EXAMPLE)])
    assert "completed" in out
    for text in (out, _ok(["requests", "show", rid])):
        assert "note: consents not withdrawn: run/resume was given no consent store" in text
        assert "--consents" in text
    shown = json.loads(_ok(["requests", "show", rid, "--format", "json"]))
    (step,) = [s for s in shown["steps"] if s["step"] == "consents"]
    assert step["state"] == "skipped"
    assert "--consents" in step["note"]
    assert all("note" not in s for s in shown["steps"] if s["step"] != "consents")


def test_consent_options_checked_before_anything_runs(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every mistake in --consents stops with exit 2 and one line, before the request changes
    state or a row is touched; nothing is created where the service's state should be."""
    users = [(1, "13800000001", "a@example.cn", "张三", "110101199003071233")]
    withdrawal = _create("consent_withdrawal", "--user-id", "1")
    by_phone = _create("cancellation", "--phone", "13800000001")
    cancel = _create("cancellation", "--user-id", "1")
    for rid in (withdrawal, by_phone, cancel):
        _ok(["requests", "verify", rid])
    run = ["requests", "run"]
    out = _ok([*run, withdrawal, "-d", str(EXAMPLE)], code=2)
    assert "a consent_withdrawal request needs --consents" in out
    out = _ok([*run, by_phone, "-d", str(EXAMPLE), "--consents", "env"], code=2)
    assert "has no user id, and consents are withdrawn by user id" in out
    out = _ok([*run, cancel, "-d", str(EXAMPLE), "--consents", str(tmp_path / "no.toml")], 2)
    assert "is not a settings file, a URL or 'env'" in out
    # a data directory without the service's keys (other pseudonyms: nothing would be found)
    monkeypatch.setenv("PIGUARD_DATA_DIR", str(tmp_path / "elsewhere"))
    out = _ok([*run, cancel, "-d", str(EXAMPLE), "--consents", "env"], code=2)
    assert "key file" in out
    assert "signer.key" in out
    assert not (tmp_path / "elsewhere").exists()
    keys = tmp_path / "svc" / "keys"
    keys.mkdir(parents=True)
    (keys / "signer.key").write_text("x", encoding="ascii")
    (keys / "subject.key").write_text("00" * 32, encoding="ascii")
    monkeypatch.setenv("PIGUARD_DATA_DIR", str(tmp_path / "svc"))
    out = _ok([*run, cancel, "-d", str(EXAMPLE), "--consents", "env"], code=2)
    assert "database" in out
    assert "does not exist" in out
    assert not (tmp_path / "svc" / "piguard.db").exists()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    out = _ok([*run, cancel, "-d", str(EXAMPLE), "--consents", f"sqlite:///{empty}"], code=2)
    assert "has no table piguard_consent_events" in out
    for rid in (withdrawal, by_phone, cancel):
        assert json.loads(_ok(["requests", "show", rid, "-f", "json"]))["state"] == (
            "identity_verified"
        )
    with sqlite3.connect(env) as conn:
        assert conn.execute("SELECT * FROM users WHERE id = 1").fetchall() == users
