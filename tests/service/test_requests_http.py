"""Data-subject requests over HTTP against a real server process: a ride-hailing datastore in
SQLite and in PostgreSQL (its URL only in the server's environment; the service state in the
same kind of database), access, deletion, cancellation, overdue."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from .conftest import (  # type: ignore[import-not-found]
    Server,
    drop_tables,
    start_server,
    stop_server,
)

ALICE_PHONE = "13800000001"
BOB_PHONE = "13900000002"
CAROL_PHONE = "13700000003"

SCHEMA = """
CREATE TABLE users{s} (id INTEGER PRIMARY KEY, phone VARCHAR(20), name VARCHAR(50));
CREATE TABLE orders{s} (id INTEGER PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users{s}(id), address VARCHAR(200));
CREATE TABLE trips{s} (id INTEGER PRIMARY KEY,
                       order_id INTEGER NOT NULL REFERENCES orders{s}(id), pickup VARCHAR(200));
CREATE TABLE messages{s} (id INTEGER PRIMARY KEY, sender_id INTEGER REFERENCES users{s}(id),
                          body VARCHAR(200));
INSERT INTO users{s} VALUES (1, '13800000001', 'Alice'), (2, '13900000002', 'Bob'),
                            (3, '13700000003', 'Carol');
INSERT INTO orders{s} VALUES (10, 1, 'Alice home'), (11, 1, 'Alice work'), (20, 2, 'Bob home'),
                             (30, 3, 'Carol home');
INSERT INTO trips{s} VALUES (100, 10, 'A1'), (101, 11, 'A2'), (200, 20, 'B1'), (300, 30, 'C1');
INSERT INTO messages{s} VALUES (1000, 1, 'hi from Alice'), (2000, 2, 'hi from Bob')
"""
TABLES = ("users", "orders", "trips", "messages")

DESCRIPTION = """
version: 1
datastores:
  - name: ride
    url: env:PIGUARD_TEST_RIDE_URL
    tables:
      users{s}:
        key: id
        identity: {{user_id: id, phone: phone}}
        pi: {{phone: basic.phone, name: basic.name}}
        erasure: delete
      orders{s}:
        key: id
        pi: {{address: basic.address}}
        erasure: delete
      trips{s}:
        key: id
        pi: {{pickup: location.precise}}
        erasure: delete
      messages{s}:
        key: id
        pi: {{body: communication.content}}
        erasure: delete
"""


def _engine_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@dataclass
class Ride:
    server: Server
    url: str  # the datastore's URL (only the server's environment has it)
    key: str  # a key with the `requests` scope
    sfx: str  # table-name suffix (unique per run on a shared PostgreSQL)

    def t(self, name: str) -> str:
        return name + self.sfx

    @property
    def description(self) -> str:
        return DESCRIPTION.format(s=self.sfx)

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        engine = sa.create_engine(_engine_url(self.url))
        try:
            with engine.connect() as conn:
                out = {}
                for t in TABLES:
                    sql = f"SELECT * FROM {self.t(t)} ORDER BY 1"  # noqa: S608 (test tables)
                    out[t] = [tuple(r) for r in conn.exec_driver_sql(sql)]
                return out
        finally:
            engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def ride(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ride]:
    data_dir = tmp_path_factory.mktemp(f"svc-requests-{request.param}")
    prefix = f"r{secrets.token_hex(3)}_"
    if request.param == "sqlite":
        db_url = f"sqlite:///{data_dir / 'piguard.db'}"
        url, sfx = f"sqlite:///{data_dir / 'ride.db'}", ""
    else:
        db_url = url = request.getfixturevalue("pg_url")
        sfx = f"_{secrets.token_hex(4)}"
    engine = sa.create_engine(_engine_url(url))
    with engine.begin() as conn:
        for stmt in SCHEMA.format(s=sfx).split(";"):
            conn.exec_driver_sql(stmt)
    engine.dispose()
    srv = start_server(db_url, data_dir, prefix, extra_env={"PIGUARD_TEST_RIDE_URL": url})
    try:
        with srv.client() as admin:
            r = admin.post("/v1/keys", json={"scopes": ["requests"], "name": "dsr"})
            assert r.status_code == 201, r.text
            ride = Ride(srv, url, r.json()["key"], sfx)
            with srv.client(ride.key) as c:
                r = c.put("/v1/datastores", json={"yaml": ride.description})
                assert r.status_code == 200, r.text
        yield ride
    finally:
        stop_server(srv)
        if request.param != "sqlite":
            drop_tables(db_url, prefix)
            engine = sa.create_engine(_engine_url(url))
            with engine.begin() as conn:
                for t in reversed(TABLES):
                    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {t}{sfx}")
            engine.dispose()


def _create(c: httpx.Client, rtype: str, identity: dict[str, str], **extra: Any) -> str:
    r = c.post("/v1/requests", json={"type": rtype, "identity": identity, **extra})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "received"
    assert set(body["identity"].values()) == {"***"}
    rid: str = body["id"]
    return rid


def _verify_and_run(c: httpx.Client, rid: str) -> dict[str, Any]:
    r = c.post(f"/v1/requests/{rid}/verify")
    assert (r.status_code, r.json()["state"]) == (200, "identity_verified"), r.text
    r = c.post(f"/v1/requests/{rid}/run")
    assert r.status_code == 202, r.text
    assert r.json()["state"] == "in_progress"
    deadline = time.monotonic() + 60  # a guard against hanging, not a speed assertion
    while True:
        body: dict[str, Any] = c.get(f"/v1/requests/{rid}").json()
        if body["state"] in ("completed", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_datastores_are_registered_without_urls(ride: Ride) -> None:
    srv, key = ride.server, ride.key
    with srv.client(key) as c:
        r = c.get("/v1/datastores")
        assert r.status_code == 200
        body = r.json()
        assert body["datastores"] == [
            {
                "name": "ride",
                "url": "env:PIGUARD_TEST_RIDE_URL",
                "tables": sorted(ride.t(t) for t in TABLES),
            }
        ]
        assert ride.url not in r.text
        # a URL written into the description is refused: credentials belong in the environment
        plain = ride.description.replace("env:PIGUARD_TEST_RIDE_URL", ride.url)
        r = c.put("/v1/datastores", json={"yaml": plain})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_description")
        assert "env:VAR" in r.json()["error"]["message"]
        r = c.put("/v1/datastores", json={"yaml": "datastores: [oops"})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_description")
        # the registered description is unchanged
        assert c.get("/v1/datastores").json()["datastores"][0]["url"].startswith("env:")


def test_access_request_packages_exactly_that_persons_rows(
    ride: Ride,
) -> None:
    srv, key = ride.server, ride.key
    with srv.client(key) as c:
        rid = _create(c, "access", {"phone": ALICE_PHONE})
        r = c.get(f"/v1/requests/{rid}/package")
        assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
        body = _verify_and_run(c, rid)
        assert body["state"] == "completed", body
        assert body["package"] is True
        assert [s["state"] for s in body["steps"]] == ["done"]
        counts = {"users": 1, "orders": 2, "trips": 2, "messages": 1}
        assert body["steps"][0]["detail"]["rows"] == {ride.t(t): n for t, n in counts.items()}
        r = c.get(f"/v1/requests/{rid}/package")
        assert r.status_code == 200, r.text
        manifest = r.json()
        assert manifest["request"] == rid
        rows = {f["path"]: f["rows"] for f in manifest["files"]}
        assert rows == {
            f"ride/{ride.t(t)}.{ext}": n for t, n in counts.items() for ext in ("csv", "json")
        }
    # the package on the server's disk holds Alice's rows and nobody else's
    package = srv.data_dir / "requests" / "packages" / rid
    trips = json.loads((package / "ride" / f"{ride.t('trips')}.json").read_text(encoding="utf-8"))
    assert sorted(t["pickup"] for t in trips) == ["A1", "A2"]
    everything = "".join(p.read_text(encoding="utf-8") for p in package.rglob("*.json"))
    assert ALICE_PHONE in everything
    assert BOB_PHONE not in everything
    assert "Bob" not in everything
    assert "Carol" not in everything


def test_deletion_removes_exactly_that_persons_rows(ride: Ride) -> None:
    srv, key = ride.server, ride.key
    before = ride.rows()
    with srv.client(key) as c:
        rid = _create(c, "deletion", {"user_id": "1"})
        body = _verify_and_run(c, rid)
        assert body["state"] == "completed", body
        # running a completed request again is a conflict, not a second erasure
        r = c.post(f"/v1/requests/{rid}/run")
        assert (r.status_code, r.json()["error"]["code"]) == (409, "conflict")
    after = ride.rows()
    for table, rows in before.items():
        alice = [row for row in rows if _is_alice(table, row)]
        assert alice, table
        assert after[table] == [row for row in rows if row not in alice], table


def _is_alice(table: str, row: tuple[Any, ...]) -> bool:
    return {
        "users": row[0] == 1,
        "orders": row[1] == 1,
        "trips": row[1] in (10, 11),
        "messages": row[1] == 1,
    }[table]


def test_cancellation_withdraws_consents(ride: Ride) -> None:
    srv, key = ride.server, ride.key
    notice = "policy-" + secrets.token_hex(3)
    with srv.client() as admin:
        r = admin.post(
            "/v1/notices",
            json={"notice": notice, "purposes": [{"id": "trip", "categories": ["basic.phone"]}]},
        )
        assert r.status_code == 201, r.text
        r = admin.post(
            "/v1/consents",
            json={"subject": "3", "notice": notice, "purposes": ["trip"], "channel": "app"},
        )
        assert r.status_code == 201, r.text
        decision: dict[str, Any] = {
            "subject": "3",
            "notice": notice,
            "purpose": "trip",
            "categories": ["basic.phone"],
        }
        assert admin.post("/v1/decisions", json=decision).json()["allow"] is True
        with srv.client(key) as c:
            rid = _create(c, "cancellation", {"user_id": "3"})
            body = _verify_and_run(c, rid)
        assert body["state"] == "completed", body
        assert {s["step"]: s["detail"] for s in body["steps"]}["consents"] == {"withdrawn": 1}
        assert admin.post("/v1/decisions", json=decision).json()["allow"] is False
    assert all(3 not in (row[0], row[1]) for row in ride.rows()["users"])


def test_overdue_listing_refusal_and_errors(ride: Ride) -> None:
    srv, key = ride.server, ride.key
    with srv.client(key) as c:
        old = _create(c, "access", {"phone": BOB_PHONE}, received="2020-01-02")
        new = _create(c, "access", {"phone": BOB_PHONE})
        cancel = _create(c, "cancellation", {"phone": BOB_PHONE}, received="2026-11-02")
        overdue = c.get("/v1/requests", params={"overdue": "true"}).json()
        ids = {r["id"] for r in overdue}
        assert old in ids
        assert new not in ids
        assert all(r["overdue"] for r in overdue)
        # 15 working days for cancellation: due 2026-11-23, overdue on the 24th
        on = c.get("/v1/requests", params={"overdue": "true", "on": "2026-11-24"}).json()
        assert cancel in {r["id"] for r in on}
        on = c.get("/v1/requests", params={"overdue": "true", "on": "2026-11-23"}).json()
        assert cancel not in {r["id"] for r in on}
        assert {old, new, cancel} <= {r["id"] for r in c.get("/v1/requests").json()}
        # a refusal has its reason and the complaint route; it is no longer overdue
        r = c.post(f"/v1/requests/{old}/refuse", json={"reason": "identity not verified"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "refused"
        assert "PIPL" in r.json()["complaint_route"]
        assert old not in {r["id"] for r in c.get("/v1/requests?overdue=1").json()}
        # stable error codes, never the identity values
        r = c.post(f"/v1/requests/{old}/run")
        assert (r.status_code, r.json()["error"]["code"]) == (409, "conflict")
        r = c.get("/v1/requests/req-missing")
        assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
        r = c.post("/v1/requests", json={"type": "nope", "identity": {"phone": CAROL_PHONE}})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_request")
        r = c.post("/v1/requests", json={"type": "access", "identity": {"qq": CAROL_PHONE}})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_request")
        r = c.post("/v1/requests", json={"type": "access", "identity": {"phone": "  "}})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input")
        r = c.post("/v1/requests", json={"type": "access", "identity": {}})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input")
        assert CAROL_PHONE not in r.text
    # a key without the `requests` scope is refused
    with srv.client() as admin:
        narrow = admin.post("/v1/keys", json={"scopes": ["consent:read"]}).json()["key"]
    with srv.client(narrow) as c:
        r = c.get(f"/v1/requests/{new}")
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")


def test_identities_never_in_responses_or_logs(ride: Ride) -> None:
    srv, key = ride.server, ride.key
    with srv.client(key) as c:
        listing = c.get("/v1/requests").text
    assert listing.count('"***"') >= 1
    for phone in (ALICE_PHONE, BOB_PHONE, CAROL_PHONE):
        assert phone not in listing
        assert phone not in srv.log.read_text(encoding="utf-8", errors="replace")


def test_explanation_request_names_holdings_without_values(ride: Ride) -> None:
    srv, key = ride.server, ride.key
    with srv.client(key) as c:
        rid = _create(c, "explanation", {"phone": BOB_PHONE})
        body = _verify_and_run(c, rid)
        assert body["state"] == "completed", body
        assert body["package"] is True
        assert [s["step"] for s in body["steps"]] == ["explain:ride"]
        r = c.get(f"/v1/requests/{rid}/package")
        assert r.status_code == 200, r.text
        doc = r.json()
    assert doc["schema"] == "piguard.explanation/1"
    assert {h["table"]: h["rows"] for h in doc["holdings"]} == {
        ride.t(t): 1 for t in ("users", "orders", "trips", "messages")
    }
    assert {c["key"] for c in doc["categories"]} >= {"basic.phone", "basic.address"}
    package = srv.data_dir / "requests" / "packages" / rid
    text = "".join(p.read_text(encoding="utf-8") for p in package.rglob("*"))
    assert "explanation.md" in {p.name for p in package.iterdir()}
    assert BOB_PHONE not in text
    assert "Bob home" not in text


def test_run_is_refused_while_another_process_holds_the_lease(ride: Ride) -> None:
    from piguard.rights import RequestStore

    srv, key = ride.server, ride.key
    with srv.client(key) as c:
        rid = _create(c, "access", {"phone": CAROL_PHONE})
        assert c.post(f"/v1/requests/{rid}/verify").status_code == 200
        # `piguard requests run` in another process holds the request's lease
        store = RequestStore(srv.data_dir / "requests" / "requests.db")
        store.acquire_lease(rid, "cli-host:4242:abcdef", seconds=300)
        r = c.post(f"/v1/requests/{rid}/run")
        assert (r.status_code, r.json()["error"]["code"]) == (409, "conflict")
        assert "another process" in r.json()["error"]["message"]
        assert c.get(f"/v1/requests/{rid}").json()["state"] == "identity_verified"
        store.release_lease(rid, "cli-host:4242:abcdef")
        store.close()
        r = c.post(f"/v1/requests/{rid}/run")  # free again: the service runs it
        assert r.status_code == 202, r.text
        deadline = time.monotonic() + 60  # a guard against hanging, not a speed assertion
        while c.get(f"/v1/requests/{rid}").json()["state"] == "in_progress":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert c.get(f"/v1/requests/{rid}").json()["state"] == "completed"
