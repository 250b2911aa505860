"""Where a log lives: SQLite (default, stdlib ``sqlite3`` in WAL mode) or PostgreSQL (psycopg 3).

Four tables (PostgreSQL names carry a prefix, ``piguard_audit_`` by default):

* ``event(idx, leaf, data)``: the canonical event bytes and their leaf hash, one row per leaf.
* ``node(id, hash)``: every complete subtree of level >= 1, keyed by its post-order position
  (:func:`piguard.audit.merkle.node_id`), so ids only grow and a proof reads ``O(log n)`` rows.
* ``checkpoint(size, created, note)``: the signed checkpoints, one per tree size.
* ``meta(key, value)``: origin, hash algorithm, schema version.

A writer takes the database's write lock for each batch (``BEGIN IMMEDIATE`` in SQLite, an
advisory transaction lock in PostgreSQL), so two writers never interleave a batch.
"""

from __future__ import annotations

import abc
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piguard.errors import StorageError

__all__ = ["LogStore", "PostgresStore", "SqliteStore", "open_store"]

SCHEMA_VERSION = "1"
_PREFIX = re.compile(r"[a-z_][a-z0-9_]{0,40}")


class LogStore(abc.ABC):
    """The storage operations an :class:`~piguard.audit.log.AuditLog` needs."""

    #: Where the log is, for messages (credentials removed).
    location: str

    @abc.abstractmethod
    def create_schema(self, meta: dict[str, str]) -> None:
        """Create the tables and write ``meta``; fail if a log already exists."""

    @abc.abstractmethod
    def read_meta(self) -> dict[str, str]:
        """The meta table; raise StorageError when there is no log here."""

    @abc.abstractmethod
    def begin_write(self) -> int:
        """Start a write transaction holding the write lock; return the stored size."""

    @abc.abstractmethod
    def write(
        self,
        events: Sequence[tuple[int, bytes, bytes]],
        nodes: Sequence[tuple[int, bytes]],
    ) -> None:
        """Insert rows inside the current write transaction."""

    @abc.abstractmethod
    def write_checkpoint(self, size: int, created: str, note: str) -> None:
        """Store the checkpoint of ``size`` inside the write transaction, unless one is
        stored already (the first checkpoint of a size is kept, never replaced)."""

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...

    @abc.abstractmethod
    def size(self) -> int:
        """Number of stored events (``max(idx) + 1``)."""

    @abc.abstractmethod
    def leaves(self, indexes: Sequence[int]) -> dict[int, bytes]: ...

    @abc.abstractmethod
    def nodes(self, ids: Sequence[int]) -> dict[int, bytes]: ...

    @abc.abstractmethod
    def event(self, index: int) -> bytes | None: ...

    @abc.abstractmethod
    def iter_events(self, chunk: int = 50_000) -> Iterator[tuple[int, bytes, bytes]]:
        """Every stored ``(idx, leaf, data)`` in index order."""

    @abc.abstractmethod
    def iter_nodes(self, chunk: int = 100_000) -> Iterator[tuple[int, bytes]]:
        """Every stored ``(id, hash)`` in id order."""

    @abc.abstractmethod
    def find_leaf(self, leaf: bytes) -> int | None:
        """The lowest index whose leaf hash is ``leaf`` (a table scan)."""

    @abc.abstractmethod
    def checkpoints(self) -> list[tuple[int, str, str]]:
        """All ``(size, created, note)`` in size order."""

    @abc.abstractmethod
    def latest_checkpoint(self) -> tuple[int, str, str] | None: ...

    @abc.abstractmethod
    def close(self) -> None: ...


class SqliteStore(LogStore):
    """A log in one SQLite file (WAL journal; ``synchronous=FULL`` unless ``durable=False``)."""

    def __init__(self, path: str | os.PathLike[str], *, durable: bool = True):
        self.location = str(path)
        try:
            self._con = sqlite3.connect(
                self.location, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._con.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
        except sqlite3.Error as exc:
            raise StorageError(f"{self.location}: cannot open the audit log ({exc})") from None

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._con.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"{self.location}: {exc}") from None

    def create_schema(self, meta: dict[str, str]) -> None:
        try:
            exists = self._con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
            ).fetchone()
            if exists:
                raise StorageError(f"{self.location}: an audit log already exists here")
            self._con.execute("BEGIN IMMEDIATE")
            for stmt in (
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                "CREATE TABLE event (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, "
                "data BLOB NOT NULL)",
                "CREATE TABLE node (id INTEGER PRIMARY KEY, hash BLOB NOT NULL)",
                "CREATE TABLE checkpoint (size INTEGER PRIMARY KEY, created TEXT NOT NULL, "
                "note TEXT NOT NULL)",
            ):
                self._con.execute(stmt)
            self._con.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
            self._con.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._con.in_transaction:
                self._con.execute("ROLLBACK")
            raise StorageError(f"{self.location}: cannot create the audit log ({exc})") from None

    def read_meta(self) -> dict[str, str]:
        try:
            rows = self._con.execute("SELECT key, value FROM meta").fetchall()
        except sqlite3.Error:
            raise StorageError(
                f"{self.location}: no audit log here (run 'piguard audit init' first)"
            ) from None
        return dict(rows)

    def begin_write(self) -> int:
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StorageError(f"{self.location}: cannot lock the audit log ({exc})") from None
        return self.size()

    def write(
        self,
        events: Sequence[tuple[int, bytes, bytes]],
        nodes: Sequence[tuple[int, bytes]],
    ) -> None:
        try:
            self._con.executemany("INSERT INTO event VALUES (?, ?, ?)", events)
            self._con.executemany("INSERT INTO node VALUES (?, ?)", nodes)
        except sqlite3.Error as exc:
            raise StorageError(f"{self.location}: cannot append ({exc})") from None

    def write_checkpoint(self, size: int, created: str, note: str) -> None:
        self._q("INSERT OR IGNORE INTO checkpoint VALUES (?, ?, ?)", (size, created, note))

    def commit(self) -> None:
        try:
            self._con.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(f"{self.location}: commit failed ({exc})") from None

    def rollback(self) -> None:
        if self._con.in_transaction:
            self._con.execute("ROLLBACK")

    def size(self) -> int:
        row = self._q("SELECT max(idx) FROM event")[0]
        return 0 if row[0] is None else int(row[0]) + 1

    def leaves(self, indexes: Sequence[int]) -> dict[int, bytes]:
        if not indexes:
            return {}
        marks = ",".join("?" * len(indexes))
        return dict(self._q(f"SELECT idx, leaf FROM event WHERE idx IN ({marks})", indexes))  # noqa: S608

    def nodes(self, ids: Sequence[int]) -> dict[int, bytes]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return dict(self._q(f"SELECT id, hash FROM node WHERE id IN ({marks})", ids))  # noqa: S608

    def event(self, index: int) -> bytes | None:
        rows = self._q("SELECT data FROM event WHERE idx = ?", (index,))
        return bytes(rows[0][0]) if rows else None

    def _iter(self, sql: str, chunk: int) -> Iterator[Any]:
        last = -1
        while True:
            rows = self._q(sql, (last, chunk))
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def iter_events(self, chunk: int = 50_000) -> Iterator[tuple[int, bytes, bytes]]:
        return self._iter(
            "SELECT idx, leaf, data FROM event WHERE idx > ? ORDER BY idx LIMIT ?", chunk
        )

    def iter_nodes(self, chunk: int = 100_000) -> Iterator[tuple[int, bytes]]:
        return self._iter("SELECT id, hash FROM node WHERE id > ? ORDER BY id LIMIT ?", chunk)

    def find_leaf(self, leaf: bytes) -> int | None:
        rows = self._q("SELECT min(idx) FROM event WHERE leaf = ?", (leaf,))
        return None if rows[0][0] is None else int(rows[0][0])

    def checkpoints(self) -> list[tuple[int, str, str]]:
        rows = self._q("SELECT size, created, note FROM checkpoint ORDER BY size")
        return [(int(s), c, n) for s, c, n in rows]

    def latest_checkpoint(self) -> tuple[int, str, str] | None:
        rows = self._q("SELECT size, created, note FROM checkpoint ORDER BY size DESC LIMIT 1")
        return (int(rows[0][0]), rows[0][1], rows[0][2]) if rows else None

    def execute_raw(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Run SQL directly (tests use it to tamper with a log)."""
        return self._q(sql, params)

    def close(self) -> None:
        self._con.close()


class PostgresStore(LogStore):
    """A log in PostgreSQL tables ``<prefix>event``, ``<prefix>node``, ... (psycopg 3)."""

    def __init__(self, url: str, *, prefix: str = "piguard_audit_"):
        if not _PREFIX.fullmatch(prefix):
            raise StorageError(f"invalid table prefix {prefix!r}")
        parts = urlsplit(url)
        self.location = f"postgresql://{parts.hostname or ''}{parts.path}"
        try:
            import psycopg
        except ImportError:
            raise StorageError("PostgreSQL needs psycopg: pip install 'piguard[service]'") from None
        self._psycopg = psycopg
        self._writing = False
        self.p = prefix
        self._lock_key = int.from_bytes(prefix.encode()[:8].ljust(8, b"_"), "big") & (2**63 - 1)
        try:
            self._con = psycopg.connect(
                url.replace("postgresql+psycopg://", "postgresql://"), autocommit=False
            )
        except psycopg.Error as exc:
            raise StorageError(f"{self.location}: cannot connect ({type(exc).__name__})") from None

    def _q(self, sql: str, params: Sequence[Any] | None = None) -> list[Any]:
        try:
            cur = self._con.execute(sql.replace("{p}", self.p), params)
            return cur.fetchall() if cur.description else []
        except self._psycopg.Error as exc:
            self._con.rollback()
            self._writing = False
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StorageError(f"{self.location}: {msg}") from None

    def _read(self, sql: str, params: Sequence[Any] | None = None) -> list[Any]:
        rows = self._q(sql, params)
        if not self._writing:  # end the implicit read transaction: later reads see new rows
            self._con.rollback()
        return rows

    def create_schema(self, meta: dict[str, str]) -> None:
        exists = self._q("SELECT to_regclass(%s)", (f"{self.p}meta",))[0][0]
        if exists:
            self._con.rollback()
            raise StorageError(f"{self.location}: an audit log already exists here ({self.p}*)")
        for stmt in (
            "CREATE TABLE {p}meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE {p}event (idx BIGINT PRIMARY KEY, leaf BYTEA NOT NULL, "
            "data BYTEA NOT NULL)",
            "CREATE TABLE {p}node (id BIGINT PRIMARY KEY, hash BYTEA NOT NULL)",
            "CREATE TABLE {p}checkpoint (size BIGINT PRIMARY KEY, created TEXT NOT NULL, "
            "note TEXT NOT NULL)",
        ):
            self._q(stmt)
        for key, value in sorted(meta.items()):
            self._q("INSERT INTO {p}meta VALUES (%s, %s)", (key, value))
        self._con.commit()

    def drop(self) -> None:
        """Drop this log's tables (tests)."""
        for table in ("meta", "event", "node", "checkpoint"):
            self._q(f"DROP TABLE IF EXISTS {{p}}{table}")
        self._con.commit()

    def read_meta(self) -> dict[str, str]:
        exists = self._read("SELECT to_regclass(%s)", (f"{self.p}meta",))[0][0]
        if not exists:
            raise StorageError(
                f"{self.location}: no audit log here (run 'piguard audit init' first)"
            )
        return dict(self._read("SELECT key, value FROM {p}meta"))

    def begin_write(self) -> int:
        self._writing = True
        self._q("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
        return self.size()

    def write(
        self,
        events: Sequence[tuple[int, bytes, bytes]],
        nodes: Sequence[tuple[int, bytes]],
    ) -> None:
        try:
            with self._con.cursor() as cur:
                with cur.copy(f"COPY {self.p}event (idx, leaf, data) FROM STDIN") as copy:
                    for event_row in events:
                        copy.write_row(event_row)
                with cur.copy(f"COPY {self.p}node (id, hash) FROM STDIN") as copy:
                    for node_row in nodes:
                        copy.write_row(node_row)
        except self._psycopg.Error as exc:
            self._con.rollback()
            self._writing = False
            raise StorageError(f"{self.location}: cannot append ({type(exc).__name__})") from None

    def write_checkpoint(self, size: int, created: str, note: str) -> None:
        self._q(
            "INSERT INTO {p}checkpoint VALUES (%s, %s, %s) ON CONFLICT (size) DO NOTHING",
            (size, created, note),
        )

    def commit(self) -> None:
        try:
            self._con.commit()
        except self._psycopg.Error as exc:
            raise StorageError(f"{self.location}: commit failed ({type(exc).__name__})") from None
        finally:
            self._writing = False

    def rollback(self) -> None:
        self._con.rollback()
        self._writing = False

    def size(self) -> int:
        row = self._read("SELECT max(idx) FROM {p}event")[0]
        return 0 if row[0] is None else int(row[0]) + 1

    def leaves(self, indexes: Sequence[int]) -> dict[int, bytes]:
        rows = self._read("SELECT idx, leaf FROM {p}event WHERE idx = ANY(%s)", (list(indexes),))
        return {int(i): bytes(h) for i, h in rows}

    def nodes(self, ids: Sequence[int]) -> dict[int, bytes]:
        rows = self._read("SELECT id, hash FROM {p}node WHERE id = ANY(%s)", (list(ids),))
        return {int(i): bytes(h) for i, h in rows}

    def event(self, index: int) -> bytes | None:
        rows = self._read("SELECT data FROM {p}event WHERE idx = %s", (index,))
        return bytes(rows[0][0]) if rows else None

    def _iter(self, sql: str, chunk: int) -> Iterator[Any]:
        last = -1
        while True:
            rows = self._read(sql, (last, chunk))
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def iter_events(self, chunk: int = 50_000) -> Iterator[tuple[int, bytes, bytes]]:
        for idx, leaf, data in self._iter(
            "SELECT idx, leaf, data FROM {p}event WHERE idx > %s ORDER BY idx LIMIT %s", chunk
        ):
            yield int(idx), bytes(leaf), bytes(data)

    def iter_nodes(self, chunk: int = 100_000) -> Iterator[tuple[int, bytes]]:
        for node, h in self._iter(
            "SELECT id, hash FROM {p}node WHERE id > %s ORDER BY id LIMIT %s", chunk
        ):
            yield int(node), bytes(h)

    def find_leaf(self, leaf: bytes) -> int | None:
        row = self._read("SELECT min(idx) FROM {p}event WHERE leaf = %s", (leaf,))[0]
        return None if row[0] is None else int(row[0])

    def checkpoints(self) -> list[tuple[int, str, str]]:
        rows = self._read("SELECT size, created, note FROM {p}checkpoint ORDER BY size")
        return [(int(s), c, n) for s, c, n in rows]

    def latest_checkpoint(self) -> tuple[int, str, str] | None:
        rows = self._read(
            "SELECT size, created, note FROM {p}checkpoint ORDER BY size DESC LIMIT 1"
        )
        return (int(rows[0][0]), rows[0][1], rows[0][2]) if rows else None

    def execute_raw(self, sql: str, params: Sequence[Any] | None = None) -> list[Any]:
        """Run SQL directly and commit (tests use it to tamper with a log)."""
        rows = self._q(sql, params)
        self._con.commit()
        return rows

    def close(self) -> None:
        self._con.close()


def open_store(
    target: str | os.PathLike[str], *, durable: bool = True, prefix: str = "piguard_audit_"
) -> LogStore:
    """A store for a path / ``sqlite:///path`` URL, or a ``postgresql://`` URL."""
    text = str(target)
    if text.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return PostgresStore(text, prefix=prefix)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]
    elif "://" in text:
        raise StorageError(f"unsupported audit log URL scheme in {text.split('://')[0]!r}")
    return SqliteStore(Path(text), durable=durable)


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of at most ``size`` items."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
