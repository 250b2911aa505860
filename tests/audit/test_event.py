"""Audit events: canonical bytes, raw-PI refusal and keyed pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piguard.audit.event import (
    AuditEvent,
    Pseudonymizer,
    canonical_bytes,
    canonical_json,
    check_categories,
    event_from_dict,
    find_raw_pi,
)
from piguard.audit.merkle import sm3_available
from piguard.errors import InputError
from piguard.keys import EnvKeyProvider

KEY = bytes(range(32))
PROVIDER = EnvKeyProvider(environ={"PIGUARD_KEY_AUDIT": KEY.hex()})
T = "2026-11-26T08:00:00Z"


def test_canonical_bytes_are_sorted_compact_utf8() -> None:
    ev = AuditEvent(
        time=T,
        actor="客服-07",
        action="request.access",
        purpose="答复查询",
        categories=("basic.phone", "identity.resident_id"),
        request_id="req-20261126-000123",
        details={"rows": 3, "partial": False},
    )
    data = canonical_bytes(ev)
    assert data.decode("utf-8").startswith('{"action":"request.access","actor":"客服-07"')
    assert b" " not in data
    assert canonical_bytes(event_from_dict(ev.to_dict())) == data


@pytest.mark.parametrize(
    ("when", "want"),
    [
        ("2026-11-26T16:00:00+08:00", "2026-11-26T08:00:00.000000Z"),
        (datetime(2026, 11, 26, 8, tzinfo=UTC), "2026-11-26T08:00:00.000000Z"),
        (
            datetime(2026, 11, 26, 9, 30, tzinfo=timezone(timedelta(hours=1, minutes=30))),
            "2026-11-26T08:00:00.000000Z",
        ),
    ],
)
def test_times_are_normalised_to_utc(when: str | datetime, want: str) -> None:
    assert AuditEvent(time=when, actor="svc", action="x").time == want


def test_naive_and_bad_times_are_refused() -> None:
    with pytest.raises(InputError, match="no time zone"):
        AuditEvent(time="2026-11-26T08:00:00", actor="svc", action="x")
    with pytest.raises(InputError, match="not an ISO 8601"):
        AuditEvent(time="yesterday", actor="svc", action="x")


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("actor", "13812345678", "mobile"),
        ("actor", "客服处理13812345678的投诉", "mobile"),
        ("actor", "+86 13812345678", "mobile"),
        ("request_id", "11010519491231002X", "resident ID"),
        ("consent_id", "110105491231002", "resident ID"),
        ("purpose", "退款到6222020200112233445", "bank-card"),
        ("actor", "zhang.san@example.com", "e-mail"),
    ],
)
def test_fields_that_look_like_raw_pi_are_refused(field: str, value: str, kind: str) -> None:
    kwargs: dict[str, str] = {"time": T, "actor": "svc", "action": "x", field: value}
    with pytest.raises(InputError, match=kind) as err:
        AuditEvent(**kwargs)  # type: ignore[arg-type]
    assert value not in str(err.value)


def test_subject_must_be_a_pseudonym() -> None:
    with pytest.raises(InputError, match="keyed pseudonym"):
        AuditEvent(time=T, actor="svc", action="x", subject="13812345678")
    with pytest.raises(InputError, match="keyed pseudonym"):
        AuditEvent(time=T, actor="svc", action="x", subject="张三")
    p = Pseudonymizer(PROVIDER, "audit")
    ev = AuditEvent(time=T, actor="svc", action="x", subject=p.pseudonym("13812345678"))
    assert ev.subject is not None
    assert "13812345678" not in ev.subject


def test_details_are_checked_too() -> None:
    with pytest.raises(InputError, match=r"details\.phone"):
        AuditEvent(time=T, actor="svc", action="x", details={"phone": "13912345678"})
    with pytest.raises(InputError, match="string, integer or boolean"):
        AuditEvent(time=T, actor="svc", action="x", details={"ratio": 0.5})  # type: ignore[dict-item]


def test_categories_must_be_taxonomy_keys() -> None:
    with pytest.raises(InputError, match="taxonomy keys"):
        AuditEvent(time=T, actor="svc", action="x", categories=("手机号",))


def test_event_from_dict_refuses_unknown_fields_and_defaults_time() -> None:
    with pytest.raises(InputError, match="unknown event field 'phone'"):
        event_from_dict({"actor": "svc", "action": "x", "phone": "1"})
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    ev = event_from_dict({"actor": "svc", "action": "x"}, clock=lambda: now)
    assert ev.time == "2026-01-02T03:04:05.000000Z"


def test_pseudonym_is_hmac_sha256_of_the_value() -> None:
    p = Pseudonymizer(PROVIDER, "audit")
    want = hmac.new(KEY, b"110105194912310021", hashlib.sha256).hexdigest()
    assert p.pseudonym("110105194912310021") == f"hmac-sha256:audit:{want}"
    assert KEY.hex() not in repr(p)
    other = Pseudonymizer(EnvKeyProvider(environ={"PIGUARD_KEY_AUDIT": "11" * 32}), "audit")
    assert other.pseudonym("110105194912310021") != p.pseudonym("110105194912310021")


@pytest.mark.skipif(not sm3_available(), reason="this OpenSSL has no SM3")
def test_pseudonym_with_hmac_sm3() -> None:
    p = Pseudonymizer(PROVIDER, "audit", algorithm="hmac-sm3")
    value = p.pseudonym("13812345678")
    assert value.startswith("hmac-sm3:audit:")
    assert len(value.split(":")[2]) == 64
    assert value.split(":")[2] != Pseudonymizer(PROVIDER, "audit").pseudonym("13812345678")[16:]
    AuditEvent(time=T, actor="svc", action="x", subject=value)


@given(st.text(max_size=40))
def test_pseudonyms_always_pass_validation(value: str) -> None:
    p = Pseudonymizer(PROVIDER, "audit")
    AuditEvent(time=T, actor=p.pseudonym(value), action="x", subject=p.pseudonym(value))


def test_find_raw_pi_leaves_ordinary_ids_alone() -> None:
    for text in ["svc-orders", "req-20261126-000123", "order 12345", "staff:E1024", "2026112608"]:
        assert find_raw_pi(text) is None, text


def test_categories_are_checked_against_the_taxonomy() -> None:
    check_categories(
        AuditEvent(time=T, actor="svc", action="x", categories=("basic", "basic.phone"))
    )
    with pytest.raises(InputError, match=r"unknown PI category 'basic\.fone'"):
        check_categories(AuditEvent(time=T, actor="svc", action="x", categories=("basic.fone",)))


_text = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20)


@given(
    actor=_text,
    purpose=st.none() | _text,
    ids=st.tuples(st.none() | _text, st.none() | _text),
    categories=st.lists(st.sampled_from(["basic", "basic.phone", "health.diagnosis"])),
    details=st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
        st.none() | st.booleans() | st.integers() | _text,
        max_size=4,
    ),
)
def test_fast_canonical_bytes_equal_the_reference_json(
    actor: str,
    purpose: str | None,
    ids: tuple[str | None, str | None],
    categories: list[str],
    details: dict[str, str | int | bool | None],
) -> None:
    try:
        ev = AuditEvent(
            time=T,
            actor=actor,
            action="x.y",
            purpose=purpose,
            categories=tuple(categories),
            request_id=ids[0],
            consent_id=ids[1],
            details=details,
        )
    except InputError:
        return  # a value that looks like raw PI: refused, nothing to serialise
    assert canonical_bytes(ev) == canonical_json(ev).encode("utf-8")
    assert json.loads(canonical_bytes(ev)) == ev.to_dict()
