"""Unified social credit code (统一社会信用代码) of an organisation.

GB 32100-2015: 18 characters = registration authority (1) + organisation type (1) + the
address code of the registering authority (6 digits, GB/T 2260) + the organisation code
(9, GB 11714) + a check character (:mod:`piguard.detect.identifiers.mod31`). It identifies a
company or another organisation, not a person: the detection engine recognises it only to
avoid reporting its digits as a personal identifier.

>>> validate("91350100M000100Y43")
'91350100M000100Y43'
>>> is_valid("91350100M000100Y44")
False
"""

from __future__ import annotations

import re

from piguard.detect.identifiers import mod31
from piguard.detect.identifiers._text import clean
from piguard.errors import InvalidFormat, InvalidLength

__all__ = ["compact", "format", "is_valid", "validate"]

_LAYOUT = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")


def compact(number: str) -> str:
    """Half-width, upper-case, without spaces and hyphens."""
    return clean(number).upper()


def validate(number: str) -> str:
    """Return the compact code if its layout and check character are right, else raise."""
    number = compact(number)
    if len(number) != 18:
        raise InvalidLength("a unified social credit code has 18 characters")
    if not _LAYOUT.fullmatch(number):
        raise InvalidFormat("not the layout of a unified social credit code")
    return mod31.validate(number)


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid unified social credit code (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def format(number: str) -> str:
    """The compact upper-case form."""
    return validate(number)
