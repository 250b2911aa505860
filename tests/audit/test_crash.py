"""Crash safety: SIGKILL the writer mid-burst; no acknowledged event is lost; the log verifies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from piguard.audit import AuditLog
from piguard.keys import NoteSigner

WRITER = r"""
import sys, threading
from piguard.audit import AuditEvent, AuditLog, GroupCommitWriter
from piguard.keys import load_signer

db, keyfile, ackpath = sys.argv[1:4]
log = AuditLog.open(db, signer=load_signer(keyfile), checkpoint_every=700)
writer = GroupCommitWriter(log, max_batch=256)
ack = open(ackpath, "a", buffering=1)
lock = threading.Lock()

def work(t):
    seq = 0
    while True:
        ev = AuditEvent(time="2026-11-26T08:00:00Z", actor=f"w{t}-{seq}", action="burst")
        index = writer.append(ev)          # returns once the batch is committed
        with lock:
            ack.write(f"{index} w{t}-{seq}\n")   # acknowledged
        seq += 1

threads = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""


def _acked(path: Path) -> list[tuple[int, str]]:
    out = []
    for line in path.read_text().split("\n"):
        parts = line.split()
        if len(parts) == 2:  # a line cut by the kill has no newline yet: ignore it
            out.append((int(parts[0]), parts[1]))
    return out


@pytest.mark.slow
def test_sigkill_mid_burst_loses_no_acknowledged_event(tmp_path: Path) -> None:
    db, keyfile, ackfile = tmp_path / "audit.db", tmp_path / "audit.key", tmp_path / "acks"
    signer = NoteSigner.generate("crash.test.example/log")
    keyfile.write_text(signer.export_secret())
    keyfile.chmod(0o600)
    AuditLog.create(db, origin=signer.name).close()
    ackfile.touch()

    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(keyfile), str(ackfile)])
    try:
        deadline = time.monotonic() + 60
        while len(_acked(ackfile)) < 3000:
            assert proc.poll() is None, "the writer died on its own"
            assert time.monotonic() < deadline, "the writer is too slow"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)  # mid-burst: its threads are still appending
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    acked = _acked(ackfile)
    with AuditLog.open(db) as log:
        assert log.size >= len(acked) >= 3000
        for index, actor in acked:
            assert json.loads(log.event_data(index))["actor"] == actor
        assert len({i for i, _ in acked}) == len(acked)  # no index acknowledged twice
        assert log.store.checkpoints(), "periodic checkpoints were written during the burst"
        log.checkpoint(signer)
        report = log.verify(signer.verifier())
        assert report.size == log.size
        assert report.unsigned_events == 0
