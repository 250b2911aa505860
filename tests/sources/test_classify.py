"""Column classification: header hints, value evidence, hard cases, dataset facts."""

from __future__ import annotations

import datetime
import functools
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piguard.sources import (
    DiscoveryOptions,
    Inventory,
    Reservoir,
    TableFacts,
    TableReport,
    discover,
    hint_for,
)

TODAY = datetime.date(2024, 6, 30)
OPTS = DiscoveryOptions(today=TODAY, sample_size=300)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"


def _ck(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _table(tmp_path: Path, name: str, columns: dict[str, list[object]]) -> Path:
    path = tmp_path / name
    keys = list(columns)
    n = len(columns[keys[0]])
    lines = [",".join(keys)] + [",".join(str(columns[k][i]) for k in keys) for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _columns(path: Path, options: DiscoveryOptions = OPTS) -> dict[str, object]:
    inv = discover([str(path)], options)
    assert not inv.errors, inv.errors
    return {c.column: c for c in inv.columns}


@pytest.mark.parametrize(
    ("header", "entity", "category"),
    [
        ("身份证号", "CN_RESIDENT_ID", "identity.resident_id"),
        ("id_card", "CN_RESIDENT_ID", "identity.resident_id"),
        ("sfzh", "CN_RESIDENT_ID", "identity.resident_id"),
        ("手机", "CN_MOBILE", "basic.phone.mobile"),
        ("mobile", "CN_MOBILE", "basic.phone.mobile"),
        ("sjh", "CN_MOBILE", "basic.phone.mobile"),
        ("姓名", "PERSON_NAME", "basic.name"),
        ("name", "PERSON_NAME", "basic.name"),
        ("xm", "PERSON_NAME", "basic.name"),
        ("地址", "ADDRESS", "basic.address"),
        ("address", "ADDRESS", "basic.address"),
        ("dz", "ADDRESS", "basic.address"),
        ("收件人电话", "CN_MOBILE", "basic.phone.mobile"),
        ("IP地址", "IP_ADDRESS", "online.ip_address"),
        ("patient.date_of_birth", "DATE_OF_BIRTH", "basic.birth_date"),
        ("xb", None, "basic.gender"),
        ("职业", None, "education_work.occupation"),
    ],
)
def test_header_hints(header: str, entity: str | None, category: str) -> None:
    hint = hint_for(header)
    assert hint is not None
    assert (hint.entity, hint.category, hint.negative) == (entity, category, False)


@pytest.mark.parametrize("header", ["col_7", "product_name", "remark", "department", "SHIPPING"])
def test_headers_that_say_nothing(header: str) -> None:
    assert hint_for(header) is None


@pytest.mark.parametrize("header", ["order_no", "订单号", "tracking_no", "amount_yuan"])
def test_business_number_headers_are_negative(header: str) -> None:
    hint = hint_for(header)
    assert hint is not None
    assert hint.negative
    assert hint.entity is None


def test_values_decide_under_a_silent_header(tmp_path: Path) -> None:
    rng = random.Random(1)
    ids = [_ck(f"110105{1960 + i % 40}0101{i % 1000:03d}") for i in range(200)]
    phones = [f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}" for _ in range(200)]
    path = _table(tmp_path, "t.csv", {"col_7": ids, "col_8": phones})
    cols = _columns(path)
    assert cols["col_7"].entity == "CN_RESIDENT_ID"
    assert cols["col_7"].grade == "sensitive"
    assert cols["col_7"].match_rate == 1.0
    assert cols["col_8"].entity == "CN_MOBILE"
    assert "header" not in cols["col_7"].why


def test_order_numbers_are_not_resident_ids(tmp_path: Path) -> None:
    rng = random.Random(2)
    # 18 digits that even start with a real region code and a real date: only the check
    # digit tells them apart, and it passes about 1 time in 11 by chance.
    orders = [f"110105{rng.randint(1950, 2010)}0101{rng.randint(0, 9999):04d}" for _ in range(400)]
    path = _table(tmp_path, "orders.csv", {"col_1": orders})
    col = _columns(path)["col_1"]
    assert col.entity is None
    assert not col.pi
    assert col.kind == "lookalike"
    assert col.match_rate < 0.2
    assert "1 time in 11" in col.why


def test_phone_numbers_stored_as_integers(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rng = random.Random(3)
    phones = [
        int(f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}")
        for _ in range(100)
    ]
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"c": pa.array(phones, pa.int64())}), path)
    assert _columns(path)["c"].entity == "CN_MOBILE"


def test_masked_values_are_already_deidentified(tmp_path: Path) -> None:
    masked = [f"1{3 + i % 6}{i % 10}****{1000 + i:04d}" for i in range(100)]
    names = ["张*", "李**", "欧阳*", "王*"] * 25
    path = _table(tmp_path, "m.csv", {"phone": masked, "col_2": names})
    cols = _columns(path)
    assert (cols["phone"].kind, cols["phone"].entity, cols["phone"].deidentified) == (
        "masked",
        "CN_MOBILE",
        True,
    )
    assert (cols["col_2"].kind, cols["col_2"].entity) == ("masked", "PERSON_NAME")
    assert "1xx****xxxx" in cols["phone"].why  # the shape, never a value of the column


def test_free_text_reports_its_entity_mix(tmp_path: Path) -> None:
    notes = [f"请联系张先生，电话1381234{i:04d}，谢谢" for i in range(60)]
    path = _table(tmp_path, "n.csv", {"remark": notes})
    col = _columns(path)["remark"]
    assert col.kind == "free_text"
    assert dict(col.entity_mix)["CN_MOBILE"] == 60
    assert col.category == "other.user_content"


def test_a_column_of_mixed_identifiers_is_pi(tmp_path: Path) -> None:
    # Each value is an identifier, but of four kinds, none reaching half of the column
    # alone: a "value" column of a key-value export. It is PI, graded by its most
    # sensitive kind, not "no personal information".
    rng = random.Random(5)
    values: list[object] = []
    for i in range(200):
        kind = i % 4
        if kind == 0:
            values.append(f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}")
        elif kind == 1:
            values.append(_ck(f"110105{1960 + i % 40}0101{i % 1000:03d}"))
        elif kind == 2:
            values.append(f"user{i}@example.com")
        else:
            values.append(f"192.0.2.{i % 250 + 1}")
    path = _table(tmp_path, "kv.csv", {"value": values})
    col = _columns(path)["value"]
    assert col.pi
    assert col.entity in {"CN_MOBILE", "CN_RESIDENT_ID", "EMAIL", "IP_ADDRESS"}
    assert {col.entity, *col.also} >= {"CN_MOBILE", "CN_RESIDENT_ID", "EMAIL", "IP_ADDRESS"}
    assert col.grade == "sensitive"  # resident IDs are among them (GB/T 35273-2020 B.1)
    assert "mix identifiers" in col.why


def test_children_make_the_tables_pi_sensitive(tmp_path: Path) -> None:
    rng = random.Random(4)
    years = [2015 if i % 4 == 0 else 1980 for i in range(200)]
    ids = [
        _ck(f"110105{y}0{rng.randint(1, 9)}1{rng.randint(0, 9)}{rng.randint(100, 999)}")
        for y in years
    ]
    names = ["张伟", "李娜", "王芳", "刘洋"] * 50
    path = _table(tmp_path, "kids.csv", {"sfzh": ids, "xm": names})
    inv = discover([str(path)], OPTS)
    (t,) = inv.tables
    assert t.facts.children_under_14 == 50
    assert t.facts.youngest_age is not None
    assert t.facts.youngest_age < 14
    name = next(c for c in t.columns if c.column == "xm")
    assert name.sensitive
    assert name.grade == "sensitive"
    assert "PIPL Art. 28" in name.why


def test_quasi_identifiers(tmp_path: Path) -> None:
    path = _table(
        tmp_path,
        "q.csv",
        {
            "性别": ["男", "女"] * 50,
            "出生日期": [f"{1950 + i % 50}-0{1 + i % 9}-1{i % 9}" for i in range(100)],
            "邮编": ["100020", "200030"] * 50,
            "职业": ["教师", "工程师"] * 50,
        },
    )
    inv = discover([str(path)], OPTS)
    (t,) = inv.tables
    assert set(t.facts.quasi_identifiers) == {"性别", "出生日期", "邮编", "职业"}
    assert {c.category for c in t.columns} == {
        "basic.gender",
        "basic.birth_date",
        "location.coarse",
        "education_work.occupation",
    }


def test_distinct_people_estimate_and_full_count(tmp_path: Path) -> None:
    rng = random.Random(5)
    people = [
        _ck(f"110105{1950 + i % 50}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}")
        for i in range(3000)
    ]
    rows = [rng.choice(people) for _ in range(12000)]
    path = _table(tmp_path, "visits.csv", {"sfzh": rows})
    truth = len(set(rows))
    (sampled,) = discover([str(path)], OPTS).tables
    assert sampled.facts.people_method == "hyperloglog"
    assert abs(sampled.facts.people - truth) / truth < 0.06  # lg_k=12: ~1.6 % standard error
    (full,) = discover([str(path)], DiscoveryOptions(today=TODAY, full=True)).tables
    assert (full.facts.people_method, full.facts.people) == ("exact", truth)
    assert full.columns[0].rows_sampled == 12000


def test_thresholds_of_gbt_35273_11_1() -> None:
    def report(people: int, sensitive: bool) -> TableReport:
        facts = TableFacts(rows=people, people=people, sensitive_pi=sensitive)
        return TableReport("s", "t", "csv", people, True, False, [], facts)

    inv = Inventory(tables=[report(1_200_000, False), report(150_000, True)])
    s = inv.summary()
    assert s["over_pi_threshold"]
    assert s["over_sensitive_threshold"]
    s = Inventory(tables=[report(1_000_000, False), report(100_000, True)]).summary()
    assert not s["over_pi_threshold"]
    assert not s["over_sensitive_threshold"]


def test_sample_data_matches_its_ground_truth() -> None:
    records = [
        json.loads(line) for line in (EXAMPLES / "ground_truth.jsonl").open(encoding="utf-8")
    ]
    truth = [r for r in records if r["kind"] in ("column", "field")]
    files = sorted({r["file"] for r in truth})
    inv = discover([str(EXAMPLES / f) for f in files], DiscoveryOptions(today=TODAY))
    got = {(t.table, c.column): c for t in inv.tables for c in t.columns}
    wrong = []
    for r in truth:
        c = got[(r["file"], r.get("column") or r.get("field"))]
        ok = c.kind == "free_text" if r.get("free_text") else c.entity == r["entity"]
        if r["pi"] and not c.pi:
            ok = False
        if not ok:
            wrong.append((r["file"], c.column, r["entity"], c.entity))
    assert len(wrong) / len(truth) <= 0.03, wrong
    assert not [w for w in wrong if w[2] is not None], "a PI column was missed"


def test_inventory_json_has_schema_and_no_values() -> None:
    inv = discover([str(EXAMPLES / "shop_orders.csv")], DiscoveryOptions(today=TODAY))
    doc = inv.to_dict()
    assert doc["schema"] == "piguard.inventory/1"
    text = json.dumps(doc, ensure_ascii=False)
    for line in (EXAMPLES / "shop_orders.csv").read_text(encoding="utf-8").splitlines()[1:50]:
        for cell in line.split(","):
            if (len(cell) >= 6 and not cell.replace(".", "").isdigit()) or len(cell) >= 11:
                assert cell not in text
    first = doc["tables"][0]["columns"][0]
    assert list(first)[:10] == [
        "source", "table", "column", "entity", "category", "sensitive", "grade", "confidence",
        "match_rate", "rows_sampled",
    ]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(0, 40), sizes=st.lists(st.integers(0, 300), max_size=6), seed=st.integers(0, 9)
)
def test_reservoir_keeps_min_k_n_distinct_items(k: int, sizes: list[int], seed: int) -> None:
    r = Reservoir(k, np.random.default_rng(seed))
    start = 0
    for size in sizes:
        r.extend(list(range(start, start + size)))
        start += size
    assert r.seen == start
    assert len(r.items) == min(k, start)
    assert len(set(r.items)) == len(r.items)
    assert all(0 <= x < start for x in r.items)


def test_reservoir_is_uniform() -> None:
    counts = [0] * 10
    for seed in range(400):
        r = Reservoir(5, np.random.default_rng(seed))
        for part in range(10):
            r.extend(list(range(part * 100, part * 100 + 100)))
        for x in r.items:
            counts[x // 100] += 1
    # 2,000 picks over 10 equal parts: each part expects 200.
    assert all(150 < c < 250 for c in counts), counts


def test_workers_give_the_same_inventory_in_order(tmp_path: Path) -> None:
    a = _table(tmp_path, "a.csv", {"mobile": [f"1381234{i:04d}" for i in range(50)]})
    b = _table(tmp_path, "b.csv", {"email": [f"u{i}@example.com" for i in range(50)]})
    targets = [str(b), str(tmp_path / "missing.csv"), str(a)]
    one = discover(targets, OPTS)
    two = discover(targets, OPTS, workers=2)
    assert [c.to_dict() for c in one.columns] == [c.to_dict() for c in two.columns]
    assert [t.table for t in two.tables] == ["b.csv", "a.csv"]
    assert one.errors == two.errors
    assert len(one.errors) == 1
    assert "missing.csv" in one.errors[0]["message"]


def test_a_bad_source_does_not_stop_the_others(tmp_path: Path) -> None:
    good = _table(tmp_path, "good.csv", {"sjh": [f"1391234{i:04d}" for i in range(20)]})
    bad = tmp_path / "bad.csv"
    bad.write_text('a,b\n1,2\n3,"cut', encoding="utf-8")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(b'{"a": 1}\n' * 3 + '{"姓名": "张伟"}\n'.encode("gbk") + b"\xff\xfe\n")
    inv = discover([str(bad), str(good), str(broken), str(gbk)], OPTS)
    assert [t.table for t in inv.tables] == ["good.csv"]
    messages = [e["message"] for e in inv.errors]
    assert len(messages) == 3
    assert messages[0].startswith(f"{bad}:3:")
    assert str(broken) in messages[1]
    assert str(gbk) in messages[2]
    assert all("\n" not in m for m in messages)


_KINDS = {"identifier", "masked", "hashed", "free_text", "category", "lookalike", "none", "empty"}


@settings(max_examples=40, deadline=None)
@given(
    header=st.text(min_size=0, max_size=12),
    values=st.lists(
        st.one_of(
            st.text(max_size=30),
            st.integers(),
            st.floats(allow_nan=True),
            st.none(),
            st.sampled_from(
                ["13812345678", "138****5678", "张*", "男", "2010-05-01", "NULL", "  "]
            ),
        ),
        max_size=40,
    ),
)
def test_any_column_gets_a_valid_classification(header: str, values: list[object]) -> None:
    from piguard.sources import ColumnFinding, ValueJudge, cell_text, classify

    judge = _judge(ValueJudge)
    texts = [t for t in map(cell_text, values) if t is not None]
    ev = judge.evaluate(texts, hint_for(header))
    f = classify(source="s", table="t", column=header, ev=ev, non_empty=len(texts))
    assert isinstance(f, ColumnFinding)
    assert f.kind in _KINDS
    assert 0.0 <= f.confidence <= 1.0
    assert 0.0 <= f.match_rate <= 1.0
    assert (f.grade is None) == (not f.pi or f.category is None)
    dumped = json.dumps(f.to_dict(), ensure_ascii=False)
    for t in texts:
        if len(t) >= 8 and t not in header:
            assert t not in dumped


@functools.cache
def _judge(cls: type) -> Any:
    return cls(today=TODAY)  # one engine for all examples (loading it takes a second)


def test_entity_options_narrow_the_inventory() -> None:
    path = EXAMPLES / "shop_orders.csv"
    only = discover([str(path)], DiscoveryOptions(today=TODAY, entities=("CN_MOBILE",)))
    assert {c.entity for c in only.columns if c.pi and c.kind != "free_text"} == {"CN_MOBILE"}
    remark = next(c for c in only.columns if c.column == "remark")
    assert [e for e, _ in remark.entity_mix] == ["CN_MOBILE"]
    without = discover([str(path)], DiscoveryOptions(today=TODAY, exclude_entities=("EMAIL",)))
    email = next(c for c in without.columns if c.column == "buyer_email")
    assert (email.pi, email.kind) == (False, "none")


def test_reservoir_takes_only_winners_from_arrow_arrays() -> None:
    pa = pytest.importorskip("pyarrow")
    r = Reservoir(10, np.random.default_rng(3))
    for part in range(5):
        r.extend(pa.array([f"v{part * 100 + i}" for i in range(100)]))
    assert r.seen == 500
    assert len(r.items) == 10
    assert all(isinstance(x, str) and x.startswith("v") for x in r.items)
    assert len(set(r.items)) == 10


@pytest.mark.parametrize("name", ["ridehailing_orders.csv", "shop_orders.csv"])
def test_judge_without_the_model_for_most_values_gives_the_same_evidence(name: str) -> None:
    # ValueJudge scans each distinct value once and sends only Han values that no pattern
    # covers through the name/address model; a judge around one plain Scanner sends every
    # value through everything. Their evidence must be identical, column by column.
    import csv

    from piguard.detect import Scanner
    from piguard.sources import ValueJudge

    with (EXAMPLES / name).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fast, plain = ValueJudge(today=TODAY), ValueJudge(scanner=Scanner(), today=TODAY)
    assert fast.no_model is not fast.scanner
    for column in rows[0]:
        values = [r[column].strip() for r in rows if r[column].strip()]
        hint = hint_for(column)
        assert fast.evaluate(values, hint) == plain.evaluate(values, hint), column


def test_the_model_is_not_loaded_for_values_without_han(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from piguard.detect import ner

    def no_model() -> None:
        raise AssertionError("the name/address model was requested")

    monkeypatch.setattr(ner, "get_tagger", no_model)
    path = _table(
        tmp_path,
        "contacts.csv",
        {
            "mobile": [f"138{i:08d}" for i in range(200)],
            "email": [f"u{i}@example.com" for i in range(200)],
            "note": [f"call back at 138{i:08d}" for i in range(200)],
        },
    )
    inv = discover([str(path)], OPTS)
    assert not inv.errors
    kinds = {c.column: c.entity or c.kind for c in inv.columns}
    assert kinds == {"mobile": "CN_MOBILE", "email": "EMAIL", "note": "free_text"}


def test_values_skip_the_model_only_where_the_tagger_would_not_look() -> None:
    # Discovery sends a value to the name/address model only if it holds a character for
    # which the shipped tagger runs; the two character sets must stay the same.
    from piguard.detect import ner
    from piguard.sources import _classify

    chars = [chr(c) for c in range(0x20, 0x30000) if not 0xD800 <= c < 0xE000]
    ours = [c for c in chars if _classify._MODEL_HAN.match(c)]
    assert ours == [c for c in chars if ner._HAN.match(c)]
    assert "张" in ours
