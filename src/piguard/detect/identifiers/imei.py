"""International Mobile Equipment Identity (IMEI, 国际移动设备识别码).

3GPP TS 23.003 §6.2: 14 digits (8-digit Type Allocation Code + 6-digit serial) and a Luhn
check digit, 15 digits in all. (The 16-digit IMEISV has no check digit and is not accepted.)

>>> validate("35-209900-176148-1")
'352099001761481'
>>> get_tac("352099001761481"), is_valid("352099001761482")
('35209900', False)
"""

from __future__ import annotations

from piguard.detect.identifiers import luhn
from piguard.detect.identifiers._text import clean
from piguard.errors import InvalidFormat, InvalidLength

__all__ = ["compact", "format", "get_tac", "is_valid", "validate"]


def compact(number: str) -> str:
    """Half-width digits without spaces, hyphens and slashes."""
    return clean(number, " -/")


def validate(number: str) -> str:
    """Return the compact IMEI if it is 15 digits with a correct Luhn digit, else raise."""
    number = compact(number)
    if not (number.isascii() and number.isdigit()):
        raise InvalidFormat("an IMEI is made of digits")
    if len(number) != 15:
        raise InvalidLength("an IMEI has 15 digits")
    return luhn.validate(number)


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid IMEI (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def get_tac(number: str) -> str:
    """The Type Allocation Code (device model), the first 8 digits."""
    return validate(number)[:8]


def format(number: str) -> str:
    """``AA-BBBBBB-CCCCCC-D``."""
    n = validate(number)
    return f"{n[:2]}-{n[2:8]}-{n[8:14]}-{n[14]}"
