"""Tencent QQ number (QQ号).

A QQ account number is 5 to 11 digits and does not start with 0 (the first accounts had 5
digits; new ones have 9-11). Any number of that shape is a *possible* QQ number, so the
detection engine reports one only next to context such as "QQ" or "扣扣".

>>> validate("１２３４５６７８９"), is_valid("01234567"), is_valid("1234")
('123456789', False, False)
"""

from __future__ import annotations

from piguard.detect.identifiers._text import clean
from piguard.errors import InvalidComponent, InvalidFormat, InvalidLength

__all__ = ["compact", "format", "is_valid", "validate"]


def compact(number: str) -> str:
    """Half-width digits without spaces."""
    return clean(number, " ")


def validate(number: str) -> str:
    """Return the compact number if it has a QQ number's shape, else raise."""
    number = compact(number)
    if not (number.isascii() and number.isdigit()):
        raise InvalidFormat("a QQ number is made of digits")
    if not 5 <= len(number) <= 11:
        raise InvalidLength("a QQ number has 5 to 11 digits")
    if number[0] == "0":
        raise InvalidComponent("a QQ number does not start with 0")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` has a QQ number's shape (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def format(number: str) -> str:
    """The compact form."""
    return validate(number)
