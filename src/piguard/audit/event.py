"""Audit events, their canonical bytes, and keyed pseudonyms of the person concerned.

An event records who (``actor``) did what (``action``) to which categories of personal
information (taxonomy keys such as ``basic.phone``), why (``purpose``), under which request or
consent, and about whom — as a **keyed pseudonym** (HMAC-SHA256 or HMAC-SM3 with a key from a
:class:`~piguard.keys.KeyProvider`), never the raw identifier. GB/T 35273-2020 §11.7 asks for an
automated audit of processing whose records are protected from tampering; keeping PI out of the
log's leaves means a deletion request never forces a rewrite of the tamper-evident log.

Fields that look like raw PI (an 11-digit mainland mobile number, an 18- or 15-digit resident
ID, a bank-card number, an e-mail address) are refused.

>>> ev = AuditEvent(
...     time="2026-11-26T08:00:00Z",
...     actor="svc-orders",
...     action="deidentify.run",
...     purpose="delivery",
...     categories=("basic.phone",),
... )
>>> canonical_bytes(ev)
b'{"action":"deidentify.run","actor":"svc-orders","categories":["basic.phone"],"purpose":"delivery","time":"2026-11-26T08:00:00.000000Z","v":1}'
>>> AuditEvent(time="2026-11-26T08:00:00Z", actor="13812345678", action="x")
... # doctest: +ELLIPSIS
Traceback (most recent call last):
...
piguard.errors.InputError: field 'actor' looks like raw personal information (a mobile ...
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from piguard import taxonomy
from piguard.errors import InputError, UnknownKeyError
from piguard.keys import KeyProvider, KeyRef

__all__ = [
    "PSEUDONYM_ALGORITHMS",
    "AuditEvent",
    "Pseudonymizer",
    "canonical_bytes",
    "canonical_json",
    "check_categories",
    "event_from_dict",
    "find_raw_pi",
]

SCHEMA_VERSION = 1
PSEUDONYM_ALGORITHMS = ("hmac-sha256", "hmac-sm3")

_B = r"(?<![0-9A-Za-z])"
_E = r"(?![0-9A-Za-z])"
# CJK-safe boundaries (CONVENTIONS.md 2): a number glued to Chinese text is still found.
_RAW_PI: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a resident ID number (身份证号)", re.compile(_B + r"(?:\d{17}[\dXx]|\d{15})" + _E)),
    ("a bank-card number (银行卡号)", re.compile(_B + r"\d{16,19}" + _E)),
    ("a mobile number (手机号)", re.compile(_B + r"(?:\+?86[- ]?)?1[3-9]\d{9}" + _E)),
    ("an e-mail address", re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")),
)
_PSEUDONYM = re.compile(
    r"(hmac-sha256|hmac-sm3):([A-Za-z0-9][A-Za-z0-9_.\-]{0,127}):([0-9a-f]{64})"
)
_CATEGORY = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/\-]{0,127}")
_MAX_TEXT = 512


def find_raw_pi(text: str) -> str | None:
    """Name the kind of raw PI that ``text`` appears to contain, or None.

    >>> find_raw_pi("订单联系人13812345678")
    'a mobile number (手机号)'
    >>> find_raw_pi("req-20261126-000123") is None
    True
    """
    for label, pattern in _RAW_PI:
        if pattern.search(text):
            return label
    return None


def _check_text(name: str, value: object, *, required: bool = False) -> None:
    if value is None:
        if required:
            raise InputError(f"field {name!r} is required")
        return
    if not isinstance(value, str) or (required and not value):
        raise InputError(f"field {name!r} must be a non-empty string")
    if len(value) > _MAX_TEXT:
        raise InputError(f"field {name!r} is longer than {_MAX_TEXT} characters")
    if _PSEUDONYM.fullmatch(value):
        return
    label = find_raw_pi(value)
    if label:
        raise InputError(
            f"field {name!r} looks like raw personal information ({label}); "
            "record a keyed pseudonym or a staff id instead"
        )


def _normalise_time(value: str | datetime) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InputError("field 'time' is not an ISO 8601 / RFC 3339 timestamp") from None
    if value.tzinfo is None:
        raise InputError("field 'time' has no time zone; give UTC ('Z') or an offset")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One audit record. Validated on construction; ``time`` is normalised to UTC."""

    time: str | datetime
    actor: str
    action: str
    purpose: str | None = None
    categories: tuple[str, ...] = ()
    subject: str | None = None
    request_id: str | None = None
    consent_id: str | None = None
    details: Mapping[str, str | int | bool | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "time", _normalise_time(self.time))
        _check_text("actor", self.actor, required=True)
        action: object = self.action
        if not isinstance(action, str) or not _TOKEN.fullmatch(action):
            raise InputError(
                "field 'action' must be a short token such as 'consent.grant' "
                "(letters, digits, '.', '_', ':', '/', '-')"
            )
        _check_text("purpose", self.purpose)
        _check_text("request_id", self.request_id)
        _check_text("consent_id", self.consent_id)
        subject: object = self.subject
        if subject is not None and (
            not isinstance(subject, str) or not _PSEUDONYM.fullmatch(subject)
        ):
            raise InputError(
                "field 'subject' must be a keyed pseudonym 'hmac-sha256:<key id>:<64 hex>' "
                "(see Pseudonymizer), never a raw identifier"
            )
        cats = tuple(self.categories)
        for cat in cats:
            if not isinstance(cat, str) or not _CATEGORY.fullmatch(cat):  # type: ignore[redundant-expr]
                raise InputError("field 'categories' must hold taxonomy keys such as 'basic.phone'")
        object.__setattr__(self, "categories", cats)
        if not isinstance(self.details, Mapping):
            raise InputError("field 'details' must be an object")
        for key, value in self.details.items():
            if not isinstance(key, str) or not _TOKEN.fullmatch(key):  # type: ignore[redundant-expr]
                raise InputError("keys of 'details' must be short tokens")
            if isinstance(value, str):
                _check_text(f"details.{key}", value)
            elif value is not None and not isinstance(value, bool | int):
                raise InputError(f"field 'details.{key}' must be a string, integer or boolean")
        object.__setattr__(self, "details", dict(self.details))

    def to_dict(self) -> dict[str, Any]:
        """The event as a JSON object (None fields and empty collections left out)."""
        out: dict[str, Any] = {"v": SCHEMA_VERSION, "time": self.time, "actor": self.actor}
        out["action"] = self.action
        for name in ("purpose", "subject", "request_id", "consent_id"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.categories:
            out["categories"] = list(self.categories)
        if self.details:
            out["details"] = dict(self.details)
        return out


def check_categories(event: AuditEvent) -> None:
    """Raise :class:`InputError` unless every category is a key of piguard's taxonomy.

    Done when events are appended, not when proofs are verified, so that a proof stays
    checkable whatever taxonomy version the verifier has.

    >>> check_categories(
    ...     AuditEvent(
    ...         time="2026-11-26T08:00:00Z", actor="s", action="x", categories=("basic.fone",)
    ...     )
    ... )
    Traceback (most recent call last):
    ...
    piguard.errors.InputError: unknown PI category 'basic.fone' (not a taxonomy key)
    """
    for key in event.categories:
        try:
            taxonomy.get(key)
        except UnknownKeyError:
            raise InputError(f"unknown PI category {key!r} (not a taxonomy key)") from None


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_STR = json.encoder.encode_basestring  # the C string encoder json.dumps uses for ensure_ascii=False


def canonical_json(event: AuditEvent) -> str:
    """The reference form: ``json.dumps(event.to_dict(), sort_keys=True, separators=(",",
    ":"), ensure_ascii=False)``. :func:`canonical_bytes` builds the same text faster."""
    return _ENCODER.encode(event.to_dict())


def canonical_bytes(event: AuditEvent) -> bytes:
    """The leaf data ``d`` of an event: deterministic JSON (sorted keys, no spaces, UTF-8,
    no floats), so the same event always hashes to the same leaf.

    Byte-for-byte the UTF-8 of :func:`canonical_json` (a property test checks it), written
    out field by field in sorted key order because this is the hot path of every append.
    """
    q = _STR
    parts = ['{"action":', q(event.action), ',"actor":', q(event.actor)]
    if event.categories:
        parts += [',"categories":[', ",".join([q(c) for c in event.categories]), "]"]
    if event.consent_id is not None:
        parts += [',"consent_id":', q(event.consent_id)]
    if event.details:
        parts += [',"details":', _ENCODER.encode(event.details)]
    if event.purpose is not None:
        parts += [',"purpose":', q(event.purpose)]
    if event.request_id is not None:
        parts += [',"request_id":', q(event.request_id)]
    if event.subject is not None:
        parts += [',"subject":', q(event.subject)]
    parts += [',"time":', q(str(event.time)), f',"v":{SCHEMA_VERSION}}}']
    return "".join(parts).encode("utf-8")


_FIELDS = {
    "v",
    "time",
    "actor",
    "action",
    "purpose",
    "categories",
    "subject",
    "request_id",
    "consent_id",
    "details",
}


def event_from_dict(
    data: Mapping[str, Any], *, clock: Callable[[], datetime] | None = None
) -> AuditEvent:
    """Build an event from a JSON object (as read from JSONL); ``time`` defaults to now."""
    if not isinstance(data, Mapping):
        raise InputError("an event must be a JSON object")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise InputError(f"unknown event field {unknown[0]!r}")
    if data.get("v", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise InputError(f"unsupported event schema version {data.get('v')!r}")
    time = data.get("time")
    if time is None:
        time = (clock or (lambda: datetime.now(UTC)))()
    categories = data.get("categories", ())
    if not isinstance(categories, list | tuple):
        raise InputError("field 'categories' must be a list")
    return AuditEvent(
        time=time,
        actor=data.get("actor"),  # type: ignore[arg-type]  # validated by AuditEvent
        action=data.get("action"),  # type: ignore[arg-type]
        purpose=data.get("purpose"),
        categories=tuple(categories),
        subject=data.get("subject"),
        request_id=data.get("request_id"),
        consent_id=data.get("consent_id"),
        details=data.get("details") or {},
    )


class Pseudonymizer:
    """Keyed pseudonyms of people for the ``subject`` field: ``<alg>:<key id>:<hex mac>``.

    The same person and key always give the same pseudonym, so a data-subject request can find
    the person's events by computing it again; without the key nobody can link it back.

    >>> from piguard.keys import EnvKeyProvider
    >>> p = Pseudonymizer(EnvKeyProvider(environ={"PIGUARD_KEY_AUDIT": "22" * 32}), "audit")
    >>> p.pseudonym("13812345678")[:28]
    'hmac-sha256:audit:d83ba42d92'
    >>> p
    Pseudonymizer(key=KeyRef(provider='env', key_id='audit'), algorithm='hmac-sha256')
    """

    def __init__(self, provider: KeyProvider, key_id: str, *, algorithm: str = "hmac-sha256"):
        if algorithm not in PSEUDONYM_ALGORITHMS:
            raise InputError(f"unknown pseudonym algorithm {algorithm!r}")
        self.key_ref = KeyRef(provider.name, key_id)
        self.algorithm = algorithm
        self.__key = provider.get_key(key_id)
        self._digestmod: str | Callable[[], Any]
        if algorithm == "hmac-sha256":
            self._digestmod = hashlib.sha256
        else:
            self._digestmod = _sm3_digestmod()

    def pseudonym(self, value: str) -> str:
        """The pseudonym of ``value`` (a resident ID, mobile number, user id ...)."""
        mac = hmac.new(self.__key, value.encode("utf-8"), self._digestmod).hexdigest()
        return f"{self.algorithm}:{self.key_ref.key_id}:{mac}"

    def __repr__(self) -> str:
        return f"Pseudonymizer(key={self.key_ref!r}, algorithm={self.algorithm!r})"


def _sm3_digestmod() -> Callable[[], Any]:
    try:
        hashlib.new("sm3")
    except ValueError:
        raise InputError("HMAC-SM3 needs an OpenSSL with SM3; use hmac-sha256") from None
    return lambda: hashlib.new("sm3")
