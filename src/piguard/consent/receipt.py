"""Signed consent receipts that anyone can verify offline with the service's public key.

Fields follow the Kantara Initiative Consent Receipt Specification v1.1 (``version``,
``jurisdiction``, ``consentTimestamp``, ``collectionMethod``, ``consentReceiptID``,
``language``, ``piiPrincipalId``, ``piiControllers``, ``services`` → ``purposes`` with
``consentType``, ``piiCategory``, ``primaryPurpose``, ``termination``, ``thirdPartyDisclosure``,
``sensitive``, ``spiCat``), which ISO/IEC TS 27560 builds on; piguard adds ``noticeId``,
``noticeVersion``, ``separateConsent`` and ``guardian``. The principal is a keyed pseudonym.

The receipt is signed with Ed25519 (:class:`piguard.keys.NoteSigner`) over its canonical JSON
(sorted keys, no spaces, UTF-8); the signature names the key in C2SP ``vkey`` form.

>>> from piguard.keys import NoteSigner
>>> signer = NoteSigner.generate("consent.example.com")
>>> env = sign_receipt({"consentReceiptID": "r1", "version": "KI-CR-v1.1.0"}, signer)
>>> verify_receipt(env, signer.verifier().vkey)["consentReceiptID"]
'r1'
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from piguard.errors import InputError, IntegrityError
from piguard.keys import NoteSigner, NoteVerifier

__all__ = ["RECEIPT_VERSION", "canonical_json", "sign_receipt", "verify_receipt"]

RECEIPT_VERSION = "KI-CR-v1.1.0"
ALGORITHM = "Ed25519"


def canonical_json(data: Mapping[str, Any]) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_receipt(receipt: Mapping[str, Any], signer: NoteSigner) -> dict[str, Any]:
    """The envelope ``{"receipt": …, "signature": {"alg", "key", "value"}}``."""
    signature = signer.sign(canonical_json(receipt))
    return {
        "receipt": dict(receipt),
        "signature": {
            "alg": ALGORITHM,
            "key": signer.verifier().vkey,
            "value": base64.b64encode(signature).decode("ascii"),
        },
    }


def verify_receipt(envelope: Mapping[str, Any], public_key: str) -> dict[str, Any]:
    """Check a receipt envelope against the service's public key (``vkey`` text); return the
    receipt. Raises :class:`IntegrityError` when the signature does not verify."""
    try:
        receipt = envelope["receipt"]
        sig = envelope["signature"]
        value = base64.b64decode(sig["value"], validate=True)
        alg = sig["alg"]
    except (KeyError, TypeError, binascii.Error, ValueError):
        raise InputError("not a consent receipt envelope (receipt, signature)") from None
    if alg != ALGORITHM:
        raise IntegrityError(f"unsupported receipt signature algorithm {alg!r}")
    if not isinstance(receipt, Mapping):
        raise InputError("the receipt must be a JSON object")
    verifier = NoteVerifier.from_vkey(public_key)
    if not verifier.verify(canonical_json(receipt), value):
        raise IntegrityError("the consent receipt signature does not verify with this key")
    return dict(receipt)
