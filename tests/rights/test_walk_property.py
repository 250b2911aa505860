"""Property: for any ownership graph, access returns exactly the person's rows and deletion
removes exactly them (SQLite; the same code runs on PostgreSQL and MariaDB in test_engine)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from piguard.rights import Executor, RequestStore, parse_description

DESCRIPTION = """\
datastores:
  - name: db
    url: {url}
    tables:
      users: {{key: id, identity: {{user_id: id}}, erasure: delete}}
      orders: {{key: id, erasure: delete}}
      items: {{key: id, references: {{order_ref: orders.code}}, erasure: delete}}
      notes: {{key: id, references: {{about_order: orders.id}}, erasure: delete}}
"""
SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), code TEXT);
CREATE TABLE items (id INTEGER PRIMARY KEY, order_ref TEXT);
CREATE TABLE notes (id INTEGER PRIMARY KEY, about_order INTEGER);
"""


def _ids(conn: sqlite3.Connection, table: str) -> set[int]:
    return {r[0] for r in conn.execute(f"SELECT id FROM {table}")}  # noqa: S608 (constant names)


graphs = st.tuples(
    st.integers(1, 4),  # users
    st.lists(st.integers(1, 4), max_size=12),  # owner of each order
    st.lists(st.integers(0, 11), max_size=15),  # order index of each item
    st.lists(st.integers(0, 11), max_size=8),  # order index of each note
    st.integers(1, 4),  # the person
)


@settings(max_examples=25)
@given(graphs)
def test_access_and_deletion_match_the_ownership_graph(
    graph: tuple[int, list[int], list[int], list[int], int],
) -> None:
    n_users, order_owner, item_order, note_order, person = graph
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "g.db"
        with sqlite3.connect(db) as conn:
            conn.executescript(SCHEMA)
            conn.executemany("INSERT INTO users VALUES (?)", [(u,) for u in range(1, n_users + 1)])
            owners = [o for o in order_owner if o <= n_users]
            conn.executemany(
                "INSERT INTO orders VALUES (?, ?, ?)",
                [(i, o, f"C{i}") for i, o in enumerate(owners)],
            )
            items = [(i, f"C{o}") for i, o in enumerate(item_order) if o < len(owners)]
            notes = [(i, o) for i, o in enumerate(note_order) if o < len(owners)]
            conn.executemany("INSERT INTO items VALUES (?, ?)", items)
            conn.executemany("INSERT INTO notes VALUES (?, ?)", notes)
        mine = {i for i, o in enumerate(owners) if o == person}
        expected = {
            "users": {person} if person <= n_users else set(),
            "orders": mine,
            "items": {i for i, code in items if int(code[1:]) in mine},
            "notes": {i for i, o in notes if o in mine},
        }
        desc = parse_description(DESCRIPTION.format(url=f"sqlite:///{db}"))
        store = RequestStore(":memory:")
        ex = Executor(desc, store, work_dir=Path(tmp) / "w", page_size=2)
        req = store.create("access", {"user_id": str(person)}, received=dt.date(2026, 1, 1))
        ex.verify(req.id)
        assert ex.run(req.id, output=Path(tmp) / "out").state == "completed"
        for table, ids in expected.items():
            rows = json.loads((Path(tmp) / "out" / "db" / f"{table}.json").read_text())
            assert {r["id"] for r in rows} == ids, table
        with sqlite3.connect(db) as conn:
            before = {t: _ids(conn, t) for t in expected}
        req = store.create("deletion", {"user_id": str(person)}, received=dt.date(2026, 1, 1))
        ex.verify(req.id)
        assert ex.run(req.id).state == "completed"
        with sqlite3.connect(db) as conn:
            for t, ids in expected.items():
                assert _ids(conn, t) == before[t] - ids


def test_ignored_reference_is_not_followed(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE users (id INTEGER PRIMARY KEY);"
            "CREATE TABLE trips (id INTEGER PRIMARY KEY,"
            " passenger_id INTEGER REFERENCES users(id), driver_id INTEGER REFERENCES users(id));"
            "INSERT INTO users VALUES (1), (2);"
            "INSERT INTO trips VALUES (10, 1, 2), (11, 2, 1);"
        )
    text = (
        f"datastores:\n  - name: db\n    url: sqlite:///{db}\n    tables:\n"
        "      users: {key: id, identity: {user_id: id}, erasure: delete}\n"
        "      trips: {key: id, ignore_references: [driver_id], erasure: delete}\n"
    )
    store = RequestStore(":memory:")
    ex = Executor(parse_description(text), store, work_dir=tmp_path / "w")
    req = store.create("access", {"user_id": "1"}, received=dt.date(2026, 1, 1))
    ex.verify(req.id)
    ex.run(req.id, output=tmp_path / "out")
    trips = json.loads((tmp_path / "out" / "db" / "trips.json").read_text())
    assert [t["id"] for t in trips] == [10]  # as passenger only; trip 11 is user 2's
