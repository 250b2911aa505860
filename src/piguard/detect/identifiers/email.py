"""E-mail address (电子邮件地址).

A pragmatic subset of RFC 5322 §3.4.1 ``addr-spec`` as people write it: a dot-atom local part
(letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots not first, last or doubled; at most 64
characters, RFC 5321 §4.5.3.1.1) and a domain of LDH labels with a letter-only top-level label.
Chinese mailboxes such as ``12345@qq.com`` are ordinary addresses.

>>> validate(" Zhang.San@Example.COM ")
'Zhang.San@example.com'
>>> get_domain("12345@qq.com"), is_valid("a..b@x.com"), is_valid("a@b")
('qq.com', False, False)
"""

from __future__ import annotations

import re

from piguard.detect.identifiers._text import to_halfwidth
from piguard.errors import InvalidFormat, InvalidLength

__all__ = ["compact", "format", "get_domain", "is_valid", "validate"]

_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"[A-Za-z]{2,24}")


def compact(number: str) -> str:
    """Half-width, stripped, with the domain in lower case."""
    number = to_halfwidth(number).strip()
    local, sep, domain = number.rpartition("@")
    return f"{local}{sep}{domain.lower()}" if sep else number


def validate(number: str) -> str:
    """Return the compact address if it is well formed, else raise."""
    number = compact(number)
    local, sep, domain = number.rpartition("@")
    if not sep or not local or not domain:
        raise InvalidFormat("an e-mail address has a local part, @ and a domain")
    if len(local) > 64 or len(domain) > 253:
        raise InvalidLength("the local part has at most 64 and the domain 253 characters")
    if not _LOCAL.fullmatch(local):
        raise InvalidFormat("the local part has characters or dots where it cannot")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(x) for x in labels):
        raise InvalidFormat("the domain is not a host name with a top-level domain")
    if not _TLD.fullmatch(labels[-1]):
        raise InvalidFormat("the domain is not a host name with a top-level domain")
    return number


def is_valid(number: str) -> bool:
    """Whether ``number`` is a well-formed e-mail address (never raises)."""
    try:
        return bool(validate(number))
    except ValueError:
        return False


def get_domain(number: str) -> str:
    """The domain, in lower case."""
    return validate(number).rpartition("@")[2]


def format(number: str) -> str:
    """The compact form."""
    return validate(number)
