"""The GB 32100-2015 check character of the unified social credit code (统一社会信用代码).

GB 32100-2015 §5 and Annex A: an 18-character code over the 31 characters
``0-9 A-H J-N P-R T U W-Y`` (no I, O, Z, S, V); position i (from 0) weighs 3^i mod 31 and the
check character is the one whose value is (31 - sum mod 31) mod 31.

>>> calc_check_digit("91350100M000100Y4")
'3'
>>> is_valid("91350100M000100Y43")
True
"""

from __future__ import annotations

from piguard.errors import InvalidChecksum, InvalidFormat

__all__ = ["ALPHABET", "calc_check_digit", "is_valid", "validate"]

#: The 31 characters of GB 32100-2015 Table 1, in value order.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def calc_check_digit(number: str) -> str:
    """The check character for the 17 leading characters ``number``."""
    try:
        total = sum(_VALUE[ch] * w for ch, w in zip(number, _WEIGHTS, strict=True))
    except (KeyError, ValueError):
        raise InvalidFormat("not 17 characters of the GB 32100 alphabet") from None
    return ALPHABET[(31 - total % 31) % 31]


def validate(number: str) -> str:
    """Return ``number`` if its check character is right, else raise InvalidChecksum."""
    if len(number) != 18:
        raise InvalidFormat("a unified social credit code has 18 characters")
    if calc_check_digit(number[:17]) != number[17]:
        raise InvalidChecksum("GB 32100 check character does not match")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` has a correct GB 32100 check character (never raises).

    >>> is_valid("91350100M000100Y40"), is_valid("9135")
    (False, False)
    """
    try:
        return bool(validate(number))
    except (InvalidChecksum, InvalidFormat):
        return False
