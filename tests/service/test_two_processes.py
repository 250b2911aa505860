"""Two service processes on one database (as with several uvicorn workers): a change that
process A has acknowledged is seen by the very next decision in process B.

B is warmed first (its caches hold the old notice, data map and key), then A changes the
state, then B answers at once: no waiting, no retries. A per-process cache with a time to live
(or none) answers these with the old state; the state epoch read with each decision does not.
Run against SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .conftest import (  # type: ignore[import-not-found]
    Server,
    drop_tables,
    start_server,
    stop_server,
)

CATS = ["location.precise"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mariadb"])
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server]]:
    data_dir = tmp_path_factory.mktemp(f"two-{request.param}")
    prefix = f"w{secrets.token_hex(4)}_"
    if request.param == "sqlite":
        db_url = f"sqlite:///{data_dir / 'piguard.db'}"
    elif request.param == "postgresql":
        db_url = request.getfixturevalue("pg_url")
    else:
        db_url = request.getfixturevalue("mysql_url")
    a = start_server(db_url, data_dir, prefix, log_name="a.log")
    # same keys (so the same subject pseudonyms), its own audit log file
    b = start_server(
        db_url,
        data_dir,
        prefix,
        extra_env={"PIGUARD_AUDIT_LOG": str(data_dir / "audit-b.db")},
        log_name="b.log",
    )
    try:
        yield a, b
    finally:
        stop_server(b)
        stop_server(a)
        if request.param != "sqlite":
            drop_tables(db_url, prefix)


def _decide(
    c: httpx.Client, subject: str, notice: str, purpose: str = "trip", cats: list[str] = CATS
) -> dict[str, Any]:
    r = c.post(
        "/v1/decisions",
        json={"subject": subject, "notice": notice, "purpose": purpose, "categories": cats},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _publish(c: httpx.Client, notice: str, purposes: list[dict[str, Any]]) -> None:
    r = c.post("/v1/notices", json={"notice": notice, "purposes": purposes})
    assert r.status_code == 201, r.text


def _grant(c: httpx.Client, subject: str, notice: str, purpose: str = "trip") -> str:
    r = c.post(
        "/v1/consents",
        json={"subject": subject, "notice": notice, "purposes": [purpose], "channel": "app"},
    )
    assert r.status_code == 201, r.text
    consent_id: str = r.json()[0]["id"]
    return consent_id


def test_withdrawal_in_a_is_seen_by_b_at_once(pair: tuple[Server, Server]) -> None:
    a, b = pair
    notice, user = "n-" + secrets.token_hex(3), "u-" + secrets.token_hex(4)
    with a.client() as ca, b.client() as cb:
        _publish(ca, notice, [{"id": "trip", "categories": CATS}])
        consent_id = _grant(ca, user, notice)
        for _ in range(3):  # B has read this subject and notice before
            assert _decide(cb, user, notice)["allow"] is True
        r = ca.post(f"/v1/consents/{consent_id}/withdraw", json={"channel": "app"})
        assert r.status_code == 200, r.text
        assert _decide(cb, user, notice)["reason"] == "withdrawn"
        # and a new grant in B is seen by A
        _grant(cb, user, notice)
        assert _decide(ca, user, notice)["allow"] is True


def test_new_notice_version_in_a_is_seen_by_b_at_once(pair: tuple[Server, Server]) -> None:
    a, b = pair
    notice, user = "n-" + secrets.token_hex(3), "u-" + secrets.token_hex(4)
    with a.client() as ca, b.client() as cb:
        _publish(
            ca,
            notice,
            [{"id": "trip", "categories": CATS}, {"id": "ads", "categories": ["basic.email"]}],
        )
        _grant(ca, user, notice)
        assert _decide(cb, user, notice)["allow"] is True  # B caches version 1
        # version 2 drops the purpose: processing it is outside the notice from now on
        _publish(ca, notice, [{"id": "ads", "categories": ["basic.email"]}])
        d = _decide(cb, user, notice)
        assert (d["allow"], d["reason"]) == (False, "outside_notice")
        # version 3 brings it back wider: the old consent does not cover the new category
        _publish(ca, notice, [{"id": "trip", "categories": [*CATS, "location.trajectory"]}])
        d = _decide(cb, user, notice, cats=["location.trajectory"])
        assert (d["reason"], d["denied_categories"]) == ("scope_widened", ["location.trajectory"])


def test_key_revoked_in_a_is_refused_by_b_at_once(pair: tuple[Server, Server]) -> None:
    a, b = pair
    notice, user = "n-" + secrets.token_hex(3), "u-" + secrets.token_hex(4)
    with a.client() as ca:
        _publish(ca, notice, [{"id": "trip", "categories": CATS}])
        r = ca.post("/v1/keys", json={"scopes": ["decisions:read"], "name": "checkout"})
        assert r.status_code == 201, r.text
        key, key_id = r.json()["key"], r.json()["id"]
        with b.client(key) as kb, a.client(key) as ka:
            for _ in range(3):  # B has verified (and cached) the key
                assert (
                    kb.post(
                        "/v1/decisions",
                        json={
                            "subject": user,
                            "notice": notice,
                            "purpose": "trip",
                            "categories": CATS,
                        },
                    ).status_code
                    == 200
                )
            assert kb.get("/v1/notices/" + notice).status_code == 403  # scope still enforced
            assert ca.delete(f"/v1/keys/{key_id}").status_code == 204
            for client in (kb, ka):
                r = client.post(
                    "/v1/decisions",
                    json={"subject": user, "notice": notice, "purpose": "trip", "categories": CATS},
                )
                assert r.status_code == 401, r.text
                assert r.json()["error"]["code"] == "unauthorized"
                assert (
                    client.post(
                        "/v1/decisions/batch",
                        json={
                            "subjects": [user],
                            "notice": notice,
                            "purpose": "trip",
                            "categories": CATS,
                        },
                    ).status_code
                    == 401
                )


def test_datamap_loaded_in_a_is_applied_by_b_at_once(pair: tuple[Server, Server]) -> None:
    a, b = pair
    notice, user = "n-" + secrets.token_hex(3), "u-" + secrets.token_hex(4)
    with a.client() as ca, b.client() as cb:
        _publish(ca, notice, [{"id": "trip", "categories": [*CATS, "basic.email"]}])
        _grant(ca, user, notice)
        assert _decide(cb, user, notice, cats=["basic.email"])["allow"] is True
        yaml_text = (
            "datamap: 1\nsystems:\n  - id: app\n    functions:\n      - id: trip\n"
            "        type: basic\n        pi:\n          - {category: location.precise,"
            " purposes: [trip], legal_basis: separate_consent, retention: P30D}\n"
        )
        assert ca.put("/v1/datamap", json={"yaml": yaml_text}).status_code == 200
        d = _decide(cb, user, notice, cats=["basic.email"])
        assert (d["reason"], d["denied_categories"]) == ("outside_datamap", ["basic.email"])
        assert _decide(cb, user, notice)["allow"] is True
        r = cb.get("/v1/datamap")
        assert r.status_code == 200
        assert r.json()["yaml"] == yaml_text
        r = cb.post(
            "/v1/decisions/batch",
            json={
                "subjects": [user],
                "notice": notice,
                "purpose": "trip",
                "categories": ["basic.email"],
            },
        )
        assert r.json()["decisions"][0]["reason"] == "outside_datamap"
