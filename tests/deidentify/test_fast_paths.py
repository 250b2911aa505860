"""The fast paths give the same results as the plain ones: batch HMAC against one-shot HMAC
(RFC 4231 vectors), Arrow masks and pseudonyms against the list operators, and Arrow CSV
reading/writing against the standard library's csv module, byte for byte."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piguard.deidentify import Deidentifier, _arrow, _crypto, default_operators, parse_policy
from piguard.deidentify.engine import metadata_path
from piguard.keys import EnvKeyProvider

from .test_known_answers import RFC_4231

pa = pytest.importorskip("pyarrow")


@pytest.mark.parametrize(("key", "data", "mac"), RFC_4231)
def test_hmac_batch_rfc_4231(key: bytes, data: bytes, mac: str) -> None:
    assert _crypto.hmac_batch(key, [data, data], "hmac-sha256") == [bytes.fromhex(mac)] * 2


@pytest.mark.parametrize("algorithm", ["hmac-sha256", "hmac-sm3"])
@given(st.binary(max_size=200), st.lists(st.binary(max_size=150), max_size=20))
def test_hmac_batch_matches_one_shot(algorithm: str, key: bytes, messages: list[bytes]) -> None:
    if algorithm == "hmac-sm3" and not _crypto.sm3_available():
        pytest.skip("this OpenSSL has no SM3")
    assert _crypto.hmac_batch(key, messages, algorithm) == [
        _crypto.hmac_digest(key, m, algorithm) for m in messages
    ]


VALUES = {
    "CN_MOBILE": ["13812345678", "+86 138 1234 5678", "8613812345678", "138-1234-5678", "1"],
    "PERSON_NAME": ["张三", "欧阳娜娜", "王", "Zhang San", "李四丰", "ÅSA"],
    "CN_RESIDENT_ID": ["110101199003071234", "11010119900307123X", "110101 19900307 1234"],
    "BANK_CARD": ["6222029600133894", "6222 0296 0013 3894", "12"],
    "ADDRESS": ["北京市朝阳区建国路88号", "广东省深圳市南山区科苑路1号", "某地某路", "上海市", "x"],
    "EMAIL": ["zs@example.com", "a@b.cn"],
    "CN_LICENSE_PLATE": ["京A12345", "粤B·D12345"],
}


@pytest.mark.parametrize("entity", sorted(VALUES))
@pytest.mark.parametrize(
    ("operator", "options"),
    [
        ("mask", {}),
        ("mask", {"keep_first": 2, "keep_last": 1, "char": "#"}),
        ("hash", {"length": 13, "prefix": "假名_"}),
        ("hash", {"algorithm": "hmac-sm3"}),
        ("replace", {}),
        ("redact", {}),
        ("waybill", {}),
    ],
)
def test_arrow_operators_match_the_list_operators(
    entity: str, operator: str, options: dict[str, object], keys: EnvKeyProvider
) -> None:
    if options.get("algorithm") == "hmac-sm3" and not _crypto.sm3_available():
        pytest.skip("this OpenSSL has no SM3")
    rnd = random.Random(7)
    values = [rnd.choice(VALUES[entity]) for _ in range(300)]
    op = default_operators().build(operator, options, keys)
    want = [op.apply(v, entity) for v in values]
    assert op.apply_batch(values, entity) == want
    got = op.apply_arrow(pa.array(values, type=pa.string()), entity)
    if got is not None:
        assert got.to_pylist() == want
    distinct = [f"{v}{i}" for i, v in enumerate(values)]  # no repeats: other code paths
    got = op.apply_arrow(pa.array(distinct, type=pa.string()), entity)
    if got is not None:
        assert got.to_pylist() == [op.apply(v, entity) for v in distinct]
    assert op.apply_batch(distinct, entity) == [op.apply(v, entity) for v in distinct]


POLICY = """\
columns:
  phone: CN_MOBILE
  name: PERSON_NAME
  id_number: CN_RESIDENT_ID
  address: ADDRESS
  secret: CREDENTIAL
  note: text
  pid: keep
  visit: DATE_OF_BIRTH
rules:
  - entity: CREDENTIAL
    operator: suppress
  - entity: CN_RESIDENT_ID
    operator: hash
    options: {length: 16, prefix: "P,"}
  - entity: DATE_OF_BIRTH
    operator: date_shift
    options: {subject: pid}
  - entity: BANK_CARD
    operator: fpe
  - grade: ordinary
    operator: mask
"""

ROWS = [
    ["pid", "phone", "name", "id_number", "address", "secret", "note", "visit"],
    ["a", "13812345678", "张三", "110101199003071234", "北京市朝阳区建国路88号", "pw", "好的", "2024-03-01"],  # noqa: E501
    ["b", "+86 139 8765 4321", "欧阳娜娜", "", '上海市"浦东"新区, 1号', "", "卡号6222029600133894\n电话13812345678", ""],  # noqa: E501
    ["", "", "", "11010119900307123X", "", "x", "", "2024/02/29"],
    ["c", "13812345678", "王", '1101"01', "广东省深圳市南山区科苑路1号", "p,w", "a,b", "20240101"],
] + [[str(i), f"1391234{i:04d}", "李四", f"11010119900307{i:04d}", "某地某路", "", "", "2024-01-01"]
     for i in range(300)]  # fmt: skip


def _run(
    tmp_path: Path, name: str, content: bytes, keys: EnvKeyProvider, arrow: bool
) -> tuple[bytes, dict[str, object]]:
    src = tmp_path / name
    src.write_bytes(content)
    out = tmp_path / f"out-{'arrow' if arrow else 'csv'}-{name}"
    d = Deidentifier(parse_policy(POLICY), keys=keys)
    summary = d.deidentify_csv(src, out)
    meta = json.loads(metadata_path(out).read_text("utf-8"))
    meta.pop("created")
    return out.read_bytes(), {"meta": meta, "summary": summary.to_dict()}


def _csv_bytes(rows: list[list[str]], *, bom: bool = False, crlf: bool = False) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plain.csv", _csv_bytes(ROWS)),
        ("bom_crlf.csv", _csv_bytes(ROWS, bom=True, crlf=True)),
        ("blank_lines.csv", _csv_bytes(ROWS[:3]) + b"\n\n" + _csv_bytes(ROWS[3:])),
        ("one_column.csv", b'name\n\xe5\xbc\xa0\xe4\xb8\x89\n""\n\n\xe6\x9d\x8e\xe5\x9b\x9b\n'),
        ("header_only.csv", b"pid,phone\n"),
    ],
)
def test_arrow_csv_matches_the_csv_module(
    name: str, content: bytes, keys: EnvKeyProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _run(tmp_path, name, content, keys, arrow=True)
    monkeypatch.setattr(_arrow, "available", lambda: False)
    plain = _run(tmp_path, name, content, keys, arrow=False)
    assert fast[0] == plain[0]
    assert fast[1] == plain[1]


def test_arrow_csv_falls_back_for_bad_rows(keys: EnvKeyProvider, tmp_path: Path) -> None:
    from piguard.errors import InputError

    src = tmp_path / "bad.csv"
    good = _csv_bytes(ROWS)
    src.write_bytes(good + b"a,b\n")
    line = good.count(b"\n") + 1  # a quoted cell holds a line break: lines, not rows
    with pytest.raises(InputError, match=rf"bad\.csv:{line}: expected 8 fields, found 2"):
        Deidentifier(parse_policy(POLICY), keys=keys).deidentify_csv(src, tmp_path / "o.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


@pytest.mark.parametrize(
    ("options", "entity"),
    [
        ({}, "CN_MOBILE"),
        ({}, "CN_RESIDENT_ID"),
        ({}, "BANK_CARD"),
        ({"keep_first": 2, "keep_last": 3, "char": "#"}, None),
        ({"keep_first": 0, "keep_last": 0}, None),
        ({"keep_first": 3, "keep_last": 4, "char": "＊"}, "CN_MOBILE"),  # not one ASCII byte
    ],
)
@pytest.mark.parametrize(
    "column",
    [
        ["13812345678", "13987654321", "17000000000"] * 50,  # one width, digits
        ["1381234567X", "abcdefghijk", "ABCDEFGHIJK"] * 50,  # one width, letters too
        ["13812345678", "1381234567-", "13812345678"] * 50,  # one width, a separator
        ["13812345678", "1381234567", "138123456789"] * 50,  # widths differ
        ["1381234567８", "13812345678", "13812345678"] * 50,  # same length in characters only
        ["张三丰", "李四光", "王小二"] * 50,  # one width in bytes, not ASCII
        ["abc", "def"] * 50,  # too short for the ends
    ],
)
def test_arrow_masks_of_one_width_columns(
    column: list[str], options: dict[str, object], entity: str | None
) -> None:
    """The byte-matrix mask (columns of one width, all ASCII letters and digits) and the
    small-count star table give what the list operator gives, value by value."""
    op = default_operators().build("mask", options)
    want = [op.apply(v, entity) for v in column]
    assert op.apply_arrow(pa.array(column, type=pa.string()), entity).to_pylist() == want
    # a slice of a larger array (non-zero offset) and an array with long hidden runs
    arr = pa.array(["x", *column], type=pa.string()).slice(1)
    assert op.apply_arrow(arr, entity).to_pylist() == want
    long = [v * 40 for v in column[:20]]  # more than 256 hidden characters
    assert op.apply_arrow(pa.array(long, type=pa.string()), entity).to_pylist() == [
        op.apply(v, entity) for v in long
    ]


@pytest.mark.parametrize("operator", ["mask", "waybill"])
def test_arrow_address_masks_across_slices(
    operator: str, keys: EnvKeyProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept prefixes learnt in one slice are used by the next; values without a known prefix
    (short or unknown divisions) keep what ``apply`` keeps, whichever slice they are in."""
    from piguard import geo
    from piguard.deidentify import operators

    monkeypatch.setattr(operators, "_SLICE", 37)
    rnd = random.Random(11)
    counties = [d for d in geo.counties() if not d.placeholder][:60]
    pool = [f"{c.full_name}人民路{i}号" for i, c in enumerate(counties)]
    pool += [f"{c.name}中山路{i}号" for i, c in enumerate(counties[:20])]
    pool += ["某地某路", "x", "北京市", "上海市浦东新区", "北京市朝阳区", "北京市朝阳区建国路88号"]
    values = [rnd.choice(pool) for _ in range(700)]
    op = default_operators().build(operator, {}, keys)
    want = [op.apply(v, "ADDRESS") for v in values]
    got = op.apply_arrow(pa.array(values, type=pa.string()), "ADDRESS")
    if got is not None:
        assert got.to_pylist() == want
        # again, warm: every prefix is known now
        assert op.apply_arrow(pa.array(values, type=pa.string()), "ADDRESS").to_pylist() == want
    assert op.apply_batch(values, "ADDRESS") == want
