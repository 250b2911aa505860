"""The audit log: append events, sign checkpoints, prove inclusion and consistency, verify.

>>> import tempfile, pathlib
>>> from piguard.keys import NoteSigner
>>> from piguard.audit.event import AuditEvent
>>> db = pathlib.Path(tempfile.mkdtemp()) / "audit.db"
>>> signer = NoteSigner.generate("audit.example.com/log")
>>> log = AuditLog.create(db, origin="audit.example.com/log", signer=signer)
>>> ev = AuditEvent(time="2026-11-26T08:00:00Z", actor="svc-orders", action="export.csv")
>>> log.append_many([ev, ev, ev])
range(0, 3)
>>> note = log.checkpoint()
>>> note.splitlines()[1]
'3'
>>> log.verify(signer.verifier()).size
3
>>> log.close()
"""

from __future__ import annotations

import json
import os
import threading
import time as _time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piguard.audit.event import AuditEvent, canonical_bytes, check_categories
from piguard.audit.merkle import (
    CompactRange,
    TreeHasher,
    complete_subtrees,
    consistency_ranges,
    fold_right,
    inclusion_ranges,
    node_id,
)
from piguard.audit.note import Checkpoint, open_checkpoint, sign_checkpoint
from piguard.audit.proof import ConsistencyProof, InclusionProof
from piguard.audit.store import LogStore, open_store
from piguard.errors import ConfigError, InputError, IntegrityError
from piguard.keys import NoteSigner, NoteVerifier, check_key_name

__all__ = ["AuditLog", "VerifyReport"]


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What a full-log verification checked."""

    size: int
    checkpoints: int
    latest_checkpoint_size: int | None
    #: Events appended after the latest signed checkpoint: consistent, but not yet signed.
    unsigned_events: int
    witness_sizes: tuple[int, ...] = ()


def _now_text(clock: Callable[[], datetime]) -> str:
    return clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditLog:
    """An RFC 9162 Merkle log of audit events in a :class:`~piguard.audit.store.LogStore`.

    ``signer`` signs checkpoints; with ``check_taxonomy`` (default) an event whose categories
    are not taxonomy keys is refused before anything is written. With ``checkpoint_every``
    (events) and/or ``checkpoint_interval`` (seconds) a checkpoint is written automatically in
    the same transaction as the append that crosses the threshold. Thread-safe; several
    processes may append to one log (each batch holds the database's write lock).
    """

    def __init__(
        self,
        store: LogStore,
        *,
        signer: NoteSigner | None = None,
        checkpoint_every: int | None = None,
        checkpoint_interval: float | None = None,
        clock: Callable[[], datetime] | None = None,
        check_taxonomy: bool = True,
    ):
        meta = store.read_meta()
        self.store = store
        self.origin = meta["origin"]
        self.hasher = TreeHasher(meta["hash"])
        self.signer = signer
        if (checkpoint_every or checkpoint_interval) and signer is None:
            raise ConfigError("periodic checkpoints need a signer key")
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval = checkpoint_interval
        self.check_taxonomy = check_taxonomy
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._range: CompactRange | None = None
        latest = store.latest_checkpoint()
        self._last_cp_size = latest[0] if latest else 0
        self._last_cp_time = _time.monotonic()

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(
        cls,
        target: str | os.PathLike[str],
        *,
        origin: str,
        hash: str = "sha256",
        durable: bool = True,
        prefix: str = "piguard_audit_",
        **options: Any,
    ) -> AuditLog:
        """Create a new, empty log at a path or database URL."""
        check_key_name(origin)
        TreeHasher(hash)  # fails early for an unknown or unavailable algorithm
        store = open_store(target, durable=durable, prefix=prefix)
        try:
            store.create_schema({"origin": origin, "hash": hash, "schema_version": "1"})
        except BaseException:
            store.close()
            raise
        return cls(store, **options)

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str],
        *,
        durable: bool = True,
        prefix: str = "piguard_audit_",
        **options: Any,
    ) -> AuditLog:
        """Open an existing log at a path or database URL."""
        store = open_store(target, durable=durable, prefix=prefix)
        try:
            return cls(store, **options)
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading hashes
    def _subtree_hashes(self, subs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        leaf_idx = [i for level, i in subs if level == 0]
        ids = {node_id(level, i): (level, i) for level, i in subs if level > 0}
        leaves = self.store.leaves(leaf_idx)
        nodes = self.store.nodes(list(ids))
        out: dict[tuple[int, int], bytes] = {}
        for level, i in subs:
            h = leaves.get(i) if level == 0 else nodes.get(node_id(level, i))
            if h is None:
                what = f"event {i}" if level == 0 else f"subtree (level {level}, index {i})"
                raise IntegrityError(f"{self.store.location}: stored tree is missing {what}")
            out[(level, i)] = bytes(h)
        return out

    def _range_hashes(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        parts = [complete_subtrees(a, b) for a, b in ranges]
        found = self._subtree_hashes([s for p in parts for s in p])
        return [fold_right(self.hasher, [found[s] for s in p]) for p in parts]

    def _load_range(self, size: int) -> CompactRange:
        subs = complete_subtrees(0, size) if size else []
        found = self._subtree_hashes(subs)
        return CompactRange(self.hasher, size, [found[s] for s in subs])

    # ------------------------------------------------------------------ appending
    @property
    def size(self) -> int:
        """Number of events in the log."""
        return self.store.size()

    def append(self, event: AuditEvent) -> int:
        """Append one event in its own transaction; return its index. Prefer
        :meth:`append_many` or a :class:`~piguard.audit.writer.GroupCommitWriter`."""
        return self.append_many([event]).start

    def append_many(self, events: Iterable[AuditEvent]) -> range:
        """Append events in one transaction; return their indexes. Durable on return.

        Categories must be keys of piguard's taxonomy unless ``check_taxonomy`` is off."""
        events = list(events)
        if self.check_taxonomy:
            for event in events:
                check_categories(event)
        datas = [canonical_bytes(e) for e in events]
        return self._append_data(datas)

    def _append_data(self, datas: Sequence[bytes]) -> range:
        with self._lock:
            size = self.store.begin_write()
            try:
                if not datas:
                    self.store.rollback()
                    return range(size, size)
                rng = self._range
                if rng is None or rng.size != size:
                    rng = self._load_range(size)
                rng = rng.copy()
                leaf = self.hasher.leaf
                add = rng.append
                ev_rows: list[tuple[int, bytes, bytes]] = []
                node_rows: list[tuple[int, bytes]] = []
                idx = size
                for data in datas:
                    h = leaf(data)
                    ev_rows.append((idx, h, data))
                    made = add(h)
                    if made:
                        # post-order ids (merkle.node_id): leaf idx completes subtrees whose
                        # ids are base + level, base = 2*idx - popcount(idx)
                        base = 2 * idx - idx.bit_count()
                        node_rows.extend((base + level, hh) for level, _, hh in made)
                    idx += 1
                self.store.write(ev_rows, node_rows)
                if self._checkpoint_due(rng.size):
                    self._write_checkpoint(rng)
                self.store.commit()
            except BaseException:
                self.store.rollback()
                self._range = None
                raise
            self._range = rng
            return range(size, rng.size)

    # ------------------------------------------------------------------ checkpoints
    def _checkpoint_due(self, size: int) -> bool:
        if self.signer is None or size == self._last_cp_size:
            return False
        if self.checkpoint_every and size - self._last_cp_size >= self.checkpoint_every:
            return True
        return bool(
            self.checkpoint_interval
            and _time.monotonic() - self._last_cp_time >= self.checkpoint_interval
        )

    def _write_checkpoint(self, rng: CompactRange, signer: NoteSigner | None = None) -> str:
        signer = signer or self.signer
        if signer is None:
            raise ConfigError("a checkpoint needs a signer key")
        note = sign_checkpoint(Checkpoint(self.origin, rng.size, rng.root()), signer)
        self.store.write_checkpoint(rng.size, _now_text(self._clock), note)
        self._last_cp_size = rng.size
        self._last_cp_time = _time.monotonic()
        return note

    def checkpoint(self, signer: NoteSigner | None = None) -> str:
        """Sign and store a checkpoint of the current tree; return the signed note."""
        with self._lock:
            size = self.store.begin_write()
            try:
                latest = self.store.latest_checkpoint()
                if latest is not None and latest[0] == size and signer is None:
                    self.store.rollback()
                    return latest[2]
                rng = self._range
                if rng is None or rng.size != size:
                    rng = self._load_range(size)
                note = self._write_checkpoint(rng, signer)
                self.store.commit()
            except BaseException:
                self.store.rollback()
                raise
            self._range = rng
            return note

    def maybe_checkpoint(self) -> str | None:
        """Write a checkpoint if the periodic policy says one is due (for idle timers)."""
        with self._lock:
            size = self.store.size()
            if self._checkpoint_due(size):
                return self.checkpoint()
        return None

    def latest_checkpoint(self) -> str | None:
        """The latest signed checkpoint note, or None (what ``/v1/audit/checkpoint`` serves)."""
        latest = self.store.latest_checkpoint()
        return latest[2] if latest else None

    # ------------------------------------------------------------------ proofs
    def root(self, size: int | None = None) -> bytes:
        """``MTH`` of the first ``size`` events (default: all)."""
        size = self.size if size is None else size
        if size == 0:
            return self.hasher.empty()
        self._check_size(size)
        return self._range_hashes([(0, size)])[0]

    def _check_size(self, size: int) -> None:
        current = self.size
        if not 0 <= size <= current:
            raise InputError(f"tree size {size} is outside the log (it has {current} events)")

    def event_data(self, index: int) -> bytes:
        """The stored canonical bytes of event ``index``."""
        data = self.store.event(index)
        if data is None:
            raise InputError(f"event {index} is not in the log")
        return data

    def find(self, leaf_hash: bytes) -> int:
        """The index of the event with this leaf hash (a table scan)."""
        index = self.store.find_leaf(leaf_hash)
        if index is None:
            raise InputError("no event with this hash in the log")
        return index

    def inclusion_proof(
        self, index: int, size: int | None = None, *, with_event: bool = True
    ) -> InclusionProof:
        """Prove event ``index`` is in the tree of ``size`` events (default: all)."""
        size = self.size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise InputError(f"event {index} is not in a tree of size {size}")
        ranges = inclusion_ranges(index, size)
        found = self._subtree_hashes(
            [(0, index), *[s for a, b in ranges for s in complete_subtrees(a, b)]]
        )
        path = tuple(
            fold_right(self.hasher, [found[s] for s in complete_subtrees(a, b)]) for a, b in ranges
        )
        event = json.loads(self.event_data(index)) if with_event else None
        return InclusionProof(
            self.origin, self.hasher.name, index, size, found[(0, index)], path, event
        )

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """Prove the tree of ``new_size`` events (default: all) extends that of ``old_size``."""
        new_size = self.size if new_size is None else new_size
        self._check_size(new_size)
        if not 0 < old_size <= new_size:
            raise InputError(
                f"no consistency proof from size {old_size} to {new_size} (need 0 < old <= new)"
            )
        ranges = consistency_ranges(old_size, new_size) if old_size < new_size else []
        hashes = self._range_hashes([(0, old_size), *ranges])
        return ConsistencyProof(
            self.origin, self.hasher.name, old_size, new_size, hashes[0], tuple(hashes[1:])
        )

    # ------------------------------------------------------------------ verification
    def verify(
        self,
        verifier: NoteVerifier,
        *,
        witnesses: Sequence[str] = (),
        progress: Callable[[int], None] | None = None,
    ) -> VerifyReport:
        """Recompute every leaf, every stored subtree and the root at every signed checkpoint.

        Detects a changed, deleted, inserted or reordered event, a changed or missing stored
        node, and truncation below any signed checkpoint (stored, or a ``witnesses`` copy kept
        elsewhere). Raises :class:`~piguard.errors.IntegrityError` naming the event index.
        """
        # Verify the log as it is now (checkpoints first: a checkpoint is committed with or
        # after its events); events appended while we read are left for next time.
        targets: dict[int, bytes] = {}
        stored = self.store.checkpoints()
        log_size = self.store.size()
        # node ids below this belong to the first ``log_size`` leaves (merkle.node_id)
        id_limit = 2 * log_size - log_size.bit_count()
        for size, _, note in stored:
            try:
                cp = open_checkpoint(note, verifier, origin=self.origin)
            except IntegrityError as exc:
                raise IntegrityError(f"stored checkpoint of size {size}: {exc}") from None
            if cp.size != size:
                raise IntegrityError(f"stored checkpoint of size {size} says size {cp.size}")
            targets[size] = cp.root_hash
        witness_sizes = []
        for note in witnesses:
            try:
                cp = open_checkpoint(note, verifier, origin=self.origin)
            except IntegrityError as exc:
                raise IntegrityError(f"witness checkpoint: {exc}") from None
            if targets.get(cp.size, cp.root_hash) != cp.root_hash:
                raise IntegrityError(
                    f"witness checkpoint of size {cp.size} disagrees with the stored one"
                )
            targets[cp.size] = cp.root_hash
            witness_sizes.append(cp.size)
        if 0 in targets and targets[0] != self.hasher.empty():
            raise IntegrityError("the checkpoint of size 0 does not have the empty-tree root")

        rng = CompactRange(self.hasher)
        leaf = self.hasher.leaf
        nodes = self.store.iter_nodes()
        next_node = next(nodes, None)
        expected = 0
        for idx, stored_leaf, data in self.store.iter_events():
            if idx >= log_size:
                break
            if idx != expected:
                if idx > expected:
                    raise IntegrityError(f"event {expected} is missing (deleted)")
                raise IntegrityError(f"event {idx} appears twice")
            # A tampered row may hold another SQL type: anything but bytes fails to match.
            cell: object = data
            raw = cell if isinstance(cell, bytes) else repr(cell).encode()
            h = leaf(raw)
            if h != stored_leaf:
                raise IntegrityError(f"event {idx}: stored data does not match its leaf hash")
            for level, index, node_hash in rng.append(h):
                nid = node_id(level, index)
                if next_node is not None and next_node[0] < nid:
                    raise IntegrityError(f"unexpected stored node {next_node[0]} (inserted)")
                if next_node is None or next_node[0] != nid:
                    first = index << level
                    raise IntegrityError(
                        f"events {first}-{first + (1 << level) - 1}: stored subtree is missing"
                    )
                if next_node[1] != node_hash:
                    first = index << level
                    raise IntegrityError(
                        f"events {first}-{first + (1 << level) - 1}: stored subtree hash "
                        "does not match the events"
                    )
                next_node = next(nodes, None)
            expected += 1
            root = targets.get(expected)
            if root is not None and rng.root() != root:
                prev = max((s for s in targets if s < expected), default=0)
                raise IntegrityError(
                    f"tree of size {expected} does not match its signed checkpoint: an event "
                    f"in {prev}-{expected - 1} (or before) was changed, inserted or reordered"
                )
            if progress is not None and expected % 100_000 == 0:
                progress(expected)
        if next_node is not None and next_node[0] < id_limit:
            raise IntegrityError(f"unexpected stored node {next_node[0]} (inserted)")
        beyond = [s for s in targets if s > expected]
        if beyond:
            raise IntegrityError(
                f"log truncated: a signed checkpoint covers {max(beyond)} events, "
                f"the log has {expected}"
            )
        latest = max(targets) if targets else None
        return VerifyReport(
            size=expected,
            checkpoints=len(stored),
            latest_checkpoint_size=latest,
            unsigned_events=expected - (latest or 0),
            witness_sizes=tuple(witness_sizes),
        )
