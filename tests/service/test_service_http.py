"""The issue's scenarios against a real server process, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx
import pytest

from piguard.audit import InclusionProof, verify_inclusion_proof
from piguard.audit.proof import load_proof
from piguard.consent import verify_receipt
from piguard.keys import NoteVerifier

from .conftest import Server  # type: ignore[import-not-found]

ID_UNDER_14 = "110105201501010017"  # born 2015-01-01; valid check digit (GB 11643-1999)


def _uid() -> str:
    return "user-" + secrets.token_hex(6)


def _notice(c: httpx.Client, name: str, purposes: list[dict[str, Any]]) -> dict[str, Any]:
    r = c.post("/v1/notices", json={"notice": name, "purposes": purposes})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _decide(
    c: httpx.Client, subject: str, notice: str, purpose: str, cats: list[str]
) -> dict[str, Any]:
    r = c.post(
        "/v1/decisions",
        json={"subject": subject, "notice": notice, "purpose": purpose, "categories": cats},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _grant(
    c: httpx.Client, subject: str, notice: str, purposes: list[str], **extra: Any
) -> list[dict[str, Any]]:
    r = c.post(
        "/v1/consents",
        json={
            "subject": subject,
            "notice": notice,
            "purposes": purposes,
            "channel": "app",
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    body: list[dict[str, Any]] = r.json()
    return body


@pytest.fixture(scope="module")
def notice(server: Server) -> str:
    name = "policy-" + secrets.token_hex(3)
    with server.client() as c:
        _notice(
            c,
            name,
            [
                {"id": "trip", "description": "rides", "categories": ["location.precise"]},
                {"id": "marketing", "description": "offers", "categories": ["basic.email"]},
            ],
        )
    return name


def test_consent_allow_withdraw_deny(server: Server, notice: str) -> None:
    u = _uid()
    with server.client() as c:
        assert _decide(c, u, notice, "trip", ["location.precise"])["reason"] == "no_consent"
        (grant,) = _grant(c, u, notice, ["trip"])
        assert u not in json.dumps(grant)  # only the pseudonym comes back
        d = _decide(c, u, notice, "trip", ["location.precise"])
        assert d["allow"] is True
        assert d["consent_id"] == grant["id"]
        r = c.post(f"/v1/consents/{grant['id']}/withdraw", json={"channel": "web"})
        assert r.status_code == 200, r.text
        d = _decide(c, u, notice, "trip", ["location.precise"])
        assert (d["allow"], d["reason"]) == (False, "withdrawn")
        r = c.post(f"/v1/consents/{grant['id']}/withdraw", json={})
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "conflict"


def test_widened_notice_requires_reconsent(server: Server) -> None:
    name = "widen-" + secrets.token_hex(3)
    u = _uid()
    with server.client() as c:
        _notice(c, name, [{"id": "trip", "categories": ["location.precise"]}])
        _grant(c, u, name, ["trip"])
        v2 = _notice(
            c,
            name,
            [
                {"id": "trip", "categories": ["location.precise", "basic.phone.mobile"]},
                {"id": "insurance", "categories": ["basic.name"]},
            ],
        )
        assert v2["version"] == 2
        assert v2["change"]["widened"] == {"trip": ["basic.phone.mobile"]}
        assert v2["change"]["added"] == ["insurance"]
        assert _decide(c, u, name, "trip", ["location.precise"])["allow"] is True
        d = _decide(c, u, name, "trip", ["location.precise", "basic.phone.mobile"])
        assert (d["allow"], d["reason"]) == (False, "scope_widened")
        assert d["denied_categories"] == ["basic.phone.mobile"]
        assert _decide(c, u, name, "insurance", ["basic.name"])["reason"] == "no_consent"
        _grant(c, u, name, ["trip"])
        assert _decide(c, u, name, "trip", ["location.precise", "basic.phone.mobile"])["allow"]


def test_child_under_14_needs_guardian(server: Server, notice: str) -> None:
    kid, kid2 = _uid(), _uid()
    with server.client() as c:
        (g,) = _grant(c, kid, notice, ["trip"], resident_id=ID_UNDER_14)
        assert g["child"] is True
        d = _decide(c, kid, notice, "trip", ["location.precise"])
        assert (d["allow"], d["reason"]) == (False, "guardian_missing")
        _grant(
            c,
            kid2,
            notice,
            ["trip"],
            birth_date="2016-05-01",
            guardian={"id": "parent-" + secrets.token_hex(4), "relationship": "mother"},
        )
        assert _decide(c, kid2, notice, "trip", ["location.precise"])["allow"] is True


def test_refusal_then_reprompt_within_48h_refused(server: Server, notice: str) -> None:
    u = _uid()
    body = {"subject": u, "notice": notice, "purpose": "marketing"}
    with server.client() as c:
        r = c.post("/v1/consents/prompts", json=body)
        assert r.status_code == 200, r.text
        assert r.json() == {"may_ask": True, "last_refusal": None}
        r = c.post("/v1/consents/refusals", json={**body, "channel": "app"})
        assert r.status_code == 201, r.text
        r = c.post("/v1/consents/prompts", json=body)
        assert r.status_code == 409
        assert "48 hours" in r.json()["error"]["message"]
        assert _decide(c, u, notice, "marketing", ["basic.email"])["reason"] == "refused"


def test_batch_decisions(server: Server, notice: str) -> None:
    a, b = _uid(), _uid()
    with server.client() as c:
        _grant(c, a, notice, ["trip"])
        r = c.post(
            "/v1/decisions/batch",
            json={
                "subjects": [a, b],
                "notice": notice,
                "purpose": "trip",
                "categories": ["location.precise"],
            },
        )
        assert r.status_code == 200, r.text
        out = r.json()
        assert [d["reason"] for d in out["decisions"]] == ["consented", "no_consent"]
        assert (out["allowed"], out["denied"]) == (1, 1)


def test_receipt_verifies_offline(server: Server, notice: str) -> None:
    with server.client() as c:
        (g,) = _grant(c, _uid(), notice, ["trip"])
        env = c.get(f"/v1/consents/{g['id']}/receipt").json()
        vkey = c.get("/v1/receipts/key").json()["vkey"]
    receipt = verify_receipt(env, vkey)
    assert receipt["consentReceiptID"] == g["id"]
    assert receipt["piiPrincipalId"] == g["subject"]


def test_audit_events_are_in_the_merkle_log(server: Server, notice: str) -> None:
    with server.client() as c:
        (g,) = _grant(c, _uid(), notice, ["marketing"])
        note = c.get("/v1/audit/checkpoint")
        assert note.status_code == 200
        size = int(note.text.splitlines()[1])
        vkey = c.get("/v1/receipts/key").json()["vkey"]
        r = c.get("/v1/audit/proofs/inclusion", params={"index": size - 1, "size": size})
    parsed = load_proof(r.text)
    assert isinstance(parsed, InclusionProof)
    verify_inclusion_proof(parsed, note.text, NoteVerifier.from_vkey(vkey))
    assert parsed.event is not None
    assert parsed.event["action"] == "consent.grant"
    assert parsed.event["consent_id"] == g["id"]
    assert parsed.event["subject"] == g["subject"]


def test_datamap_outside_and_findings(server: Server) -> None:
    name = "dm-" + secrets.token_hex(3)
    u = _uid()
    yaml_text = (
        "datamap: 1\nsystems:\n  - id: app\n    functions:\n      - id: trip\n        type: basic\n"
        "        pi:\n          - {category: location.precise, purposes: [trip],"
        " legal_basis: separate_consent, retention: P30D}\n"
    )
    with server.client() as c:
        r = c.put("/v1/datamap", json={"yaml": yaml_text, "app_category": "网络约车"})
        assert r.status_code == 200, r.text
        assert r.json()["findings"] == []
        _notice(c, name, [{"id": "trip", "categories": ["location.precise", "basic.email"]}])
        _grant(c, u, name, ["trip"])
        assert _decide(c, u, name, "trip", ["location.precise"])["allow"] is True
        d = _decide(c, u, name, "trip", ["basic.email"])
        assert (d["reason"], d["denied_categories"]) == ("outside_datamap", ["basic.email"])
        bad = c.put("/v1/datamap", json={"yaml": "datamap: 1\nsystems: 3\n"})
        assert bad.status_code == 422
        assert bad.json()["error"] == {
            "code": "invalid_datamap",
            "message": "datamap:2: systems must be a list",
        }
        strict = c.put(
            "/v1/datamap",
            json={"yaml": yaml_text.replace(", retention: P30D", ""), "strict": True},
        )
        assert strict.status_code == 422
        assert strict.json()["error"]["code"] == "datamap_findings"
        # unload the scope for the other tests: a map that lists every purpose they use
        r = c.get("/v1/datamap")
        assert r.status_code == 200
        assert r.json()["yaml"] == yaml_text


def test_every_endpoint_refuses_calls_without_a_valid_key(server: Server) -> None:
    spec = httpx.get(server.url + "/openapi.json").json()
    with server.client() as admin:
        r = admin.post("/v1/keys", json={"scopes": ["audit:read"], "name": "narrow"})
        assert r.status_code == 201
        narrow = r.json()["key"]
    checked = 0
    anon = httpx.Client(base_url=server.url, timeout=30)
    for path, item in spec["paths"].items():
        concrete = path.replace("{", "").replace("}", "")
        for method in item:
            if path == "/healthz":
                continue
            for headers in (
                {},
                {"Authorization": "Bearer pgk_000000000000_" + "x" * 43},
                {"Authorization": "Basic abc"},
            ):
                r = anon.request(method, concrete, headers=headers)
                assert r.status_code == 401, (method, path, r.status_code)
                assert r.json()["error"]["code"] == "unauthorized"
            if "audit" not in path:
                r = anon.request(method, concrete, headers={"Authorization": f"Bearer {narrow}"})
                assert r.status_code == 403, (method, path, r.status_code)
            checked += 1
    anon.close()
    assert checked >= 15


def test_errors_are_json_with_stable_codes_and_no_values(server: Server, notice: str) -> None:
    with server.client() as c:
        r = c.post(
            "/v1/decisions",
            json={
                "subject": "13812345678",
                "notice": notice,
                "purpose": "trip",
                "categories": ["NOT A KEY"],
            },
        )
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "invalid_request"
        assert "NOT A KEY" not in r.text
        assert "13812345678" not in r.text
        r = c.post(
            "/v1/decisions",
            json={
                "subject": "x",
                "notice": "missing",
                "purpose": "trip",
                "categories": ["basic.name"],
            },
        )
        assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
        r = c.post(
            "/v1/consents",
            json={
                "subject": "x",
                "notice": notice,
                "purposes": ["trip"],
                "channel": "app",
                "resident_id": "110105201501010018",
            },
        )
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input")
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "13812345678" not in log
    assert '"route": "/v1/decisions"' in log
