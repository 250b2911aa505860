"""A tamper-evident audit log (集中审计, 存证): an RFC 9162 Merkle log with signed checkpoints.

GB/T 35273-2020 §11.7 asks for an automated audit of personal-information processing whose
records are protected from tampering. piguard keeps audit events in an append-only Merkle tree
(RFC 9162 §2.1; SHA-256, or SM3 as an option), stored in SQLite or PostgreSQL with its subtree
hashes so that proofs read ``O(log n)`` rows; signs checkpoints in the C2SP tlog-checkpoint /
signed-note format with Ed25519; and proves inclusion and consistency so that anyone with the
public key can check a checkpoint, a proof, or the whole log offline. Events carry keyed
pseudonyms of people, never raw PI.

Functions the service calls: :meth:`AuditLog.latest_checkpoint` (``/v1/audit/checkpoint``),
:meth:`AuditLog.inclusion_proof` and :meth:`AuditLog.consistency_proof` (``.to_dict()`` gives
the JSON body).
"""

from piguard.audit.event import (
    AuditEvent,
    Pseudonymizer,
    canonical_bytes,
    event_from_dict,
    find_raw_pi,
)
from piguard.audit.log import AuditLog, VerifyReport
from piguard.audit.merkle import TreeHasher, sm3_available, verify_consistency, verify_inclusion
from piguard.audit.note import Checkpoint, open_checkpoint, open_note, sign_checkpoint, sign_note
from piguard.audit.proof import (
    ConsistencyProof,
    InclusionProof,
    load_proof,
    verify_consistency_proof,
    verify_inclusion_proof,
)
from piguard.audit.sink import AuditSink, MemorySink, MerkleLogSink
from piguard.audit.writer import GroupCommitWriter

__all__ = [
    "AuditEvent",
    "AuditLog",
    "AuditSink",
    "Checkpoint",
    "ConsistencyProof",
    "GroupCommitWriter",
    "InclusionProof",
    "MemorySink",
    "MerkleLogSink",
    "Pseudonymizer",
    "TreeHasher",
    "VerifyReport",
    "canonical_bytes",
    "event_from_dict",
    "find_raw_pi",
    "load_proof",
    "open_checkpoint",
    "open_note",
    "sign_checkpoint",
    "sign_note",
    "sm3_available",
    "verify_consistency",
    "verify_consistency_proof",
    "verify_inclusion",
    "verify_inclusion_proof",
]
