"""Format-preserving encryption (保留格式加密) with FF3-1, keeping identifiers valid.

FF3-1 is NIST SP 800-38G Rev. 1's format-preserving mode (AES, 56-bit tweak); the cipher itself
comes from the ``ff3`` package, which the tests check against NIST's ACVP FF3-1 vectors. On top
of it this module keeps each identifier *valid*, so that downstream systems that check formats
keep working (GB/T 37964-2019 Appendix A lists FPE among the cryptographic techniques):

* a mobile number keeps its real 3-digit segment (号段); the other 8 digits are encrypted;
* a resident ID (GB 11643-1999) stays 18 characters with a real region code, a real birth date
  and a recomputed ISO 7064 MOD 11-2 check character; ``keep_region`` / ``keep_birth_date``
  keep those parts (they then feed the tweak);
* a bank card keeps its BIN (first 6 digits) and gets a new Luhn check digit;
* anything else: the digits (or letters and digits) are encrypted in place, re-encrypted
  while the result would be a valid identifier of the entity (cycle walking on the
  complement), so decryption can tell the two paths apart.

Components that are not a power of the radix (valid regions, dates) are numbered, packed into
one integer and encrypted over the smallest decimal width that holds them, re-encrypting until
the result falls inside the domain ("cycle walking", which keeps the map a bijection).

SP 800-38G Rev. 1 §5.2 asks that the domain (radix ** length) be at least one million.
Keeping both region and birth date of a resident ID leaves only the 3-digit sequence number
(1000 values), so that combination is refused.

>>> fpe = FormatPreservingEncryptor(bytes(range(32)))
>>> enc = fpe.encrypt("13812345678", "CN_MOBILE")
>>> enc[:3], len(enc), fpe.decrypt(enc, "CN_MOBILE")
('138', 11, '13812345678')
"""

from __future__ import annotations

import datetime
import functools
import hmac
from typing import Any

from ff3 import FF3Cipher

from piguard import geo
from piguard.deidentify._crypto import derive_key
from piguard.detect.identifiers import bank_card, cn_mobile, cn_ric, iso7064, luhn
from piguard.errors import ConfigError, InvalidFormat

__all__ = ["BIRTH_FIRST", "BIRTH_LAST", "FormatPreservingEncryptor"]

#: The birth dates a resident ID may be encrypted to or from. Fixed (not "today"), because the
#: domain must never change or old ciphertexts would no longer decrypt.
BIRTH_FIRST = datetime.date(1900, 1, 1)
BIRTH_LAST = datetime.date(2025, 12, 31)
_DAYS = (BIRTH_LAST - BIRTH_FIRST).days + 1
_MIN_DOMAIN = 1_000_000  # SP 800-38G Rev. 1 §5.2: radix ** minlen >= 1,000,000
_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@functools.cache
def _regions() -> tuple[tuple[str, ...], dict[str, int]]:
    """Every 6-digit code that a resident ID may start with, sorted (geo data, NBS 2023)."""
    codes = {d.code for d in geo.all_divisions() if len(d.code) == 6}
    codes |= {"810000", "820000", "830000"}
    valid = tuple(sorted(c for c in codes if geo.id_region_level(c) is not None))
    return valid, {c: i for i, c in enumerate(valid)}


class FormatPreservingEncryptor:
    """FF3-1 per entity, with validity kept. ``key`` is the operator's key (any length >= 16);
    the AES-256 key and the tweaks are derived from it."""

    def __init__(
        self, key: bytes, *, keep_region: bool = False, keep_birth_date: bool = False
    ) -> None:
        if keep_region and keep_birth_date:
            raise ConfigError(
                "fpe: keeping both region and birth date leaves 1000 values, below FF3-1's "
                "minimum domain of 1,000,000 (SP 800-38G Rev. 1 §5.2); keep one of them"
            )
        self.keep_region = keep_region
        self.keep_birth_date = keep_birth_date
        self._tweak_key = derive_key(key, "fpe-ff3-1-tweak")
        aes = derive_key(key, "fpe-ff3-1-aes", 32)
        self._digits = FF3Cipher(aes.hex(), "00" * 7, 10)
        self._alnum = FF3Cipher.withCustomAlphabet(aes.hex(), "00" * 7, _ALNUM)

    def __repr__(self) -> str:
        return (
            f"FormatPreservingEncryptor(keep_region={self.keep_region}, "
            f"keep_birth_date={self.keep_birth_date})"
        )

    # ------------------------------------------------------------------ helpers
    def _tweak(self, *parts: str) -> str:
        msg = "\x1f".join(parts).encode("utf-8")
        return hmac.digest(self._tweak_key, msg, "sha256")[:7].hex()

    def _ff3(self, text: str, tweak: str, *, decrypt: bool, alnum: bool = False) -> str:
        cipher = self._alnum if alnum else self._digits
        if decrypt:
            return str(cipher.decrypt_with_tweak(text, tweak))
        return str(cipher.encrypt_with_tweak(text, tweak))

    def _walk(self, x: int, n: int, tweak: str, *, decrypt: bool) -> int:
        """A permutation of range(n) (n >= 10**6) by FF3-1 over decimal strings + cycle walking."""
        width = max(len(str(n - 1)), 6)
        while True:
            x = int(self._ff3(str(x).zfill(width), tweak, decrypt=decrypt))
            if x < n:
                return x

    # ------------------------------------------------------------------ per format
    def _mobile(self, number: str, decrypt: bool) -> str:
        return number[:3] + self._ff3(number[3:], self._tweak("mobile"), decrypt=decrypt)

    def _bank_card(self, number: str, decrypt: bool) -> str:
        body = number[6:-1]
        tweak = self._tweak("bank_card", number[:6], str(len(number)))
        head = number[:6] + self._ff3(body, tweak, decrypt=decrypt)
        return head + luhn.calc_check_digit(head)

    def _resident_id(self, number: str, decrypt: bool) -> str:
        codes, index = _regions()
        region, birth, seq = number[:6], number[6:14], number[14:17]
        born = datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
        day = (born - BIRTH_FIRST).days
        if region not in index or not 0 <= day < _DAYS:
            raise InvalidFormat("resident ID outside the FPE domain")
        if self.keep_region:
            n, x = _DAYS * 1000, day * 1000 + int(seq)
            tweak = self._tweak("ric", "region", region)
        elif self.keep_birth_date:
            n, x = len(codes) * 1000, index[region] * 1000 + int(seq)
            tweak = self._tweak("ric", "birth", birth)
        else:
            n, x = len(codes) * _DAYS * 1000, (index[region] * _DAYS + day) * 1000 + int(seq)
            tweak = self._tweak("ric")
        y = self._walk(x, n, tweak, decrypt=decrypt)
        rest, new_seq = divmod(y, 1000)
        if self.keep_region:
            new_region, new_day = region, rest
        elif self.keep_birth_date:
            new_region, new_day = codes[rest], day
        else:
            r, new_day = divmod(rest, _DAYS)
            new_region = codes[r]
        new_birth = (BIRTH_FIRST + datetime.timedelta(days=new_day)).strftime("%Y%m%d")
        body = f"{new_region}{new_birth}{new_seq:03d}"
        return body + iso7064.calc_check_digit(body)

    def _generic(self, value: str, decrypt: bool) -> str:
        digits = [i for i, ch in enumerate(value) if ch.isascii() and ch.isdigit()]
        if len(digits) >= 6:
            sub = "".join(value[i] for i in digits)
            out = self._ff3(sub, self._tweak("digits", str(len(sub))), decrypt=decrypt)
            chars = list(value)
            for i, ch in zip(digits, out, strict=True):
                chars[i] = ch
            return "".join(chars)
        alnum = [i for i, ch in enumerate(value) if ch.isascii() and ch.isalnum()]
        if len(alnum) >= 4:  # 62 ** 4 > 1,000,000
            sub = "".join(value[i] for i in alnum)
            out = self._ff3(sub, self._tweak("alnum", str(len(sub))), decrypt=decrypt, alnum=True)
            chars = list(value)
            for i, ch in zip(alnum, out, strict=True):
                chars[i] = ch
            return "".join(chars)
        raise InvalidFormat("too few letters or digits for format-preserving encryption")

    # ------------------------------------------------------------------ public
    def _handler(self, value: str, entity: str | None) -> tuple[str, Any] | None:
        """The compact form and the format-aware handler for ``value``, or None when the
        value is outside that handler's domain (not a valid identifier, or a resident ID with
        a region or birth date the domain does not hold)."""
        if entity == "CN_MOBILE" and cn_mobile.is_valid(value):
            return cn_mobile.compact(value), self._mobile
        if entity == "CN_RESIDENT_ID":
            compact = cn_ric.compact(value)
            if len(compact) == 18 and compact[:17].isdigit() and cn_ric.is_valid(compact):
                day = (_birth(compact) - BIRTH_FIRST).days
                if compact[:6] in _regions()[1] and 0 <= day < _DAYS:
                    return compact, self._resident_id
            return None
        if entity == "BANK_CARD" and bank_card.is_valid(value):
            return bank_card.compact(value), self._bank_card
        return None

    def _dispatch(self, value: str, entity: str | None, decrypt: bool) -> str:
        found = self._handler(value, entity)
        if found is not None:
            compact, handler = found
            return _restore_layout(value, compact, handler(compact, decrypt))
        # Outside the handler's domain: digits in place, re-encrypted while the result falls
        # inside the domain ("cycle walking" on the complement), so that decryption, which
        # sends everything in the domain to the handler, finds its way back.
        out = self._generic(value, decrypt)
        for _ in range(10_000):
            if self._handler(out, entity) is None:
                return out
            out = self._generic(out, decrypt)
        raise InvalidFormat("format-preserving encryption did not leave the identifier domain")

    def encrypt(self, value: str, entity: str | None = None) -> str:
        """Encrypt ``value``; a valid identifier of ``entity`` stays valid."""
        return self._dispatch(value, entity, decrypt=False)

    def decrypt(self, value: str, entity: str | None = None) -> str:
        """Invert :meth:`encrypt` (same key, options and entity)."""
        return self._dispatch(value, entity, decrypt=True)


def _birth(compact: str) -> datetime.date:
    return datetime.date(int(compact[6:10]), int(compact[10:12]), int(compact[12:14]))


def _restore_layout(original: str, compact: str, new: str) -> str:
    """Put ``new`` (same length as ``compact``) back into ``original``'s separators, when the
    compact form's characters appear in order at the end of ``original`` (``+86 138 …``)."""
    if original == compact:
        return new
    out = list(original)
    j = len(compact) - 1
    for i in range(len(original) - 1, -1, -1):
        if j < 0:
            break
        if original[i].upper() == compact[j] or _halfwidth(original[i]) == compact[j]:
            out[i] = new[j]
            j -= 1
    return "".join(out) if j < 0 else new


def _halfwidth(ch: str) -> str:
    code = ord(ch)
    return chr(code - 0xFEE0) if 0xFF01 <= code <= 0xFF5E else ch
