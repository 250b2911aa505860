"""The data-map checks: each finding names its rule id and the clause it comes from.

Clauses are those of /work/shared/reference/cn_standards.md: GB/T 35273-2020 (5.2 minimum
necessary, 5.3 no forced consent for "improving the service", 5.4 b/c/d explicit consent,
biometrics and minors, 6.1 retention, 6.3 biometric storage, 9.2 sharing, Appendix C basic
and extended functions), PIPL 2021 (Arts. 19, 23, 29, 31, 39) and the 2021 necessary-PI rules
(Arts. 3-4, 5).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from piguard import taxonomy
from piguard.datamap.model import (
    BiometricStorage,
    BusinessFunction,
    DataMap,
    FunctionType,
    LegalBasis,
    PIItem,
    RecipientType,
    Subjects,
    System,
)

__all__ = ["RULES", "Finding", "Rule", "check"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    clause: str
    summary: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "DM001",
            "beyond-necessary-pi",
            "2021 necessary-PI rules Arts. 3-5; GB/T 35273-2020 5.2",
            "a basic function collects PI that is not necessary PI of the app category",
        ),
        Rule(
            "DM002",
            "sensitive-without-explicit-consent",
            "GB/T 35273-2020 5.4 b; PIPL Art. 29",
            "sensitive PI processed on consent that is neither explicit nor separate",
        ),
        Rule(
            "DM003",
            "biometrics-raw-or-shared",
            "GB/T 35273-2020 6.3, 9.2",
            "biometric PI stored raw (or storage not stated) or provided to others",
        ),
        Rule(
            "DM004",
            "no-retention-period",
            "PIPL Art. 19; GB/T 35273-2020 6.1",
            "no finite retention period stated",
        ),
        Rule(
            "DM005",
            "provision-without-separate-consent",
            "PIPL Art. 23; GB/T 35273-2020 9.2",
            "PI provided to a third party or SDK without separate consent",
        ),
        Rule(
            "DM006",
            "cross-border-without-separate-consent",
            "PIPL Art. 39",
            "PI transferred out of mainland China without separate consent",
        ),
        Rule(
            "DM007",
            "improve-service-as-basic-function",
            "GB/T 35273-2020 5.3, Appendix C",
            "improving the service, user experience or R&D used as (the purpose of) a basic "
            "function",
        ),
        Rule(
            "DM008",
            "children-without-guardian-consent",
            "PIPL Art. 31; GB/T 35273-2020 5.4 d",
            "PI of children under 14 processed on consent without the guardian's consent",
        ),
        Rule(
            "DM009",
            "function-type-not-stated",
            "GB/T 35273-2020 Appendix C",
            "a business function is not marked basic or extended",
        ),
        Rule(
            "DM010",
            "no-legal-basis",
            "PIPL Art. 13",
            "no legal basis stated for a PI item",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule at one place in the data map."""

    rule: str
    message: str
    source: str | None
    line: int
    system: str
    function: str
    category: str | None = None

    @property
    def clause(self) -> str:
        return RULES[self.rule].clause

    @property
    def name(self) -> str:
        return RULES[self.rule].name

    def format(self) -> str:
        """``FILE:LINE: RULE name [clause] message``, one line."""
        where = f"{self.source or '<datamap>'}:{self.line}"
        return f"{where}: {self.rule} {self.name} [{self.clause}] {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "name": self.name,
            "clause": self.clause,
            "message": self.message,
            "source": self.source,
            "line": self.line,
            "system": self.system,
            "function": self.function,
            "category": self.category,
        }


# GB/T 35273-2020 5.3 and Appendix C: "improve service / UX / R&D" can never be a basic function.
_IMPROVE = re.compile(
    r"改进|改善|优化|提升.{0,4}(?:体验|服务|质量)|用户体验|研发|产品开发|"
    r"improv\w*|optimi[sz]\w*|user experience|\bUX\b|research and development|\bR&D\b|"
    r"product development",
    re.IGNORECASE,
)
_EXPLICIT = frozenset(
    {
        LegalBasis.EXPLICIT_CONSENT,
        LegalBasis.SEPARATE_CONSENT,
        LegalBasis.GUARDIAN_CONSENT,
    }
)


def _is_biometric(key: str) -> bool:
    return key == "biometric" or key.startswith("biometric.")


def _necessary(app: taxonomy.AppCategory, key: str) -> bool:
    return bool(app.lists(key))


def _check_item(
    out: list[Finding],
    dm: DataMap,
    system: System,
    fn: BusinessFunction,
    item: PIItem,
    app: taxonomy.AppCategory | None,
) -> None:
    def add(rule: str, message: str, line: int | None = None) -> None:
        out.append(
            Finding(
                rule,
                message,
                dm.source,
                line or item.line,
                system.id,
                fn.id,
                item.category,
            )
        )

    key = item.category
    children = fn.subjects in (Subjects.CHILDREN, Subjects.MIXED)
    bases = set(item.legal_basis)
    consent_based = any(b.is_consent for b in bases)

    if fn.type is FunctionType.BASIC and app is not None and fn.side == "consumer":
        # 2021 rules Art. 3: necessary PI is the consumer side's; Art. 4: non-necessary PI may not
        # be a condition of the basic function service. GB/T 35273-2020 5.2.
        if app.needs_no_pi:
            add(
                "DM001",
                f"{key}: app category {app.name_zh} needs no PI for its basic function",
            )
        elif not _necessary(app, key):
            add(
                "DM001",
                f"{key} is not necessary PI of {app.name_zh}类 (necessary: "
                f"{', '.join(app.category_keys)}); make the function extended or drop it",
            )
    if not bases:
        add("DM010", f"{key}: state legal_basis (consent, separate_consent, contract …)")
    sensitive = taxonomy.is_sensitive(key) or (children and fn.subjects is Subjects.CHILDREN)
    if sensitive and consent_based and not (bases & _EXPLICIT):
        add(
            "DM002",
            f"{key} is sensitive PI (敏感个人信息): ordinary consent is not enough, use "
            "separate_consent (单独同意)",
        )
    if children and consent_based and LegalBasis.GUARDIAN_CONSENT not in bases:
        add(
            "DM008",
            f"{key} of children under 14 (不满十四周岁) needs guardian_consent (监护人同意)",
        )
    if item.retention is None:
        add(
            "DM004",
            f"{key}: no retention period (存储期限); state one, e.g. P3Y or 180 天",
        )
    elif item.retention.days < 0:
        add(
            "DM004",
            f"{key}: retention {item.retention.text!r} is not a finite period (P3Y, 180 天 …)",
        )
    if _is_biometric(key):
        if item.storage is None:
            add("DM003", f"{key}: state how biometrics are stored (digest, on_device …)")
        elif item.storage is BiometricStorage.RAW:
            add(
                "DM003",
                f"{key}: raw biometric samples must not be stored; keep a digest, match on "
                "the device, or delete after use",
            )
    for rec in item.recipients:
        if rec.type is RecipientType.ENTRUSTED_PROCESSOR:
            continue  # entrusted processing (PIPL Art. 21) needs a contract, not consent
        if _is_biometric(key):
            add(
                "DM003",
                f"{key}: biometrics should not be provided to {rec.type.value} {rec.name!r}",
                rec.line,
            )
        if LegalBasis.SEPARATE_CONSENT not in rec.legal_basis:
            add(
                "DM005",
                f"{key} provided to {rec.type.value} {rec.name!r} without separate_consent "
                "(单独同意)",
                rec.line,
            )
    for xb in item.cross_border:
        if LegalBasis.SEPARATE_CONSENT not in xb.legal_basis:
            add(
                "DM006",
                f"{key} transferred to {xb.recipient!r} in {xb.country} without "
                "separate_consent (单独同意)",
                xb.line,
            )
        if _is_biometric(key):
            add("DM003", f"{key}: biometrics should not leave the country", xb.line)
    if fn.type is FunctionType.BASIC:
        for purpose in item.purposes:
            if _IMPROVE.search(purpose):
                add(
                    "DM007",
                    f"basic function {fn.id!r} collects {key} to {purpose!r}; improving the "
                    "service is never a basic function",
                )


def check(datamap: DataMap, *, app_category: str | int | None = None) -> list[Finding]:
    """All findings for ``datamap``, in file order. ``app_category`` (a 2021 rules category,
    e.g. ``网络约车`` or ``2``) overrides the one the map declares.

    >>> from piguard.datamap.load import parse_datamap
    >>> dm = parse_datamap('''
    ... datamap: 1
    ... systems:
    ...   - id: app
    ...     functions:
    ...       - id: trip
    ...         type: basic
    ...         pi:
    ...           - category: basic.email
    ...             purposes: [send invoices]
    ...             legal_basis: consent
    ...             retention: P1Y
    ... ''')
    >>> [f.rule for f in check(dm, app_category="网络约车")]
    ['DM001']
    """
    name = app_category if app_category is not None else datamap.app_category
    app = taxonomy.app_category(name) if name is not None else None
    out: list[Finding] = []
    for system, fn in datamap.functions():
        if fn.type is None:
            out.append(
                Finding(
                    "DM009",
                    f"function {fn.id!r}: state type: basic or extended (基本/扩展业务功能)",
                    datamap.source,
                    fn.line,
                    system.id,
                    fn.id,
                )
            )
        if fn.type is FunctionType.BASIC:
            for text in (fn.id, fn.name, *fn.purposes):
                if _IMPROVE.search(text):
                    out.append(
                        Finding(
                            "DM007",
                            f"basic function {fn.id!r} ({text!r}) improves the service; make it "
                            "extended (扩展业务功能)",
                            datamap.source,
                            fn.line,
                            system.id,
                            fn.id,
                        )
                    )
                    break
        for item in fn.pi:
            _check_item(out, datamap, system, fn, item, app)
    out.sort(key=lambda f: (f.line, f.rule))
    return out


def summarise(findings: Sequence[Finding]) -> dict[str, int]:
    """Number of findings per rule id."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    return counts
