"""Bank card number (银行卡号).

ISO/IEC 7812: 16-19 digits, the first six (8 for newer cards) being the issuer
identification number (IIN/BIN), the last a Luhn check digit. Chinese debit and credit cards
are issued on the China UnionPay scheme (BIN 62, plus the older 60/9 ranges of a few banks)
or co-branded with Visa (4), Mastercard (51-55, 2221-2720) and JCB (3528-3589).

>>> validate("6222 0296 0013 3894")
'6222029600133894'
>>> get_scheme("6222029600133894"), get_issuer("6222029600133894")
('UnionPay', 'Industrial and Commercial Bank of China')
>>> format("6222029600133894")
'6222 0296 0013 3894'
"""

from __future__ import annotations

from piguard.detect.identifiers import luhn
from piguard.detect.identifiers._text import clean
from piguard.errors import InvalidComponent, InvalidFormat, InvalidLength

__all__ = ["ISSUER_BINS", "compact", "format", "get_issuer", "get_scheme", "is_valid", "validate"]

#: Well-known domestic BIN prefixes (the first 6 digits) and their issuers: the large
#: state-owned and joint-stock banks' debit and credit BINs, from the banks' published card
#: products. Data, not an exhaustive list: any card on a known *scheme* prefix is accepted.
ISSUER_BINS: dict[str, str] = {
    **dict.fromkeys(
        (
            "622202",
            "622203",
            "622208",
            "621226",
            "621225",
            "620058",
            "621558",
            "621559",
            "621721",
            "621723",
            "427018",
            "427019",
            "427020",
            "427028",
            "427029",
            "427038",
            "438125",
            "451804",
            "451810",
            "458060",
            "458071",
            "489734",
            "489735",
            "524047",
            "530970",
            "530990",
            "622230",
            "622235",
            "622237",
            "622238",
            "622239",
            "622240",
            "622245",
            "622246",
            "622200",
        ),
        "Industrial and Commercial Bank of China",
    ),
    **dict.fromkeys(
        (
            "622848",
            "622845",
            "622846",
            "622849",
            "623052",
            "622823",
            "622821",
            "622822",
            "622825",
            "622826",
            "622827",
            "622828",
            "622836",
            "622837",
            "622841",
            "622843",
            "622844",
            "622847",
            "103000",
            "403361",
            "404117",
            "404118",
            "404119",
            "404120",
            "404121",
            "463758",
            "519412",
            "519413",
            "520082",
            "520083",
            "552599",
            "558730",
        ),
        "Agricultural Bank of China",
    ),
    **dict.fromkeys(
        (
            "621700",
            "622700",
            "436742",
            "436745",
            "622280",
            "453242",
            "491031",
            "524094",
            "526410",
            "532450",
            "532458",
            "544033",
            "552245",
            "589970",
            "620060",
            "621081",
            "621284",
            "621466",
            "621467",
            "621488",
            "621499",
            "621598",
            "621621",
            "622166",
            "622168",
            "622676",
            "622677",
            "622678",
            "622679",
            "622680",
            "622688",
            "622689",
        ),
        "China Construction Bank",
    ),
    **dict.fromkeys(
        (
            "621661",
            "621663",
            "621666",
            "621668",
            "621669",
            "621660",
            "601382",
            "456351",
            "622752",
            "622753",
            "622755",
            "622756",
            "622757",
            "622758",
            "622759",
            "622760",
            "622761",
            "622762",
            "622763",
            "625908",
            "625909",
            "625910",
            "621256",
            "621212",
            "620514",
            "622788",
            "621283",
            "620061",
            "621725",
            "620040",
            "621785",
            "621786",
        ),
        "Bank of China",
    ),
    **dict.fromkeys(
        (
            "622588",
            "622580",
            "622575",
            "622576",
            "622577",
            "622578",
            "622579",
            "622581",
            "622582",
            "621286",
            "621483",
            "621485",
            "621486",
            "410062",
            "439188",
            "439225",
            "439226",
            "479228",
            "479229",
            "521302",
            "545619",
            "545620",
            "545621",
            "545623",
            "545947",
            "545948",
            "552534",
            "552587",
            "622598",
            "622609",
            "356885",
            "356886",
        ),
        "China Merchants Bank",
    ),
    **dict.fromkeys(
        (
            "622260",
            "622262",
            "622258",
            "622259",
            "622261",
            "405512",
            "601428",
            "434910",
            "458123",
            "458124",
            "520169",
            "521899",
            "522964",
            "552853",
            "622250",
            "622251",
            "622252",
            "622253",
            "622656",
            "628216",
            "628218",
        ),
        "Bank of Communications",
    ),
    **dict.fromkeys(
        (
            "621799",
            "621096",
            "621098",
            "622150",
            "622151",
            "622181",
            "622188",
            "955100",
            "621095",
            "620062",
            "621285",
            "621797",
            "621798",
            "622199",
            "621622",
            "623218",
            "623219",
        ),
        "Postal Savings Bank of China",
    ),
}

_SCHEMES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("62", "60", "81"), "UnionPay"),
    (("4",), "Visa"),
    (("51", "52", "53", "54", "55", "22", "23", "24", "25", "26", "27"), "Mastercard"),
    (("35",), "JCB"),
    (("9",), "domestic (legacy)"),
)


def compact(number: str) -> str:
    """Half-width digits without spaces and hyphens.

    >>> compact("６２２２-０２９６ 0013 3894")
    '6222029600133894'
    """
    return clean(number)


def get_scheme(number: str) -> str | None:
    """The card scheme named by the first digits, or None if it is none that Chinese banks use.

    >>> get_scheme("4367420012345678"), get_scheme("1234567812345670")
    ('Visa', None)
    """
    number = compact(number)
    if number.startswith("2") and not 2221 <= int(number[:4] or 0) <= 2720:
        return None
    for prefixes, scheme in _SCHEMES:
        if number.startswith(prefixes):
            return scheme
    return None


def get_issuer(number: str) -> str | None:
    """The issuing bank when the BIN is one of :data:`ISSUER_BINS`."""
    return ISSUER_BINS.get(compact(number)[:6])


def validate(number: str) -> str:
    """Return the compact number if it is a 16-19 digit card with a correct Luhn digit.

    >>> validate("6222029600133895")
    Traceback (most recent call last):
    ...
    piguard.errors.InvalidChecksum: Luhn check digit does not match
    >>> validate("1234567812345670")
    Traceback (most recent call last):
    ...
    piguard.errors.InvalidComponent: the first digits are not a card scheme's BIN range
    """
    number = compact(number)
    if not (number.isascii() and number.isdigit()):
        raise InvalidFormat("a bank card number is made of digits")
    if not 16 <= len(number) <= 19:
        raise InvalidLength("a bank card number has 16 to 19 digits")
    if get_scheme(number) is None:
        raise InvalidComponent("the first digits are not a card scheme's BIN range")
    luhn.validate(number)
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a valid bank card number (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def format(number: str) -> str:
    """Groups of four digits."""
    number = validate(number)
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
