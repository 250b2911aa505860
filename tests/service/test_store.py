"""The SQL consent store: the dedicated decision reader sees every commit at once and
recovers from a lost connection."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from piguard.consent import Action, Channel, ConsentEvent
from piguard.errors import StorageError
from piguard.service.auth import ApiKeys
from piguard.service.db import make_engine, tables
from piguard.service.migrate import upgrade
from piguard.service.reader import AsyncEventReader, DecisionBatcher
from piguard.service.store import SqlConsentStore, SqlDatamapStore

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


def test_async_reader_sees_commits_and_reconnects(pg_url: str) -> None:
    """PostgreSQL decisions read on an asyncio connection: it sees each commit at once and
    a lost connection fails one batch (StorageError, 503) and is reopened by the next."""
    prefix = f"r{secrets.token_hex(3)}_"
    engine = make_engine(pg_url)
    try:
        upgrade(engine, prefix)
        store = SqlConsentStore(engine, tables(prefix))
        areader = AsyncEventReader(store.reader)
        grant = _event(Action.GRANT, 1)
        key = (grant.subject, "policy", "trip")

        async def run() -> None:
            epoch, found = await areader.latest_events([key])
            assert found == {}
            store.add_event(grant)
            _, found = await areader.latest_events([key])
            assert found[key].action is Action.GRANT
            store.add_event(_event(Action.WITHDRAW, 2))
            _, found = await areader.latest_events([key, ("other", "policy", "trip")])
            assert found[key].action is Action.WITHDRAW
            pid = areader._conn.info.backend_pid
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            with pytest.raises(StorageError):
                await areader.latest_events([key])
            again, found = await areader.latest_events([key])
            assert found[key].action is Action.WITHDRAW
            assert again == epoch  # no notice, data map or key changed
            await areader.aclose()

        asyncio.run(run())
        store.close()
    finally:
        engine.dispose()
        drop_tables(pg_url, prefix)


def test_batcher_answers_each_decision_after_it_arrived(pg_url: str) -> None:
    """A decision registered while a statement is in flight waits for the next statement: a
    write acknowledged before the decision arrived is always in the answer it gets."""
    prefix = f"r{secrets.token_hex(3)}_"
    engine = make_engine(pg_url)
    try:
        upgrade(engine, prefix)
        store = SqlConsentStore(engine, tables(prefix))
        batcher = DecisionBatcher(store.reader, mode="async")
        grant = _event(Action.GRANT, 1)
        key = (grant.subject, "policy", "trip")

        async def run() -> None:
            first = asyncio.ensure_future(batcher.latest(key))
            for _ in range(3):  # the first statement is issued (no grant yet) ...
                await asyncio.sleep(0)
            store.add_event(grant)  # ... and this write is acknowledged meanwhile
            second = await batcher.latest(key)
            assert second[1] is not None
            assert second[1].action is Action.GRANT
            await first
            await batcher.aclose()

        asyncio.run(run())
        store.close()
    finally:
        engine.dispose()
        drop_tables(pg_url, prefix)


def test_reader_batches_and_epoch(tmp_path: Path) -> None:
    """One statement answers many keys (more than MAX_BATCH: several statements); writes to
    notices, the data map and keys advance the epoch, consent events do not."""
    engine = make_engine(f"sqlite:///{tmp_path / 'e.db'}")
    upgrade(engine, "e_")
    t = tables("e_")
    store = SqlConsentStore(engine, t)
    reader = store.reader
    events = [_event(Action.GRANT, n) for n in range(3)]
    keys = []
    for n in range(40):
        ev = replace(_event(Action.GRANT, n % 50), subject=f"hmac-sha256:subject:{n:064x}")
        store.add_event(ev)
        keys.append((ev.subject, "policy", "trip"))
    epoch, found = reader.latest_events([*keys, ("nobody", "policy", "trip")])
    assert set(found) == set(keys)
    assert reader.latest_events([]) == (epoch, {})
    for ev in events:
        store.add_event(ev)
    assert reader.epoch() == epoch  # consent events do not touch the epoch
    SqlDatamapStore(engine, t).save("datamap: 1\nsystems: []\n", "test")
    assert reader.epoch() == epoch + 1
    keys_ = ApiKeys(engine, t, reader=reader)
    _, key_id = keys_.create(["decisions:read"])
    keys_.revoke(key_id)
    assert reader.epoch() == epoch + 2
    store.close()
    engine.dispose()


def test_a_notice_version_and_the_latest_read_the_same(tmp_path: Path) -> None:
    """A named version (read through the pool) and the latest (the state reader) build the
    same notice from the row."""
    from piguard.consent import Notice, Purpose
    from piguard.consent.model import SeparateReason

    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    upgrade(engine, "n_")
    store = SqlConsentStore(engine, tables("n_"))
    purpose = Purpose(
        id="trip",
        description="行程",
        categories=("basic.name",),
        separate=(next(iter(SeparateReason)),),
    )
    first = Notice(
        notice="policy",
        version=1,
        created=datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
        language="zh-CN",
        controller="示例公司",
        purposes=(purpose,),
    )
    second = replace(first, version=2, controller="另一公司")
    store.add_notice(first)
    store.add_notice(second)
    assert store.get_notice("policy", 1) == first
    assert store.get_notice("policy") == second == store.get_notice("policy", 2)
    assert store.get_notice("policy", 3) is None
    store.close()
    engine.dispose()
