"""IP address (IPv4 and IPv6, IP 地址), validated by the standard library's ``ipaddress``.

An IP address is personal information when it can point to a subscriber (GB/T 35273-2020
Table A.1, 网络身份标识信息). Unspecified (0.0.0.0, ::) addresses are rejected;
:func:`is_public` tells private, loopback and link-local addresses apart.

>>> validate("150.3.94.220"), validate("2001:DB8::1")
('150.3.94.220', '2001:db8::1')
>>> is_valid("256.1.1.1"), is_valid("01.2.3.4"), is_public("192.168.1.10")
(False, False, False)
"""

from __future__ import annotations

import ipaddress

from piguard.detect.identifiers._text import to_halfwidth
from piguard.errors import InvalidComponent, InvalidFormat

__all__ = ["compact", "format", "get_version", "is_public", "is_valid", "validate"]


def compact(number: str) -> str:
    """Half-width and stripped."""
    return to_halfwidth(number).strip()


def _parse(number: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        addr = ipaddress.ip_address(compact(number))
    except ValueError:
        raise InvalidFormat("not an IPv4 or IPv6 address") from None
    if addr.is_unspecified:
        raise InvalidComponent("the unspecified address names no host")
    return addr


def validate(number: str) -> str:
    """Return the address in its canonical form, else raise."""
    return str(_parse(number))


def is_valid(number: str) -> bool:
    """Whether ``number`` is a usable IP address (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def get_version(number: str) -> int:
    """4 or 6."""
    return _parse(number).version


def is_public(number: str) -> bool:
    """Whether the address is globally routable (not private, loopback, link-local …)."""
    return _parse(number).is_global


def format(number: str) -> str:
    """The canonical form (compressed for IPv6)."""
    return validate(number)
