"""Travel permits for Hong Kong, Macao and Taiwan (港澳台通行证).

Four documents, told apart by the first letter:

- ``C`` + 8 digits: Mainland residents' Exit-Entry Permit for Travelling to and from Hong Kong
  and Macao (往来港澳通行证, electronic card since 2014);
- ``L`` + 8 digits: Mainland residents' permit to Taiwan (大陆居民往来台湾通行证, card since 2015);
- ``H``/``M`` + 8 digits, formerly followed by a 2-digit issue count: Hong Kong / Macao residents'
  Mainland Travel Permit (港澳居民来往内地通行证, 回乡证);
- 8 digits (formerly 10 characters): Taiwan residents' Mainland Travel Permit (台胞证); a bare
  8-digit number is recognised only with context, never here.

>>> validate("c12345678"), get_document("H1234567801")
('C12345678', 'HK/Macao residents’ Mainland Travel Permit (Hong Kong)')
>>> is_valid("C1234567")
False
"""

from __future__ import annotations

import re

from piguard.detect.identifiers._text import clean
from piguard.errors import InvalidFormat

__all__ = ["compact", "format", "get_document", "is_valid", "validate"]

_PERMIT = re.compile(r"[CL][0-9]{8}|[HM][0-9]{8}(?:[0-9]{2})?")
_DOCUMENTS = {
    "C": "Exit-Entry Permit for Travelling to and from Hong Kong and Macao",
    "L": "Mainland residents’ permit to Taiwan",
    "H": "HK/Macao residents’ Mainland Travel Permit (Hong Kong)",
    "M": "HK/Macao residents’ Mainland Travel Permit (Macao)",
}


def compact(number: str) -> str:
    """Half-width, upper-case, without spaces."""
    return clean(number, " ").upper()


def validate(number: str) -> str:
    """Return the compact number if it has one of the permits' layouts, else raise."""
    number = compact(number)
    if not _PERMIT.fullmatch(number):
        raise InvalidFormat("a travel permit number is C, L, H or M and 8 digits")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` has a travel permit's layout (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def get_document(number: str) -> str:
    """Which permit the letter names."""
    return _DOCUMENTS[validate(number)[0]]


def format(number: str) -> str:
    """The compact upper-case form."""
    return validate(number)
