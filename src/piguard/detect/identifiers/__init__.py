"""Pure validators, one module per identifier (python-stdnum style), and check-digit schemes.

Each identifier module offers ``compact``, ``validate`` (raises a specific
:class:`piguard.errors.InvalidIdentifier`), ``is_valid`` (never raises), ``format`` and
getters. No I/O, no state. Check-digit schemes: :mod:`luhn`, :mod:`iso7064` (MOD 11-2),
:mod:`mod31` (GB 32100).

>>> from piguard.detect.identifiers import cn_ric, bank_card
>>> cn_ric.is_valid("360426199101010071"), bank_card.is_valid("6222029600133894")
(True, True)
"""

__all__ = [
    "bank_card",
    "cn_landline",
    "cn_mobile",
    "cn_passport",
    "cn_plate",
    "cn_ric",
    "cn_travel_permit",
    "cn_uscc",
    "dob",
    "email",
    "gps",
    "imei",
    "ip",
    "iso7064",
    "luhn",
    "mac",
    "mod31",
    "qq",
    "wechat",
]
