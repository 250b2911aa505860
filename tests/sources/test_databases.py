"""Scan real databases by URL: SQLite, PostgreSQL and MariaDB (fixtures pg_url, mysql_url).

Each test creates its own schema (PostgreSQL) or database (MariaDB) with a unique name and
drops it afterwards, so runs in parallel never see each other's tables.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sa = pytest.importorskip("sqlalchemy")

from piguard.errors import InputError  # noqa: E402
from piguard.sources import DiscoveryOptions, discover, redact_url, sql_tables  # noqa: E402
from piguard.sources._sql import _engine_url, _read_only  # noqa: E402

TODAY = datetime.date(2024, 6, 30)
N = 300


def _ck(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _rows() -> list[dict[str, object]]:
    rng = random.Random(7)
    names = ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊"]
    out = []
    for i in range(N):
        out.append(
            {
                "xm": names[i % len(names)],
                "sjh": int(f"13{i % 10}{rng.randint(10**7, 10**8 - 1)}"),
                "sfzh": _ck(f"110105{1970 + i % 30}{1 + i % 12:02d}{1 + i % 28:02d}{i:03d}"),
                "order_no": f"2024{rng.randint(10**13, 10**14 - 1)}",
                "xb": "男" if i % 2 else "女",
                "note": f"请送到北京市朝阳区建国路{i}号，电话1380013{i:04d}",
            }
        )
    return out


def _create(engine: object, schema: str | None) -> None:
    prefix = f"{schema}." if schema else ""  # names made by the tests themselves
    with engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(
            sa.text(
                f"CREATE TABLE {prefix}users (xm VARCHAR(20), sjh BIGINT, sfzh VARCHAR(18), "
                "order_no VARCHAR(18), xb VARCHAR(2), note VARCHAR(200))"
            )
        )
        conn.execute(
            sa.text(f"INSERT INTO {prefix}users VALUES (:xm, :sjh, :sfzh, :order_no, :xb, :note)"),  # noqa: S608
            _rows(),
        )
        conn.execute(
            sa.text(f"CREATE VIEW {prefix}user_phones AS SELECT xm, sjh FROM {prefix}users")  # noqa: S608
        )


def _check(inv: object, *, sampled: bool) -> None:
    assert not inv.errors, inv.errors  # type: ignore[attr-defined]
    tables = {t.table.rsplit(".", 1)[-1]: t for t in inv.tables}  # type: ignore[attr-defined]
    assert set(tables) == {"users", "user_phones"}
    users = tables["users"]
    cols = {c.column: c for c in users.columns}
    assert cols["xm"].entity == "PERSON_NAME"
    assert cols["sjh"].entity == "CN_MOBILE"  # stored as BIGINT
    assert cols["sfzh"].entity == "CN_RESIDENT_ID"
    assert cols["sfzh"].grade == "sensitive"
    assert cols["order_no"].entity is None
    assert not cols["order_no"].pi
    assert cols["xb"].category == "basic.gender"
    assert cols["note"].kind == "free_text"
    if users.rows_exact:
        assert users.rows == N
    else:  # MariaDB's InnoDB row count is an estimate
        assert abs(users.rows - N) <= 0.2 * N
    assert users.server_sampled is sampled
    if sampled:
        assert cols["sfzh"].rows_sampled <= 10
    assert users.facts.people_column == "sfzh"
    view = {c.column: c for c in tables["user_phones"].columns}
    assert view["sjh"].entity == "CN_MOBILE"


@pytest.fixture
def pg_schema(pg_url: str) -> Iterator[tuple[str, str]]:
    schema = f"piguard_src_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(_engine_url(pg_url))
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        _create(engine, schema)
        with engine.begin() as conn:
            conn.execute(sa.text(f"ANALYZE {schema}.users"))
        yield pg_url, schema
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def mysql_db(mysql_url: str) -> Iterator[tuple[str, str]]:
    db = f"piguard_src_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(_engine_url(mysql_url))
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {db} CHARACTER SET utf8mb4"))
    try:
        _create(engine, db)
        yield mysql_url, db
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE {db}"))
        engine.dispose()


@pytest.mark.db
def test_postgresql_by_url_sampled_on_the_server(pg_schema: tuple[str, str]) -> None:
    url, schema = pg_schema
    inv = discover([url], DiscoveryOptions(sample_size=10, schemas=(schema,), today=TODAY))
    _check(inv, sampled=True)
    assert inv.tables[0].source == redact_url(url)


@pytest.mark.db
def test_postgresql_full_scan(pg_schema: tuple[str, str]) -> None:
    url, schema = pg_schema
    inv = discover([url], DiscoveryOptions(full=True, schemas=(schema,), today=TODAY))
    _check(inv, sampled=False)
    users = next(t for t in inv.tables if t.table.endswith(".users"))
    assert users.facts.people == N
    assert users.facts.people_method == "exact"


@pytest.mark.db
def test_mariadb_by_url(mysql_db: tuple[str, str]) -> None:
    url, db = mysql_db
    inv = discover([url], DiscoveryOptions(sample_size=10, schemas=(db,), today=TODAY))
    _check(inv, sampled=True)


@pytest.mark.db
def test_reads_are_read_only(pg_schema: tuple[str, str], mysql_db: tuple[str, str]) -> None:
    for url, schema in (pg_schema, mysql_db):
        engine = sa.create_engine(_engine_url(url))
        with engine.connect() as conn:
            _read_only(conn, sa)
            with pytest.raises(sa.exc.DBAPIError):
                conn.execute(sa.text(f"DELETE FROM {schema}.users"))  # noqa: S608
        with engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT count(*) FROM {schema}.users")).scalar() == N  # noqa: S608
        engine.dispose()


def test_sqlite_by_url(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    _create(engine, None)
    engine.dispose()
    _check(discover([url], DiscoveryOptions(sample_size=10, today=TODAY)), sampled=True)
    _check(discover([url], DiscoveryOptions(today=TODAY)), sampled=False)


def test_missing_sqlite_file_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    inv = discover([f"sqlite:///{path}"])
    assert [e["message"] for e in inv.errors] == [f"sqlite:///{path}: no such SQLite database file"]
    assert not path.exists()


def test_unreachable_database_is_one_line_without_credentials() -> None:
    url = "postgresql://alice:Sup3rS3cret@127.0.0.1:9/shop"
    inv = discover([url, "mysql://bob:An0therPw@127.0.0.1:9/x"])
    assert len(inv.errors) == 2
    for err in inv.errors:
        assert "Sup3rS3cret" not in err["message"]
        assert "An0therPw" not in err["message"]
        assert "alice" not in err["message"]
        assert "bob" not in err["message"]
        assert "\n" not in err["message"]
        assert "cannot connect" in err["message"]
    assert inv.errors[0]["source"] == "postgresql://***@127.0.0.1:9/shop"


def test_bad_database_url() -> None:
    with pytest.raises(InputError, match=r"usable database URL|cannot connect|driver"):
        sql_tables("postgresql://u:p@127.0.0.1:notaport/db")
