"""De-identifying a database table into a new table (SQLite here; PostgreSQL/MariaDB too)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa

from piguard.deidentify import Deidentifier
from piguard.detect.identifiers import cn_ric
from piguard.errors import ConfigError, InputError
from piguard.keys import EnvKeyProvider

ROWS = [
    {"id": i, "name": n, "phone": p, "id_number": r, "note": t}
    for i, (n, p, r, t) in enumerate(  # ids from 1: MySQL reads id 0 as "next value"
        [
            ("张三", "13812345678", "360426199101010071", "请联系李四，电话13987654321"),
            ("李四丰", "13987654321", "110101199003071233", None),
            ("王五", "18612345678", "36042619910101104X", "好的"),
        ]
        * 20,
        start=1,
    )
]


def _load(url: str, table: str) -> None:
    engine = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://").replace(
            "mysql://", "mysql+pymysql://"
        )
    )
    meta = sa.MetaData()
    t = sa.Table(
        table, meta,
        sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(20)),
        sa.Column("phone", sa.String(20)), sa.Column("id_number", sa.String(18)),
        sa.Column("note", sa.String(200)),
    )  # fmt: skip
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), ROWS)
    engine.dispose()


def _read(url: str, table: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://").replace(
            "mysql://", "mysql+pymysql://"
        )
    )
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT id, name, phone, id_number, note FROM {table}")).all()  # noqa: S608
    engine.dispose()
    return [tuple(r) for r in rows]


def _check(url: str, keys: EnvKeyProvider, tmp_path: Path) -> None:
    src, dst = "orders_" + secrets.token_hex(3), "orders_safe_" + secrets.token_hex(3)
    _load(url, src)
    d = Deidentifier(keys=keys)
    summary = d.deidentify_sql(url, src, dst, metadata=tmp_path / "m.json")
    assert summary.rows == len(ROWS)
    got = sorted(_read(url, dst), key=lambda r: int(str(r[0])))
    assert got[0][1] == "张*"
    assert got[1][1] == "李**"
    assert got[0][2] == "138****5678"
    assert cn_ric.is_valid(str(got[0][3]))
    assert got[0][3] != "360426199101010071"
    assert str(got[0][4]).endswith("电话139****4321")
    assert got[1][4] is None  # NULL stays NULL
    assert (tmp_path / "m.json").exists()
    with pytest.raises(ConfigError, match="already exists"):
        d.deidentify_sql(url, src, dst, metadata=tmp_path / "m.json")
    with pytest.raises(InputError, match="no table 'nope'"):
        d.deidentify_sql(url, "nope", dst + "x")


def test_sqlite(keys: EnvKeyProvider, tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'shop.db'}", keys, tmp_path)


@pytest.mark.db
def test_postgresql(pg_url: str, keys: EnvKeyProvider, tmp_path: Path) -> None:
    _check(pg_url, keys, tmp_path)


@pytest.mark.db
def test_mariadb(mysql_url: str, keys: EnvKeyProvider, tmp_path: Path) -> None:
    _check(mysql_url, keys, tmp_path)
