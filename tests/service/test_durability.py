"""SIGKILL in the middle of a burst of consent writes loses no acknowledged write."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

import httpx
import pytest

from .conftest import drop_tables, start_server, stop_server  # type: ignore[import-not-found]


def _burst_then_kill(db_url: str, data_dir: Path, prefix: str) -> tuple[list[str], int]:
    srv = start_server(db_url, data_dir, prefix)
    with srv.client() as c:
        r = c.post(
            "/v1/notices",
            json={"notice": "policy", "purposes": [{"id": "trip", "categories": ["basic.name"]}]},
        )
        assert r.status_code == 201
    acked: list[str] = []
    errors = [0]
    stop = threading.Event()
    lock = threading.Lock()

    def writer(n: int) -> None:
        with srv.client() as c:
            i = 0
            while not stop.is_set():
                i += 1
                body = {
                    "subject": f"w{n}-{i}",
                    "notice": "policy",
                    "purposes": ["trip"],
                    "channel": "app",
                }
                try:
                    r = c.post("/v1/consents", json=body)
                except httpx.TransportError:
                    errors[0] += 1
                    return
                if r.status_code == 201:
                    with lock:
                        acked.append(r.json()[0]["id"])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 25 and time.monotonic() < deadline:
        time.sleep(0.05)
    srv.proc.kill()  # SIGKILL: no shutdown handlers run
    srv.proc.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 25, "the burst did not get going"
    return acked, errors[0]


@pytest.mark.parametrize("db", ["sqlite", "postgresql", "mariadb"])
def test_sigkill_loses_no_acknowledged_write(
    db: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    prefix = f"k{secrets.token_hex(3)}_"
    db_url = (
        f"sqlite:///{tmp_path / 'piguard.db'}"
        if db == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    try:
        acked, _ = _burst_then_kill(db_url, tmp_path, prefix)
        srv = start_server(db_url, tmp_path, prefix)
        try:
            with srv.client() as c:
                missing = [
                    i for i in acked if c.get(f"/v1/consents/{i}/receipt").status_code != 200
                ]
                # the audit log reopened cleanly and still answers
                assert c.get("/v1/audit/checkpoint").status_code == 200
        finally:
            stop_server(srv)
        assert missing == []
    finally:
        if db != "sqlite":
            drop_tables(db_url, prefix)
