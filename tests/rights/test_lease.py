"""One runner at a time: a request's lease in the request store. A second runner (thread or
process) gets a one-line error; a lease left by a stopped process is taken over after expiry."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from piguard.errors import ConflictError
from piguard.rights import Executor, RequestStore, parse_description

TODAY = dt.date(2026, 11, 26)
DESC = """\
datastores:
  - name: ride
    url: env:PIGUARD_TEST_LEASE_URL
    tables:
      users: {key: id, identity: {user_id: id}, erasure: delete}
      orders: {key: id, references: {user_id: users.id}, erasure: delete}
"""


@pytest.fixture
def ride(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "ride.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, phone TEXT);"
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, address TEXT);"
            "INSERT INTO users VALUES (1, '13800000001'), (2, '13900000002');"
            "INSERT INTO orders VALUES (10, 1, 'a'), (11, 1, 'b'), (20, 2, 'c');"
        )
    # a long busy timeout: a runner waits for the test's lock instead of failing
    monkeypatch.setenv("PIGUARD_TEST_LEASE_URL", f"sqlite:///{db}?timeout=60")
    return db


def _executor(tmp_path: Path, **kw: float) -> Executor:
    return Executor(
        parse_description(DESC, source="d.yaml"),
        RequestStore(tmp_path / "requests.db"),
        work_dir=tmp_path / "work",
        today=lambda: TODAY,
        **kw,  # type: ignore[arg-type]
    )


def _deletion(ex: Executor) -> str:
    req = ex.store.create("deletion", {"user_id": "1"}, received=TODAY)
    ex.verify(req.id)
    return req.id


def _count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])


def test_second_runner_is_refused_while_the_first_runs(ride: Path, tmp_path: Path) -> None:
    second = _executor(tmp_path)
    rid = _deletion(second)
    lock = sqlite3.connect(ride, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # the first runner blocks on the datastore
    result: dict[str, object] = {}

    def first() -> None:  # its own executor: sqlite3 connections stay in their thread
        ex = _executor(tmp_path)
        result["req"] = ex.run(rid)
        result["steps"] = ex.store.steps(rid)

    worker = threading.Thread(target=first)
    worker.start()
    try:
        deadline = time.monotonic() + 60  # a guard against hanging, not a speed assertion
        while second.store.lease(rid) is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert second.store.lease(rid) is not None
        with pytest.raises(ConflictError, match=rf"request {rid} is being run by .*lease until"):
            second.run(rid)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
        worker.join()
    assert result["req"].state == "completed"  # type: ignore[attr-defined]
    assert _count(ride) == 1
    assert second.store.lease(rid) is None  # released
    # the erasure and the (skipped: no consent service) consents step, each run once
    assert [s.attempts for s in result["steps"]] == [1, 1]  # type: ignore[attr-defined]


def test_stale_lease_of_a_stopped_process_is_taken_over(ride: Path, tmp_path: Path) -> None:
    ex = _executor(tmp_path, lease_seconds=30)
    rid = _deletion(ex)
    ex.store.acquire_lease(rid, "gone-host:4242:abcdef", seconds=30, now=time.time() - 60)
    assert ex.run(rid).state == "completed"
    assert _count(ride) == 1
    # a live lease of someone else is respected
    rid2 = _deletion(ex)
    ex.store.acquire_lease(rid2, "other:1:000000", seconds=300)
    with pytest.raises(ConflictError):
        ex.run(rid2)
    assert ex.store.get(rid2).state == "identity_verified"  # untouched


def test_two_cli_processes(ride: Path, tmp_path: Path) -> None:
    """Two ``piguard requests run`` processes on the same request: one runs, the other exits 2
    with one line naming the lease holder."""
    desc = tmp_path / "d.yaml"
    desc.write_text(DESC, encoding="utf-8")
    store = tmp_path / "requests.db"
    ex = Executor(parse_description(DESC), RequestStore(store), work_dir=tmp_path / "w")
    rid = _deletion(ex)
    env = dict(os.environ, PIGUARD_REQUESTS_DB=str(store))
    cmd = [sys.executable, "-m", "piguard", "requests", "run", rid, "-d", str(desc)]
    lock = sqlite3.connect(ride, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120  # a guard against hanging, not a speed assertion
        while ex.store.lease(rid) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ex.store.lease(rid) is not None, first.communicate()
        second = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 2
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"piguard: error: request {rid} is being run by ")
    assert "Traceback" not in second.stderr
    assert ex.store.get(rid).state == "completed"
    assert _count(ride) == 1


def test_cli_resume_takes_over_from_a_killed_process(
    ride: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from piguard.cli.app import app

    desc = tmp_path / "d.yaml"
    desc.write_text(DESC, encoding="utf-8")
    store = RequestStore(tmp_path / "requests.db")
    ex = Executor(parse_description(DESC), store, work_dir=tmp_path / "w")
    rid = _deletion(ex)
    store.transition(rid, "in_progress")  # as a killed runner leaves it
    store.acquire_lease(rid, "host:999:dead00", seconds=120)
    monkeypatch.setenv("PIGUARD_REQUESTS_DB", str(tmp_path / "requests.db"))
    args = ["requests", "resume", rid, "-d", str(desc)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "is being run by host:999:dead00" in result.output
    store.acquire_lease(rid, "host:999:dead00", seconds=120, now=time.time() - 600)  # expired
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert store.get(rid).state == "completed"
    assert _count(ride) == 1
