"""Tamper evidence: any change to a stored, checkpointed log is caught by ``verify``.

A property test builds random logs and applies one random tampering — flip any byte of any
stored event (with or without recomputing its leaf hash), flip a byte of a stored leaf or
subtree hash, delete, insert or reorder events, truncate — and checks that verification fails
and names a place. The same tamperings run once each against PostgreSQL.
"""

# ruff: noqa: S608  (tests tamper through SQL built from fixed table names)
from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piguard.audit import AuditEvent, AuditLog, canonical_bytes
from piguard.audit.merkle import TreeHasher
from piguard.errors import IntegrityError
from piguard.keys import NoteSigner

SIGNER = NoteSigner.generate("audit.test.example/log")
H = TreeHasher()
KINDS = [
    "flip_data",
    "flip_data_rehash",
    "flip_leaf",
    "flip_node",
    "delete",
    "insert",
    "reorder",
    "truncate",
]


def _events(n: int) -> list[AuditEvent]:
    return [
        AuditEvent(time="2026-11-26T08:00:00Z", actor=f"svc-{i}", action="export.csv")
        for i in range(n)
    ]


def _build(log: AuditLog, n: int, batches: list[int]) -> None:
    evs = _events(n)
    i = 0
    for b in batches:
        if i >= n:
            break
        log.append_many(evs[i : i + b])
        i += b
        log.checkpoint(SIGNER)
    log.append_many(evs[i:])
    log.checkpoint(SIGNER)


class HypothesisChooser:
    """Choices drawn by hypothesis (so failures shrink)."""

    def __init__(self, data: st.DataObject):
        self.data = data

    def integer(self, lo: int, hi: int, label: str, *, avoid: int | None = None) -> int:
        strategy = st.integers(lo, hi)
        if avoid is not None:
            strategy = strategy.filter(lambda x: x != avoid)
        return self.data.draw(strategy, label=label)

    def choice(self, items: list[int], label: str) -> int:
        return self.data.draw(st.sampled_from(items), label=label)


class RandomChooser:
    """Seeded choices (for the PostgreSQL runs)."""

    def __init__(self, seed: str):
        self.rnd = random.Random(seed)

    def integer(self, lo: int, hi: int, label: str, *, avoid: int | None = None) -> int:
        while True:
            value = self.rnd.randint(lo, hi)
            if value != avoid:
                return value

    def choice(self, items: list[int], label: str) -> int:
        return self.rnd.choice(items)


def tamper(log: AuditLog, kind: str, pick: Any, ph: str, t: Any) -> str:
    """Apply one tampering through raw SQL; return a description. ``t`` names tables."""
    store: Any = log.store
    q = store.execute_raw
    n = log.size
    i = pick.integer(0, n - 1, "event")
    if kind in ("flip_data", "flip_data_rehash"):
        data = bytearray(bytes(q(f"SELECT data FROM {t('event')} WHERE idx = {ph}", (i,))[0][0]))
        pos = pick.integer(0, len(data) - 1, "byte")
        bit = pick.integer(0, 7, "bit")
        data[pos] ^= 1 << bit
        if kind == "flip_data":
            q(f"UPDATE {t('event')} SET data = {ph} WHERE idx = {ph}", (bytes(data), i))
        else:
            q(
                f"UPDATE {t('event')} SET data = {ph}, leaf = {ph} WHERE idx = {ph}",
                (bytes(data), H.leaf(bytes(data)), i),
            )
        return f"{kind} event {i} byte {pos}"
    if kind == "flip_leaf":
        leaf = bytearray(bytes(q(f"SELECT leaf FROM {t('event')} WHERE idx = {ph}", (i,))[0][0]))
        leaf[pick.integer(0, 31, "byte")] ^= 1
        q(f"UPDATE {t('event')} SET leaf = {ph} WHERE idx = {ph}", (bytes(leaf), i))
        return f"flip leaf {i}"
    if kind == "flip_node":
        ids = [r[0] for r in q(f"SELECT id FROM {t('node')} ORDER BY id")]
        if not ids:
            return tamper(log, "flip_leaf", pick, ph, t)
        node = pick.choice(ids, "node")
        h = bytearray(bytes(q(f"SELECT hash FROM {t('node')} WHERE id = {ph}", (node,))[0][0]))
        h[0] ^= 0x40
        q(f"UPDATE {t('node')} SET hash = {ph} WHERE id = {ph}", (bytes(h), node))
        return f"flip node {node}"
    if kind == "delete":
        q(f"DELETE FROM {t('event')} WHERE idx = {ph}", (i,))
        return f"delete {i}"
    if kind == "insert":
        # Shift events i.. up by one (highest first) and put a new, well-formed event at i.
        for j in range(n - 1, i - 1, -1):
            q(f"UPDATE {t('event')} SET idx = {ph} WHERE idx = {ph}", (j + 1, j))
        data = canonical_bytes(
            AuditEvent(time="2026-11-26T09:00:00Z", actor="intruder", action="x")
        )
        q(f"INSERT INTO {t('event')} VALUES ({ph}, {ph}, {ph})", (i, H.leaf(data), data))
        return f"insert at {i}"
    if kind == "reorder":
        if n < 2:
            return tamper(log, "delete", pick, ph, t)
        j = pick.integer(0, n - 1, "other", avoid=i)
        rows = {
            r[0]: (bytes(r[1]), bytes(r[2]))
            for r in q(
                f"SELECT idx, leaf, data FROM {t('event')} WHERE idx IN ({ph}, {ph})", (i, j)
            )
        }
        for a, b in ((i, j), (j, i)):
            q(
                f"UPDATE {t('event')} SET leaf = {ph}, data = {ph} WHERE idx = {ph}",
                (*rows[b], a),
            )
        return f"swap {i} and {j}"
    assert kind == "truncate"
    q(f"DELETE FROM {t('event')} WHERE idx >= {ph}", (i,))
    return f"truncate to {i}"


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    n=st.integers(1, 40),
    batches=st.lists(st.integers(1, 15), max_size=4),
    kind=st.sampled_from(KINDS),
    pick=st.data(),
)
def test_every_tampering_is_detected(
    n: int, batches: list[int], kind: str, pick: st.DataObject
) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        AuditLog.create(Path(tmp) / "a.db", origin=SIGNER.name, durable=False) as log,
    ):
        _build(log, n, batches)
        assert log.verify(SIGNER.verifier()).size == n
        what = tamper(log, kind, HypothesisChooser(pick), "?", lambda name: name)
        with pytest.raises(IntegrityError) as err:
            log.verify(SIGNER.verifier())
        assert str(err.value), what
        assert "svc-" not in str(err.value)  # messages name places, not event content


def test_truncating_events_and_checkpoints_needs_the_witness_copy(tmp_path: Path) -> None:
    with AuditLog.create(tmp_path / "a.db", origin=SIGNER.name) as log:
        log.append_many(_events(10))
        log.checkpoint(SIGNER)
        log.append_many(_events(5))
        witness = log.checkpoint(SIGNER)  # exported elsewhere
        store: Any = log.store
        store.execute_raw("DELETE FROM event WHERE idx >= 10")
        store.execute_raw("DELETE FROM checkpoint WHERE size > 10")
        store.execute_raw("DELETE FROM node WHERE id >= 18")  # node_id(0, 10) = 18
        # The remaining log is self-consistent with its remaining signed checkpoint ...
        assert log.verify(SIGNER.verifier()).size == 10
        # ... and the witness copy shows what is gone.
        with pytest.raises(IntegrityError, match="log truncated: a signed checkpoint covers 15"):
            log.verify(SIGNER.verifier(), witnesses=[witness])


def test_rewritten_checkpoints_fail_without_the_key(tmp_path: Path) -> None:
    with AuditLog.create(tmp_path / "a.db", origin=SIGNER.name) as log:
        log.append_many(_events(6))
        log.checkpoint(SIGNER)
        forger = NoteSigner.generate(SIGNER.name)
        forged = log.checkpoint(forger)  # a second signer does not replace the stored note
        assert log.verify(SIGNER.verifier()).checkpoints == 1
        store: Any = log.store
        store.execute_raw("UPDATE checkpoint SET note = ? WHERE size = 6", (forged,))
        with pytest.raises(IntegrityError, match="stored checkpoint of size 6"):
            log.verify(SIGNER.verifier())


@pytest.mark.db
@pytest.mark.parametrize("kind", KINDS)
def test_tampering_is_detected_on_postgresql(pg_url: str, kind: str) -> None:
    import uuid

    from piguard.audit.store import PostgresStore

    prefix = f"t{uuid.uuid4().hex[:12]}_"
    try:
        with AuditLog.create(pg_url, origin=SIGNER.name, prefix=prefix) as log:
            _build(log, 23, [7, 9])
            assert log.verify(SIGNER.verifier()).size == 23

            tamper(log, kind, RandomChooser(kind), "%s", lambda name: prefix + name)
            with pytest.raises(IntegrityError):
                log.verify(SIGNER.verifier())
    finally:
        store = PostgresStore(pg_url, prefix=prefix)
        store.drop()
        store.close()
