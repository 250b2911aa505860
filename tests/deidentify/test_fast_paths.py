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
