"""The service's tables (SQLAlchemy 2 Core, one prefix for all) and engine set-up.

Times are stored as integer microseconds since the epoch (UTC), so SQLite, PostgreSQL and
MySQL/MariaDB store and compare them alike. Subjects and guardians are keyed pseudonyms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    update,
)

from piguard.errors import StorageError

__all__ = ["Tables", "bump_epoch", "from_us", "make_engine", "normalise_url", "tables", "to_us"]

_ID = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True, slots=True)
class Tables:
    metadata: MetaData
    api_keys: Table
    notices: Table
    consent_events: Table
    datamaps: Table
    #: one row (id 1): ``epoch`` grows by one in the transaction of every change to notices,
    #: the data map or API keys, so that caches of them can be checked with one cheap read
    state: Table


def tables(prefix: str) -> Tables:
    """The table definitions with ``prefix`` (the migrations create the same)."""
    md = MetaData()
    api_keys = Table(
        f"{prefix}api_keys",
        md,
        Column("id", String(32), primary_key=True),
        Column("key_hash", String(64), nullable=False),
        Column("scopes", String(255), nullable=False),
        Column("name", String(128), nullable=False),
        Column("created_us", BigInteger, nullable=False),
        Column("revoked", Boolean, nullable=False, default=False),
    )
    notices = Table(
        f"{prefix}notices",
        md,
        Column("notice", String(64), primary_key=True),
        Column("version", Integer, primary_key=True),
        Column("created_us", BigInteger, nullable=False),
        Column("language", String(16), nullable=False),
        Column("controller", String(255), nullable=False),
        Column("purposes", Text, nullable=False),
    )
    consent_events = Table(
        f"{prefix}consent_events",
        md,
        Column("seq", _ID, primary_key=True, autoincrement=True),
        Column("id", String(32), nullable=False, unique=True),
        Column("subject", String(160), nullable=False),
        Column("notice", String(64), nullable=False),
        Column("version", Integer, nullable=False),
        Column("purpose", String(64), nullable=False),
        Column("action", String(16), nullable=False),
        Column("channel", String(16), nullable=False),
        Column("time_us", BigInteger, nullable=False),
        Column("categories", Text, nullable=False),
        Column("guardian", String(160), nullable=True),
        Column("guardian_relationship", String(64), nullable=True),
        Column("child_until", Date, nullable=True),
        Column("ref", String(32), nullable=True),
        Column("receipt", Text, nullable=True),
        Index(f"{prefix}ix_consent_subject", "subject", "notice", "purpose", "seq"),
    )
    datamaps = Table(
        f"{prefix}datamaps",
        md,
        Column("seq", _ID, primary_key=True, autoincrement=True),
        Column("loaded_us", BigInteger, nullable=False),
        Column("actor", String(64), nullable=False),
        Column("body", Text, nullable=False),
    )
    state = Table(
        f"{prefix}state",
        md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("epoch", BigInteger, nullable=False),
    )
    return Tables(md, api_keys, notices, consent_events, datamaps, state)


def bump_epoch(conn: Connection, t: Tables) -> None:
    """Advance the state epoch inside the caller's transaction (the change and the new epoch
    commit together, so no reader can see one without the other)."""
    s = t.state
    n = conn.execute(update(s).where(s.c.id == 1).values(epoch=s.c.epoch + 1)).rowcount
    if n != 1:
        raise StorageError("the service's state row is missing; run piguard serve --migrate")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(t: datetime) -> int:
    """Exact microseconds since the epoch (naive times are taken as UTC)."""
    t = t if t.tzinfo else t.replace(tzinfo=UTC)
    return (t - _EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def normalise_url(url: str) -> str:
    """Pick the drivers piguard ships with: psycopg 3 for PostgreSQL, PyMySQL for MySQL.

    >>> normalise_url("postgresql://u@h/db"), normalise_url("mysql://root@h/test")
    ('postgresql+psycopg://u@h/db', 'mysql+pymysql://root@h/test')
    """
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("mysql://", "mariadb://")):
        return "mysql+pymysql://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    """An engine; SQLite files get WAL and ``synchronous=FULL`` so that an acknowledged write
    survives a crash of the process (and of the machine)."""
    url = normalise_url(url)
    # no pool_pre_ping: it costs a round trip per query; stale connections are recycled instead
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_size=10, max_overflow=20)
    if not url.startswith("sqlite"):
        kwargs["pool_recycle"] = 1800
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine
