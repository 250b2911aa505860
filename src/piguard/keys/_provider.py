"""Key providers: where secret keys come from (environment, key files, KMS plug-ins).

A key is addressed by a :class:`KeyRef` (provider name and key id). The reference, never the
key, is what piguard records beside its outputs, so that a reader knows which key was used.
Key material is never put into ``repr``/``str``, log records or error messages.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Protocol, runtime_checkable

from piguard.errors import KeyProviderError

__all__ = [
    "ENTRY_POINT_GROUP",
    "EnvKeyProvider",
    "FileKeyProvider",
    "KeyProvider",
    "KeyRef",
    "decode_key_text",
    "load_provider",
]

#: Entry-point group through which KMS plug-ins register a provider factory. The entry point's
#: name is the scheme (``vault`` in ``vault:secret/piguard``); its object is called with the
#: text after the colon and must return a :class:`KeyProvider`.
ENTRY_POINT_GROUP = "piguard.keyproviders"

_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
#: Shortest key piguard accepts for keyed hashing: 128 bits.
MIN_KEY_BYTES = 16


@runtime_checkable
class KeyProvider(Protocol):
    """Anything that returns key bytes for a key id.

    ``name`` is the provider's scheme as written in a :class:`KeyRef` (``env``, ``file``, or a
    plug-in's name). ``get_key`` raises :class:`~piguard.errors.KeyProviderError` when the key
    is missing or malformed, with a message that names the key id but never the material.
    """

    @property
    def name(self) -> str: ...

    def get_key(self, key_id: str) -> bytes: ...


@dataclass(frozen=True, slots=True)
class KeyRef:
    """Which key was used: provider name and key id, never the key itself.

    >>> ref = KeyRef("env", "audit")
    >>> str(ref)
    'env:audit'
    >>> KeyRef.parse("file:audit-2026")
    KeyRef(provider='file', key_id='audit-2026')
    """

    provider: str
    key_id: str

    def __post_init__(self) -> None:
        check_key_id(self.key_id)
        if not re.fullmatch(r"[a-z][a-z0-9_\-]*", self.provider):
            raise KeyProviderError(f"invalid key provider name {self.provider!r}")

    def __str__(self) -> str:
        return f"{self.provider}:{self.key_id}"

    @classmethod
    def parse(cls, text: str) -> KeyRef:
        """Read ``provider:key_id``."""
        provider, sep, key_id = text.partition(":")
        if not sep:
            raise KeyProviderError(f"key reference {text!r} is not of the form provider:key_id")
        return cls(provider, key_id)


def check_key_id(key_id: str) -> str:
    """Raise :class:`KeyProviderError` unless ``key_id`` is a plain identifier.

    >>> check_key_id("audit-2026")
    'audit-2026'
    """
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):  # type: ignore[redundant-expr]
        raise KeyProviderError(
            "invalid key id: use 1-128 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit"
        )
    return key_id


def decode_key_text(text: str, *, what: str) -> bytes:
    """Decode key text: ``hex:...``, ``base64:...``, or bare hex / bare base64.

    ``what`` names the key's location for error messages (never the value).

    >>> decode_key_text("hex:00ff", what="t").hex()
    '00ff'
    >>> decode_key_text("AAEC/w==", what="t").hex()
    '000102ff'
    """
    value = text.strip()
    try:
        if value.startswith("hex:"):
            return bytes.fromhex(value[4:])
        if value.startswith("base64:"):
            return base64.b64decode(value[7:], validate=True)
        if _HEX.fullmatch(value):
            return bytes.fromhex(value)
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise KeyProviderError(f"{what}: key is neither valid hex nor base64") from None


def _check_length(material: bytes, *, what: str) -> bytes:
    if len(material) < MIN_KEY_BYTES:
        raise KeyProviderError(
            f"{what}: key is {len(material)} bytes, at least {MIN_KEY_BYTES} are needed"
        )
    return material


class EnvKeyProvider:
    """Keys from environment variables: key id ``audit`` is read from ``PIGUARD_KEY_AUDIT``.

    The variable holds hex or base64 (optionally prefixed ``hex:`` / ``base64:``). Dots and
    dashes in the key id become underscores, letters are upper-cased.

    >>> p = EnvKeyProvider(environ={"PIGUARD_KEY_AUDIT": "hex:" + "11" * 32})
    >>> len(p.get_key("audit"))
    32
    >>> p
    EnvKeyProvider(prefix='PIGUARD_KEY_')
    """

    name = "env"

    def __init__(self, prefix: str = "PIGUARD_KEY_", *, environ: Mapping[str, str] | None = None):
        self._prefix = prefix
        self._environ = environ

    def variable(self, key_id: str) -> str:
        """The environment variable that holds ``key_id``."""
        check_key_id(key_id)
        return self._prefix + re.sub(r"[^A-Za-z0-9]", "_", key_id).upper()

    def get_key(self, key_id: str) -> bytes:
        var = self.variable(key_id)
        environ = os.environ if self._environ is None else self._environ
        text = environ.get(var)
        if text is None or not text.strip():
            raise KeyProviderError(f"key {key_id!r}: environment variable {var} is not set")
        return _check_length(decode_key_text(text, what=f"key {key_id!r} ({var})"), what=var)

    def __repr__(self) -> str:
        return f"EnvKeyProvider(prefix={self._prefix!r})"


class FileKeyProvider:
    """Keys from files in a directory: key id ``audit`` is read from ``<dir>/audit.key``.

    A file holds hex or base64 text. On POSIX systems a key file that the group or others can
    read is refused (like ``ssh``), because the key would not be secret.
    """

    name = "file"

    def __init__(self, directory: str | os.PathLike[str], *, check_permissions: bool = True):
        self._dir = Path(directory)
        self._check_permissions = check_permissions

    def path(self, key_id: str) -> Path:
        """The file that holds ``key_id``."""
        return self._dir / f"{check_key_id(key_id)}.key"

    def get_key(self, key_id: str) -> bytes:
        path = self.path(key_id)
        try:
            if self._check_permissions and os.name == "posix":
                mode = path.stat().st_mode
                if mode & (stat.S_IRWXG | stat.S_IRWXO):
                    raise KeyProviderError(
                        f"{path}: key file is readable by other users; run chmod 600 {path}"
                    )
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            raise KeyProviderError(f"key {key_id!r}: no key file {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyProviderError(f"{path}: cannot read key file ({type(exc).__name__})") from None
        return _check_length(decode_key_text(text, what=str(path)), what=str(path))

    def __repr__(self) -> str:
        return f"FileKeyProvider({str(self._dir)!r})"


def load_provider(spec: str) -> KeyProvider:
    """Build a provider from a spec: ``env``, ``env:PREFIX``, ``file:DIR`` or ``PLUGIN:ARG``.

    Plug-ins are found in the ``piguard.keyproviders`` entry-point group.

    >>> load_provider("env")
    EnvKeyProvider(prefix='PIGUARD_KEY_')
    >>> load_provider("file:/etc/piguard/keys")
    FileKeyProvider('/etc/piguard/keys')
    """
    scheme, _, arg = spec.partition(":")
    if scheme == "env":
        return EnvKeyProvider(arg) if arg else EnvKeyProvider()
    if scheme == "file":
        if not arg:
            raise KeyProviderError("file key provider needs a directory: file:DIR")
        return FileKeyProvider(arg)
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == scheme:
            factory: Callable[[str], object] = ep.load()
            provider = factory(arg)
            if not isinstance(provider, KeyProvider):
                raise KeyProviderError(
                    f"key provider plug-in {scheme!r} did not return a KeyProvider"
                )
            return provider
    raise KeyProviderError(
        f"unknown key provider {scheme!r}: use env, file:DIR, or install a plug-in that "
        f"registers it in the {ENTRY_POINT_GROUP!r} entry-point group"
    )
