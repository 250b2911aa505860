"""Chinese ordinary passport number (普通护照号码).

Ordinary passports of the People's Republic of China: electronic passports (since 2012) are
``E`` + 8 digits, and ``E`` + one letter + 7 digits once the ``E`` + 8-digit range ran out;
older ones ``G`` + 8 digits. Letters I and O are not used after the first position. (Official
and diplomatic passports use other letters and are not personal travel documents in the same
sense; they are not matched.)

>>> validate("e12345678")
'E12345678'
>>> validate("EA1234567"), is_valid("G1234567"), is_valid("EI1234567")
('EA1234567', False, False)
"""

from __future__ import annotations

import re

from piguard.detect.identifiers._text import clean
from piguard.errors import InvalidFormat, InvalidLength

__all__ = ["compact", "format", "is_valid", "validate"]

_PASSPORT = re.compile(r"(?:[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7})")


def compact(number: str) -> str:
    """Half-width, upper-case, without spaces."""
    return clean(number, " ").upper()


def validate(number: str) -> str:
    """Return the compact number if it has an ordinary passport's layout, else raise."""
    number = compact(number)
    if len(number) != 9:
        raise InvalidLength("a passport number has 9 characters")
    if not _PASSPORT.fullmatch(number):
        raise InvalidFormat(
            "an ordinary passport number is E or G and 8 digits, or E, a letter, 7 digits"
        )
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` has an ordinary passport's layout (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def format(number: str) -> str:
    """The compact upper-case form."""
    return validate(number)
