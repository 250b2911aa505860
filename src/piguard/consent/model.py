"""Consent's types: notices and their versions, consent events, decisions.

Subjects appear only as keyed pseudonyms (``hmac-sha256:<key id>:<hex>``); the raw identifier a
caller sends is pseudonymised before anything is stored or audited.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class Channel(enum.StrEnum):
    """Where consent was given: an app, a web page, by voice, in a companion app (devices
    without a screen, e.g. smart-home devices), or on paper."""

    APP = "app"
    WEB = "web"
    VOICE = "voice"
    COMPANION_APP = "companion_app"
    PAPER = "paper"


class Action(enum.StrEnum):
    GRANT = "grant"
    WITHDRAW = "withdraw"
    REFUSE = "refuse"


class Reason(enum.StrEnum):
    """Why a decision allows or denies processing."""

    CONSENTED = "consented"
    NO_CONSENT = "no_consent"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"
    SCOPE_WIDENED = "scope_widened"
    OUTSIDE_NOTICE = "outside_notice"
    GUARDIAN_MISSING = "guardian_missing"
    OUTSIDE_DATAMAP = "outside_datamap"
    RETENTION_EXPIRED = "retention_expired"


class SeparateReason(enum.StrEnum):
    """Why a purpose needs separate consent (单独同意, PIPL Arts. 23, 25, 29, 39)."""

    SENSITIVE = "sensitive"
    PROVISION = "provision_to_others"
    PUBLIC_DISCLOSURE = "public_disclosure"
    CROSS_BORDER = "cross_border"
    BIOMETRIC = "biometric"


@dataclass(frozen=True, slots=True, kw_only=True)
class Purpose:
    """One purpose of a notice version and the PI categories (taxonomy keys) it needs."""

    id: str
    description: str
    categories: tuple[str, ...]
    separate: tuple[SeparateReason, ...] = ()

    @property
    def needs_separate_consent(self) -> bool:
        return bool(self.separate)


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """A version of a privacy notice (告知): the purposes and what each needs."""

    notice: str
    version: int
    purposes: tuple[Purpose, ...]
    created: datetime
    language: str = "zh-CN"
    controller: str = ""

    def purpose(self, purpose_id: str) -> Purpose | None:
        return next((p for p in self.purposes if p.id == purpose_id), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Guardian:
    """The parent or guardian who consented for a child under 14 (PIPL Art. 31)."""

    subject: str  # keyed pseudonym of the guardian's identifier
    relationship: str  # parent, grandparent, legal_guardian ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentEvent:
    """One recorded grant, withdrawal or refusal for a subject × notice × purpose."""

    id: str
    subject: str
    notice: str
    version: int
    purpose: str
    action: Action
    channel: Channel
    time: datetime
    categories: tuple[str, ...] = ()
    guardian: Guardian | None = None
    child_until: date | None = None  # the day the subject turns 14, for a child
    ref: str | None = None  # the grant a withdrawal ends
    receipt: str | None = None  # the signed receipt (JSON text) of a grant


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The answer to "may we process these categories of this person for this purpose now?"."""

    allow: bool
    reason: Reason
    subject: str
    notice: str
    purpose: str
    categories: tuple[str, ...]
    denied_categories: tuple[str, ...] = ()
    consent_id: str | None = None
    version: int | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "allow": self.allow,
            "reason": self.reason.value,
            "subject": self.subject,
            "notice": self.notice,
            "purpose": self.purpose,
            "categories": list(self.categories),
            "denied_categories": list(self.denied_categories),
            "consent_id": self.consent_id,
            "version": self.version,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeChange:
    """What a new notice version changes against the previous one (re-consent triggers)."""

    widened: dict[str, tuple[str, ...]] = field(default_factory=dict)
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
