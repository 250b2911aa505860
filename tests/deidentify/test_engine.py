"""The engine: text, CSV and JSONL; metadata; atomic output; reidentification; the demo."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from piguard.audit import MemorySink
from piguard.deidentify import Deidentifier, metadata_path, parse_policy, reidentify_file
from piguard.detect import Finding, Scanner
from piguard.detect.identifiers import bank_card, cn_ric
from piguard.errors import ConfigError, InputError, IntegrityError, KeyProviderError
from piguard.keys import EnvKeyProvider

KEY_HEX = "5f" * 32  # the key of conftest.keys

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"

REVERSIBLE = parse_policy(
    """\
rules:
  - entity: [CN_RESIDENT_ID, BANK_CARD, CN_MOBILE]
    operator: fpe
  - entity: EMAIL
    operator: encrypt
    options: {algorithm: sm4-gcm}
  - entity: PERSON_NAME
    operator: hash
    options: {length: 12, prefix: "N_"}
  - grade: ordinary
    operator: mask
  - grade: sensitive
    operator: replace
""",
    source="reversible.yaml",
)


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


ROWS = [
    ["id", "name", "phone", "card", "email", "note", "amount"],
    ["1", "张三", "13812345678", "6222029600133894", "zs@example.com", "请联系李四，电话13987654321", "12.5"],  # noqa: E501
    ["2", "李四", "13987654321", "6217005219224679865", "ls@example.com", "", "7"],
    ["3", "王五", "+86 139 1234 5678", "6222029600133894", "ww@example.cn", "身份证360426199101010071", "3"],  # noqa: E501
] + [[str(i), "赵六", "18612345678", "6222029600133894", "zl@example.com", "好的", "1"] for i in range(4, 40)]  # fmt: skip  # noqa: E501


def test_text(keys: EnvKeyProvider) -> None:
    d = Deidentifier(keys=keys)
    out = d.deidentify_text("联系人张三，手机13812345678\n身份证360426199101010071")
    first, second = out.split("\n")
    assert first == "联系人张*，手机138****5678"
    new_id = second.removeprefix("身份证")
    assert cn_ric.is_valid(new_id)
    assert new_id != "360426199101010071"


def test_csv_round_trip_with_metadata(keys: EnvKeyProvider, tmp_path: Path) -> None:
    src = _csv(tmp_path / "orders.csv", ROWS)
    out = tmp_path / "out.csv"
    sink = MemorySink()
    d = Deidentifier(REVERSIBLE, keys=keys, audit=sink)
    summary = d.deidentify_csv(src, out)
    kinds = {c.name: c.kind for c in summary.columns}
    assert kinds == {
        "id": "keep", "name": "PERSON_NAME", "phone": "CN_MOBILE", "card": "BANK_CARD",
        "email": "EMAIL", "note": "text", "amount": "keep",
    }  # fmt: skip
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ROWS[0]
    assert len(rows) == len(ROWS)
    assert rows[1][1].startswith("N_")
    assert len(rows[1][1]) == 14
    assert rows[1][2] != "13812345678"
    assert rows[1][2][:3] == "138"
    assert bank_card.is_valid(rows[1][3])
    assert rows[1][3][:6] == "622202"
    assert rows[1][4].startswith("ENC.")
    assert "13987654321" not in out.read_text("utf-8")
    assert rows[3][2].startswith("+86 139 ")
    # join-preserving: the same card gives the same ciphertext in every row
    assert rows[1][3] == rows[3][3] == rows[5][3]
    counts = {(c["column"], c["entity"]): c["count"] for c in summary.to_dict()["changes"]}
    assert counts[("phone", "CN_MOBILE")] == len(ROWS) - 1
    assert counts[("note", "CN_MOBILE")] == 1
    assert counts[("note", "CN_RESIDENT_ID")] == 1
    meta = json.loads(metadata_path(out).read_text("utf-8"))
    assert {r["key"] for r in meta["rules"].values() if "key" in r} == {"env:deidentify"}
    assert KEY_HEX not in metadata_path(out).read_text("utf-8")
    assert sink.events[0].action == "deidentify.run"
    assert sink.events[0].details["changes"] == sum(counts.values())

    back = tmp_path / "back.csv"
    restored = reidentify_file(out, back, keys=keys)
    got = list(csv.reader(back.open(encoding="utf-8")))
    for orig, row in zip(ROWS, got, strict=True):
        assert row[2:5] == orig[2:5]  # fpe and encrypt reversed
        assert row[1] == orig[1] or row[1].startswith("N_")  # hashes stay pseudonyms
    assert got[3][5] == ROWS[3][5]  # the ID inside free text, via the recorded span
    assert restored >= 3 * (len(ROWS) - 1)


def test_reidentify_needs_the_right_key(keys: EnvKeyProvider, tmp_path: Path) -> None:
    src = _csv(tmp_path / "orders.csv", ROWS)
    out = tmp_path / "out.csv"
    Deidentifier(REVERSIBLE, keys=keys).deidentify_csv(src, out)
    wrong = EnvKeyProvider(environ={"PIGUARD_KEY_DEIDENTIFY": "00" * 32})
    with pytest.raises(IntegrityError):
        reidentify_file(out, tmp_path / "back.csv", keys=wrong)
    assert not (tmp_path / "back.csv").exists()
    with pytest.raises(KeyProviderError):
        reidentify_file(out, tmp_path / "back.csv", keys=EnvKeyProvider(environ={}))


def test_tokens_need_a_role(keys: EnvKeyProvider, tmp_path: Path) -> None:
    policy = parse_policy(
        f"columns: {{phone: CN_MOBILE}}\nrules:\n  - entity: CN_MOBILE\n    operator: tokenize\n"
        f"    options: {{vault: '{tmp_path / 'v.sqlite'}', roles: [auditor]}}\n"
    )
    src = _csv(tmp_path / "in.csv", [["phone"], ["13812345678"], ["13987654321"]])
    Deidentifier(policy, keys=keys).deidentify_csv(src, tmp_path / "out.csv")
    assert "tok_" in (tmp_path / "out.csv").read_text("utf-8")
    with pytest.raises(ConfigError, match="explicit role"):
        reidentify_file(tmp_path / "out.csv", tmp_path / "back.csv", keys=keys)
    with pytest.raises(KeyProviderError, match="may not detokenise"):
        reidentify_file(tmp_path / "out.csv", tmp_path / "back.csv", keys=keys, role="analyst")
    reidentify_file(tmp_path / "out.csv", tmp_path / "back.csv", keys=keys, role="auditor")
    assert (tmp_path / "back.csv").read_text("utf-8") == "phone\n13812345678\n13987654321\n"


def test_policy_columns_suppress_and_date_shift(keys: EnvKeyProvider, tmp_path: Path) -> None:
    policy = parse_policy(
        """\
columns: {secret: CREDENTIAL, visit: DATE_OF_BIRTH, pid: keep}
rules:
  - entity: CREDENTIAL
    operator: suppress
  - entity: DATE_OF_BIRTH
    operator: date_shift
    options: {subject: pid, max_days: 20}
"""
    )
    rows = [["pid", "visit", "secret"], ["a", "2024-03-01", "pw1"], ["a", "2024-03-05", "pw2"]]
    src = _csv(tmp_path / "in.csv", rows)
    Deidentifier(policy, keys=keys).deidentify_csv(src, tmp_path / "out.csv")
    got = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert got[0] == ["pid", "visit"]
    from datetime import date

    d1, d2 = (date.fromisoformat(r[1]) for r in got[1:])
    assert (d2 - d1).days == 4
    assert d1 != date(2024, 3, 1)


def test_bad_csv_row_fails_with_line_and_leaves_nothing(
    keys: EnvKeyProvider, tmp_path: Path
) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("a,b\n1,2\n1,2,3\n", "utf-8")
    out = tmp_path / "out.csv"
    with pytest.raises(InputError, match=r"bad\.csv:3: expected 2 fields, found 3"):
        Deidentifier(keys=keys).deidentify_csv(src, out)
    assert list(tmp_path.iterdir()) == [src]


def test_bad_jsonl_line(keys: EnvKeyProvider, tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"a": "13812345678"}\n{oops\n', "utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:2: not valid JSON"):
        Deidentifier(keys=keys).deidentify_jsonl(src, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_gb18030_input(keys: EnvKeyProvider, tmp_path: Path) -> None:
    src = tmp_path / "gbk.txt"
    src.write_bytes("客户手机13812345678\n".encode("gb18030"))
    Deidentifier(keys=keys).deidentify_text_file(src, tmp_path / "out.txt")
    assert (tmp_path / "out.txt").read_text("utf-8") == "客户手机138****5678\n"


def test_text_file_reidentify_spans(keys: EnvKeyProvider, tmp_path: Path) -> None:
    src = tmp_path / "chat.txt"
    text = "卡号6222029600133894，手机13812345678，身份证360426199101010071\n第二行 a@b.cn\n"
    src.write_text(text, "utf-8")
    Deidentifier(REVERSIBLE, keys=keys).deidentify_text_file(src, tmp_path / "out.txt")
    out = (tmp_path / "out.txt").read_text("utf-8")
    assert "6222029600133894" not in out
    assert "13812345678" not in out
    reidentify_file(tmp_path / "out.txt", tmp_path / "back.txt", keys=keys)
    assert (tmp_path / "back.txt").read_text("utf-8") == text


SAMPLES = [
    "ridehailing_orders.csv",
    "shop_orders.csv",
    "health_consultations.jsonl",
    "customer_service_chat.txt",
    "smarthome_device_log.txt",
]


def test_demo_covers_every_sample_file() -> None:
    data = {p.name for p in DATA.iterdir() if p.suffix in (".csv", ".jsonl", ".txt")}
    assert set(SAMPLES) == data - {"ground_truth.jsonl"}


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@pytest.mark.parametrize("name", SAMPLES)
def test_demo_no_raw_pi_the_scanner_can_find(name: str, tmp_path: Path, scanner: Scanner) -> None:
    """Scan, de-identify with the default policy, scan again: no PI value that the scanner
    found in the original (PI per ground_truth.jsonl) is found again."""
    keys = EnvKeyProvider(environ={"PIGUARD_KEY_DEIDENTIFY": KEY_HEX})
    # What is really PI, from ground_truth.jsonl: planted spans, and the cells of PI columns
    # (CSV) and PI fields (JSON Lines). Scanner findings outside it (look-alikes such as
    # order numbers, company names, labels) are not PI and may stay.
    truth: set[str] = set()
    pi_columns: set[str] = set()
    for line in (DATA / "ground_truth.jsonl").open(encoding="utf-8"):
        g = json.loads(line)
        if g.get("file") != name or not g.get("pi"):
            continue
        if g["kind"] == "span":
            truth.add(g["text"])
        else:
            pi_columns.add(g.get("column") or g["field"])
    src = DATA / name
    if name.endswith(".csv"):
        for row in csv.DictReader(src.open(encoding="utf-8")):
            truth.update(v for k, v in row.items() if k in pi_columns and v)
    elif name.endswith(".jsonl"):
        from piguard.deidentify.engine import _leaves

        for line in src.open(encoding="utf-8"):
            for path, holder, key in _leaves(json.loads(line), ""):
                if path.replace("[]", "") in pi_columns:
                    truth.add(str(holder[key]))
    original = {f.value for f in scanner.scan_text(src.read_text("utf-8")) if f.value in truth}
    out = tmp_path / name
    Deidentifier(keys=keys, scanner=scanner).deidentify_file(src, out)
    text = out.read_text("utf-8")
    lines = text.split("\n")
    again = scanner.scan_text(text)
    from piguard import geo

    def within_kept_region(f: Finding) -> bool:
        """The mask/waybill presets keep the province/city/district an address opens with
        (北京市朝阳区****); a finding inside that kept part is a region, not the address."""
        found = geo.locate(lines[f.line - 1][f.start :])
        return f.entity == "ADDRESS" and found is not None and found.end >= f.end - f.start

    leaked = [
        (f.entity, f.value) for f in again if f.value in original and not within_kept_region(f)
    ]
    assert leaked == [], leaked
    assert len(original) > 100


def test_csv_encodings(keys: EnvKeyProvider, tmp_path: Path) -> None:
    src = tmp_path / "gbk.csv"
    src.write_bytes("姓名,手机\n张三,13812345678\n".encode("gb18030"))
    policy = parse_policy(
        "columns: {姓名: PERSON_NAME, 手机: CN_MOBILE}\nrules:\n"
        "  - grade: ordinary\n    operator: mask\n"
    )
    Deidentifier(policy, keys=keys).deidentify_csv(src, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text("utf-8") == "姓名,手机\n张*,138****5678\n"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n1,2\n" + b"x,\xff\xfe\n")
    with pytest.raises(InputError, match=r"bad\.csv: the text is neither UTF-8"):
        Deidentifier(policy, keys=keys).deidentify_csv(bad, tmp_path / "o2.csv")
    # a bad byte after the part used to detect the encoding: named with its line
    late = tmp_path / "late.csv"
    late.write_bytes(b"a,b\n" + b"1,2\n" * 30000 + b"x,\xff\xfe\n")
    with pytest.raises(InputError, match=r"late\.csv:30002: bytes that are not valid utf-8"):
        Deidentifier(policy, keys=keys).deidentify_csv(late, tmp_path / "o2.csv")
    assert not (tmp_path / "o2.csv").exists()
