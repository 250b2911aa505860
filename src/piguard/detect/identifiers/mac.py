"""MAC address (IEEE 802 EUI-48, 物理地址).

Six octets in hexadecimal, separated by colons or hyphens (``00:1A:2B:3C:4D:5E``) or in
Cisco dotted form (``001a.2b3c.4d5e``). All-zero and broadcast addresses are not device
identifiers and are rejected.

>>> validate("00-1a-2b-3c-4d-5e")
'00:1a:2b:3c:4d:5e'
>>> is_valid("ff:ff:ff:ff:ff:ff"), is_valid("00:1a:2b:3c:4d"), is_local("02:00:00:00:00:01")
(False, False, True)
"""

from __future__ import annotations

import re

from piguard.detect.identifiers._text import to_halfwidth
from piguard.errors import InvalidComponent, InvalidFormat

__all__ = ["compact", "format", "is_local", "is_valid", "validate"]

_HEX12 = re.compile(r"[0-9a-f]{12}")


def compact(number: str) -> str:
    """``aa:bb:cc:dd:ee:ff`` in lower case, from any of the usual notations."""
    raw = to_halfwidth(number).strip().lower()
    digits = raw.replace(":", "").replace("-", "").replace(".", "")
    if not _HEX12.fullmatch(digits):
        raise InvalidFormat("a MAC address is 12 hexadecimal digits")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def validate(number: str) -> str:
    """Return the compact address if it names a device, else raise."""
    number = compact(number)
    if number in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
        raise InvalidComponent("the null and broadcast addresses do not name a device")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a device MAC address (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def is_local(number: str) -> bool:
    """Whether the address is locally administered (bit 1 of the first octet), e.g. random."""
    return bool(int(validate(number)[:2], 16) & 2)


def format(number: str) -> str:
    """Upper-case, colon-separated."""
    return validate(number).upper()
