"""``piguard requests run --consents``: the command line withdraws the person's consents in the
records of a running service (a real ``uvicorn`` process, as in tests/service), on SQLite,
PostgreSQL and MariaDB.

The service answers a decision for the person first (so that every per-process cache it has is
warm), then the CLI runs the cancellation against the same database, then the very next
decision over HTTP must deny: the withdrawal went through the service's own consent code
(:class:`piguard.consent.ConsentService` over the service's store, the service's pseudonym key
and audit log), not around it. Another person's consent is untouched.
"""

from __future__ import annotations

import importlib.util
import json
import re
import secrets
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from piguard.audit import AuditLog
from piguard.cli.app import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "datastores" / "ride-hailing.yaml"
CATS = ["location.precise"]
RIDE = """
CREATE TABLE users (id INTEGER PRIMARY KEY, phone TEXT, email TEXT, name TEXT, id_number TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), address TEXT);
CREATE TABLE trips (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id), pickup TEXT);
CREATE TABLE payments (id INTEGER PRIMARY KEY, order_id INTEGER, card TEXT);
CREATE TABLE messages (id INTEGER PRIMARY KEY, sender_id INTEGER, body TEXT);
INSERT INTO users VALUES (7, '13800000007', 'g@example.cn', '张三', NULL),
                         (8, '13900000008', 'h@example.cn', '李四', NULL);
INSERT INTO orders VALUES (70, 7, '北京市朝阳区建国路88号'), (80, 8, '上海市浦东新区');
INSERT INTO messages VALUES (700, 7, '我在门口'), (800, 8, '马上到');
"""


def _service_helpers() -> ModuleType:
    """tests/service/conftest.py (start_server, stop_server, drop_tables): importlib mode
    gives test modules no package to import it from."""
    path = Path(__file__).parents[1] / "service" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_piguard_service_helpers", path)
    assert spec is not None
    assert spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return module


svc_helpers = _service_helpers()


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mariadb"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    data_dir = tmp_path_factory.mktemp(f"cli-consents-{request.param}")
    prefix = f"rc{secrets.token_hex(4)}_"  # this module's own tables
    if request.param == "sqlite":
        db_url = f"sqlite:///{data_dir / 'piguard.db'}"
    elif request.param == "postgresql":
        db_url = request.getfixturevalue("pg_url")
    else:
        db_url = request.getfixturevalue("mysql_url")
    srv = svc_helpers.start_server(db_url, data_dir, prefix)
    try:
        yield srv
    finally:
        svc_helpers.stop_server(srv)
        if request.param != "sqlite":
            svc_helpers.drop_tables(db_url, prefix)


@pytest.fixture
def ride(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "ride.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(RIDE)
    monkeypatch.setenv("PIGUARD_RIDE_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("PIGUARD_REQUESTS_DB", str(tmp_path / "requests.db"))
    return db


def _cli(args: list[str], code: int = 0) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == code, result.output
    return result.output


def _request(kind: str, user_id: str) -> str:
    out = _cli(["requests", "create", kind, "--user-id", user_id])
    m = re.match(r"(req-[0-9a-f]{16})\s", out)
    assert m, out
    _cli(["requests", "verify", m.group(1)])
    return m.group(1)


def _settings_file(srv: Any, path: Path) -> Path:
    """A settings file as ``piguard serve --config`` reads it, naming the server's state."""
    path.write_text(
        "[service]\n"
        f"db_url = {json.dumps(srv.db_url)}\n"
        f"data_dir = {json.dumps(str(srv.data_dir))}\n"
        f"table_prefix = {json.dumps(srv.prefix)}\n",
        encoding="utf-8",
    )
    return path


def _decide(c: httpx.Client, subject: str, notice: str) -> dict[str, Any]:
    r = c.post(
        "/v1/decisions",
        json={"subject": subject, "notice": notice, "purpose": "trip", "categories": CATS},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _setup(c: httpx.Client, users: list[str]) -> str:
    notice = "n-" + secrets.token_hex(3)
    r = c.post("/v1/notices", json={"notice": notice, "purposes": [
        {"id": "trip", "categories": CATS}, {"id": "ads", "categories": ["basic.email"]},
    ]})  # fmt: skip
    assert r.status_code == 201, r.text
    for user in users:
        r = c.post(
            "/v1/consents",
            json={"subject": user, "notice": notice, "purposes": ["trip", "ads"], "channel": "app"},
        )
        assert r.status_code == 201, r.text
        for _ in range(3):  # the service has answered (and cached what it caches) before
            assert _decide(c, user, notice)["allow"] is True
    return notice


def _audit(srv: Any) -> list[dict[str, Any]]:
    """The events of the service's audit log (default: data_dir/audit.db)."""
    with AuditLog.open(str(srv.data_dir / "audit.db"), prefix=srv.prefix + "audit_") as log:
        return [json.loads(log.event_data(i)) for i in range(log.size)]


def test_cli_cancellation_withdraws_in_the_running_service(
    server: Any, ride: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # users "7" and "8" are unique to this test within the module's service
    alice, bob = "7", "8"
    with server.client() as c:
        notice = _setup(c, [alice, bob])
        rid = _request("cancellation", alice)
        config = _settings_file(server, tmp_path / "piguard.toml")
        out = _cli(["requests", "run", rid, "-d", str(EXAMPLE), "--consents", str(config)])
        assert "completed" in out
        assert "consents withdrawn=2" in out  # trip and ads
        assert "note:" not in out
        # the very next decision of the running service denies; the other person still allowed
        d = _decide(c, alice, notice)
        assert (d["allow"], d["reason"]) == (False, "withdrawn")
        assert _decide(c, bob, notice)["allow"] is True
        history = c.post("/v1/consents/query", json={"subject": alice}).json()
        assert [e["action"] for e in history].count("withdraw") == 2
        assert {e["channel"] for e in history if e["action"] == "withdraw"} == {"web"}
    with sqlite3.connect(ride) as conn:  # the datastore was erased as well
        assert conn.execute("SELECT count(*) FROM messages WHERE sender_id = 7").fetchone() == (0,)
    # the service's audit log: the withdrawals and the request's steps, under the person's
    # pseudonym from the service's key (the one its grants carry), never the user id
    events = _audit(server)
    grants = [e for e in events if e["action"] == "consent.grant"]
    withdrawals = [e for e in events if e["action"] == "consent.withdraw"]
    steps = [e for e in events if e.get("request_id") == rid]
    assert len(withdrawals) == 2
    assert all(e["actor"] == "piguard-cli" for e in withdrawals + steps)
    pseudonym = withdrawals[0]["subject"]
    assert pseudonym != alice
    assert pseudonym in {e["subject"] for e in grants}
    assert {e["subject"] for e in withdrawals + steps} == {pseudonym}
    assert "rights.step.consents" in {e["action"] for e in steps}
    assert "rights.request.completed" in {e["action"] for e in steps}


def test_cli_consent_withdrawal_by_database_url(
    server: Any, ride: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--consents URL`` with the data directory and table prefix from PIGUARD_* (as the
    service reads them); a second withdrawal request finds nothing left to withdraw."""
    user = "u-" + secrets.token_hex(4)
    monkeypatch.setenv("PIGUARD_DATA_DIR", str(server.data_dir))
    monkeypatch.setenv("PIGUARD_TABLE_PREFIX", server.prefix)
    with server.client() as c:
        notice = _setup(c, [user])
        rid = _request("consent_withdrawal", user)
        out = _cli(["requests", "run", rid, "-d", str(EXAMPLE), "--consents", server.db_url])
        assert "consents withdrawn=2" in out
        assert _decide(c, user, notice)["reason"] == "withdrawn"
        # consent given again after the withdrawal is a new grant; a new request withdraws it
        r = c.post(
            "/v1/consents",
            json={"subject": user, "notice": notice, "purposes": ["trip"], "channel": "app"},
        )
        assert r.status_code == 201, r.text
        assert _decide(c, user, notice)["allow"] is True
        again = _request("consent_withdrawal", user)
        monkeypatch.setenv("PIGUARD_DB_URL", server.db_url)  # all from the environment
        out = _cli(["requests", "run", again, "-d", str(EXAMPLE), "--consents", "env"])
        assert "consents withdrawn=1" in out
        assert _decide(c, user, notice)["reason"] == "withdrawn"
        done = _request("consent_withdrawal", user)
        out = _cli(["requests", "run", done, "-d", str(EXAMPLE), "--consents", "env"])
        assert "consents withdrawn=0" in out


def test_cli_wrong_consent_store_stops_before_erasing_then_resume_withdraws(
    server: Any, ride: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A --consents naming no consent records (a wrong table prefix) stops with exit 2 before
    anything is erased or the request changes state. A cancellation that failed in a datastore
    is resumed with --consents: the consents are withdrawn then."""
    user = str(1000 + secrets.randbelow(10**9))  # no rows in the ride database
    config = _settings_file(server, tmp_path / "piguard.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text(
        config.read_text(encoding="utf-8").replace(server.prefix, "nosuch_"), encoding="utf-8"
    )
    with server.client() as c:
        notice = _setup(c, [user])
        rid = _request("cancellation", user)
        out = _cli(["requests", "run", rid, "-d", str(EXAMPLE), "--consents", str(broken)], 2)
        assert "no table nosuch_consent_events" in out
        assert server.db_url not in out
        assert "identity_verified" in _cli(["requests", "show", rid])
        # the ride database is gone: the request fails in its datastore, consents untouched
        monkeypatch.setenv("PIGUARD_RIDE_DB_URL", f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
        out = _cli(["requests", "run", rid, "-d", str(EXAMPLE), "--consents", str(config)], 1)
        assert "failed" in out
        assert _decide(c, user, notice)["allow"] is True
        monkeypatch.setenv("PIGUARD_RIDE_DB_URL", f"sqlite:///{ride}")
        out = _cli(["requests", "resume", rid, "-d", str(EXAMPLE), "--consents", str(config)])
        assert "consents withdrawn=2" in out
        assert _decide(c, user, notice)["reason"] == "withdrawn"


@pytest.mark.parametrize("db_url", ["foo://u:s3cretpw@h/db", "postgresql://u:s3cretpw@h:x/db"])
def test_cli_unusable_consent_database_url_is_a_one_line_error(
    db_url: str, ride: Path, tmp_path: Path
) -> None:
    """An unknown scheme or a bad port fails while the engine is made: exit 2, one line, no
    password, nothing erased."""
    from piguard.service.app import open_services
    from piguard.service.settings import Settings

    data_dir = tmp_path / "svc"
    settings = Settings.load(None, data_dir=str(data_dir), create_keys=True, migrate=True)
    open_services(settings).close()  # the service's keys exist; only the URL is wrong
    config = tmp_path / "piguard.toml"
    config.write_text(
        f"[service]\ndb_url = {json.dumps(db_url)}\ndata_dir = {json.dumps(str(data_dir))}\n",
        encoding="utf-8",
    )
    rid = _request("cancellation", "7")
    out = _cli(["requests", "run", rid, "-d", str(EXAMPLE), "--consents", str(config)], 2)
    assert "cannot open the consent service's database" in out
    assert "s3cretpw" not in out
    assert "Traceback" not in out
    assert "identity_verified" in _cli(["requests", "show", rid])
