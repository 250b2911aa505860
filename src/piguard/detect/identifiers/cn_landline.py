"""Mainland China fixed-line telephone number (固定电话号码).

A trunk prefix 0 and an area code (区号: 10 for Beijing, 2x for the large cities, otherwise
three digits 3xx-9xx), then a 7- or 8-digit subscriber number, optionally an extension.
Written ``010-62345678``, ``(0755)12345678``, ``0571 8765 4321`` or ``+86 10 12345678``.

>>> validate("010-62345678")
'01062345678'
>>> get_area_code("(0755)8765-4321")
'0755'
>>> format("075587654321")
'0755-87654321'
>>> is_valid("0012345678")
False
"""

from __future__ import annotations

from piguard.detect.identifiers._text import clean
from piguard.errors import InvalidComponent, InvalidFormat, InvalidLength

__all__ = ["compact", "format", "get_area_code", "is_valid", "validate"]


def compact(number: str) -> str:
    """Half-width digits, no separators or extension; +86 becomes the trunk prefix 0.

    >>> compact("+86 10 6552 9988"), compact("0571-88888888-123")
    ('01065529988', '057188888888')
    """
    number = clean(number, " ()")
    parts = number.split("-")
    if len(parts) >= 3 or (len(parts) == 2 and len(parts[1]) <= 4 and len(parts[0]) > 8):
        parts = parts[:-1]  # drop the extension (分机号)
    to = "".join(parts)
    for prefix in ("+86", "0086"):
        if to.startswith(prefix):
            to = "0" + to[len(prefix) :]
    return to


def _area_length(number: str) -> int:
    # Area codes of the national numbering plan (国家通信网自动电话编号, YD/T 1078):
    # 10 and 20-29 are two-digit codes; 3xx-9xx are three-digit codes.
    if number[1] == "1":
        if number[2] != "0":
            raise InvalidComponent("area codes starting with 1 are only 010")
        return 2
    if number[1] == "2":
        return 2
    if number[1] in "3456789":
        return 3
    raise InvalidComponent("not a valid area code")


def validate(number: str) -> str:
    """Return the compact number (area code + subscriber number) if plausible, else raise."""
    number = compact(number)
    if not (number.isascii() and number.isdigit()):
        raise InvalidFormat("a landline number is made of digits")
    if len(number) < 10 or number[0] != "0":
        raise InvalidLength("a landline number is 0, an area code and 7-8 digits")
    area = _area_length(number)
    subscriber = number[1 + area :]
    if len(subscriber) not in (7, 8):
        raise InvalidLength("the subscriber number has 7 or 8 digits")
    if subscriber[0] in "01":
        raise InvalidComponent("subscriber numbers do not start with 0 or 1")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a plausible landline number (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def get_area_code(number: str) -> str:
    """The area code with its trunk prefix 0."""
    number = validate(number)
    return number[: 1 + _area_length(number)]


def format(number: str) -> str:
    """``area-subscriber``."""
    number = validate(number)
    area = get_area_code(number)
    return f"{area}-{number[len(area) :]}"
