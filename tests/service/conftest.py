"""A real service process over HTTP (uvicorn on a free loopback port) per database.

SQLite always; PostgreSQL and MariaDB through the suite's ``pg_url`` / ``mysql_url`` fixtures
(skipped off CI when the server is missing, failing on CI). Every run uses its own table
prefix and drops its tables afterwards.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, text

from piguard.service.auth import ApiKeys
from piguard.service.db import make_engine, tables
from piguard.service.migrate import upgrade


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    db_url: str
    prefix: str
    data_dir: Path
    admin_key: str
    proc: subprocess.Popen[bytes]
    log: Path

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key or self.admin_key}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def start_server(
    db_url: str,
    data_dir: Path,
    prefix: str,
    *,
    extra_env: dict[str, str] | None = None,
    log_name: str = "server.log",
) -> Server:
    """Create the admin key, then start the app under uvicorn (as ``piguard serve`` does) and
    wait for /healthz. ``piguard serve`` itself is tested in test_cli_serve.py."""
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(db_url)
    upgrade(engine, prefix)
    key, _ = ApiKeys(engine, tables(prefix)).create(["admin"], "tests")
    engine.dispose()
    port = free_port()
    log = data_dir / log_name
    env = {
        **os.environ,
        "PIGUARD_DB_URL": db_url,
        "PIGUARD_DATA_DIR": str(data_dir),
        "PIGUARD_TABLE_PREFIX": prefix,
        **(extra_env or {}),
    }
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "piguard.service.app:app_from_env",
                "--port",
                str(port),
                "--no-access-log",
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=data_dir,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("server did not start within 60 s")
        time.sleep(0.1)
    return Server(url, db_url, prefix, data_dir, key, proc, log)


def stop_server(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


def drop_tables(db_url: str, prefix: str) -> None:
    engine = make_engine(db_url)
    try:
        names = [n for n in inspect(engine).get_table_names() if n.startswith(prefix)]
        with engine.begin() as conn:
            for name in names:
                conn.execute(text(f"DROP TABLE {name}"))
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mariadb"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp(f"svc-{request.param}")
    prefix = f"t{secrets.token_hex(4)}_"
    if request.param == "sqlite":
        db_url = f"sqlite:///{data_dir / 'piguard.db'}"
    elif request.param == "postgresql":
        db_url = request.getfixturevalue("pg_url")
    else:
        db_url = request.getfixturevalue("mysql_url")
    srv = start_server(db_url, data_dir, prefix)
    try:
        yield srv
    finally:
        stop_server(srv)
        if request.param != "sqlite":
            drop_tables(db_url, prefix)
