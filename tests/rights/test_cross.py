"""References across datastores: a chat database (SQLite) whose messages point at the users of
the shop datastore (SQLite, PostgreSQL or MariaDB). The walk carries the person's user ids
from the shop to the chat; erasure goes children first (chat, then shop); resume works."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from piguard.errors import ConfigError
from piguard.rights import Executor, RequestStore, parse_description

TODAY = dt.date(2026, 11, 26)
ALICE_PHONE = "13800000001"
Shop = Any


def _chat(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE chats (id INTEGER PRIMARY KEY, uid INTEGER, body TEXT);"
            "CREATE TABLE attachments (id INTEGER PRIMARY KEY,"
            " chat_id INTEGER REFERENCES chats(id), name TEXT);"
            "INSERT INTO chats VALUES (1, 1, '你好'), (2, 2, 'hi'), (3, 1, '再见'), (4, 3, 'yo');"
            "INSERT INTO attachments VALUES (10, 1, 'a.jpg'), (20, 2, 'b.jpg'), (30, 3, 'c.jpg');"
        )


def _chat_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()  # noqa: S608
            for t in ("chats", "attachments")
        }


def _text(shop: Shop, describe: Any, chats: str = "delete", **kw: str) -> str:
    return (
        describe(shop, **kw)
        + f"""\
  - name: chat
    url: env:PIGUARD_TEST_CHAT_URL
    tables:
      chats:
        key: id
        references: {{uid: main.{shop.t("users")}.id}}
        pi: {{body: communication.content}}
        erasure: {chats}
      attachments:
        key: id
        erasure: delete
"""
    )


@pytest.fixture
def env(shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Shop, Path]:
    chat = tmp_path / "chat.db"
    _chat(chat)
    monkeypatch.setenv("PIGUARD_TEST_SHOP_URL", shop.url)
    monkeypatch.setenv("PIGUARD_TEST_CHAT_URL", f"sqlite:///{chat}")
    return shop, chat


def _executor(text: str, tmp_path: Path) -> Executor:
    return Executor(
        parse_description(text, source="d.yaml"),
        RequestStore(tmp_path / "requests.db"),
        work_dir=tmp_path / "work",
        page_size=1,
        today=lambda: TODAY,
    )


def _request(ex: Executor, kind: str, **identity: str) -> str:
    req = ex.store.create(kind, identity, received=TODAY)
    ex.verify(req.id)
    return req.id


def test_access_follows_the_reference_into_the_other_datastore(
    env: tuple[Shop, Path], tmp_path: Path, describe: Any
) -> None:
    shop, _ = env
    ex = _executor(_text(shop, describe), tmp_path)
    rid = _request(ex, "access", phone=ALICE_PHONE)  # the chat has no phone column
    req = ex.run(rid, output=tmp_path / "p.zip")
    assert req.state == "completed", req.reason
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        chats = json.loads(zf.read("chat/chats.json"))
        attachments = json.loads(zf.read("chat/attachments.json"))
    assert [c["id"] for c in chats] == [1, 3]
    assert [a["name"] for a in attachments] == ["a.jpg", "c.jpg"]
    steps = [s.step for s in ex.store.steps(rid)]
    assert steps == ["carry:main", "collect:chat", "collect:main"]
    assert ex.store.carried(rid, "main", shop.t("users"), "id") == set()  # forgotten at the end


def test_deletion_children_first_across_datastores(
    env: tuple[Shop, Path], tmp_path: Path, describe: Any
) -> None:
    shop, chat = env
    before_shop, before_chat = shop.snapshot(), _chat_rows(chat)
    ex = _executor(_text(shop, describe), tmp_path)
    rid = _request(ex, "deletion", phone=ALICE_PHONE)
    req = ex.run(rid)
    assert req.state == "completed", req.reason
    steps = [s.step for s in ex.store.steps(rid)]
    assert steps == ["carry:main", "erase:chat", "erase:main", "consents"]
    after = _chat_rows(chat)
    assert after["chats"] == [r for r in before_chat["chats"] if r[1] != 1]
    assert after["attachments"] == [r for r in before_chat["attachments"] if r[1] not in (1, 3)]
    t = shop.t
    assert [r[0] for r in shop.snapshot()[t("users")]] == [2, 3]
    assert shop.snapshot()[t("orders")] == [r for r in before_shop[t("orders")] if r[1] != 1]


def test_failed_child_datastore_stops_before_the_parent_and_resumes(
    env: tuple[Shop, Path], tmp_path: Path, describe: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop, chat = env
    before_shop = shop.snapshot()
    monkeypatch.setenv("PIGUARD_TEST_CHAT_URL", f"sqlite:///{tmp_path}/missing/dir/chat.db")
    ex = _executor(_text(shop, describe), tmp_path)
    rid = _request(ex, "deletion", user_id="1")
    req = ex.run(rid)
    assert req.state == "failed"
    assert (req.reason or "").startswith("datastore chat:")
    assert shop.snapshot() == before_shop  # the parent is erased only after its children
    monkeypatch.setenv("PIGUARD_TEST_CHAT_URL", f"sqlite:///{chat}")
    req = ex.run(rid)
    assert req.state == "completed", req.reason
    attempts = {s.step: s.attempts for s in ex.store.steps(rid)}
    assert attempts == {"carry:main": 1, "erase:chat": 2, "erase:main": 1, "consents": 1}
    assert [r[0] for r in _chat_rows(chat)["chats"]] == [2, 4]


def test_kept_child_blocks_deleting_its_parent_in_another_datastore(
    env: tuple[Shop, Path], tmp_path: Path, describe: Any
) -> None:
    shop, chat = env
    before = shop.snapshot(), _chat_rows(chat)
    text = _text(shop, describe, chats="{hold: {reason: 聊天记录 kept for disputes}}")
    ex = _executor(text, tmp_path)
    rid = _request(ex, "deletion", user_id="1")
    with pytest.raises(ConfigError, match=r"main\..*users.* would be deleted but chat\.chats"):
        ex.run(rid)
    assert (shop.snapshot(), _chat_rows(chat)) == before
    assert ex.store.get(rid).state == "identity_verified"


def test_description_errors() -> None:
    base = (
        "datastores:\n"
        "  - name: a\n    url: sqlite://\n    tables:\n"
        "      t: {key: id, references: {x: b.u.id}, erasure: delete}\n"
    )
    with pytest.raises(ConfigError, match=r"d.yaml:5: table t references b.u, which the "):
        parse_description(base, source="d.yaml")
    with pytest.raises(ConfigError, match=r"'table.column' or 'datastore.table.column'"):
        parse_description(base.replace("b.u.id", "b.u.id.z"), source="d.yaml")
    cyc = base + (
        "  - name: b\n    url: sqlite://\n    tables:\n"
        "      u: {key: id, references: {y: a.t.id}, erasure: delete}\n"
    )
    ex = Executor(parse_description(cyc, source="d.yaml"), RequestStore(":memory:"), work_dir=".")
    with pytest.raises(ConfigError, match="form a cycle"):
        ex._datastore_order()
    # naming the own datastore is a plain reference
    own = base.replace("b.u.id", "a.t.id")
    d = parse_description(own, source="d.yaml")
    assert d.datastores["a"].tables["t"].references[0].datastore is None


def test_example_with_two_datastores_parses() -> None:
    from piguard.rights import load_description

    root = Path(__file__).parents[2] / "examples" / "datastores"
    d = load_description(root / "ride-and-chat.yaml")
    (ref,) = d.datastores["chat"].tables["chats"].references
    assert (ref.datastore, ref.parent, ref.parent_column) == ("ride", "users", "id")
    ex = Executor(d, RequestStore(":memory:"), work_dir=".")
    assert ex._datastore_order() == ["ride", "chat"]
    assert ex._datastore_order(children_first=True) == ["chat", "ride"]
