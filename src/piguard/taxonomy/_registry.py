"""Look-up of categories by key, and the children rule that can make any category sensitive."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from piguard.errors import UnknownKeyError
from piguard.taxonomy._categories import CATEGORIES
from piguard.taxonomy._model import Category, Grade

_BY_KEY: dict[str, Category] = {c.key: c for c in CATEGORIES}

#: GB/T 35273-2020 Annex B: PI of children aged 14 and under (14岁以下（含）) is sensitive.
GBT_CHILD_MAX_AGE = 14
#: PIPL Art. 28: all PI of minors under 14 (不满十四周岁) is sensitive.
PIPL_CHILD_AGE_LIMIT = 14


def normalize_key(key: str) -> str:
    """A key as stored: trimmed and lower-case.

    >>> normalize_key("  Identity.Resident_ID ")
    'identity.resident_id'
    """
    return key.strip().lower()


def closest(term: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``term``, or None when nothing is close.

    >>> closest("basic.phon", ["basic.phone", "basic.name"])
    'basic.phone'
    """
    matches = difflib.get_close_matches(term, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggest(term: str, choices: Iterable[str]) -> str:
    """A ``did you mean`` hint for an error message, or an empty string.

    >>> suggest("basic.phon", ["basic.phone", "basic.name"])
    " (did you mean 'basic.phone'?)"
    """
    near = closest(term, choices)
    return f" (did you mean {near!r}?)" if near is not None else ""


def get(key: str) -> Category:
    """The category with this dotted key (case-insensitive).

    >>> get("Identity.Resident_ID").name_zh
    '身份证'
    >>> get("basic.phon")
    Traceback (most recent call last):
    ...
    piguard.errors.UnknownKeyError: unknown taxonomy key 'basic.phon' (did you mean 'basic.phone'?)
    """
    norm = normalize_key(key)
    try:
        return _BY_KEY[norm]
    except KeyError:
        hint = suggest(norm, _BY_KEY)
        if not hint:
            hint = " (run 'piguard taxonomy list' to see the keys)"
        raise UnknownKeyError(f"unknown taxonomy key {key.strip()!r}{hint}") from None


def find(term: str) -> Category:
    """A category by key, or by its exact Chinese or English name.

    >>> find("精准定位信息").key
    'location.precise'
    >>> find("iris").key
    'biometric.iris'
    """
    norm = normalize_key(term)
    if norm in _BY_KEY:
        return _BY_KEY[norm]
    for cat in CATEGORIES:
        if norm in (cat.name_zh.lower(), cat.name_en.lower()):
            return cat
    return get(term)


def categories(*, group: str | None = None, sensitive: bool | None = None) -> tuple[Category, ...]:
    """All categories in the standard's order, optionally of one group or one sensitivity.

    >>> [c.key for c in categories(group="biometric")][:3]
    ['biometric', 'biometric.gene', 'biometric.fingerprint']
    >>> all(c.sensitive for c in categories(sensitive=True))
    True
    """
    if group is not None:
        group = find(group).group
    return tuple(
        c
        for c in CATEGORIES
        if (group is None or c.group == group) and (sensitive is None or c.sensitive == sensitive)
    )


def groups() -> tuple[Category, ...]:
    """The 13 groups of GB/T 35273-2020 Table A.1, in order.

    >>> len(groups()), groups()[0].key, groups()[-1].key
    (13, 'basic', 'other')
    """
    return tuple(c for c in CATEGORIES if c.is_group)


def children(key: str) -> tuple[Category, ...]:
    """The direct sub-categories of a category.

    >>> [c.key for c in children("basic.phone")]
    ['basic.phone.mobile', 'basic.phone.landline']
    """
    parent = get(key).key
    return tuple(c for c in CATEGORIES if c.parent == parent)


@dataclass(frozen=True, slots=True)
class SensitivityVerdict:
    """Whether PI of a category is sensitive for a subject of a given age, and why."""

    key: str
    sensitive: bool
    grade: Grade
    reasons: tuple[str, ...]


def sensitivity(key: str, age: int | None = None) -> SensitivityVerdict:
    """The grade of ``key`` for a subject aged ``age`` (None when unknown), with the reasons.

    The category's own grade comes from GB/T 35273-2020 Table B.1. Two children rules can raise
    it: Annex B treats PI of children aged 14 and under (14岁以下（含）) as sensitive, and PIPL
    Art. 28 makes all PI of minors under 14 (不满十四周岁) sensitive. They differ at exactly 14.

    >>> v = sensitivity("basic.name", age=14)
    >>> v.sensitive, v.reasons[0][:35]
    (True, 'GB/T 35273-2020 Annex B: the subjec')
    >>> sensitivity("basic.name", age=15).sensitive
    False
    """
    cat = get(key)
    if age is not None and age < 0:
        raise ValueError("age must not be negative")
    reasons: list[str] = []
    if cat.sensitive:
        reasons.append(f"listed as sensitive: {cat.source}")
    if age is not None and age <= GBT_CHILD_MAX_AGE:
        reasons.append(
            f"GB/T 35273-2020 Annex B: the subject is {age}, a child aged 14 or under "
            "(14岁以下（含）), whose PI is treated as sensitive"
        )
    if age is not None and age < PIPL_CHILD_AGE_LIMIT:
        reasons.append(
            f"PIPL Art. 28: the subject is {age}, a minor under 14 (不满十四周岁), whose PI is "
            "sensitive; guardian consent needed (Art. 31)"
        )
    elif age == PIPL_CHILD_AGE_LIMIT:
        reasons.append(
            "PIPL Art. 28 does not apply at 14 (it covers under-14s only); GB/T 35273-2020 "
            "Annex B still does"
        )
    sensitive = cat.sensitive or (age is not None and age <= GBT_CHILD_MAX_AGE)
    if not sensitive:
        reasons.append(f"not listed in GB/T 35273-2020 Table B.1: {cat.source}")
    return SensitivityVerdict(
        key=cat.key,
        sensitive=sensitive,
        grade=Grade.SENSITIVE if sensitive else Grade.ORDINARY,
        reasons=tuple(reasons),
    )


def is_sensitive(key: str, age: int | None = None) -> bool:
    """True when PI of ``key`` is sensitive, for a subject of ``age`` if given.

    >>> is_sensitive("biometric.face"), is_sensitive("basic.phone")
    (True, False)
    >>> is_sensitive("basic.phone", age=10)
    True
    """
    return sensitivity(key, age).sensitive
