"""The audit log on SQLite and on a real PostgreSQL server: append, checkpoints, proofs, verify."""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from piguard.audit import (
    AuditEvent,
    GroupCommitWriter,
    MemorySink,
    MerkleLogSink,
    canonical_bytes,
    load_proof,
    open_checkpoint,
    verify_consistency_proof,
    verify_inclusion_proof,
)
from piguard.audit.merkle import TreeHasher, root_of
from piguard.errors import ConfigError, InputError, IntegrityError, StorageError
from piguard.keys import NoteSigner

Events = Callable[..., list[AuditEvent]]


def test_append_prove_verify_round_trip(logs: Any, signer: NoteSigner, events: Events) -> None:
    evs = events(77)
    with logs.create(signer=signer) as log:
        assert log.size == 0
        assert log.root() == TreeHasher().empty()
        assert log.append_many(evs[:30]) == range(30)
        assert log.append(evs[30]) == 30
        assert log.append_many(evs[31:]) == range(31, 77)
        assert log.append_many([]) == range(77, 77)
        note = log.checkpoint()
        assert log.latest_checkpoint() == note
        cp = open_checkpoint(note, signer.verifier())
        assert (cp.origin, cp.size) == (log.origin, 77)
        h = TreeHasher()
        assert cp.root_hash == root_of(h, [h.leaf(canonical_bytes(e)) for e in evs])
        for index in (0, 1, 31, 64, 76):
            proof = log.inclusion_proof(index)
            # Through the proof-file text, as a verifier offline would see it.
            parsed = load_proof(json.dumps(proof.to_dict()))
            assert parsed == proof
            assert verify_inclusion_proof(parsed, note, signer.verifier()) == cp  # type: ignore[arg-type]
            assert proof.event == json.loads(canonical_bytes(evs[index]))
        assert log.find(log.inclusion_proof(42).leaf_hash) == 42
        report = log.verify(signer.verifier())
        assert (report.size, report.checkpoints, report.unsigned_events) == (77, 1, 0)


def test_reopen_continues_the_same_tree(logs: Any, signer: NoteSigner, events: Events) -> None:
    evs = events(50)
    with logs.create() as log:
        log.append_many(evs[:21])
    with logs.open(signer=signer) as log:
        log.append_many(evs[21:])
        h = TreeHasher()
        assert log.root() == root_of(h, [h.leaf(canonical_bytes(e)) for e in evs])
        log.checkpoint()
        assert log.verify(signer.verifier()).size == 50


def test_consistency_proofs_between_checkpoints(
    logs: Any, signer: NoteSigner, events: Events
) -> None:
    with logs.create(signer=signer) as log:
        log.append_many(events(13))
        old_note = log.checkpoint()
        log.append_many(events(40, 13))
        new_note = log.checkpoint()
        proof = log.consistency_proof(13, 53)
        parsed = load_proof(json.dumps(proof.to_dict()))
        verify_consistency_proof(parsed, new_note, signer.verifier(), old_checkpoint=old_note)  # type: ignore[arg-type]
        verify_consistency_proof(parsed, new_note, signer.verifier())  # type: ignore[arg-type]
        # A proof for a forked old tree does not verify.
        forged = type(proof)(proof.origin, proof.hash, 13, 53, bytes(32), proof.path)
        with pytest.raises(IntegrityError, match="from size 13 to 53 does not verify"):
            verify_consistency_proof(forged, new_note, signer.verifier())
        with pytest.raises(IntegrityError, match="differs from the proof"):
            verify_consistency_proof(forged, new_note, signer.verifier(), old_checkpoint=old_note)
        assert log.consistency_proof(53, 53).path == ()
        assert log.verify(signer.verifier()).checkpoints == 2


def test_proofs_match_pymerkle_on_a_stored_log(logs: Any, events: Events) -> None:
    from pymerkle import InmemoryTree

    evs = events(45)
    tree = InmemoryTree(algorithm="sha256")
    for e in evs:
        tree.append_entry(canonical_bytes(e))
    with logs.create() as log, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for i in range(0, 45, 9):
            log.append_many(evs[i : i + 9])
        for size in (1, 2, 9, 16, 31, 45):
            assert log.root(size) == tree.get_root(size)
            for index in range(0, size, 4):
                assert (
                    list(log.inclusion_proof(index, size).path)
                    == (tree.prove_inclusion(index + 1, size).path[1:])
                )


def test_inclusion_proof_against_the_wrong_checkpoint_fails(
    sqlite_logs: Any, signer: NoteSigner, events: Events
) -> None:
    with sqlite_logs.create(signer=signer) as log:
        log.append_many(events(10))
        note10 = log.checkpoint()
        log.append_many(events(5, 10))
        note15 = log.checkpoint()
        proof = log.inclusion_proof(3, 10)
        verify_inclusion_proof(proof, note10, signer.verifier())
        with pytest.raises(IntegrityError, match="event 3: proof is for tree size 10"):
            verify_inclusion_proof(proof, note15, signer.verifier())
        other = NoteSigner.generate(signer.name)
        with pytest.raises(IntegrityError, match="no valid signature"):
            verify_inclusion_proof(proof, note10, other.verifier())
        assert proof.event is not None
        changed = dict(proof.event, actor="svc-999")
        bad = type(proof)(proof.origin, proof.hash, 3, 10, proof.leaf_hash, proof.path, changed)
        with pytest.raises(IntegrityError, match="event 3: the event does not hash"):
            verify_inclusion_proof(bad, note10, signer.verifier())


def test_periodic_checkpoints_every_n_events(logs: Any, signer: NoteSigner, events: Events) -> None:
    with logs.create(signer=signer, checkpoint_every=10) as log:
        for i in range(0, 35, 5):
            log.append_many(events(5, i))
        sizes = [size for size, _, _ in log.store.checkpoints()]
        assert sizes == [10, 20, 30]
        assert log.verify(signer.verifier()).unsigned_events == 5


def test_periodic_checkpoints_by_time(sqlite_logs: Any, signer: NoteSigner, events: Events) -> None:
    with sqlite_logs.create(signer=signer, checkpoint_interval=0.0001) as log:
        log.append_many(events(3))
        log.append_many(events(3, 3))
        assert [s for s, _, _ in log.store.checkpoints()] == [3, 6]
        assert log.maybe_checkpoint() is None  # nothing new since the last checkpoint


def test_periodic_checkpoints_need_a_signer(sqlite_logs: Any) -> None:
    with pytest.raises(ConfigError, match="signer"):
        sqlite_logs.create(checkpoint_every=10)


def test_group_commit_writer_from_many_threads(
    logs: Any, signer: NoteSigner, events: Events
) -> None:
    evs = events(400)
    with logs.create(signer=signer) as log:
        got: list[int] = []
        lock = threading.Lock()
        with GroupCommitWriter(log, max_batch=64, max_delay=0.002) as writer:

            def work(chunk: list[AuditEvent]) -> None:
                for ev in chunk:
                    index = writer.append(ev)
                    with lock:
                        got.append(index)

            threads = [threading.Thread(target=work, args=(evs[i::8],)) for i in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert sorted(got) == list(range(400))
        # Every acknowledged index holds exactly the event that was acknowledged for it.
        stored = {json.loads(log.event_data(i))["details"]["seq"] for i in range(400)}
        assert stored == set(range(400))
        log.checkpoint()
        assert log.verify(signer.verifier()).size == 400


def test_sinks(sqlite_logs: Any, events: Events) -> None:
    mem = MemorySink()
    assert [mem.emit(e) for e in events(3)] == [0, 1, 2]
    with sqlite_logs.create() as log:
        sink = MerkleLogSink(log)
        assert [sink.emit(e) for e in events(3)] == [0, 1, 2]
        sink.close()
        direct = MerkleLogSink(log, group_commit=False)
        assert direct.emit(events(1)[0]) == 3


def test_bad_requests_are_input_errors(sqlite_logs: Any, events: Events) -> None:
    with sqlite_logs.create() as log:
        log.append_many(events(5))
        with pytest.raises(InputError, match="event 5 is not in a tree of size 5"):
            log.inclusion_proof(5)
        with pytest.raises(InputError, match="outside the log"):
            log.inclusion_proof(1, 9)
        with pytest.raises(InputError, match="no consistency proof"):
            log.consistency_proof(0, 5)
        with pytest.raises(InputError, match="no event with this hash"):
            log.find(bytes(32))
        with pytest.raises(ConfigError, match="signer"):
            log.checkpoint()


def test_unknown_categories_are_refused_before_writing(sqlite_logs: Any, events: Events) -> None:
    bad = AuditEvent(time="2026-11-26T08:00:00Z", actor="s", action="x", categories=("a.b",))
    with sqlite_logs.create() as log:
        with pytest.raises(InputError, match=r"unknown PI category 'a\.b'"):
            log.append_many([*events(3), bad])
        assert log.size == 0
    with sqlite_logs.open(check_taxonomy=False) as log:
        assert log.append_many([bad]) == range(1)


def test_create_twice_and_open_missing(sqlite_logs: Any, tmp_path: Any) -> None:
    sqlite_logs.create().close()
    with pytest.raises(StorageError, match="already exists"):
        sqlite_logs.create()
    with pytest.raises(StorageError, match="no audit log here"):
        type(sqlite_logs)("sqlite", str(tmp_path / "none.db"), "p_", "?").open()


def test_sm3_log(sqlite_logs: Any, signer: NoteSigner, events: Events) -> None:
    from piguard.audit import AuditLog, sm3_available

    if not sm3_available():
        pytest.skip("this OpenSSL has no SM3")
    evs = events(20)
    with AuditLog.create(sqlite_logs.target, origin=signer.name, hash="sm3", signer=signer) as log:
        log.append_many(evs)
        note = log.checkpoint()
        h = TreeHasher("sm3")
        assert open_checkpoint(note, signer.verifier()).root_hash == root_of(
            h, [h.leaf(canonical_bytes(e)) for e in evs]
        )
        proof = log.inclusion_proof(7)
        assert proof.hash == "sm3"
        verify_inclusion_proof(load_proof(json.dumps(proof.to_dict())), note, signer.verifier())  # type: ignore[arg-type]
        assert log.verify(signer.verifier()).size == 20


def test_verify_while_another_writer_appends(
    sqlite_logs: Any, signer: NoteSigner, events: Events
) -> None:
    with sqlite_logs.create(signer=signer, checkpoint_every=50) as log:
        log.append_many(events(500))
        stop = threading.Event()

        def writer() -> None:
            with sqlite_logs.open(signer=signer, checkpoint_every=50) as other:
                i = 500
                while not stop.is_set():
                    other.append_many(events(20, i))
                    i += 20

        t = threading.Thread(target=writer)
        t.start()
        try:
            for _ in range(5):
                report = log.verify(signer.verifier())
                assert report.size >= 500
        finally:
            stop.set()
            t.join()
        assert log.verify(signer.verifier()).size == log.size
