"""The Luhn mod 10 check digit (ISO/IEC 7812-1 Annex B).

Used by bank card numbers (ISO/IEC 7812) and IMEI (3GPP TS 23.003 §6.2.1).

>>> checksum("6222029600133894")
0
>>> calc_check_digit("622202960013389")
'4'
>>> is_valid("6222029600133895")
False
"""

from __future__ import annotations

from piguard.errors import InvalidChecksum, InvalidFormat

__all__ = ["calc_check_digit", "checksum", "is_valid", "validate"]

# Doubling table for the digits in odd positions from the right (Luhn's "double and sum").
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def checksum(number: str) -> int:
    """The Luhn sum of ``number`` modulo 10 (0 for a valid number).

    >>> checksum("79927398713")
    0
    """
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if not 0 <= d <= 9:
            raise InvalidFormat("not a string of digits")
        total += _DOUBLED[d] if i & 1 else d
    return total % 10


def calc_check_digit(number: str) -> str:
    """The check digit to append to ``number``.

    >>> calc_check_digit("7992739871")
    '3'
    """
    return str((10 - checksum(number + "0")) % 10)


def validate(number: str) -> str:
    """Return ``number`` if its Luhn check digit is right, else raise InvalidChecksum.

    >>> validate("79927398710")
    Traceback (most recent call last):
    ...
    piguard.errors.InvalidChecksum: Luhn check digit does not match
    """
    if not number or checksum(number) != 0:
        raise InvalidChecksum("Luhn check digit does not match")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a digit string with a correct Luhn check digit.

    >>> is_valid("79927398713"), is_valid("79927398710"), is_valid("7992a")
    (True, False, False)
    """
    try:
        return bool(validate(number))
    except (InvalidChecksum, InvalidFormat):
        return False
