"""Resident Identity Card number (公民身份号码).

GB 11643-1999 《公民身份号码》: 18 characters = 6-digit address code (GB/T 2260 county of
first registration) + 8-digit birth date YYYYMMDD + 3-digit sequence (odd for men, even for
women) + an ISO 7064 MOD 11-2 check character (``X`` for 10), §4-§5. The legacy 15-digit
number (before 1999) has a 6-digit birth date YYMMDD in the 1900s and no check character.

Validation checks the layout, the check character, a real birth date between 1900-01-01 and
today, and a province code that exists. Whether the county code is current is *extra*
evidence (:func:`region_level`), never a requirement: IDs keep the county code of the year
they were issued, and codes are retired all the time.

>>> validate("360426199101010071")
'360426199101010071'
>>> validate("36042619910102009X")
Traceback (most recent call last):
...
piguard.errors.InvalidChecksum: ISO 7064 MOD 11-2 check character does not match
>>> get_birth_date("360426199101010071"), get_gender("360426199101010071")
(datetime.date(1991, 1, 1), 'M')
>>> format("36042619910101007x")
'36042619910101007X'
"""

from __future__ import annotations

import datetime

from piguard import geo
from piguard.detect.identifiers import iso7064
from piguard.detect.identifiers._text import clean
from piguard.errors import InvalidComponent, InvalidFormat, InvalidLength

__all__ = [
    "compact",
    "format",
    "get_birth_date",
    "get_gender",
    "get_region",
    "is_valid",
    "region_level",
    "to_18",
    "validate",
]

_EARLIEST = datetime.date(1900, 1, 1)


def compact(number: str) -> str:
    """Half-width, without spaces and hyphens, with an upper-case ``X``.

    >>> compact("３６０４２６ 19910101 007x")
    '36042619910101007X'
    """
    return clean(number).upper()


def _birth(number: str) -> datetime.date:
    raw = number[6:14] if len(number) == 18 else "19" + number[6:12]
    try:
        born = datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise InvalidComponent("the birth date is not a real date") from None
    if not _EARLIEST <= born <= datetime.date.today():
        raise InvalidComponent("the birth date is before 1900 or in the future")
    return born


def validate(number: str) -> str:
    """Return the compact number if it is a valid 18- or 15-digit resident ID, else raise.

    >>> validate("360426199113010079")
    Traceback (most recent call last):
    ...
    piguard.errors.InvalidComponent: the birth date is not a real date
    >>> validate("110105194912310021")
    Traceback (most recent call last):
    ...
    piguard.errors.InvalidChecksum: ISO 7064 MOD 11-2 check character does not match
    >>> validate("990426199101010074")
    Traceback (most recent call last):
    ...
    piguard.errors.InvalidComponent: no province has the code 99
    """
    number = compact(number)
    if len(number) == 18:
        if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
            raise InvalidFormat("a resident ID is 17 digits and a digit or X")
    elif len(number) == 15:
        if not (number.isascii() and number.isdigit()):
            raise InvalidFormat("a legacy resident ID is 15 digits")
    else:
        raise InvalidLength("a resident ID has 18 (or, legacy, 15) characters")
    if geo.id_region_level(number[:6]) is None:
        raise InvalidComponent(f"no province has the code {number[:2]}")
    _birth(number)
    if len(number) == 18:
        iso7064.validate(number)
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid resident ID (never raises).

    >>> is_valid("360426199101010071"), is_valid("36042619910102009X")
    (True, False)
    """
    try:
        return bool(validate(number))
    except (InvalidFormat, InvalidLength, InvalidComponent, ValueError):
        return False


def get_birth_date(number: str) -> datetime.date:
    """The birth date encoded in a resident ID (legacy numbers are in the 1900s).

    >>> get_birth_date("110105491231002")
    datetime.date(1949, 12, 31)
    """
    return _birth(compact(number))


def get_gender(number: str) -> str:
    """``"M"`` or ``"F"`` from the parity of the sequence code (GB 11643-1999 §4.3).

    >>> get_gender("36042619910101008X")
    'F'
    """
    number = compact(number)
    digit = number[16] if len(number) == 18 else number[14]
    return "M" if int(digit) % 2 else "F"


def get_region(number: str) -> str | None:
    """The name of the address code's division as known today (province at worst).

    >>> get_region("360426199101010071")
    '江西省九江市德安县'
    """
    number = compact(number)
    unit = geo.division(number[:6])
    if unit is not None:
        return unit.full_name
    return geo.city_name(number[:4]) or geo.province_name(number[:2])


def region_level(number: str) -> str | None:
    """How much of the address code is a known division (``"county"`` is strong evidence).

    >>> region_level("360426199101010071")
    'county'
    """
    return geo.id_region_level(compact(number)[:6])


def to_18(number: str) -> str:
    """Convert a legacy 15-digit number to 18 digits (century 19 and a check character).

    >>> to_18("110105491231002")
    '11010519491231002X'
    """
    number = validate(number)
    if len(number) == 18:
        return number
    body = number[:6] + "19" + number[6:]
    return body + iso7064.calc_check_digit(body)


def format(number: str) -> str:
    """The standard written form: compact, upper-case ``X``."""
    return compact(number)
