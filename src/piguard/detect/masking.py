"""Masked previews of found values, per entity (``138****5678``), so a report is never a leak.

Only letters and digits are masked; separators stay, so the shape remains readable. Secrets
(``CREDENTIAL``) become a fixed ``********`` that does not even reveal their length.

>>> preview("CN_MOBILE", "13812345678"), preview("BANK_CARD", "6222 0296 0013 3894")
('138****5678', '6222 **** **** 3894')
>>> preview("CN_RESIDENT_ID", "360426199101010071"), preview("EMAIL", "zhangsan@example.com")
('360***********0071', 'z*******@example.com')
>>> preview("PERSON_NAME", "欧阳娜娜"), preview("CREDENTIAL", "hunter2!")
('欧***', '********')
"""

from __future__ import annotations

__all__ = ["mask_positions", "preview"]

# entity -> (characters kept at the start, characters kept at the end), counted over
# letters, digits and Han characters only.
_KEEP: dict[str, tuple[int, int]] = {
    "CN_MOBILE": (3, 4),
    "CN_LANDLINE": (4, 2),
    "CN_RESIDENT_ID": (3, 4),
    "BANK_CARD": (4, 4),
    "CN_PASSPORT": (1, 2),
    "CN_TRAVEL_PERMIT": (1, 2),
    "CN_LICENSE_PLATE": (2, 1),
    "IMEI": (2, 2),
    "MAC_ADDRESS": (6, 0),
    "QQ_NUMBER": (2, 2),
    "WECHAT_ID": (2, 0),
    "DATE_OF_BIRTH": (4, 0),
    "PERSON_NAME": (1, 0),
    "ADDRESS": (3, 0),
    "HEALTH_CONDITION": (1, 0),
}


def mask_positions(value: str, head: int, tail: int, char: str = "*") -> str:
    """Hide the letters, digits and Han characters of ``value`` except ``head`` at the start
    and ``tail`` at the end; separators stay, so the shape remains readable.

    >>> mask_positions("138-1234-5678", 3, 4), mask_positions("张三", 1, 0, "○")
    ('138-****-5678', '张○')
    """
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    n = len(positions)
    if n <= head + tail:
        # Too short to show both ends: keep at most a third of it.
        head, tail = min(head, n // 3), 0
    hidden = set(positions[head : n - tail])
    return "".join(char if i in hidden else ch for i, ch in enumerate(value))


def _email(value: str) -> str:
    local, sep, domain = value.rpartition("@")
    if not sep:
        return mask_positions(value, 1, 0)
    if len(local) <= 1:
        return "*@" + domain
    return local[:1] + "*" * (len(local) - 1) + "@" + domain


def _ip(value: str) -> str:
    if "." in value:
        parts = value.split(".")
        return ".".join(parts[:2] + ["*"] * (len(parts) - 2))
    groups = value.split(":")
    return ":".join(groups[:2] + ["*" if g else "" for g in groups[2:]])


def _gps(value: str) -> str:
    out = []
    digits_after_point = -1
    for ch in value:
        if ch == ".":
            digits_after_point = 0
            out.append(ch)
        elif ch.isdigit() and digits_after_point >= 0:
            digits_after_point += 1
            out.append(ch if digits_after_point <= 1 else "*")
        else:
            if not ch.isdigit():
                digits_after_point = -1
            out.append(ch)
    return "".join(out)


def preview(entity: str, value: str) -> str:
    """The masked form of ``value`` shown in reports (the raw value only with --show-values).

    >>> preview("IP_ADDRESS", "150.3.94.220"), preview("GPS_COORDINATE", "39.908722,116.397499")
    ('150.3.*.*', '39.9*****,116.3*****')
    """
    if entity == "CREDENTIAL":
        return "********"
    if entity == "EMAIL":
        return _email(value)
    if entity == "IP_ADDRESS":
        return _ip(value)
    if entity == "GPS_COORDINATE":
        return _gps(value)
    head, tail = _KEEP.get(entity, (1, 1))
    return mask_positions(value, head, tail)
