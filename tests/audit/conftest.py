"""Fixtures for the audit tests: logs in SQLite and in a real PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from piguard.audit import AuditEvent, AuditLog
from piguard.audit.store import PostgresStore
from piguard.keys import NoteSigner

ORIGIN = "audit.test.example/log"


def make_events(n: int, start: int = 0) -> list[AuditEvent]:
    """Distinct events (the actor carries the sequence number)."""
    return [
        AuditEvent(
            time="2026-11-26T08:00:00Z",
            actor=f"svc-{start + i}",
            action="deidentify.run",
            purpose="delivery",
            categories=("basic.phone",),
            details={"seq": start + i},
        )
        for i in range(n)
    ]


@dataclass
class LogFactory:
    """Creates logs at one backend; ``placeholder`` is its SQL parameter marker."""

    backend: str
    target: str
    prefix: str
    placeholder: str

    def create(self, **options: Any) -> AuditLog:
        return AuditLog.create(self.target, origin=ORIGIN, prefix=self.prefix, **options)

    def open(self, **options: Any) -> AuditLog:
        return AuditLog.open(self.target, prefix=self.prefix, **options)

    def table(self, name: str) -> str:
        return f"{self.prefix}{name}" if self.backend == "postgresql" else name


@pytest.fixture(scope="session")
def signer() -> NoteSigner:
    return NoteSigner.generate(ORIGIN)


def _sqlite_factory(tmp_path: Path) -> LogFactory:
    return LogFactory("sqlite", str(tmp_path / "audit.db"), "piguard_audit_", "?")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.db)])
def logs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LogFactory]:
    """A place for one log, in SQLite and in PostgreSQL (``pg_url``)."""
    if request.param == "sqlite":
        yield _sqlite_factory(tmp_path)
        return
    url = request.getfixturevalue("pg_url")
    prefix = f"t{uuid.uuid4().hex[:12]}_"
    yield LogFactory("postgresql", url, prefix, "%s")
    store = PostgresStore(url, prefix=prefix)
    store.drop()
    store.close()


@pytest.fixture
def sqlite_logs(tmp_path: Path) -> LogFactory:
    return _sqlite_factory(tmp_path)


@pytest.fixture
def events() -> Callable[..., list[AuditEvent]]:
    return make_events
