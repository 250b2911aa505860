"""Proof files and their offline verification (public key + checkpoint + proof, nothing else).

A proof file is JSON. An inclusion proof::

    {
        "type": "inclusion",
        "hash": "sha256",
        "origin": "...",
        "index": 5,
        "tree_size": 100,
        "leaf_hash": "<base64>",
        "path": ["<base64>", ...],
        "event": {...},
    }

``event`` (optional) is the event itself; the verifier then also checks that its canonical
bytes hash to ``leaf_hash``. A consistency proof::

    {
        "type": "consistency",
        "hash": "sha256",
        "origin": "...",
        "old_size": 10,
        "new_size": 100,
        "old_root": "<base64>",
        "path": ["<base64>", ...],
    }
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from piguard.audit.event import canonical_bytes, event_from_dict
from piguard.audit.merkle import TreeHasher, verify_consistency, verify_inclusion
from piguard.audit.note import Checkpoint, open_checkpoint
from piguard.errors import InputError, IntegrityError, PiguardError
from piguard.keys import NoteVerifier

__all__ = [
    "ConsistencyProof",
    "InclusionProof",
    "load_proof",
    "verify_consistency_proof",
    "verify_inclusion_proof",
]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise InputError(f"proof field {what!r} must be a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise InputError(f"proof field {what!r} is not valid base64") from None


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(f"proof field {key!r} must be a non-negative integer")
    return value


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """Leaf ``index`` is in the tree of ``tree_size`` leaves."""

    origin: str
    hash: str
    index: int
    tree_size: int
    leaf_hash: bytes
    path: tuple[bytes, ...]
    event: dict[str, Any] | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "inclusion",
            "hash": self.hash,
            "origin": self.origin,
            "index": self.index,
            "tree_size": self.tree_size,
            "leaf_hash": _b64(self.leaf_hash),
            "path": [_b64(p) for p in self.path],
        }
        if self.event is not None:
            out["event"] = self.event
        return out


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """The tree of ``new_size`` leaves extends the tree of ``old_size`` leaves."""

    origin: str
    hash: str
    old_size: int
    new_size: int
    old_root: bytes
    path: tuple[bytes, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "consistency",
            "hash": self.hash,
            "origin": self.origin,
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root": _b64(self.old_root),
            "path": [_b64(p) for p in self.path],
        }


def load_proof(text: str, *, source: str = "proof") -> InclusionProof | ConsistencyProof:
    """Parse a proof file's JSON; errors name ``source``."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise InputError("a proof file holds a JSON object")
        path = data.get("path")
        if not isinstance(path, list):
            raise InputError("proof field 'path' must be a list")
        hashes = tuple(_unb64(p, "path") for p in path)
        origin, hash_name = data.get("origin"), data.get("hash", "sha256")
        if not isinstance(origin, str) or not isinstance(hash_name, str):
            raise InputError("proof fields 'origin' and 'hash' must be strings")
        if data.get("type") == "inclusion":
            event = data.get("event")
            if event is not None and not isinstance(event, dict):
                raise InputError("proof field 'event' must be an object")
            return InclusionProof(
                origin,
                hash_name,
                _int(data, "index"),
                _int(data, "tree_size"),
                _unb64(data.get("leaf_hash"), "leaf_hash"),
                hashes,
                event,
            )
        if data.get("type") == "consistency":
            return ConsistencyProof(
                origin,
                hash_name,
                _int(data, "old_size"),
                _int(data, "new_size"),
                _unb64(data.get("old_root"), "old_root"),
                hashes,
            )
        raise InputError("proof field 'type' must be 'inclusion' or 'consistency'")
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON ({exc.msg})", source=source, line=exc.lineno) from None
    except InputError as exc:
        raise InputError(exc.message, source=source) from None


def verify_inclusion_proof(
    proof: InclusionProof, checkpoint_note: str, verifier: NoteVerifier
) -> Checkpoint:
    """Check the checkpoint's signature, then the proof against its root; return the
    checkpoint. Raises :class:`~piguard.errors.IntegrityError` naming the event index."""
    cp = open_checkpoint(checkpoint_note, verifier)
    if proof.origin != cp.origin:
        raise IntegrityError(f"proof is for log {proof.origin!r}, checkpoint for {cp.origin!r}")
    if proof.tree_size != cp.size:
        raise IntegrityError(
            f"event {proof.index}: proof is for tree size {proof.tree_size}, "
            f"the checkpoint is for size {cp.size}"
        )
    hasher = TreeHasher(proof.hash)
    if proof.event is not None:
        try:
            data = canonical_bytes(event_from_dict(proof.event))
        except PiguardError:
            raise IntegrityError(
                f"event {proof.index}: the event in the proof is invalid"
            ) from None
        if hasher.leaf(data) != proof.leaf_hash:
            raise IntegrityError(
                f"event {proof.index}: the event does not hash to the proof's leaf hash"
            )
    if not verify_inclusion(
        hasher, proof.leaf_hash, proof.index, proof.tree_size, proof.path, cp.root_hash
    ):
        raise IntegrityError(
            f"event {proof.index}: inclusion proof does not verify against the checkpoint "
            f"of size {cp.size}"
        )
    return cp


def verify_consistency_proof(
    proof: ConsistencyProof,
    new_checkpoint: str,
    verifier: NoteVerifier,
    *,
    old_checkpoint: str | None = None,
) -> tuple[Checkpoint, Checkpoint | None]:
    """Check that the signed tree of ``new_checkpoint`` extends the old tree (whose root is
    taken from ``old_checkpoint`` when given, else from the proof)."""
    new = open_checkpoint(new_checkpoint, verifier)
    old = open_checkpoint(old_checkpoint, verifier) if old_checkpoint is not None else None
    if proof.origin != new.origin or (old is not None and old.origin != new.origin):
        raise IntegrityError("proof and checkpoints are for different logs")
    if proof.new_size != new.size:
        raise IntegrityError(
            f"proof is for new size {proof.new_size}, the checkpoint is for size {new.size}"
        )
    old_root = proof.old_root
    if old is not None:
        if old.size != proof.old_size:
            raise IntegrityError(
                f"proof is for old size {proof.old_size}, the old checkpoint for {old.size}"
            )
        if old.root_hash != proof.old_root:
            raise IntegrityError(
                f"the old checkpoint's root (size {old.size}) differs from the proof's"
            )
        old_root = old.root_hash
    if not verify_consistency(
        TreeHasher(proof.hash), proof.old_size, proof.new_size, old_root, new.root_hash, proof.path
    ):
        raise IntegrityError(
            f"consistency proof from size {proof.old_size} to {proof.new_size} does not verify"
        )
    return new, old
