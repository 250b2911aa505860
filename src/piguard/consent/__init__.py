"""Notices and consent (知情同意, 用户控制): per purpose and notice version, with guardians,
withdrawal, refusal quiet periods, re-consent when scope grows, signed receipts, decisions.

Framework-free; the service (``piguard.service``) stores through a :class:`ConsentStore`.

>>> from piguard.audit import MemorySink
>>> from piguard.keys import NoteSigner
>>> svc = ConsentService(
...     MemoryConsentStore(),
...     audit=MemorySink(),
...     signer=NoteSigner.generate("consent.test"),
...     pseudonymize=lambda s: "hmac-sha256:k:" + format(abs(hash(s)), "064x")[:64],
... )
>>> _ = svc.publish_notice(
...     "policy",
...     [Purpose(id="trip", description="rides", categories=("location.precise",))],
...     actor="admin",
... )
>>> svc.decide("u1", "policy", "trip", ["location.precise"]).reason
<Reason.NO_CONSENT: 'no_consent'>
>>> g = svc.grant("u1", "policy", ["trip"], channel=Channel.APP, actor="app")
>>> svc.decide("u1", "policy", "trip", ["location.precise"]).allow
True
"""

from piguard.consent.core import REPROMPT_INTERVAL, ConsentService, ScopeCheck, age_on, covers
from piguard.consent.model import (
    Action,
    Channel,
    ConsentEvent,
    Decision,
    Guardian,
    Notice,
    NoticeChange,
    Purpose,
    Reason,
    SeparateReason,
)
from piguard.consent.receipt import RECEIPT_VERSION, canonical_json, sign_receipt, verify_receipt
from piguard.consent.store import ConsentStore, MemoryConsentStore

__all__ = [
    "RECEIPT_VERSION",
    "REPROMPT_INTERVAL",
    "Action",
    "Channel",
    "ConsentEvent",
    "ConsentService",
    "ConsentStore",
    "Decision",
    "Guardian",
    "MemoryConsentStore",
    "Notice",
    "NoticeChange",
    "Purpose",
    "Reason",
    "ScopeCheck",
    "SeparateReason",
    "age_on",
    "canonical_json",
    "covers",
    "sign_receipt",
    "verify_receipt",
]
