"""SQLAlchemy implementations of the stores the framework-free core needs."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, Row, bindparam, insert, select
from sqlalchemy.exc import SQLAlchemyError

from piguard.consent import Action, Channel, ConsentEvent, Guardian, Notice, Purpose
from piguard.consent.model import SeparateReason
from piguard.errors import StorageError
from piguard.service.db import Tables, from_us, to_us

__all__ = ["SqlConsentStore", "SqlDatamapStore"]


def _set_autocommit(conn: Any) -> None:
    """Autocommit on a raw DBAPI connection of sqlite3, psycopg 3 or PyMySQL."""
    if hasattr(conn, "isolation_level") and type(conn).__module__.startswith("sqlite3"):
        conn.isolation_level = None
    elif callable(getattr(conn, "autocommit", None)):
        conn.autocommit(True)  # PyMySQL
    else:
        conn.autocommit = True  # psycopg


def _storage(exc: SQLAlchemyError) -> StorageError:
    # the driver's message may quote values; name only the error type
    return StorageError(f"database error ({type(exc).__name__})")


class SqlConsentStore:
    """:class:`piguard.consent.ConsentStore` over SQLAlchemy; each write is its own committed
    transaction, so a write has reached the database's log before the call returns."""

    def __init__(self, engine: Engine, t: Tables, *, notice_ttl: float = 1.0):
        self.engine = engine
        # reads run in autocommit: no BEGIN/ROLLBACK round trips around a single SELECT
        self.reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.t = t
        # the columns decisions need (the receipt is read only when asked for)
        self._light = [c for c in t.consent_events.c if c.name != "receipt"]
        e = t.consent_events
        # built once: statement construction and cache-key generation dominate a decision
        self._q_latest = (
            select(*self._light)
            .where(
                e.c.subject == bindparam("subject"),
                e.c.notice == bindparam("notice"),
                e.c.purpose == bindparam("purpose"),
            )
            .order_by(e.c.seq.desc())
            .limit(1)
        )
        # and compiled once to the driver's SQL (the hot path of every decision)
        self._light_names = [c.name for c in self._light]
        self._fast: Any = None
        self.fast_driver: Any = None  # the DBAPI connection of the decision reader
        self._fast_lock = threading.Lock()
        self._latest_compiled = self._q_latest.compile(dialect=engine.dialect)
        self._sql_latest = str(self._latest_compiled)
        self._latest_positional = self._latest_compiled.positiontup
        # the latest version of each notice, cached for ``notice_ttl`` seconds (decisions read
        # it on every call); a version published through this store is seen at once, one
        # published by another process within ``notice_ttl``
        self.notice_ttl = notice_ttl
        self._latest: dict[str, tuple[float, Notice | None]] = {}
        self._lock = threading.Lock()

    # notices
    def add_notice(self, notice: Notice) -> None:
        purposes = [
            {
                "id": p.id,
                "description": p.description,
                "categories": list(p.categories),
                "separate": [r.value for r in p.separate],
            }
            for p in notice.purposes
        ]
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(self.t.notices).values(
                        notice=notice.notice,
                        version=notice.version,
                        created_us=to_us(notice.created),
                        language=notice.language,
                        controller=notice.controller,
                        purposes=json.dumps(purposes, ensure_ascii=False),
                    )
                )
        except SQLAlchemyError as exc:
            raise _storage(exc) from None
        with self._lock:
            self._latest.pop(notice.notice, None)

    def get_notice(self, notice: str, version: int | None = None) -> Notice | None:
        if version is None:
            now = time.monotonic()
            with self._lock:
                cached = self._latest.get(notice)
            if cached is not None and cached[0] > now:
                return cached[1]
            found = self._load_notice(notice, None)
            with self._lock:
                self._latest[notice] = (now + self.notice_ttl, found)
            return found
        return self._load_notice(notice, version)

    def _load_notice(self, notice: str, version: int | None) -> Notice | None:
        n = self.t.notices
        q = select(n).where(n.c.notice == notice)
        q = q.where(n.c.version == version) if version is not None else q
        q = q.order_by(n.c.version.desc()).limit(1)
        try:
            with self.reader.connect() as conn:
                row = conn.execute(q).first()
        except SQLAlchemyError as exc:
            raise _storage(exc) from None
        if row is None:
            return None
        return Notice(
            notice=row.notice,
            version=row.version,
            created=from_us(row.created_us),
            language=row.language,
            controller=row.controller,
            purposes=tuple(
                Purpose(
                    id=p["id"],
                    description=p["description"],
                    categories=tuple(p["categories"]),
                    separate=tuple(SeparateReason(r) for r in p["separate"]),
                )
                for p in json.loads(row.purposes)
            ),
        )

    # events
    def add_event(self, event: ConsentEvent) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(self.t.consent_events).values(
                        id=event.id,
                        subject=event.subject,
                        notice=event.notice,
                        version=event.version,
                        purpose=event.purpose,
                        action=event.action.value,
                        channel=event.channel.value,
                        time_us=to_us(event.time),
                        categories=json.dumps(list(event.categories)),
                        guardian=event.guardian.subject if event.guardian else None,
                        guardian_relationship=event.guardian.relationship
                        if event.guardian
                        else None,
                        child_until=event.child_until,
                        ref=event.ref,
                        receipt=event.receipt,
                    )
                )
        except SQLAlchemyError as exc:
            raise _storage(exc) from None

    @staticmethod
    def _event(row: Row[Any] | SimpleNamespace) -> ConsentEvent:
        guardian = (
            Guardian(subject=row.guardian, relationship=row.guardian_relationship or "")
            if row.guardian
            else None
        )
        return ConsentEvent(
            id=row.id,
            subject=row.subject,
            notice=row.notice,
            version=row.version,
            purpose=row.purpose,
            action=Action(row.action),
            channel=Channel(row.channel),
            time=from_us(row.time_us),
            categories=tuple(json.loads(row.categories)),
            guardian=guardian,
            # driver-level reads (the decision hot path) get SQLite dates as ISO text
            child_until=date.fromisoformat(row.child_until)
            if isinstance(row.child_until, str)
            else row.child_until,
            ref=row.ref,
            receipt=getattr(row, "receipt", None),
        )

    def _query_driver(self, params: dict[str, Any]) -> list[ConsentEvent]:
        """The latest-event read on a dedicated autocommit DBAPI connection (detached from
        the pool, so its autocommit mode never leaks to other users): no pool checkout, no
        BEGIN/ROLLBACK, no SQLAlchemy execution context. Each SELECT sees every committed
        write. On a driver error the connection is dropped and reopened on the next call."""
        bound = self._latest_compiled.construct_params(params)
        args: Any = (
            tuple(bound[name] for name in self._latest_positional)
            if self._latest_positional
            else bound
        )
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        with self._fast_lock:
            try:
                if self._fast is None:
                    fairy = self.engine.raw_connection()
                    driver = fairy.driver_connection
                    fairy.detach()
                    _set_autocommit(driver)
                    self._fast = fairy
                    self.fast_driver = driver
                cur = self._fast.cursor()
                try:
                    cur.execute(self._sql_latest, args)
                    rows = cur.fetchall()
                finally:
                    cur.close()
            except (dbapi_error, SQLAlchemyError) as exc:
                self._close_fast()
                raise StorageError(f"database error ({type(exc).__name__})") from None
        return [
            self._event(SimpleNamespace(**dict(zip(self._light_names, r, strict=True))))
            for r in rows
        ]

    def _close_fast(self) -> None:
        if self._fast is not None:
            with contextlib.suppress(Exception):  # already broken: nothing left to close
                self._fast.close()
            self._fast = None
            self.fast_driver = None

    def close(self) -> None:
        """Close the dedicated read connection (the engine's pool is disposed by its owner)."""
        with self._fast_lock:
            self._close_fast()

    def _query(self, q: Any, params: dict[str, Any] | None = None) -> list[ConsentEvent]:
        try:
            with self.reader.connect() as conn:
                return [self._event(r) for r in conn.execute(q, params)]
        except SQLAlchemyError as exc:
            raise _storage(exc) from None

    def get_event(self, event_id: str) -> ConsentEvent | None:
        e = self.t.consent_events
        found = self._query(select(e).where(e.c.id == event_id))
        return found[0] if found else None

    def latest_event(
        self, subject: str, notice: str, purpose: str, action: Action | None = None
    ) -> ConsentEvent | None:
        params = {"subject": subject, "notice": notice, "purpose": purpose}
        if action is None:
            found = self._query_driver(params)
        else:
            e = self.t.consent_events
            q = self._q_latest.where(e.c.action == action.value)
            found = self._query(q, params)
        return found[0] if found else None

    def latest_events(
        self, subjects: Sequence[str], notice: str, purpose: str
    ) -> dict[str, ConsentEvent]:
        if len(subjects) == 1:
            one = self.latest_event(subjects[0], notice, purpose)
            return {one.subject: one} if one else {}
        e = self.t.consent_events
        out: dict[str, ConsentEvent] = {}
        for start in range(0, len(subjects), 500):
            chunk = list(subjects[start : start + 500])
            q = (
                select(*self._light)
                .where(e.c.subject.in_(chunk), e.c.notice == notice, e.c.purpose == purpose)
                .order_by(e.c.seq)
            )
            for ev in self._query(q):
                out[ev.subject] = ev  # ascending seq: the last one wins
        return out

    def subject_events(self, subject: str, notice: str | None = None) -> list[ConsentEvent]:
        e = self.t.consent_events
        q = select(e).where(e.c.subject == subject)
        if notice is not None:
            q = q.where(e.c.notice == notice)
        return self._query(q.order_by(e.c.seq))


class SqlDatamapStore:
    """The loaded data maps (YAML text), newest last."""

    def __init__(self, engine: Engine, t: Tables):
        self.engine = engine
        self.t = t

    def save(self, body: str, actor: str) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(self.t.datamaps).values(
                        loaded_us=to_us(datetime.now(UTC)), actor=actor, body=body
                    )
                )
        except SQLAlchemyError as exc:
            raise _storage(exc) from None

    def latest(self) -> str | None:
        d = self.t.datamaps
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(d.c.body).order_by(d.c.seq.desc()).limit(1)).first()
        except SQLAlchemyError as exc:
            raise _storage(exc) from None
        return None if row is None else str(row.body)
