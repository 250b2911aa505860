"""ISO 7064 MOD 11-2: the check character of the resident ID number.

GB 11643-1999 §5.3 (公民身份号码 校验码) uses ISO 7064 MOD 11-2: weights 2^(17-i) mod 11,
check value (12 - sum mod 11) mod 11, written ``X`` for 10.

>>> calc_check_digit("36042619910101007")
'1'
>>> is_valid("360426199101010071"), is_valid("36042619910102009X")
(True, False)
"""

from __future__ import annotations

from piguard.errors import InvalidChecksum, InvalidFormat

__all__ = ["calc_check_digit", "checksum", "is_valid", "validate"]


def checksum(number: str) -> int:
    """The MOD 11-2 checksum over all characters including the check character (1 = valid).

    >>> checksum("360426199101010071")
    1
    """
    total = 0
    for ch in number:
        if ch in "Xx":
            d = 10
        else:
            d = ord(ch) - 48
            if not 0 <= d <= 9:
                raise InvalidFormat("not a string of digits")
        total = (2 * total + d) % 11
    return total


def calc_check_digit(number: str) -> str:
    """The check character for the 17 leading digits ``number``.

    >>> calc_check_digit("11010519491231002")
    'X'
    """
    value = (12 - (checksum(number) * 2) % 11) % 11
    return "X" if value == 10 else str(value)


def validate(number: str) -> str:
    """Return ``number`` if its MOD 11-2 check character is right, else raise InvalidChecksum."""
    if not number or checksum(number) != 1:
        raise InvalidChecksum("ISO 7064 MOD 11-2 check character does not match")
    return number


def is_valid(number: str) -> bool:
    """Whether the check character of ``number`` is right (never raises).

    >>> is_valid("11010519491231002X"), is_valid("110105194912310021")
    (True, False)
    """
    try:
        return bool(validate(number))
    except (InvalidChecksum, InvalidFormat):
        return False
