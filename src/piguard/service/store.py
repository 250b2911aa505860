"""SQLAlchemy implementations of the stores the framework-free core needs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, Row, bindparam, insert, select
from sqlalchemy.exc import SQLAlchemyError

from piguard.consent import Action, Channel, ConsentEvent, Guardian, Notice
from piguard.errors import StorageError
from piguard.service.db import Tables, bump_epoch, from_us, to_us
from piguard.service.reader import StateReader, notice_from_row

__all__ = ["SqlConsentStore", "SqlDatamapStore"]


def _storage(exc: SQLAlchemyError) -> StorageError:
    # the driver's message may quote values; name only the error type
    return StorageError(f"database error ({type(exc).__name__})")


class SqlConsentStore:
    """:class:`piguard.consent.ConsentStore` over SQLAlchemy; each write is its own committed
    transaction, so a write has reached the database's log before the call returns."""

    def __init__(self, engine: Engine, t: Tables, reader: StateReader | None = None):
        self.engine = engine
        # reads run in autocommit: no BEGIN/ROLLBACK round trips around a single SELECT
        self.autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.t = t
        #: the dedicated read connection (decisions, latest events, the latest notice)
        self.reader = reader or StateReader(engine, t)
        # the columns decisions need (the receipt is read only when asked for)
        self._light = [c for c in t.consent_events.c if c.name != "receipt"]
        e = t.consent_events
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
                bump_epoch(conn, self.t)  # caches of the latest notice see the change
        except SQLAlchemyError as exc:
            raise _storage(exc) from None

    def get_notice(self, notice: str, version: int | None = None) -> Notice | None:
        """A version of a notice, or its latest version, read from the database now."""
        if version is None:
            return self.reader.notice(notice)
        n = self.t.notices
        q = select(n).where(n.c.notice == notice, n.c.version == version)
        try:
            with self.autocommit.connect() as conn:
                row = conn.execute(q).first()
        except SQLAlchemyError as exc:
            raise _storage(exc) from None
        return notice_from_row(row) if row is not None else None

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
    def _event(row: Row[Any]) -> ConsentEvent:
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

    def close(self) -> None:
        """Close the dedicated read connection (the engine's pool is disposed by its owner)."""
        self.reader.close()

    def _query(self, q: Any, params: dict[str, Any] | None = None) -> list[ConsentEvent]:
        try:
            with self.autocommit.connect() as conn:
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
        if action is None:
            key = (subject, notice, purpose)
            return self.reader.latest_events([key])[1].get(key)
        e = self.t.consent_events
        q = self._q_latest.where(e.c.action == action.value)
        found = self._query(q, {"subject": subject, "notice": notice, "purpose": purpose})
        return found[0] if found else None

    def latest_events(
        self, subjects: Sequence[str], notice: str, purpose: str
    ) -> dict[str, ConsentEvent]:
        if len(subjects) <= self.reader.MAX_BATCH:
            _, found = self.reader.latest_events([(s, notice, purpose) for s in subjects])
            return {key[0]: ev for key, ev in found.items()}
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
                bump_epoch(conn, self.t)  # every process's cached data map sees the change
        except SQLAlchemyError as exc:
            raise _storage(exc) from None

    def latest(self) -> str | None:
        """The YAML of the latest data map (read now)."""
        d = self.t.datamaps
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(d.c.body).order_by(d.c.seq.desc()).limit(1)).first()
        except SQLAlchemyError as exc:
            raise _storage(exc) from None
        return None if row is None else str(row.body)
