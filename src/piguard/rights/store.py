"""Requests and their steps, persisted in SQLite (stdlib ``sqlite3``).

A request moves received → identity_verified → in_progress → completed | refused | failed
(failed → in_progress again on resume). Each step (one datastore's collection or erasure) is
a row with its state and, when it failed, the datastore, table and a credential-free reason,
so that a failed request shows where it stopped and a resume skips finished steps.

The identity a request starts from is PI; it is kept only in this store (owner-only file),
never in audit events, reports or messages.

>>> import datetime as dt
>>> s = RequestStore(":memory:")
>>> r = s.create("access", {"phone": "13800000000"}, received=dt.date(2026, 11, 2))
>>> r.state, r.due.isoformat()
('received', '2026-12-02')
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from piguard.errors import ConflictError, InputError, StorageError
from piguard.rights.dataset import IDENTITY_KINDS
from piguard.rights.deadlines import HolidayCalendar, due_date

__all__ = [
    "COMPLAINT_ROUTE",
    "REQUEST_TYPES",
    "STATES",
    "Request",
    "RequestStore",
    "Step",
]

#: Request types (PIPL Arts. 44-48; GB/T 35273-2020 8.1-8.6).
REQUEST_TYPES = (
    "access",
    "copy",
    "portability",
    "correction",
    "deletion",
    "cancellation",
    "consent_withdrawal",
    "explanation",
)
STATES = ("received", "identity_verified", "in_progress", "completed", "refused", "failed")
#: A refusal gives reasons and the external complaint route (GB/T 35273-2020 8.7; PIPL Art. 50).
COMPLAINT_ROUTE = (
    "You may complain to the cyberspace administration (网信部门) or bring a lawsuit "
    "(PIPL Art. 50, 65)."
)
_NEXT = {
    "received": {"identity_verified", "refused"},
    "identity_verified": {"in_progress", "refused"},
    "in_progress": {"completed", "failed"},
    "failed": {"in_progress", "refused"},
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    identity TEXT NOT NULL,
    state TEXT NOT NULL,
    received TEXT NOT NULL,
    due TEXT NOT NULL,
    updated TEXT NOT NULL,
    reason TEXT,
    complaint_route TEXT,
    result TEXT,
    payload TEXT
);
CREATE TABLE IF NOT EXISTS steps (
    request_id TEXT NOT NULL REFERENCES requests(id),
    step TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    datastore TEXT,
    tbl TEXT,
    detail TEXT,
    error TEXT,
    updated TEXT NOT NULL,
    PRIMARY KEY (request_id, step)
);
-- tokens found in cells an erasure removed, kept until the vault steps revoke them
CREATE TABLE IF NOT EXISTS erased_tokens (
    request_id TEXT NOT NULL REFERENCES requests(id),
    token TEXT NOT NULL,
    PRIMARY KEY (request_id, token)
);
-- values of the person's rows carried from one datastore to another (cross-datastore references)
CREATE TABLE IF NOT EXISTS carried (
    request_id TEXT NOT NULL REFERENCES requests(id),
    datastore TEXT NOT NULL,
    tbl TEXT NOT NULL,
    col TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (request_id, datastore, tbl, col, value)
);
-- who is running a request, until when (one runner at a time; a stale lease is taken over)
CREATE TABLE IF NOT EXISTS leases (
    request_id TEXT PRIMARY KEY REFERENCES requests(id),
    owner TEXT NOT NULL,
    expires REAL NOT NULL
);
-- where the person's rows held tokens: checked before revoking (a token still in use stays)
CREATE TABLE IF NOT EXISTS token_columns (
    request_id TEXT NOT NULL REFERENCES requests(id),
    datastore TEXT NOT NULL,
    tbl TEXT NOT NULL,
    col TEXT NOT NULL,
    PRIMARY KEY (request_id, datastore, tbl, col)
);
"""


@dataclass(frozen=True, slots=True)
class Request:
    """One data-subject request."""

    id: str
    type: str
    identity: dict[str, str]
    state: str
    received: dt.date
    due: dt.date
    updated: str
    reason: str | None = None
    complaint_route: str | None = None
    result: str | None = None
    #: what the request asks for beyond the identity (correction: the new values; PI)
    payload: dict[str, Any] | None = None

    def overdue(self, today: dt.date) -> bool:
        """Still open after its due date."""
        return self.state not in ("completed", "refused") and today > self.due

    def to_dict(self, *, show_identity: bool = False) -> dict[str, Any]:
        """JSON form; the identity values are hidden unless asked for."""
        ident = self.identity if show_identity else dict.fromkeys(sorted(self.identity), "***")
        return {
            "id": self.id,
            "type": self.type,
            "identity": ident,
            "state": self.state,
            "received": self.received.isoformat(),
            "due": self.due.isoformat(),
            "updated": self.updated,
            "reason": self.reason,
            "complaint_route": self.complaint_route,
            "result": self.result,
            "changes": [
                c if show_identity else {k: v for k, v in c.items() if k != "value"}
                for c in (self.payload or {}).get("changes", [])
            ],
        }


@dataclass(frozen=True, slots=True)
class Step:
    """One persisted step of a request."""

    step: str
    state: str  # "running" | "done" | "failed" | "skipped"
    attempts: int
    datastore: str | None
    table: str | None
    detail: dict[str, Any]
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "step": self.step,
            "state": self.state,
            "attempts": self.attempts,
            "datastore": self.datastore,
            "table": self.table,
            "detail": self.detail,
            "error": self.error,
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RequestStore:
    """Requests and steps in one SQLite file (``:memory:`` for tests)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            p = Path(self.path)
            new = not p.exists()
            p.parent.mkdir(parents=True, exist_ok=True)
            if new:  # the file holds identities: owner-only, like atomic_write's outputs
                p.touch(mode=0o600)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: cannot open the request store ({exc})") from None

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    # ----------------------------------------------------------------- requests
    def create(
        self,
        request_type: str,
        identity: dict[str, str],
        *,
        received: dt.date,
        calendar: HolidayCalendar | None = None,
        request_id: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Request:
        """Record a new request (state ``received``) with its deadline."""
        if request_type not in REQUEST_TYPES:
            raise InputError(
                f"unknown request type {request_type!r} (known: {', '.join(REQUEST_TYPES)})"
            )
        if not identity:
            raise InputError("a request needs an identity (user_id, phone, resident_id or email)")
        for kind, value in identity.items():
            if kind not in IDENTITY_KINDS:
                raise InputError(
                    f"unknown identity kind {kind!r} (known: {', '.join(IDENTITY_KINDS)})"
                )
            if not str(value).strip():
                raise InputError(f"identity {kind} is empty")
        rid = request_id or "req-" + uuid.uuid4().hex[:16]
        due = due_date(request_type, received, calendar)
        with self._db:
            self._db.execute(
                "INSERT INTO requests (id, type, identity, state, received, due, updated, "
                "payload) VALUES (?, ?, ?, 'received', ?, ?, ?, ?)",
                (
                    rid,
                    request_type,
                    json.dumps(identity),
                    received.isoformat(),
                    due.isoformat(),
                    _now(),
                    None if payload is None else json.dumps(payload, ensure_ascii=False),
                ),
            )
        return self.get(rid)

    def get(self, request_id: str) -> Request:
        """A request by id; :class:`InputError` if there is none."""
        row = self._db.execute(
            "SELECT id, type, identity, state, received, due, updated, reason, "
            "complaint_route, result, payload FROM requests WHERE id = ?",
            (request_id,),
        ).fetchone()
        if row is None:
            raise InputError(f"no request {request_id!r}")
        return _request(row)

    def requests(self, *, overdue_on: dt.date | None = None) -> list[Request]:
        """All requests (oldest first), or only those overdue on ``overdue_on``."""
        rows = self._db.execute(
            "SELECT id, type, identity, state, received, due, updated, reason, "
            "complaint_route, result, payload FROM requests ORDER BY received, id"
        ).fetchall()
        out = [_request(r) for r in rows]
        if overdue_on is not None:
            out = [r for r in out if r.overdue(overdue_on)]
        return out

    def transition(
        self,
        request_id: str,
        state: str,
        *,
        reason: str | None = None,
        result: str | None = None,
    ) -> Request:
        """Move a request to ``state``; refuses transitions the life cycle does not allow."""
        current = self.get(request_id)
        if state not in _NEXT.get(current.state, set()):
            raise InputError(f"request {request_id} is {current.state}; it cannot become {state}")
        if state == "refused" and not reason:
            raise InputError("a refusal needs a reason (GB/T 35273-2020 8.7)")
        route = COMPLAINT_ROUTE if state == "refused" else current.complaint_route
        with self._db:
            self._db.execute(
                "UPDATE requests SET state = ?, updated = ?, reason = coalesce(?, reason), "
                "complaint_route = ?, result = coalesce(?, result) WHERE id = ?",
                (state, _now(), reason, route, result, request_id),
            )
        return self.get(request_id)

    # ----------------------------------------------------------------- steps
    def steps(self, request_id: str) -> list[Step]:
        """The steps of a request, in the order they were first started."""
        rows = self._db.execute(
            "SELECT step, state, attempts, datastore, tbl, detail, error FROM steps "
            "WHERE request_id = ? ORDER BY rowid",
            (request_id,),
        ).fetchall()
        return [Step(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "{}"), r[6]) for r in rows]

    def step_state(self, request_id: str, step: str) -> str | None:
        """The state of one step, or None if it never started."""
        row = self._db.execute(
            "SELECT state FROM steps WHERE request_id = ? AND step = ?", (request_id, step)
        ).fetchone()
        return None if row is None else str(row[0])

    def start_step(self, request_id: str, step: str, *, datastore: str | None) -> None:
        """Mark a step running (one more attempt)."""
        with self._db:
            self._db.execute(
                "INSERT INTO steps (request_id, step, state, attempts, datastore, updated) "
                "VALUES (?, ?, 'running', 1, ?, ?) ON CONFLICT (request_id, step) DO UPDATE "
                "SET state = 'running', attempts = attempts + 1, error = NULL, tbl = NULL, "
                "updated = excluded.updated",
                (request_id, step, datastore, _now()),
            )

    def finish_step(
        self,
        request_id: str,
        step: str,
        state: str,
        *,
        detail: dict[str, Any] | None = None,
        table: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record how a step ended (``done``, ``failed`` or ``skipped``)."""
        with self._db:
            self._db.execute(
                "UPDATE steps SET state = ?, detail = ?, tbl = ?, error = ?, updated = ? "
                "WHERE request_id = ? AND step = ?",
                (state, json.dumps(detail or {}), table, error, _now(), request_id, step),
            )

    # ----------------------------------------------------------------- leases
    def acquire_lease(
        self, request_id: str, owner: str, *, seconds: float, now: float | None = None
    ) -> None:
        """Take the lease of a request for ``seconds`` (one statement, so two runners cannot
        both win); :class:`ConflictError` if another owner holds an unexpired one. A lease
        left by a killed process is taken over once it has expired."""
        now = time.time() if now is None else now
        try:
            taken = self._db.execute(
                "INSERT INTO leases (request_id, owner, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (request_id) DO UPDATE SET owner = excluded.owner, "
                "expires = excluded.expires "
                "WHERE leases.owner = excluded.owner OR leases.expires < ?",
                (request_id, owner, now + seconds, now),
            ).rowcount
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: cannot take the lease ({exc})") from None
        if taken:
            return
        holder = self.lease(request_id)
        who, until = holder if holder else ("another runner", now)
        when = dt.datetime.fromtimestamp(until, dt.UTC).strftime("%H:%M:%SZ")
        raise ConflictError(
            f"request {request_id} is being run by {who} (lease until {when}); wait for it "
            "to finish, or until the lease expires if that process was stopped"
        )

    def renew_lease(
        self, request_id: str, owner: str, *, seconds: float, now: float | None = None
    ) -> bool:
        """Extend ``owner``'s lease; False if it was lost (expired and taken over)."""
        now = time.time() if now is None else now
        with self._db:
            n = self._db.execute(
                "UPDATE leases SET expires = ? WHERE request_id = ? AND owner = ?",
                (now + seconds, request_id, owner),
            ).rowcount
        return bool(n)

    def release_lease(self, request_id: str, owner: str) -> None:
        """Give the lease up (only ``owner``'s)."""
        with self._db:
            self._db.execute(
                "DELETE FROM leases WHERE request_id = ? AND owner = ?", (request_id, owner)
            )

    def lease(self, request_id: str) -> tuple[str, float] | None:
        """(owner, expiry as a Unix time) of the request's lease, if any."""
        row = self._db.execute(
            "SELECT owner, expires FROM leases WHERE request_id = ?", (request_id,)
        ).fetchone()
        return None if row is None else (str(row[0]), float(row[1]))

    # ----------------------------------------------------------------- erased tokens
    def add_tokens(
        self,
        request_id: str,
        datastore: str,
        tokens: set[str],
        columns: set[tuple[str, str]],
    ) -> None:
        """Remember tokens found in erased cells and the columns that held tokens."""
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO erased_tokens VALUES (?, ?)",
                [(request_id, t) for t in sorted(tokens)],
            )
            self._db.executemany(
                "INSERT OR IGNORE INTO token_columns VALUES (?, ?, ?, ?)",
                [(request_id, datastore, t, c) for t, c in sorted(columns)],
            )

    def erased_tokens(self, request_id: str) -> set[str]:
        """Tokens remembered by :meth:`add_tokens`."""
        rows = self._db.execute(
            "SELECT token FROM erased_tokens WHERE request_id = ?", (request_id,)
        ).fetchall()
        return {str(r[0]) for r in rows}

    def token_columns(self, request_id: str) -> dict[str, set[tuple[str, str]]]:
        """Per datastore, the (table, column) pairs where the person's rows held tokens."""
        out: dict[str, set[tuple[str, str]]] = {}
        for ds, tbl, col in self._db.execute(
            "SELECT datastore, tbl, col FROM token_columns WHERE request_id = ?", (request_id,)
        ):
            out.setdefault(str(ds), set()).add((str(tbl), str(col)))
        return out

    def clear_tokens(self, request_id: str) -> None:
        """Forget the tokens and carried values of a finished request."""
        with self._db:
            for table in ("erased_tokens", "token_columns", "carried"):
                self._db.execute(
                    f"DELETE FROM {table} WHERE request_id = ?",  # noqa: S608 (fixed names)
                    (request_id,),
                )

    # ----------------------------------------------------------------- carried values
    def add_carried(
        self, request_id: str, datastore: str, table: str, column: str, values: set[Any]
    ) -> None:
        """Remember the values of ``datastore.table.column`` in the person's rows, for the
        tables of other datastores that reference it (JSON, so 42 stays an integer)."""
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO carried VALUES (?, ?, ?, ?, ?)",
                [(request_id, datastore, table, column, json.dumps(v)) for v in values],
            )

    def carried(self, request_id: str, datastore: str, table: str, column: str) -> set[Any]:
        """Values remembered by :meth:`add_carried`."""
        rows = self._db.execute(
            "SELECT value FROM carried WHERE request_id = ? AND datastore = ? AND tbl = ? "
            "AND col = ?",
            (request_id, datastore, table, column),
        ).fetchall()
        return {json.loads(r[0]) for r in rows}


def _request(row: tuple[Any, ...]) -> Request:
    return Request(
        id=row[0],
        type=row[1],
        identity=json.loads(row[2]),
        state=row[3],
        received=dt.date.fromisoformat(row[4]),
        due=dt.date.fromisoformat(row[5]),
        updated=row[6],
        reason=row[7],
        complaint_route=row[8],
        result=row[9],
        payload=json.loads(row[10]) if row[10] else None,
    )
