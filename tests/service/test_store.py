"""The SQL consent store: the dedicated decision reader sees every commit at once and
recovers from a lost connection."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from piguard.consent import Action, Channel, ConsentEvent
from piguard.errors import StorageError
from piguard.service.db import make_engine, tables
from piguard.service.migrate import upgrade
from piguard.service.store import SqlConsentStore

from .conftest import drop_tables  # type: ignore[import-not-found]


def _event(action: Action, n: int) -> ConsentEvent:
    return ConsentEvent(
        id=secrets.token_hex(16),
        subject="hmac-sha256:subject:" + "ab" * 32,
        notice="policy",
        version=1,
        purpose="trip",
        action=action,
        channel=Channel.APP,
        time=datetime(2026, 11, 26, 8, n, tzinfo=UTC),
        categories=("basic.name",),
    )


def test_reader_sees_commits_and_reconnects(pg_url: str) -> None:
    prefix = f"r{secrets.token_hex(3)}_"
    engine = make_engine(pg_url)
    try:
        upgrade(engine, prefix)
        store = SqlConsentStore(engine, tables(prefix))
        subject = _event(Action.GRANT, 0).subject
        assert store.latest_event(subject, "policy", "trip") is None
        store.add_event(_event(Action.GRANT, 1))
        latest = store.latest_event(subject, "policy", "trip")
        assert latest is not None
        assert latest.action is Action.GRANT
        store.add_event(_event(Action.WITHDRAW, 2))
        latest = store.latest_event(subject, "policy", "trip")
        assert latest is not None
        assert latest.action is Action.WITHDRAW  # no stale snapshot: autocommit reads
        # kill the reader's backend: one call fails with StorageError, the next reconnects
        pid = store.reader.driver.info.backend_pid
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(StorageError):
            store.latest_event(subject, "policy", "trip")
        latest = store.latest_event(subject, "policy", "trip")
        assert latest is not None
        assert latest.action is Action.WITHDRAW
        store.close()
    finally:
        engine.dispose()
        drop_tables(pg_url, prefix)
