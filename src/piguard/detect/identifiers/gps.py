"""GPS coordinate pair (经纬度).

A latitude and a longitude in decimal degrees (WGS-84, or the GCJ-02 / BD-09 offsets used by
Chinese map services, which shift by at most a few hundred metres), written ``lat,lng`` or
``lng,lat`` as Chinese map APIs do. :func:`in_china` says whether the point lies in a box
around China (latitude 3.8°-53.6° N, longitude 73.5°-135.1° E), which lets the detection
engine accept a bare pair of numbers there and ask for context elsewhere.

>>> validate("39.908722, 116.397499")
(39.908722, 116.397499)
>>> validate("116.397499,39.908722")
(39.908722, 116.397499)
>>> in_china("39.908722,116.397499"), is_valid("91.5,10.0"), is_valid("39.9,116.4")
(True, False, False)
"""

from __future__ import annotations

import re

from piguard.detect.identifiers._text import to_halfwidth
from piguard.errors import InvalidComponent, InvalidFormat

__all__ = ["MIN_DECIMALS", "compact", "format", "in_box", "in_china", "is_valid", "validate"]

#: Decimals needed for a position to be precise (4 decimals ≈ 11 m): fewer is not a location.
MIN_DECIMALS = 4
_NUMBER = re.compile(r"-?[0-9]{1,3}\.([0-9]+)")


def compact(number: str) -> str:
    """Half-width, ``a,b`` without spaces (the Chinese comma and semicolon are separators)."""
    number = to_halfwidth(number).replace("，", ",").replace("、", ",")
    return ",".join(part.strip() for part in re.split(r"[,;\s]+", number.strip()) if part)


def validate(number: str) -> tuple[float, float]:
    """Return ``(latitude, longitude)`` if ``number`` is a precise coordinate pair, else raise.

    When both orders are possible the pair is read as written when the first number could be
    a latitude, which is how most logs write it; a first number beyond ±90 means ``lng,lat``.
    """
    parts = compact(number).split(",")
    if len(parts) != 2:
        raise InvalidFormat("a coordinate pair is two decimal numbers")
    values = []
    for part in parts:
        m = _NUMBER.fullmatch(part)
        if not m:
            raise InvalidFormat("a coordinate is a decimal number in degrees")
        if len(m.group(1)) < MIN_DECIMALS:
            raise InvalidComponent(f"fewer than {MIN_DECIMALS} decimals is not a precise position")
        values.append(float(part))
    a, b = values
    if abs(a) <= 90 and abs(b) <= 180:
        return a, b
    if abs(b) <= 90 and abs(a) <= 180:
        return b, a
    raise InvalidComponent("latitude must be within ±90° and longitude within ±180°")


def is_valid(number: str) -> bool:
    """Whether ``number`` is a precise coordinate pair (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def in_box(lat: float, lng: float) -> bool:
    """Whether a validated ``(lat, lng)`` lies in the box around China (either order).

    >>> in_box(39.9, 116.4), in_box(116.4, 39.9), in_box(-33.9, 151.2)
    (True, True, False)
    """
    return any(3.8 <= a <= 53.6 and 73.5 <= b <= 135.1 for a, b in ((lat, lng), (lng, lat)))


def in_china(number: str) -> bool:
    """Whether the pair, in either order, lies in the bounding box around China."""
    return in_box(*validate(number))


def format(number: str) -> str:
    """``lat,lng`` with six decimals."""
    lat, lng = validate(number)
    return f"{lat:.6f},{lng:.6f}"
