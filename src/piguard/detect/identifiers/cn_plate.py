"""Motor vehicle licence plate number (机动车号牌号码).

GA 36-2018 《中华人民共和国机动车号牌》: the one-character abbreviation of the province
(简称), the letter of the issuing authority (发牌机关代号, A-Z without I and O), then the
serial number: five characters for ordinary plates (digits and at most two letters, no I/O,
the last may be 挂 学 警 港 澳 领 for special plates), six for new-energy plates (small
vehicles: D or F first (D pure electric, F other), large vehicles: D or F last).

>>> validate("粤B·12345"), validate("京ad12345"), validate("沪A12345F")
('粤B12345', '京AD12345', '沪A12345F')
>>> get_province("粤B12345"), is_new_energy("粤BD12345")
('广东省', True)
>>> is_valid("粤I12345"), is_valid("X A12345")
(False, False)
"""

from __future__ import annotations

import re

from piguard import geo
from piguard.detect.identifiers._text import clean
from piguard.errors import InvalidComponent, InvalidFormat

__all__ = [
    "PROVINCES",
    "compact",
    "format",
    "get_province",
    "is_new_energy",
    "is_valid",
    "validate",
]

#: The 31 mainland provincial abbreviations used on plates.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

_L = "A-HJ-NP-Z"  # letters without I and O
_ORDINARY = re.compile(rf"[{_L}0-9]{{4}}[{_L}0-9挂学警港澳领]")
_NEW_ENERGY = re.compile(rf"[DF][{_L}0-9][0-9]{{4}}|[0-9]{{5}}[DF]")


def compact(number: str) -> str:
    """Half-width, upper-case, without spaces, hyphens or the middle dot (·)."""
    return clean(number, " -·•.").upper()


def validate(number: str) -> str:
    """Return the compact plate if it has a valid layout, else raise."""
    number = compact(number)
    if len(number) not in (7, 8) or number[0] not in PROVINCES:
        raise InvalidFormat("a plate is a province abbreviation, a letter and 5 or 6 characters")
    if not re.fullmatch(f"[{_L}]", number[1]):
        raise InvalidComponent("the issuing authority letter is A-Z without I and O")
    serial = number[2:]
    if len(serial) == 6:
        if not _NEW_ENERGY.fullmatch(serial):
            raise InvalidFormat("a new-energy plate has D or F first (small) or last (large)")
    elif not _ORDINARY.fullmatch(serial) or sum(ch.isalpha() and ch.isascii() for ch in serial) > 2:
        raise InvalidFormat("an ordinary plate's serial has 5 characters with at most two letters")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid plate layout (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def is_new_energy(number: str) -> bool:
    """Whether the plate is a new-energy plate (six-character serial)."""
    return len(validate(number)) == 8


def get_province(number: str) -> str | None:
    """The province named by the first character."""
    unit = geo.province_by_abbreviation(validate(number)[0])
    return None if unit is None else unit.name


def format(number: str) -> str:
    """The written form with a middle dot: ``粤B·12345``."""
    number = validate(number)
    return f"{number[:2]}·{number[2:]}"
