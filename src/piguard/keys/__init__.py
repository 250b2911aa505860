"""Keys: where piguard's secret keys come from, and the keys that sign checkpoints.

* :class:`KeyProvider` returns key bytes for a key id. Built in: :class:`EnvKeyProvider`
  (``PIGUARD_KEY_<ID>`` variables, hex or base64) and :class:`FileKeyProvider`
  (``<dir>/<id>.key``). KMS plug-ins register a factory in the ``piguard.keyproviders``
  entry-point group; :func:`load_provider` builds any of them from a spec string.
* :class:`KeyRef` (``provider:key_id``) is what is recorded beside outputs: never the key.
* :class:`NoteSigner` / :class:`NoteVerifier`: Ed25519 keys in the C2SP signed-note formats,
  or SM2 keys (GB/T 32918, the optional ``sm2`` extra) in piguard's extension of them.

Key material never appears in ``repr``/``str``, logs or error messages.
"""

from piguard.keys._provider import (
    ENTRY_POINT_GROUP,
    EnvKeyProvider,
    FileKeyProvider,
    KeyProvider,
    KeyRef,
    decode_key_text,
    load_provider,
)
from piguard.keys._signing import (
    SIGNER_ENV,
    NoteSigner,
    NoteVerifier,
    check_key_name,
    load_signer,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "SIGNER_ENV",
    "EnvKeyProvider",
    "FileKeyProvider",
    "KeyProvider",
    "KeyRef",
    "NoteSigner",
    "NoteVerifier",
    "check_key_name",
    "decode_key_text",
    "load_provider",
    "load_signer",
]
