"""Access, deletion, legal holds and resume against SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from piguard.audit import MemorySink, Pseudonymizer
from piguard.keys import EnvKeyProvider
from piguard.rights import Executor, RequestStore, parse_description

TODAY = dt.date(2026, 11, 26)
ALICE_PHONE = "13800000001"
Shop = Any


def _executor(shop: Shop, text: str, tmp_path: Path, sink: MemorySink | None = None) -> Executor:
    keys = EnvKeyProvider(environ={"PIGUARD_KEY_AUDIT": "22" * 32})
    return Executor(
        parse_description(text, source="shop.yaml"),
        RequestStore(tmp_path / "requests.db"),
        work_dir=tmp_path / "work",
        audit=sink,
        pseudonymizer=Pseudonymizer(keys, "audit"),
        page_size=1,  # forces keyset pagination over several pages
        today=lambda: TODAY,
    )


def _request(ex: Executor, kind: str, **identity: str) -> str:
    req = ex.store.create(kind, identity, received=TODAY)
    ex.verify(req.id)
    return req.id


def _without(snap: dict[str, list[tuple[Any, ...]]], shop: Shop, gone: dict[str, set[int]]):
    return {
        name: [r for r in rows if r[0] not in gone.get(name, set())] for name, rows in snap.items()
    }


ALICE = {
    "users": {1},
    "orders": {10, 11},
    "trips": {100, 101},
    "payments": {200},
    "messages": {300, 302},
}


def _alice(shop: Shop) -> dict[str, set[int]]:
    return {shop.t(k): v for k, v in ALICE.items()}


@pytest.fixture
def shop_env(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> Shop:
    monkeypatch.setenv("PIGUARD_TEST_SHOP_URL", shop.url)
    return shop


def test_access_returns_exactly_that_persons_rows(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    sink = MemorySink()
    ex = _executor(shop_env, describe(shop_env), tmp_path, sink)
    rid = _request(ex, "portability", phone=ALICE_PHONE)
    out = tmp_path / "alice.zip"
    req = ex.run(rid, output=out)
    assert req.state == "completed", req.reason
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        for entry in manifest["files"]:
            assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
        for table, ids in _alice(shop_env).items():
            rows = json.loads(zf.read(f"main/{table}.json"))
            assert sorted(r["id"] for r in rows) == sorted(ids)
            text = zf.read(f"main/{table}.csv").decode("utf-8-sig")
            assert sorted(int(r["id"]) for r in csv.DictReader(text.splitlines())) == sorted(ids)
        users = json.loads(zf.read(f"main/{shop_env.t('users')}.json"))
        assert users == [
            {"id": 1, "phone": ALICE_PHONE, "email": "alice@example.cn", "name": "张三"}
        ]
    assert manifest["schema"] == "piguard.portability/1"
    rows = {e["path"]: e["rows"] for e in manifest["files"]}
    assert rows[f"main/{shop_env.t('orders')}.csv"] == 2
    assert rows[f"main/{shop_env.t('users')}.json"] == 1
    # audit events carry a keyed pseudonym and no raw identity
    assert sink.events
    assert all(ALICE_PHONE not in json.dumps(e.to_dict()) for e in sink.events)
    expected = Pseudonymizer(EnvKeyProvider(environ={"PIGUARD_KEY_AUDIT": "22" * 32}), "audit")
    assert {e.subject for e in sink.events} == {expected.pseudonym(ALICE_PHONE)}
    assert {e.action for e in sink.events} >= {"rights.step.collect", "rights.request.completed"}


def test_access_to_folder(shop_env: Shop, tmp_path: Path, describe: Any) -> None:
    ex = _executor(shop_env, describe(shop_env), tmp_path)
    rid = _request(ex, "access", user_id="2")
    ex.run(rid, output=tmp_path / "bob")
    rows = json.loads((tmp_path / "bob" / "main" / f"{shop_env.t('orders')}.json").read_text())
    assert [r["id"] for r in rows] == [12]
    assert (tmp_path / "bob" / "manifest.json").exists()


def test_deletion_removes_exactly_that_person(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    before = shop_env.snapshot()
    ex = _executor(shop_env, describe(shop_env), tmp_path)
    rid = _request(ex, "deletion", email="alice@example.cn")
    req = ex.run(rid)
    assert req.state == "completed", req.reason
    assert shop_env.snapshot() == _without(before, shop_env, _alice(shop_env))
    step, consents = ex.store.steps(rid)
    assert step.detail["rows"][shop_env.t("orders")] == 2
    assert (consents.step, consents.state) == ("consents", "skipped")  # no consent service


def test_legal_hold_and_mask(shop_env: Shop, tmp_path: Path, describe: Any) -> None:
    before = shop_env.snapshot()
    text = describe(
        shop_env,
        orders="{hold: {reason: 网约车 order records kept 3 years, until: 2099-12-31}}",
        users="{mask: {phone: CN_MOBILE, name: PERSON_NAME, email: {operator: redact}}}",
    )
    ex = _executor(shop_env, text, tmp_path)
    req = ex.run(_request(ex, "cancellation", phone=ALICE_PHONE))
    assert req.state == "completed", req.reason
    after = shop_env.snapshot()
    t = shop_env.t
    assert after[t("orders")] == before[t("orders")]  # held: untouched
    assert after[t("users")][0] == (1, "138****0001", "", "张*")  # redact leaves ""
    assert after[t("users")][1:] == before[t("users")][1:]
    gone = {t("trips"): {100, 101}, t("payments"): {200}, t("messages"): {300, 302}}
    for name in gone:
        assert after[name] == _without(before, shop_env, gone)[name]
    step, consents = ex.store.steps(req.id)
    assert consents.step == "consents"
    assert consents.state == "skipped"  # no consent service given: recorded, not hidden
    assert step.detail["held"] == {t("orders"): "网约车 order records kept 3 years"}


def test_expired_hold_no_longer_applies(shop_env: Shop, tmp_path: Path, describe: Any) -> None:
    before = shop_env.snapshot()
    text = describe(shop_env, orders="{hold: {reason: tax law, until: 2020-01-01}}")
    ex = _executor(shop_env, text, tmp_path)
    assert ex.run(_request(ex, "deletion", user_id="1")).state == "completed"
    assert shop_env.snapshot() == _without(before, shop_env, _alice(shop_env))


def test_delete_parent_of_held_rows_is_refused_before_touching_data(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    before = shop_env.snapshot()
    text = describe(shop_env, orders="{hold: {reason: tax law}}")
    ex = _executor(shop_env, text, tmp_path)
    req = ex.run(_request(ex, "deletion", user_id="1"))
    assert req.state == "failed"
    assert "give " + shop_env.t("users") + " a mask erasure" in (req.reason or "")
    assert shop_env.snapshot() == before


def _two_stores(shop: Shop, tmp_path: Path, describe: Any) -> tuple[str, str]:
    import sqlalchemy as sa

    chat = tmp_path / "chat.db"
    eng = sa.create_engine(f"sqlite:///{chat}")
    with eng.begin() as conn:
        conn.execute(sa.text("CREATE TABLE chat (id INTEGER PRIMARY KEY, uid INTEGER, body TEXT)"))
        conn.execute(
            sa.text("INSERT INTO chat VALUES (1, 1, '你好'), (2, 2, 'hi'), (3, 1, '再见')")
        )
    eng.dispose()
    extra = """\
  - name: zchat
    url: env:PIGUARD_TEST_CHAT_URL
    tables:
      chat: {key: id, identity: {user_id: uid}, erasure: delete}
"""
    return describe(shop, extra=extra), f"sqlite:///{chat}"


@pytest.mark.parametrize("kind", ["deletion", "access"])
def test_unreachable_datastore_fails_and_resumes(
    shop_env: Shop, tmp_path: Path, describe: Any, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    text, chat_url = _two_stores(shop_env, tmp_path, describe)
    monkeypatch.setenv("PIGUARD_TEST_CHAT_URL", f"sqlite:///{tmp_path}/missing/dir/chat.db")
    before = shop_env.snapshot()
    ex = _executor(shop_env, text, tmp_path)
    rid = _request(ex, kind, user_id="1")
    out = tmp_path / "pkg.zip" if kind == "access" else None
    req = ex.run(rid, output=out)
    assert req.state == "failed"
    steps = {s.step: s for s in ex.store.steps(rid)}
    step = "erase" if kind == "deletion" else "collect"
    assert steps[f"{step}:main"].state == "done"
    assert steps[f"{step}:zchat"].state == "failed"
    assert "OperationalError" in (steps[f"{step}:zchat"].error or "")
    assert "zchat" in (req.reason or "")
    assert out is None or not out.exists()
    monkeypatch.setenv("PIGUARD_TEST_CHAT_URL", chat_url)
    req = ex.run(rid, output=out)
    assert req.state == "completed", req.reason
    steps = {s.step: s for s in ex.store.steps(rid)}
    assert steps[f"{step}:main"].attempts == 1  # not repeated
    assert steps[f"{step}:zchat"].attempts == 2
    if kind == "deletion":
        assert shop_env.snapshot() == _without(before, shop_env, _alice(shop_env))
    else:
        assert out is not None
        with zipfile.ZipFile(out) as zf:
            assert [r["id"] for r in json.loads(zf.read("zchat/chat.json"))] == [1, 3]
            orders = json.loads(zf.read(f"main/{shop_env.t('orders')}.json"))
            assert [r["id"] for r in orders] == [10, 11]  # no duplicates after resume


def test_unknown_person_gets_empty_package(shop_env: Shop, tmp_path: Path, describe: Any) -> None:
    before = shop_env.snapshot()
    ex = _executor(shop_env, describe(shop_env), tmp_path)
    assert ex.run(_request(ex, "deletion", phone="13600000009")).state == "completed"
    assert shop_env.snapshot() == before


def _consent_service() -> Any:
    """A consent service in memory: person 1 consented to trip and ads, person 2 to trip."""
    from piguard.consent import Channel, ConsentService, MemoryConsentStore, Purpose
    from piguard.keys import NoteSigner

    sink = MemorySink()
    pseudo = Pseudonymizer(EnvKeyProvider(environ={"PIGUARD_KEY_SUBJECT": "11" * 32}), "subject")
    svc = ConsentService(
        MemoryConsentStore(),
        audit=sink,
        pseudonymize=pseudo.pseudonym,
        signer=NoteSigner.generate("consent.test"),
    )
    svc.publish_notice(
        "policy",
        [
            Purpose(id="trip", description="rides", categories=("location.precise",)),
            Purpose(id="ads", description="offers", categories=("basic.email",)),
        ],
        actor="admin",
    )
    svc.grant("1", "policy", ["trip", "ads"], channel=Channel.APP, actor="app")
    svc.grant("2", "policy", ["trip"], channel=Channel.APP, actor="app")
    return svc


def test_cancellation_withdraws_current_consents(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    svc = _consent_service()
    ex = _executor(shop_env, describe(shop_env), tmp_path)
    ex.consents = svc
    req = ex.run(_request(ex, "cancellation", user_id="1"))
    assert req.state == "completed", req.reason
    assert ex.store.steps(req.id)[-1].detail == {"withdrawn": 2}
    assert not svc.decide("1", "policy", "trip", ["location.precise"]).allow
    assert svc.decide("2", "policy", "trip", ["location.precise"]).allow
    again = ex.store.create("consent_withdrawal", {"user_id": "1"}, received=TODAY)
    ex.verify(again.id)
    assert ex.run(again.id).state == "completed"
    assert ex.store.steps(again.id)[-1].detail == {"withdrawn": 0}  # nothing current left


def test_deletion_withdraws_consents_too(shop_env: Shop, tmp_path: Path, describe: Any) -> None:
    # the issue: deletion and cancellation "also revoke consents"
    svc = _consent_service()
    ex = _executor(shop_env, describe(shop_env), tmp_path)
    ex.consents = svc
    req = ex.run(_request(ex, "deletion", user_id="1"))
    assert req.state == "completed", req.reason
    assert ex.store.steps(req.id)[-1].detail == {"withdrawn": 2}
    assert not svc.decide("1", "policy", "ads", ["basic.email"]).allow
    assert svc.decide("2", "policy", "trip", ["location.precise"]).allow
    # named by phone only: the rows are erased, and the step says why no consent was found
    by_phone = ex.run(_request(ex, "deletion", phone="13900000002"))
    assert by_phone.state == "completed", by_phone.reason
    last = ex.store.steps(by_phone.id)[-1]
    assert (last.step, last.state) == ("consents", "skipped")
    assert last.detail == {"skipped": "the request names no user_id"}
    assert svc.decide("2", "policy", "trip", ["location.precise"]).allow


def _engine_url(url: str) -> str:
    for plain, driver in (
        ("postgresql://", "postgresql+psycopg://"),
        ("mysql://", "mysql+pymysql://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def test_connection_lost_mid_erasure_rolls_back_and_resumes(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    import sqlalchemy as sa

    before = shop_env.snapshot()
    broken = {"on": True}
    target = shop_env.t("orders")

    def connect(url: str) -> Any:
        engine = sa.create_engine(_engine_url(url))

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _drop(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if (
                broken["on"]
                and statement.lstrip().upper().startswith("DELETE")
                and target in statement
            ):
                raise sa.exc.OperationalError(
                    statement, {}, ConnectionError("server closed the connection")
                )

        return engine

    ex = _executor(shop_env, describe(shop_env), tmp_path)
    ex._connect = connect
    rid = _request(ex, "deletion", user_id="1")
    req = ex.run(rid)
    assert req.state == "failed"
    (step,) = ex.store.steps(rid)
    assert (step.state, step.table) == ("failed", target)
    assert "server closed the connection" in (step.error or "")
    # trips, payments and messages were deleted before orders failed: all rolled back
    assert shop_env.snapshot() == before
    broken["on"] = False
    assert ex.run(rid).state == "completed"
    assert shop_env.snapshot() == _without(before, shop_env, _alice(shop_env))


def test_interrupted_request_resumes(shop_env: Shop, tmp_path: Path, describe: Any) -> None:
    before = shop_env.snapshot()
    ex = _executor(shop_env, describe(shop_env), tmp_path)
    rid = _request(ex, "deletion", user_id="1")
    ex.store.transition(rid, "in_progress")  # a process killed while running
    assert ex.run(rid).state == "completed"
    assert shop_env.snapshot() == _without(before, shop_env, _alice(shop_env))


def test_correction_changes_only_that_persons_rows(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    before = shop_env.snapshot()
    ex = _executor(shop_env, describe(shop_env), tmp_path)
    t = shop_env.t
    changes = [
        {"datastore": "main", "table": t("users"), "column": "phone", "value": "13800000009"},
        {"datastore": "main", "table": t("orders"), "column": "address", "value": "北京市东城区"},
    ]
    req = ex.store.create(
        "correction", {"user_id": "1"}, received=TODAY, payload={"changes": changes}
    )
    ex.verify(req.id)
    assert ex.run(req.id).state == "completed"
    after = shop_env.snapshot()
    assert after[t("users")][0] == (1, "13800000009", "alice@example.cn", "张三")
    assert after[t("users")][1:] == before[t("users")][1:]
    assert [r[3] for r in after[t("orders")]] == ["北京市东城区", "北京市东城区"] + [
        r[3] for r in before[t("orders")][2:]
    ]
    assert ex.store.get(req.id).to_dict()["changes"][0] == {
        "datastore": "main",
        "table": t("users"),
        "column": "phone",
    }  # the new value (PI) is not shown
    for name in (t("trips"), t("payments"), t("messages")):
        assert after[name] == before[name]


@pytest.mark.parametrize("shop", ["postgresql", "mariadb"], indirect=True)
def test_a_failed_correction_does_not_echo_the_value(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    """The servers echo the value that broke a unique key (MySQL "Duplicate entry '<value>'");
    the failure reason and the step's error keep the error's kind, not the value."""
    import sqlalchemy as sa

    users = shop_env.t("users")
    with shop_env.engine.begin() as conn:
        conn.execute(sa.text(f"CREATE UNIQUE INDEX {users}_ph ON {users} (phone)"))
    ex = _executor(shop_env, describe(shop_env), tmp_path)
    bob_phone = "13900000002"
    changes = [{"datastore": "main", "table": users, "column": "phone", "value": bob_phone}]
    req = ex.store.create(
        "correction", {"user_id": "1"}, received=TODAY, payload={"changes": changes}
    )
    ex.verify(req.id)
    failed = ex.run(req.id)
    assert failed.state == "failed"
    shown = json.dumps([failed.to_dict(), [s.to_dict() for s in ex.store.steps(req.id)]])
    assert "IntegrityError" in shown
    assert bob_phone not in shown


@pytest.mark.parametrize("shop", ["sqlite"], indirect=True)
@pytest.mark.parametrize("url", ["postgresql://u:s3cretpw@h:x/db", "foo://u:s3cretpw@h/db"])
def test_unusable_datastore_url_fails_the_request_in_one_line(
    url: str, shop: Shop, tmp_path: Path, describe: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad port or an unknown scheme: the request ends failed (resumable), not left in
    progress by a traceback, and the reason shows no password."""
    monkeypatch.setenv("PIGUARD_TEST_SHOP_URL", url)
    ex = _executor(shop, describe(shop), tmp_path)
    req = ex.run(_request(ex, "deletion", user_id="1"))
    assert req.state == "failed"
    assert "cannot open the datastore" in (req.reason or "")
    assert "s3cretpw" not in json.dumps(
        [req.to_dict()] + [s.to_dict() for s in ex.store.steps(req.id)]
    )


def test_package_output_in_a_new_folder_or_unwritable(
    sqlite_shop: Shop, tmp_path: Path, describe: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .zip in a folder that does not exist yet is written there (as a folder package is);
    one that cannot be written fails the request in one line, and resume writes it."""
    monkeypatch.setenv("PIGUARD_TEST_SHOP_URL", sqlite_shop.url)
    ex = _executor(sqlite_shop, describe(sqlite_shop), tmp_path)
    out = tmp_path / "new" / "dir" / "alice.zip"
    assert ex.run(_request(ex, "access", user_id="1"), output=out).state == "completed"
    assert zipfile.is_zipfile(out)
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    rid = _request(ex, "explanation", user_id="1")
    failed = ex.run(rid, output=blocker / "explanation.zip")
    assert failed.state == "failed"
    assert failed.reason is not None
    assert failed.reason.startswith("writing explanation.zip: ")
    assert "\n" not in failed.reason
    done = ex.run(rid, output=tmp_path / "explanation.zip")
    assert done.state == "completed"
    assert zipfile.is_zipfile(tmp_path / "explanation.zip")
