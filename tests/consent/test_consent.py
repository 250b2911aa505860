"""Consent logic against the in-memory store: the issue's scenarios, receipts, audit events."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piguard import datamap as dm
from piguard.audit import MemorySink, Pseudonymizer
from piguard.consent import (
    Action,
    Channel,
    ConsentService,
    MemoryConsentStore,
    Purpose,
    Reason,
    SeparateReason,
    age_on,
    verify_receipt,
)
from piguard.errors import ConflictError, InputError, IntegrityError, NotFoundError
from piguard.keys import EnvKeyProvider, NoteSigner

KID_ID = "110105201501010017"  # a valid test number (check digit per GB 11643-1999)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sink() -> MemorySink:
    return MemorySink()


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner.generate("consent.test")


@pytest.fixture
def svc(clock: Clock, sink: MemorySink, signer: NoteSigner) -> ConsentService:
    pseudo = Pseudonymizer(EnvKeyProvider(environ={"PIGUARD_KEY_SUBJECT": "11" * 32}), "subject")
    s = ConsentService(
        MemoryConsentStore(), audit=sink, pseudonymize=pseudo.pseudonym, signer=signer, clock=clock
    )
    s.publish_notice(
        "policy",
        [
            Purpose(id="trip", description="rides", categories=("location.precise",)),
            Purpose(id="marketing", description="offers", categories=("basic.email",)),
        ],
        actor="admin",
    )
    return s


def _decide(
    svc: ConsentService, subject: str = "u1", cats: tuple[str, ...] = ("location.precise",)
):
    return svc.decide(subject, "policy", "trip", list(cats))


def test_consent_then_allow_then_withdraw_deny(svc: ConsentService) -> None:
    assert _decide(svc).reason is Reason.NO_CONSENT
    (grant,) = svc.grant("u1", "policy", ["trip"], channel=Channel.APP, actor="app")
    d = _decide(svc)
    assert d.allow
    assert d.consent_id == grant.id
    svc.withdraw(grant.id, channel=Channel.WEB, actor="app")
    d = _decide(svc)
    assert not d.allow
    assert d.reason is Reason.WITHDRAWN
    with pytest.raises(ConflictError):
        svc.withdraw(grant.id, channel=Channel.WEB, actor="app")
    # consenting again after withdrawal works
    svc.grant("u1", "policy", ["trip"], channel=Channel.APP, actor="app")
    assert _decide(svc).allow


def test_widened_notice_needs_reconsent(svc: ConsentService) -> None:
    svc.grant("u1", "policy", ["trip"], channel=Channel.APP, actor="app")
    _, change = svc.publish_notice(
        "policy",
        [
            Purpose(id="trip", description="rides", categories=("location.precise", "basic.phone")),
            Purpose(id="marketing", description="offers", categories=("basic.email",)),
            Purpose(id="insurance", description="trip insurance", categories=("basic.name",)),
        ],
        actor="admin",
    )
    assert change.widened == {"trip": ("basic.phone",)}
    assert change.added == ("insurance",)
    assert _decide(svc).allow  # the old scope stays allowed
    d = _decide(svc, cats=("location.precise", "basic.phone"))
    assert d.reason is Reason.SCOPE_WIDENED
    assert d.denied_categories == ("basic.phone",)
    assert svc.decide("u1", "policy", "insurance", ["basic.name"]).reason is Reason.NO_CONSENT
    svc.grant("u1", "policy", ["trip"], channel=Channel.APP, actor="app")
    assert _decide(svc, cats=("location.precise", "basic.phone")).allow


def test_child_under_14_needs_guardian(svc: ConsentService, clock: Clock) -> None:
    birth = date(2015, 3, 1)  # 11 on 2026-11-26
    svc.grant("kid", "policy", ["trip"], channel=Channel.APP, actor="app", birth_date=birth)
    assert _decide(svc, "kid").reason is Reason.GUARDIAN_MISSING
    svc.grant(
        "kid",
        "policy",
        ["trip"],
        channel=Channel.COMPANION_APP,
        actor="app",
        birth_date=birth,
        guardian_id="parent-1",
        guardian_relationship="mother",
    )
    assert _decide(svc, "kid").allow
    # a resident ID gives the age too (GB 11643-1999 birth date): born 2015-01-01
    svc.grant(
        "kid2",
        "policy",
        ["trip"],
        channel=Channel.APP,
        actor="app",
        resident_id=KID_ID,
    )
    assert _decide(svc, "kid2").reason is Reason.GUARDIAN_MISSING
    # once the child turns 14, their own consent stands
    clock.now = datetime(2029, 3, 2, tzinfo=UTC)
    svc.grant("kid3", "policy", ["trip"], channel=Channel.APP, actor="app", birth_date=birth)
    assert _decide(svc, "kid3").allow


def test_refusal_blocks_reprompt_for_48_hours(svc: ConsentService, clock: Clock) -> None:
    assert svc.prompt("u2", "policy", "marketing", actor="app") is None
    svc.refuse("u2", "policy", "marketing", channel=Channel.APP, actor="app")
    assert svc.decide("u2", "policy", "marketing", ["basic.email"]).reason is Reason.REFUSED
    clock.now += timedelta(hours=47, minutes=59)
    with pytest.raises(ConflictError, match="48 hours"):
        svc.prompt("u2", "policy", "marketing", actor="app")
    clock.now += timedelta(minutes=2)
    assert svc.prompt("u2", "policy", "marketing", actor="app") is not None
    # the subject may turn it on themselves at any time
    svc.grant("u2", "policy", ["marketing"], channel=Channel.APP, actor="app")
    assert svc.decide("u2", "policy", "marketing", ["basic.email"]).allow


def test_datamap_scope_and_retention(svc: ConsentService, clock: Clock) -> None:
    datamap = dm.parse_datamap(
        "datamap: 1\nsystems:\n  - id: app\n    functions:\n      - id: trip\n        type: basic\n"
        "        pi:\n          - {category: location.precise, purposes: [trip], "
        "legal_basis: separate_consent, retention: P30D}\n"
    )
    svc.scope = lambda: datamap
    svc.grant("u1", "policy", ["trip"], channel=Channel.APP, actor="app")
    assert _decide(svc).allow
    d = svc.decide("u1", "policy", "marketing", ["basic.email"])
    assert d.reason is Reason.OUTSIDE_DATAMAP
    clock.now += timedelta(days=31)
    assert _decide(svc).reason is Reason.RETENTION_EXPIRED


def test_receipt_verifies_offline_and_detects_tampering(
    svc: ConsentService, signer: NoteSigner
) -> None:
    # an identifier that cannot occur by chance in the base64 signature or hex pseudonym
    person = "person-13800000001@example.cn"
    (grant,) = svc.grant(person, "policy", ["trip"], channel=Channel.VOICE, actor="app")
    env = json.loads(svc.receipt(grant.id))
    receipt = verify_receipt(env, signer.verifier().vkey)
    assert receipt["consentReceiptID"] == grant.id
    assert receipt["collectionMethod"] == "voice"
    assert receipt["piiPrincipalId"].startswith("hmac-sha256:subject:")
    assert person not in json.dumps(env)
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["piiCategory"] == ["location.precise"]
    assert receipt["sensitive"] is True
    env["receipt"]["collectionMethod"] = "paper"
    with pytest.raises(IntegrityError):
        verify_receipt(env, signer.verifier().vkey)
    with pytest.raises(IntegrityError):
        verify_receipt(
            json.loads(svc.receipt(grant.id)), NoteSigner.generate("x.test").verifier().vkey
        )


def test_separate_consent_reasons_are_derived(svc: ConsentService) -> None:
    n = svc.notice("policy")
    trip = n.purpose("trip")
    assert trip is not None
    assert SeparateReason.SENSITIVE in trip.separate  # location.precise is sensitive


def test_audit_events_carry_pseudonyms_only(svc: ConsentService, sink: MemorySink) -> None:
    (grant,) = svc.grant(
        "13812345678",
        "policy",
        ["trip"],
        channel=Channel.APP,
        actor="app",
        guardian_id="13900000000",
        guardian_relationship="father",
        birth_date=date(2016, 1, 1),
    )
    svc.withdraw(grant.id, channel=Channel.APP, actor="app")
    actions = [e.action for e in sink.events]
    assert actions == ["notice.publish", "consent.grant", "consent.withdraw"]
    text = json.dumps([e.to_dict() for e in sink.events], ensure_ascii=False)
    assert "13812345678" not in text
    assert "13900000000" not in text
    assert sink.events[1].subject is not None
    assert sink.events[1].details["guardian_relationship"] == "father"


def test_errors(svc: ConsentService) -> None:
    with pytest.raises(NotFoundError):
        svc.decide("u1", "nope", "trip", ["location.precise"])
    with pytest.raises(InputError):
        svc.decide("u1", "policy", "trip", ["location.precis"])
    with pytest.raises(InputError):
        svc.grant("u1", "policy", ["nope"], channel=Channel.APP, actor="a")
    with pytest.raises(InputError):
        svc.grant("u1", "policy", ["trip"], channel=Channel.APP, actor="a", resident_id="123")
    with pytest.raises(NotFoundError):
        svc.withdraw("missing", channel=Channel.APP, actor="a")


def test_batch_matches_single(svc: ConsentService) -> None:
    svc.grant("a", "policy", ["trip"], channel=Channel.APP, actor="app")
    g = svc.grant("b", "policy", ["trip"], channel=Channel.APP, actor="app")
    svc.withdraw(g[0].id, channel=Channel.APP, actor="app")
    batch = svc.decide_many(["a", "b", "c", "a"], "policy", "trip", ["location.precise"])
    assert [d.reason for d in batch] == [
        Reason.CONSENTED,
        Reason.WITHDRAWN,
        Reason.NO_CONSENT,
        Reason.CONSENTED,
    ]
    assert [d.to_dict() for d in batch[:3]] == [_decide(svc, s).to_dict() for s in "abc"]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 120))
def test_age_on_birthday(birth: date, years: int) -> None:
    try:
        day = birth.replace(year=birth.year + years)
    except ValueError:
        return
    assert age_on(birth, day) == years
    assert age_on(birth, day - timedelta(days=1)) == years - 1


def test_history(svc: ConsentService) -> None:
    svc.grant("u9", "policy", ["trip", "marketing"], channel=Channel.PAPER, actor="app")
    events = svc.history("u9")
    assert {e.purpose for e in events} == {"trip", "marketing"}
    assert all(e.action is Action.GRANT for e in events)
