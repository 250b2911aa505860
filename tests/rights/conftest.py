"""A small ride-hailing shop schema (users, orders, trips, payments, chat messages with foreign
keys) in SQLite, PostgreSQL and MariaDB, with unique table names per test, dropped after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

ALICE_PHONE = "13800000001"
BOB_PHONE = "13900000002"


def engine_url(url: str) -> str:
    for plain, driver in (
        ("postgresql://", "postgresql+psycopg://"),
        ("mysql://", "mysql+pymysql://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


@dataclass
class Shop:
    url: str
    engine: Any
    suffix: str
    meta: sa.MetaData

    def t(self, name: str) -> str:
        return f"{name}_{self.suffix}"

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        out = {}
        with self.engine.connect() as conn:
            for table in self.meta.sorted_tables:
                key = next(iter(table.primary_key.columns))
                rows = conn.execute(sa.select(table).order_by(key)).fetchall()
                out[table.name] = [tuple(r) for r in rows]
        return out


def _build(url: str) -> Shop:
    suffix = uuid.uuid4().hex[:8]
    engine = sa.create_engine(engine_url(url))
    meta = sa.MetaData()
    s = lambda n: f"{n}_{suffix}"  # noqa: E731
    users = sa.Table(
        s("users"), meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("phone", sa.String(20)),
        sa.Column("email", sa.String(100)),
        sa.Column("name", sa.String(50)),
    )  # fmt: skip
    orders = sa.Table(
        s("orders"), meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey(f"{s('users')}.id"), nullable=False),
        sa.Column("amount", sa.String(20)),
        sa.Column("address", sa.String(200)),
    )  # fmt: skip
    trips = sa.Table(
        s("trips"), meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("order_id", sa.Integer, sa.ForeignKey(f"{s('orders')}.id"), nullable=False),
        sa.Column("pickup", sa.String(200)),
    )  # fmt: skip
    payments = sa.Table(
        s("payments"), meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("order_id", sa.Integer, sa.ForeignKey(f"{s('orders')}.id"), nullable=False),
        sa.Column("card", sa.String(30)),
    )  # fmt: skip
    messages = sa.Table(
        s("messages"), meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("sender_id", sa.Integer, sa.ForeignKey(f"{s('users')}.id"), nullable=False),
        sa.Column("body", sa.String(200)),
    )  # fmt: skip
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(users.insert(), [
            {"id": 1, "phone": ALICE_PHONE, "email": "alice@example.cn", "name": "张三"},
            {"id": 2, "phone": BOB_PHONE, "email": "bob@example.cn", "name": "李四"},
            {"id": 3, "phone": "13700000003", "email": None, "name": "王五"},
        ])  # fmt: skip
        conn.execute(orders.insert(), [
            {"id": 10, "user_id": 1, "amount": "23.50", "address": "北京市朝阳区建国路88号"},
            {"id": 11, "user_id": 1, "amount": "8.00", "address": "北京市海淀区中关村大街1号"},
            {"id": 12, "user_id": 2, "amount": "40.00", "address": "上海市浦东新区世纪大道100号"},
            {"id": 13, "user_id": 3, "amount": "12.00", "address": None},
        ])  # fmt: skip
        conn.execute(trips.insert(), [
            {"id": 100, "order_id": 10, "pickup": "国贸"},
            {"id": 101, "order_id": 11, "pickup": "中关村"},
            {"id": 102, "order_id": 12, "pickup": "陆家嘴"},
        ])  # fmt: skip
        conn.execute(payments.insert(), [
            {"id": 200, "order_id": 10, "card": "6222020200112233445"},
            {"id": 201, "order_id": 12, "card": "6222020200998877665"},
            {"id": 202, "order_id": 13, "card": None},
        ])  # fmt: skip
        conn.execute(messages.insert(), [
            {"id": 300, "sender_id": 1, "body": "我在门口"},
            {"id": 301, "sender_id": 2, "body": "马上到"},
            {"id": 302, "sender_id": 1, "body": "谢谢"},
        ])  # fmt: skip
    return Shop(url, engine, suffix, meta)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shop.db'}"
    elif request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        url = request.getfixturevalue("mysql_url")
    shop = _build(url)
    try:
        yield shop
    finally:
        shop.meta.drop_all(shop.engine)
        shop.engine.dispose()


@pytest.fixture
def sqlite_shop(tmp_path: Path) -> Iterator[Shop]:
    """The shop in SQLite only (for tests whose other half runs on a server)."""
    shop = _build(f"sqlite:///{tmp_path / 'shop.db'}")
    try:
        yield shop
    finally:
        shop.engine.dispose()


def description(
    shop: Shop, *, orders: str = "delete", users: str = "delete", extra: str = ""
) -> str:
    t = shop.t
    return f"""\
version: 1
datastores:
  - name: main
    url: env:PIGUARD_TEST_SHOP_URL
    tables:
      {t("users")}:
        key: id
        identity: {{user_id: id, phone: phone, email: email}}
        pi: {{phone: basic.phone, name: basic.name}}
        erasure: {users}
      {t("orders")}:
        key: id
        pi: {{address: basic.address}}
        erasure: {orders}
      {t("trips")}:
        key: id
        erasure: delete
      {t("payments")}:
        key: id
        erasure: delete
      {t("messages")}:
        key: id
        erasure: delete
{extra}"""


@pytest.fixture
def describe() -> Any:
    """The description builder (importlib mode: test modules cannot import conftest)."""
    return description
