"""SM2 signatures with SM3 (SM2 签名, GB/T 32918.2) for signed notes, via the ``gmssl`` package.

``cryptography`` has no SM2, so the curve arithmetic and the SM3 hashing come from ``gmssl``
(pure Python, the optional ``sm2`` extra: ``pip install 'piguard[sm2]'``). This module only
wraps it and adds what gmssl leaves to its caller:

* **randomness**: gmssl draws its default nonce with :mod:`random` (not a secure generator), so
  every private key and nonce here comes from :mod:`secrets`;
* **key encoding**: public keys are always the 65-byte uncompressed point ``0x04 || X || Y``
  (GB/T 32918.1, point-to-octet-string conversion). gmssl strips a leading ``"04"`` with
  ``str.lstrip``, which also eats the start of an X coordinate that begins with the hex digits
  ``0`` or ``4``; we therefore set its public key attribute to the bare ``X || Y`` hex ourselves;
* **checks**: the public key must be a point on the curve, and a signature's ``r`` and ``s``
  must lie in ``[1, n-1]`` before verification (GB/T 32918.2, verification steps B1-B2);
  gmssl checks neither.

The user identity is the default distinguishing ID ``1234567812345678`` (GM/T 0009), which
gmssl uses when it computes ``Z_A``; OpenSSL's ``distid:1234567812345678`` gives the same.
Signatures are the fixed 64 bytes ``r || s`` (32 bytes each, big-endian).
"""

from __future__ import annotations

import secrets
from typing import Any

from piguard.errors import KeyProviderError

__all__ = [
    "DEFAULT_ID",
    "generate_private",
    "public_from_private",
    "sign",
    "verify",
]

#: The default user identity (GM/T 0009) that gmssl's ``Z_A`` computation uses.
DEFAULT_ID = b"1234567812345678"

# The recommended curve parameters (GB/T 32918.5): the same table gmssl uses.
_P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
_A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


def _gmssl_sm2() -> Any:
    try:
        from gmssl import sm2
    except ImportError:
        raise KeyProviderError(
            "SM2 signatures need the optional 'sm2' extra: pip install 'piguard[sm2]'"
        ) from None
    return sm2


def _crypt(private_hex: str, public: bytes | None) -> Any:
    sm2 = _gmssl_sm2()
    crypt = sm2.CryptSM2(private_key=private_hex, public_key="")
    if public is not None:
        # Set explicitly: gmssl's constructor mangles keys whose X starts with hex 0 or 4.
        crypt.public_key = public[1:].hex()
    return crypt


def check_public(public: bytes) -> bytes:
    """``public`` if it is an uncompressed point on the SM2 curve, else KeyProviderError."""
    if len(public) != 65 or public[0] != 0x04:
        raise KeyProviderError("an SM2 public key is 65 bytes: 0x04 || X || Y")
    x = int.from_bytes(public[1:33], "big")
    y = int.from_bytes(public[33:], "big")
    # GB/T 32918.1 public-key validation: coordinates in the field, point on the curve
    # (the cofactor is 1, so n*P = O follows).
    if x >= _P or y >= _P or (y * y - (x * x * x + _A * x + _B)) % _P != 0:
        raise KeyProviderError("not a valid SM2 public key (the point is not on the curve)")
    return bytes(public)


def _check_private(private: bytes) -> int:
    d = int.from_bytes(private, "big")
    if len(private) != 32 or not 1 <= d <= _N - 2:
        raise KeyProviderError("an SM2 private key is 32 bytes, in the range [1, n-2]")
    return d


def generate_private() -> bytes:
    """A new private key ``d`` in ``[1, n-2]`` (GB/T 32918.1 key generation), from secrets."""
    return (secrets.randbelow(_N - 2) + 1).to_bytes(32, "big")


def public_from_private(private: bytes) -> bytes:
    """The public key ``0x04 || X || Y`` of ``d * G``."""
    d = _check_private(private)
    sm2 = _gmssl_sm2()
    crypt = _crypt(f"{d:064x}", None)
    xy = crypt._kg(d, sm2.default_ecc_table["g"])
    return check_public(b"\x04" + bytes.fromhex(xy))


def sign(private: bytes, public: bytes, message: bytes, *, k: int | None = None) -> bytes:
    """The 64-byte SM2 signature ``r || s`` of ``message`` with the default ID.

    ``k`` fixes the nonce (known-answer tests only); normally it is drawn from :mod:`secrets`.
    """
    d = _check_private(private)
    crypt = _crypt(f"{d:064x}", check_public(public))
    while True:
        nonce = secrets.randbelow(_N - 1) + 1 if k is None else k
        if not 1 <= nonce < _N:
            raise ValueError("the SM2 nonce k must lie in [1, n-1]")
        sig = crypt.sign_with_sm3(message, f"{nonce:064x}")
        if sig is not None:
            return bytes.fromhex(sig)
        if k is not None:  # GB/T 32918.2 step A5/A6 asks for a new k
            raise ValueError("this nonce gives r = 0, r + k = n or s = 0; choose another")


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` (``r || s``) is a valid SM2 signature of ``message``."""
    if len(signature) != 64:
        return False
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (1 <= r < _N and 1 <= s < _N):  # GB/T 32918.2 verification steps B1, B2
        return False
    crypt = _crypt("", check_public(public))
    try:
        return bool(crypt.verify_with_sm3(signature.hex(), message))
    except (TypeError, ValueError):  # gmssl fails on the point at infinity
        return False
