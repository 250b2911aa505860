"""Date of birth (出生日期).

Dates written ``1990-01-02``, ``1990/1/2``, ``1990.01.02``, ``1990年1月2日`` or ``19900102``,
between 1900-01-01 and today. Any date has this shape, so the detection engine reports one as
a date of birth only next to context such as "出生" or "生日".

>>> validate("1990年1月2日"), validate("19900102")
(datetime.date(1990, 1, 2), datetime.date(1990, 1, 2))
>>> is_valid("1990-02-30"), is_valid("1899-12-31"), is_valid("2990-01-01")
(False, False, False)
"""

from __future__ import annotations

import datetime
import re

from piguard.detect.identifiers._text import to_halfwidth
from piguard.errors import InvalidComponent, InvalidFormat

__all__ = ["compact", "format", "is_valid", "validate"]

_SEPARATED = re.compile(r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?")
_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_EARLIEST = datetime.date(1900, 1, 1)


def compact(number: str) -> str:
    """Half-width and stripped."""
    return to_halfwidth(number).strip()


def validate(number: str) -> datetime.date:
    """Return the date if ``number`` is a plausible birth date, else raise."""
    number = compact(number)
    m = _SEPARATED.fullmatch(number) or _COMPACT.fullmatch(number)
    if not m:
        raise InvalidFormat("not a date written year, month, day")
    try:
        born = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise InvalidComponent("not a real date") from None
    if not _EARLIEST <= born <= datetime.date.today():
        raise InvalidComponent("a birth date lies between 1900 and today")
    return born


def is_valid(number: str) -> bool:
    """Whether ``number`` is a plausible birth date (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def format(number: str) -> str:
    """ISO 8601 ``YYYY-MM-DD``."""
    return validate(number).isoformat()
