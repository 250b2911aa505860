"""WeChat ID (微信号).

Tencent's rule for a user-chosen WeChat ID: 6 to 20 characters, letters, digits, underscores
and hyphens, starting with a letter. (A phone number or QQ number may also serve as a WeChat
login; those are recognised as what they are.) Detection reports a WeChat ID only next to
context such as "微信" or "WeChat".

>>> validate("zhang_san-1990"), is_valid("1zhangsan"), is_valid("abc")
('zhang_san-1990', False, False)
"""

from __future__ import annotations

import re

from piguard.detect.identifiers._text import to_halfwidth
from piguard.errors import InvalidFormat, InvalidLength

__all__ = ["compact", "format", "is_valid", "validate"]

_WECHAT = re.compile(r"[A-Za-z][-_A-Za-z0-9]{5,19}")


def compact(number: str) -> str:
    """Half-width and stripped (IDs are case-insensitive but shown as typed)."""
    return to_halfwidth(number).strip()


def validate(number: str) -> str:
    """Return the compact ID if it follows the WeChat ID rule, else raise."""
    number = compact(number)
    if not 6 <= len(number) <= 20:
        raise InvalidLength("a WeChat ID has 6 to 20 characters")
    if not _WECHAT.fullmatch(number):
        raise InvalidFormat("a WeChat ID starts with a letter; then letters, digits, _ or -")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` follows the WeChat ID rule (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def format(number: str) -> str:
    """The compact form."""
    return validate(number)
