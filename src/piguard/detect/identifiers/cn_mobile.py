"""Mainland China mobile phone number (手机号码).

11 digits starting with 1; the first three digits are a network segment (号段) that MIIT has
allocated to mobile (13x-19x). An optional country code +86 / 0086 / 86 may precede the number,
and digits may be grouped 3-4-4 with spaces or hyphens, or written full-width.

>>> compact("+86 138-0013-8000")
'13800138000'
>>> validate("１３８００１３８０００")
'13800138000'
>>> format("13800138000")
'138 0013 8000'
>>> is_valid("12800138000")
False
"""

from __future__ import annotations

from piguard.detect.identifiers._text import clean
from piguard.errors import InvalidComponent, InvalidFormat, InvalidLength

__all__ = ["SEGMENTS", "compact", "format", "get_carrier", "is_valid", "validate"]

#: Allocated mobile segments (first three digits) with their carrier, as of 2024. Data:
#: public MIIT number-segment allocations (电信网码号资源), summarised by segment.
SEGMENTS: dict[str, str] = {
    **{f"13{d}": "China Mobile" for d in "456789"},
    **{f"13{d}": "China Unicom" for d in "012"},
    "133": "China Telecom",
    "145": "China Unicom",  # data cards
    "146": "China Unicom",
    "147": "China Mobile",
    "148": "China Mobile",
    "149": "China Telecom",
    **{f"15{d}": "China Mobile" for d in "012789"},
    **{f"15{d}": "China Unicom" for d in "56"},
    "153": "China Telecom",
    "162": "China Telecom",  # virtual operators (虚拟运营商)
    "165": "China Mobile",
    "166": "China Unicom",
    "167": "China Unicom",
    "170": "virtual operator",
    "171": "virtual operator",
    "172": "China Mobile",
    "173": "China Telecom",
    "174": "satellite",
    "175": "China Unicom",
    "176": "China Unicom",
    "177": "China Telecom",
    "178": "China Mobile",
    **{f"18{d}": "China Mobile" for d in "23478"},
    **{f"18{d}": "China Unicom" for d in "56"},
    **{f"18{d}": "China Telecom" for d in "019"},
    "190": "China Telecom",
    "191": "China Telecom",
    "192": "China Broadnet",
    "193": "China Telecom",
    "195": "China Mobile",
    "196": "China Unicom",
    "197": "China Mobile",
    "198": "China Mobile",
    "199": "China Telecom",
}


def compact(number: str) -> str:
    """Half-width digits without separators and without the +86 / 0086 country code.

    >>> compact("0086 13912345678"), compact("(+86)139 1234 5678")
    ('13912345678', '13912345678')
    """
    number = clean(number, " -()")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            return number[len(prefix) :]
    if len(number) == 13 and number.startswith("86"):
        return number[2:]
    return number


def validate(number: str) -> str:
    """Return the compact number if it is a plausible mobile number, else raise.

    >>> validate("1380013800")
    Traceback (most recent call last):
    ...
    piguard.errors.InvalidLength: a mobile number has 11 digits
    """
    number = compact(number)
    if not (number.isascii() and number.isdigit()):
        raise InvalidFormat("a mobile number is made of digits")
    if len(number) != 11:
        raise InvalidLength("a mobile number has 11 digits")
    if number[:3] not in SEGMENTS:
        raise InvalidComponent("the first three digits are not an allocated mobile segment")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a plausible mobile number (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def get_carrier(number: str) -> str:
    """The carrier that the segment was allocated to (numbers can be ported since 2019).

    >>> get_carrier("18612345678")
    'China Unicom'
    """
    return SEGMENTS[validate(number)[:3]]


def format(number: str) -> str:
    """The usual 3-4-4 grouping."""
    number = validate(number)
    return f"{number[:3]} {number[3:7]} {number[7:]}"
