"""Explanation requests (PIPL Art. 48): where the person's PI is held (row counts, categories,
what deletion does), and from the data map the purposes, legal bases, retention, recipients and
transfers abroad; no values. SQLite, PostgreSQL and MariaDB; and through the command line."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from piguard.cli.app import app
from piguard.datamap import parse_datamap
from piguard.rights import Executor, RequestStore, parse_description

TODAY = dt.date(2026, 11, 26)
ALICE_PHONE = "13800000001"
ROOT = Path(__file__).parents[2]
DATAMAP = """\
datamap: 1
organisation: 示例出行 Example Ride
systems:
  - id: app
    name: 乘客端
    functions:
      - id: registration
        name: 注册
        type: basic
        pi:
          - category: basic.phone.mobile
            purposes: [account]
            legal_basis: consent
            retention: P3Y
      - id: delivery
        name: 上车点
        type: basic
        pi:
          - category: basic.address
            purposes: [pick-up]
            legal_basis: contract
            retention: P2Y
            recipients:
              - {name: Example Maps, type: entrusted_processor, country: CN}
            cross_border:
              - {country: SG, recipient: Example Cloud SG, legal_basis: separate_consent}
"""
Shop = Any


@pytest.fixture
def shop_env(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> Shop:
    monkeypatch.setenv("PIGUARD_TEST_SHOP_URL", shop.url)
    return shop


def _run(shop: Shop, text: str, tmp_path: Path, out: Path, datamap: bool = True) -> Any:
    ex = Executor(
        parse_description(text, source="shop.yaml"),
        RequestStore(tmp_path / "requests.db"),
        work_dir=tmp_path / "work",
        page_size=1,
        today=lambda: TODAY,
        datamap=parse_datamap(DATAMAP, source="map.yaml") if datamap else None,
    )
    req = ex.store.create("explanation", {"phone": ALICE_PHONE}, received=TODAY)
    ex.verify(req.id)
    return ex, ex.run(req.id, output=out)


def test_explanation_names_holdings_and_processing_without_values(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    before = shop_env.snapshot()
    text = describe(shop_env, orders="{hold: {reason: 网约车 order records kept by law, "
                    "until: 2099-12-31}}", users="{mask: {phone: CN_MOBILE}}")  # fmt: skip
    ex, req = _run(shop_env, text, tmp_path, tmp_path / "why.zip")
    assert req.state == "completed", req.reason
    assert shop_env.snapshot() == before  # read-only
    with zipfile.ZipFile(tmp_path / "why.zip") as zf:
        assert sorted(zf.namelist()) == ["explanation.json", "explanation.md"]
        doc = json.loads(zf.read("explanation.json"))
        md = zf.read("explanation.md").decode("utf-8")
    t = shop_env.t
    assert doc["schema"] == "piguard.explanation/1"
    assert doc["organisation"] == "示例出行 Example Ride"
    rows = {h["table"]: h["rows"] for h in doc["holdings"]}
    assert rows == {t("users"): 1, t("orders"): 2, t("trips"): 2, t("payments"): 1,
                    t("messages"): 2}  # fmt: skip
    erasure = {h["table"]: h["erasure"] for h in doc["holdings"]}
    assert erasure[t("orders")] == {
        "action": "hold",
        "reason": "网约车 order records kept by law",
        "until": "2099-12-31",
        "in_force": True,
    }
    assert erasure[t("users")] == {"action": "mask", "columns": ["phone"]}
    cats = {c["key"]: c for c in doc["categories"]}
    assert set(cats) == {"basic.phone", "basic.name", "basic.address"}
    (phone,) = cats["basic.phone"]["processing"]
    assert phone["function"] == "注册"
    assert phone["category"] == "basic.phone.mobile"
    assert phone["legal_basis"] == ["consent"]
    assert phone["retention"] == "P3Y"
    (addr,) = cats["basic.address"]["processing"]
    assert addr["recipients"] == [
        {"name": "Example Maps", "type": "entrusted_processor", "country": "CN"}
    ]
    assert addr["cross_border"] == [
        {"country": "SG", "recipient": "Example Cloud SG", "legal_basis": ["separate_consent"]}
    ]
    assert cats["basic.name"]["processing"] == []
    assert "transferred abroad to Example Cloud SG in SG" in md
    assert "kept under a legal hold until 2099-12-31" in md
    assert "Not in the data map." in md
    # no values of the person anywhere
    everything = json.dumps(doc, ensure_ascii=False) + md
    for value in (ALICE_PHONE, "alice@example.cn", "张三", "建国路88号", "6222020200112233445"):
        assert value not in everything
    steps = [s.step for s in ex.store.steps(req.id)]
    assert steps == ["explain:main"]


def test_explanation_without_datamap_and_for_a_stranger(
    shop_env: Shop, tmp_path: Path, describe: Any
) -> None:
    _, req = _run(shop_env, describe(shop_env), tmp_path, tmp_path / "why", datamap=False)
    assert req.state == "completed", req.reason
    doc = json.loads((tmp_path / "why" / "explanation.json").read_text(encoding="utf-8"))
    assert doc["organisation"] is None
    assert all("processing" not in c for c in doc["categories"])
    assert len(doc["holdings"]) == 5


def test_explanation_needs_an_output(shop_env: Shop, tmp_path: Path, describe: Any) -> None:
    ex = Executor(
        parse_description(describe(shop_env), source="shop.yaml"),
        RequestStore(tmp_path / "requests.db"),
        work_dir=tmp_path / "work",
    )
    req = ex.store.create("explanation", {"user_id": "1"}, received=TODAY)
    ex.verify(req.id)
    with pytest.raises(Exception, match="explanation request needs an output"):
        ex.run(req.id)


def test_cli_explanation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "ride.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, phone TEXT, email TEXT, name TEXT,"
            " id_number TEXT);"
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, address TEXT);"
            "CREATE TABLE trips (id INTEGER PRIMARY KEY, order_id INTEGER, pickup TEXT);"
            "CREATE TABLE payments (id INTEGER PRIMARY KEY, order_id INTEGER, card TEXT);"
            "CREATE TABLE messages (id INTEGER PRIMARY KEY, sender_id INTEGER, body TEXT);"
            "INSERT INTO users VALUES (1, '13800000001', NULL, '张三', NULL);"
            "INSERT INTO orders VALUES (10, 1, '北京市朝阳区建国路88号');"
            "INSERT INTO trips VALUES (100, 10, '国贸');"
        )
    monkeypatch.setenv("PIGUARD_RIDE_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("PIGUARD_REQUESTS_DB", str(tmp_path / "requests.db"))
    runner = CliRunner()
    out = runner.invoke(app, ["requests", "create", "explanation", "--user-id", "1"]).output
    m = re.match(r"(req-[0-9a-f]{16})\s", out)
    assert m, out
    rid = m.group(1)
    assert runner.invoke(app, ["requests", "verify", rid]).exit_code == 0
    desc = str(ROOT / "examples" / "datastores" / "ride-hailing.yaml")
    dm = str(ROOT / "examples" / "datamaps" / "ride-hailing-compliant.yaml")
    result = runner.invoke(
        app, ["requests", "run", rid, "-d", desc, "--datamap", dm, "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 0, result.output
    assert "completed" in result.output
    md = (tmp_path / "x" / "explanation.md").read_text(encoding="utf-8")
    assert "注册 (registration) (乘客端 App (passenger app)): for ride-booking" in md
    assert "13800000001" not in md
    doc = json.loads((tmp_path / "x" / "explanation.json").read_text(encoding="utf-8"))
    assert {h["table"]: h["rows"] for h in doc["holdings"]} == {
        "users": 1,
        "orders": 1,
        "trips": 1,
    }
