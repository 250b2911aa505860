"""Ed25519 (default) and SM2 keys for signed notes (checkpoints), in the C2SP signed-note formats.

* Verifier key (public, shareable): ``<name>+<hex key id>+<base64(0x01 || 32-byte public key)>``
  (c2sp.org/signed-note, "Verifier keys").
* Signer key (secret): ``PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>``, the
  layout used by the Go ``golang.org/x/mod/sumdb/note`` package and Trillian Tessera, so keys
  can move between those tools and piguard.

The key id is ``SHA-256(name || 0x0A || 0x01 || public key)[:4]`` (signed-note, "Ed25519
signatures"). Signing and verification use ``cryptography``'s Ed25519 (RFC 8032).

**SM2 (piguard extension).** signed-note assigns no type byte to SM2; it reserves ``0xff`` for
"signature types without an identifier byte assigned by this specification", followed by a
longer identifier (signed-note, "Signature types"). piguard's SM2 type is therefore the 16 bytes
``0xff || "piguard/sm2-sm3"`` (:data:`SM2_TYPE`), used wherever Ed25519 uses ``0x01``: in the
key id, the verifier key (``base64(SM2_TYPE || 0x04 || X || Y)``) and the signer key
(``base64(SM2_TYPE || 32-byte d)``). A signature line is unchanged in form, ``key id ||
signature``, with the 64-byte SM2 signature ``r || s`` (SM3, default ID ``1234567812345678``);
the type byte reaches it through the key id. Tools other than piguard do not know this type and
ignore such signatures. See :mod:`piguard.keys._sm2`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from piguard.errors import KeyProviderError
from piguard.keys import _sm2

__all__ = [
    "ALGORITHMS",
    "ED25519_TYPE",
    "SIGNER_ENV",
    "SM2_TYPE",
    "NoteSigner",
    "NoteVerifier",
    "check_key_name",
    "load_signer",
]

#: Signature-type byte of Ed25519 in c2sp.org/signed-note.
ED25519_TYPE = 0x01
#: piguard's SM2 signature type: the extension byte 0xff and an identifier (signed-note,
#: "Signature types": it is RECOMMENDED that 0xff be followed by a longer identifier).
SM2_TYPE = b"\xffpiguard/sm2-sm3"
#: Signature algorithms, default first.
ALGORITHMS = ("ed25519", "sm2")
_TYPES = {"ed25519": bytes([ED25519_TYPE]), "sm2": SM2_TYPE}
_SIZES = {"ed25519": (32, 32), "sm2": (65, 32)}  # (public key, secret) lengths
_NAME_BAD = re.compile(r"[\s+]")
#: Environment variable ``piguard audit`` reads a signer key from when no file is given.
SIGNER_ENV = "PIGUARD_AUDIT_SIGNER_KEY"


def check_key_name(name: str) -> str:
    """A signed-note key name: non-empty, no spaces and no ``+``.

    >>> check_key_name("audit.example.com/log")
    'audit.example.com/log'
    """
    if not name or _NAME_BAD.search(name) or any(ord(c) < 0x20 for c in name):
        raise KeyProviderError(
            f"invalid key name {name!r}: it must be non-empty, without spaces or '+'"
        )
    return name


def _check_algorithm(algorithm: str) -> str:
    if algorithm not in _TYPES:
        raise KeyProviderError(
            f"unknown signature algorithm {algorithm!r}: use one of {', '.join(ALGORITHMS)}"
        )
    return algorithm


def _key_id(name: str, public: bytes, algorithm: str = "ed25519") -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + _TYPES[algorithm] + public).digest()[:4]


def _split_material(raw: bytes, what: str) -> tuple[str, bytes]:
    """(algorithm, key bytes) from ``type || key``; the lengths are checked here."""
    for algorithm, prefix in _TYPES.items():
        public_len, secret_len = _SIZES[algorithm]
        size = public_len if what == "public" else secret_len
        if raw.startswith(prefix) and len(raw) == len(prefix) + size:
            return algorithm, raw[len(prefix) :]
    raise KeyProviderError(
        "not an Ed25519 (type 0x01) or piguard SM2 (type 0xff piguard/sm2-sm3) key"
    )


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class NoteVerifier:
    """The public half: verifies signatures and exports the verifier key (vkey).

    >>> v = NoteVerifier.from_vkey(
    ...     "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    ... )
    >>> v.name, v.key_id.hex()
    ('example.com/foo', '530d903a')
    """

    def __init__(self, name: str, public_key: bytes, *, algorithm: str = "ed25519"):
        self.name = check_key_name(name)
        self.algorithm = _check_algorithm(algorithm)
        self.public_key = bytes(public_key)
        self._key: Ed25519PublicKey | None = None
        if algorithm == "sm2":
            _sm2.check_public(self.public_key)
        else:
            if len(public_key) != 32:
                raise KeyProviderError("an Ed25519 public key is 32 bytes")
            self._key = Ed25519PublicKey.from_public_bytes(self.public_key)
        self.key_id = _key_id(self.name, self.public_key, algorithm)

    @property
    def vkey(self) -> str:
        """The verifier key text ``<name>+<hex id>+<base64(type || key)>``."""
        material = base64.b64encode(_TYPES[self.algorithm] + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def from_vkey(cls, text: str) -> NoteVerifier:
        """Parse a verifier key, checking that its key id matches its name and key."""
        parts = text.strip().split("+", 2)  # base64 may itself contain '+'
        if len(parts) != 3:
            raise KeyProviderError("a verifier key has the form <name>+<hex id>+<base64 key>")
        name, hex_id, b64 = parts
        try:
            raw = base64.b64decode(b64, validate=True)
            key_id = bytes.fromhex(hex_id)
        except (ValueError, binascii.Error):
            raise KeyProviderError("verifier key: malformed hex id or base64 key") from None
        try:
            algorithm, public = _split_material(raw, "public")
        except KeyProviderError as exc:
            raise KeyProviderError(f"verifier key: {exc}") from None
        verifier = cls(name, public, algorithm=algorithm)
        if verifier.key_id != key_id:
            raise KeyProviderError("verifier key: the key id does not match the name and key")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True when ``signature`` is a valid signature of ``message`` by this key."""
        if self._key is None:
            return _sm2.verify(self.public_key, message, signature)
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"NoteVerifier({self.vkey!r})"


class NoteSigner:
    """The secret half: signs note text. Its ``repr``/``str`` never show the key.

    >>> s = NoteSigner.generate("audit.example.com/log")
    >>> s.verifier().verify(b"x\\n", s.sign(b"x\\n"))
    True
    >>> "PRIVATE" in repr(s)
    False
    """

    def __init__(self, name: str, seed: bytes, *, algorithm: str = "ed25519"):
        self.name = check_key_name(name)
        self.algorithm = _check_algorithm(algorithm)
        if len(seed) != 32:
            raise KeyProviderError(f"an {algorithm} private key is 32 bytes")
        self._key: Ed25519PrivateKey | None = None
        self._sm2_secret = b""
        if algorithm == "sm2":
            self._sm2_secret = bytes(seed)
            self.public_key = _sm2.public_from_private(self._sm2_secret)
        else:
            self._key = Ed25519PrivateKey.from_private_bytes(bytes(seed))
            self.public_key = _raw_public(self._key.public_key())
        self.key_id = _key_id(self.name, self.public_key, algorithm)

    @classmethod
    def generate(cls, name: str, algorithm: str = "ed25519") -> NoteSigner:
        """A new random key pair (operating-system randomness; Ed25519 unless ``sm2``)."""
        if _check_algorithm(algorithm) == "sm2":
            return cls(name, _sm2.generate_private(), algorithm="sm2")
        key = Ed25519PrivateKey.generate()
        seed = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(name, seed)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte signature of ``message`` (Ed25519, or SM2 ``r || s``)."""
        if self._key is None:
            return _sm2.sign(self._sm2_secret, self.public_key, message)
        return self._key.sign(message)

    def verifier(self) -> NoteVerifier:
        """The matching public verifier."""
        return NoteVerifier(self.name, self.public_key, algorithm=self.algorithm)

    def export_secret(self) -> str:
        """The signer key text ``PRIVATE+KEY+<name>+<hex id>+<base64(type || secret)>``.

        This is the secret key: write it only to a file readable by its owner.
        """
        if self._key is None:
            secret = self._sm2_secret
        else:
            secret = self._key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        material = base64.b64encode(_TYPES[self.algorithm] + secret).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def from_secret(cls, text: str, *, source: str = "signer key") -> NoteSigner:
        """Parse a signer key; errors name ``source`` but never show the key."""
        parts = text.strip().split("+", 4)  # base64 may itself contain '+'
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise KeyProviderError(
                f"{source}: not a signer key (expected PRIVATE+KEY+<name>+<id>+<key>)"
            )
        _, _, name, hex_id, b64 = parts
        try:
            raw = base64.b64decode(b64, validate=True)
            key_id = bytes.fromhex(hex_id)
        except (ValueError, binascii.Error):
            raise KeyProviderError(f"{source}: malformed signer key") from None
        try:
            algorithm, secret = _split_material(raw, "secret")
        except KeyProviderError as exc:
            raise KeyProviderError(f"{source}: {exc}") from None
        signer = cls(name, secret, algorithm=algorithm)
        if signer.key_id != key_id:
            raise KeyProviderError(f"{source}: the key id does not match the name and key")
        return signer

    def __repr__(self) -> str:
        return (
            f"NoteSigner(name={self.name!r}, key_id={self.key_id.hex()!r}, "
            f"algorithm={self.algorithm!r})"
        )

    __str__ = __repr__


def load_signer(
    path: str | os.PathLike[str] | None = None,
    *,
    env: str = SIGNER_ENV,
    environ: Mapping[str, str] | None = None,
) -> NoteSigner:
    """Load a signer key from ``path``, or else from the environment variable ``env``."""
    if path is not None:
        p = Path(path)
        try:
            if os.name == "posix" and p.stat().st_mode & 0o077:
                raise KeyProviderError(
                    f"{p}: signer key file is readable by other users; run chmod 600 {p}"
                )
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise KeyProviderError(f"{p}: no such signer key file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyProviderError(f"{p}: cannot read signer key ({type(exc).__name__})") from None
        return NoteSigner.from_secret(text, source=str(p))
    environ = os.environ if environ is None else environ
    value = environ.get(env)
    if not value:
        raise KeyProviderError(f"no signer key: give a key file or set {env}")
    return NoteSigner.from_secret(value, source=env)
