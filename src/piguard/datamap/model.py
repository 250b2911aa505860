"""The data map's types: systems → business functions → PI items → purposes, basis, recipients.

Frozen dataclasses with the line each element was read from (``line``, counting from 1, 0 when
built in code), so every finding can point at the YAML that causes it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field


class FunctionType(enum.StrEnum):
    """Basic or extended function (基本/扩展业务功能), GB/T 35273-2020 Appendix C."""

    BASIC = "basic"
    EXTENDED = "extended"


class Subjects(enum.StrEnum):
    """Whose PI a function processes: adults only, children under 14 only, or both."""

    ADULTS = "adults"
    CHILDREN = "children"
    MIXED = "mixed"


class LegalBasis(enum.StrEnum):
    """Legal bases for processing (PIPL Art. 13) and the consent forms the law distinguishes.

    ``consent`` is ordinary consent (同意); ``explicit_consent`` is 明示同意 (GB/T 35273-2020
    3.6); ``separate_consent`` is 单独同意 (PIPL Arts. 23, 25, 29, 39); ``guardian_consent`` is
    the consent of a parent or guardian of a child under 14 (PIPL Art. 31).
    """

    CONSENT = "consent"
    EXPLICIT_CONSENT = "explicit_consent"
    SEPARATE_CONSENT = "separate_consent"
    GUARDIAN_CONSENT = "guardian_consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    HR_MANAGEMENT = "hr_management"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_INTEREST = "public_interest"
    PUBLIC_INFORMATION = "public_information"
    NEWS_REPORTING = "news_reporting"

    @property
    def is_consent(self) -> bool:
        return self in _CONSENT_BASES


_CONSENT_BASES = frozenset(
    {
        LegalBasis.CONSENT,
        LegalBasis.EXPLICIT_CONSENT,
        LegalBasis.SEPARATE_CONSENT,
        LegalBasis.GUARDIAN_CONSENT,
    }
)


class RecipientType(enum.StrEnum):
    """Who receives PI: an entrusted processor (受托方, PIPL Art. 21), another processor
    (第三方, PIPL Art. 23) or an embedded SDK (第三方 SDK, GB/T 35273-2020 9.6/9.7)."""

    ENTRUSTED_PROCESSOR = "entrusted_processor"
    THIRD_PARTY = "third_party"
    SDK = "sdk"


class BiometricStorage(enum.StrEnum):
    """How biometric PI is kept (GB/T 35273-2020 6.3)."""

    RAW = "raw"  # samples or images kept as collected
    DIGEST = "digest"  # only an irreversible digest / template hash
    ON_DEVICE = "on_device"  # matched on the collecting terminal, nothing stored centrally
    DELETED_AFTER_USE = "deleted_after_use"  # raw image deleted after recognition
    NONE = "none"  # not stored


@dataclass(frozen=True, slots=True, kw_only=True)
class Retention:
    """A retention period: ``days`` (approximate for months and years) and the text it was
    read from."""

    text: str
    days: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    name: str
    type: RecipientType
    legal_basis: tuple[LegalBasis, ...] = ()
    country: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class CrossBorder:
    """A transfer out of mainland China (PIPL Arts. 38-39)."""

    country: str
    recipient: str
    legal_basis: tuple[LegalBasis, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PIItem:
    """One kind of PI a function collects: a taxonomy key, what for, on which basis, how long,
    and to whom it goes."""

    category: str
    purposes: tuple[str, ...]
    legal_basis: tuple[LegalBasis, ...] = ()
    retention: Retention | None = None
    storage: BiometricStorage | None = None
    recipients: tuple[Recipient, ...] = ()
    cross_border: tuple[CrossBorder, ...] = ()
    note: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessFunction:
    id: str
    name: str
    type: FunctionType | None
    purposes: tuple[str, ...] = ()
    subjects: Subjects = Subjects.ADULTS
    side: str = "consumer"
    pi: tuple[PIItem, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class System:
    id: str
    name: str
    functions: tuple[BusinessFunction, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class DataMap:
    """A whole data map. ``app_category`` is the 2021 rules' app category it declares (or None)."""

    organisation: str
    systems: tuple[System, ...]
    app_category: str | None = None
    source: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def functions(self) -> tuple[tuple[System, BusinessFunction], ...]:
        return tuple((s, f) for s in self.systems for f in s.functions)

    def uncovered(self, purpose: str, categories: Sequence[str]) -> tuple[str, ...]:
        """The categories among ``categories`` that no PI item lists for ``purpose`` (matched
        against function ids and item purposes). Empty when the map covers them all."""
        listed: set[str] = set()
        for _, fn in self.functions():
            for item in fn.pi:
                if purpose == fn.id or purpose in item.purposes or purpose in fn.purposes:
                    listed.add(item.category)
        return tuple(
            c
            for c in categories
            if not any(c == k or c.startswith(k + ".") or k.startswith(c + ".") for k in listed)
        )

    def retention_days(self, purpose: str, category: str) -> int | None:
        """The shortest retention period (days) stated for ``category`` under ``purpose``."""
        days = [
            item.retention.days
            for _, fn in self.functions()
            for item in fn.pi
            if item.retention is not None
            and (purpose == fn.id or purpose in item.purposes or purpose in fn.purposes)
            and (category == item.category or category.startswith(item.category + "."))
        ]
        return min(days) if days else None
