"""SQL databases by URL (SQLAlchemy, the ``db`` extra): every table and view of the chosen
schemas, sampled on the server, read in read-only transactions.

URLs: ``sqlite:///path.db``, ``postgresql://user@host/db`` (driver psycopg),
``mysql://user@host/db`` (driver PyMySQL; MariaDB too). Credentials never appear in a
message: :func:`redact_url` removes them and driver errors are reduced to their class.

Sampling (bounded transfer and memory): a table whose estimated row count is at most
``20 × sample_size`` is read whole (streamed); a larger PostgreSQL table is read through
``TABLESAMPLE BERNOULLI`` with a percentage that yields about three times the sample, then
``LIMIT``; larger MySQL/MariaDB and SQLite tables and all large views use
``ORDER BY random() LIMIT n`` (the server reads every row but sends only ``n``).
With ``full=True`` every row is streamed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from piguard.errors import InputError
from piguard.sources._model import BATCH_ROWS, Batch, Table

__all__ = ["SCHEMES", "SqlTable", "is_database_url", "redact_url", "sql_tables"]

#: URL schemes read as databases.
SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")

_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
}


def is_database_url(target: str) -> bool:
    """Whether ``target`` is a database URL piguard can scan.

    >>> is_database_url("postgresql://u@h/db"), is_database_url("mysql+pymysql://h/db")
    (True, True)
    >>> is_database_url("orders.csv"), is_database_url("C:/data/x.csv")
    (False, False)
    """
    scheme = target.split("://", 1)[0].split("+", 1)[0].lower() if "://" in target else ""
    return scheme in SCHEMES


def redact_url(url: str) -> str:
    """The URL without user name and password (safe for messages and reports).

    >>> redact_url("postgresql://alice:s3cret@db.example:5432/shop?sslmode=require")
    'postgresql://***@db.example:5432/shop'
    >>> redact_url("sqlite:///data/app.db")
    'sqlite:///data/app.db'
    """
    scheme = url.split("://", 1)[0]
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return scheme + "://***"
    netloc = f"***@{host}" if (parts.username or parts.password) else host
    return f"{scheme}://{netloc}{parts.path}"


def _engine_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    base = scheme.split("+", 1)[0].lower()
    if "+" not in scheme and base in _DRIVERS:
        scheme = _DRIVERS[base]
    return f"{scheme}://{rest}"


#: a quoted value the server echoes from a row or a parameter (MySQL "Duplicate entry '...'",
#: "Incorrect integer value: '...'"; PostgreSQL 'value "..." is out of range', 'invalid input
#: syntax for type integer: "..."'): a person's data, never shown
_ECHOED = re.compile(r"""(entry |value:? |type [\w ]+: |enum [\w.]+: )(['"])(?:(?!\2).)*\2""")
_KEY_DETAIL = re.compile(r"Key \(([^)]*)\)=\((?:[^()]|\([^)]*\))*\)")


def _safe_error(exc: BaseException, url: str) -> str:
    """A one-line description of a driver error with credentials and echoed values removed.

    >>> url = "postgresql://u:pw@127.0.0.1:1/x"
    >>> _safe_error(OSError('connection refused for user "u" (password pw)'), url)
    'OSError: connection refused for user "***" (password ***)'
    >>> _safe_error(ValueError('value "13800000001" is out of range for type integer'), url)
    'ValueError: value "***" is out of range for type integer'
    """
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    parts = urlsplit(url)
    text = text.replace(url, redact_url(url))
    for secret in (parts.password, parts.username):
        if secret:
            # Whole tokens only: user "u" must not turn "refused" into "ref***sed".
            text = re.sub(rf"(?<![\w.-]){re.escape(secret)}(?![\w.-])", "***", text)
    text = _KEY_DETAIL.sub(r"Key (\1)=(***)", _ECHOED.sub(r"\1\2***\2", text))
    text = re.sub(r"\(Background on this error.*", "", text)
    text = re.sub(r"^\([\w.]+\)\s*", "", text)
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def _sqlalchemy() -> Any:
    try:
        import sqlalchemy
    except ImportError:
        raise InputError(
            "reading databases needs SQLAlchemy and a driver: pip install 'piguard[db]'"
        ) from None
    return sqlalchemy


class SqlTable(Table):
    """One table or view of a database."""

    kind = "sql"

    def __init__(
        self,
        engine: Any,
        url: str,
        schema: str | None,
        name: str,
        columns: list[str],
        *,
        is_view: bool,
        sample_size: int,
        full: bool,
    ) -> None:
        super().__init__(redact_url(url), f"{schema}.{name}" if schema else name, columns)
        self.engine = engine
        self.url = url
        self.schema = schema
        self.table_name = name
        self.is_view = is_view
        self.sample_size = sample_size
        self.full = full

    def _estimate_rows(self, conn: Any, sa: Any) -> int | None:
        dialect = self.engine.dialect.name
        try:
            if dialect == "postgresql" and not self.is_view:
                q = sa.text(
                    "SELECT c.reltuples::bigint FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.relname = :t AND n.nspname = "
                    "coalesce(:s, current_schema())"
                )
                est = conn.execute(q, {"t": self.table_name, "s": self.schema}).scalar()
                if est is not None and est >= 0:
                    return int(est)
            if dialect == "mysql" and not self.is_view:
                q = sa.text(
                    "SELECT table_rows FROM information_schema.tables WHERE table_name = :t "
                    "AND table_schema = coalesce(:s, database())"
                )
                est = conn.execute(q, {"t": self.table_name, "s": self.schema}).scalar()
                if est is not None and int(est) > 20 * self.sample_size:
                    return int(est)
            tbl = sa.table(self.table_name, schema=self.schema)
            count = conn.execute(sa.select(sa.func.count()).select_from(tbl)).scalar()
            self.rows_exact = True
            return int(count or 0)
        except sa.exc.DBAPIError:
            conn.rollback()
            return None

    def _query(self, sa: Any, rows: int | None) -> Any:
        cols = [sa.column(c) for c in self.columns]
        tbl = sa.table(self.table_name, *cols, schema=self.schema)
        dialect = self.engine.dialect.name
        if self.full or rows is None or rows <= 20 * self.sample_size:
            return sa.select(*tbl.c)
        n = self.sample_size
        self.server_sampled = True
        if dialect == "postgresql" and not self.is_view:
            pct = min(100.0, 100.0 * 3 * n / max(rows, 1))
            sampled = sa.tablesample(tbl, sa.func.bernoulli(pct), name="piguard_sample")
            return sa.select(*sampled.c).limit(n)
        rand = sa.func.rand() if dialect == "mysql" else sa.func.random()
        return sa.select(*tbl.c).order_by(rand).limit(n)

    def batches(self) -> Iterator[Batch]:
        sa = _sqlalchemy()
        try:
            with self.engine.connect() as conn:
                _read_only(conn, sa)
                rows = self._estimate_rows(conn, sa)
                self.rows_total = rows
                result = conn.execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(
                    self._query(sa, rows)
                )
                for part in result.partitions(BATCH_ROWS):
                    columns = zip(self.columns, zip(*part, strict=True), strict=True)
                    yield Batch(len(part), dict(columns))
                conn.rollback()
        except sa.exc.SQLAlchemyError as exc:
            raise InputError(
                f"cannot read table {self.name} ({_safe_error(exc, self.url)})", source=self.source
            ) from None


def _read_only(conn: Any, sa: Any) -> None:
    """Make the connection's transaction read-only (nothing piguard sends can write)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(sa.text("SET TRANSACTION READ ONLY"))
    elif dialect == "mysql":
        conn.execute(sa.text("SET SESSION TRANSACTION READ ONLY"))
        conn.commit()
        conn.execute(sa.text("START TRANSACTION READ ONLY"))
    elif dialect == "sqlite":
        conn.execute(sa.text("PRAGMA query_only = ON"))


def sql_tables(
    url: str,
    *,
    schemas: Sequence[str] | None = None,
    sample_size: int = 1000,
    full: bool = False,
) -> list[Table]:
    """Every table and view of ``schemas`` (default: the connection's default schema)."""
    sa = _sqlalchemy()
    shown = redact_url(url)
    try:
        engine = sa.create_engine(_engine_url(url), pool_pre_ping=False)
    except (ImportError, ModuleNotFoundError) as exc:
        raise InputError(
            f"the database driver is missing ({exc.name}): pip install 'piguard[db]'", source=shown
        ) from None
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise InputError(
            f"not a usable database URL ({type(exc).__name__})", source=shown
        ) from None
    database = engine.url.database
    # connecting would create an empty file: a missing database is a mistake in the URL
    if (
        engine.dialect.name == "sqlite"
        and database
        and database != ":memory:"
        and not database.startswith("file:")
        and not os.path.exists(database)
    ):
        engine.dispose()
        raise InputError("no such SQLite database file", source=shown)
    tables: list[Table] = []
    try:
        with engine.connect() as conn:
            _read_only(conn, sa)
            inspector = sa.inspect(conn)
            wanted: list[str | None] = list(schemas) if schemas else [None]
            for schema in wanted:
                names = [(n, False) for n in inspector.get_table_names(schema=schema)]
                names += [(n, True) for n in inspector.get_view_names(schema=schema)]
                for name, is_view in names:
                    cols = [c["name"] for c in inspector.get_columns(name, schema=schema)]
                    tables.append(
                        SqlTable(
                            engine,
                            url,
                            schema,
                            name,
                            cols,
                            is_view=is_view,
                            sample_size=sample_size,
                            full=full,
                        )
                    )
            conn.rollback()
    except sa.exc.SQLAlchemyError as exc:
        raise InputError(f"cannot connect ({_safe_error(exc, url)})", source=shown) from None
    return tables
