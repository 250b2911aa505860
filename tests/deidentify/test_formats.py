"""JSON documents and Excel workbooks: de-identified and restored (reidentify) with their
structure kept, no raw PI left for the scanner, bad input named with file and line or sheet
and row; date_shift with a subject inside JSON Lines records."""

from __future__ import annotations

import datetime
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from piguard.cli.app import app
from piguard.deidentify import Deidentifier, metadata_path, parse_policy, reidentify_file
from piguard.detect import Scanner
from piguard.detect.identifiers import cn_ric
from piguard.errors import ConfigError, InputError
from piguard.keys import EnvKeyProvider

POLICY = """\
version: 1
columns:
  pid: keep
  patient.pid: keep
  visit: DATE_OF_BIRTH
  patient.visit: DATE_OF_BIRTH
  id_number: CN_RESIDENT_ID
  patient.id_number: CN_RESIDENT_ID
  email: EMAIL
  contacts[].email: EMAIL
  note: text
rules:
  - entity: DATE_OF_BIRTH
    operator: date_shift
    options: {subject: patient.pid, max_days: 30}
  - entity: CN_RESIDENT_ID
    operator: fpe
  - entity: EMAIL
    operator: encrypt
  - grade: ordinary
    operator: mask
"""

IDS = ["360426199101010071", "110101199003071233", "36042619910101104X"]
RAW = [*IDS, "zs@example.com", "ls@example.com", "13812345678", "13912345678"]


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def _found(scanner: Scanner, text: str) -> set[str]:
    return {f.value for f in scanner.scan_text(text)}


# ---------------------------------------------------------------------------- JSON
def _document() -> dict[str, Any]:
    return {
        "exported": "2024-04-01",
        "records": [
            {
                "patient": {"pid": "p1", "id_number": IDS[0], "visit": "2024-03-01"},
                "contacts": [{"email": "zs@example.com", "kind": "home"}],
                "note": "身份证110101199003071233，电话13812345678",
                "age": 33,
                "vip": True,
            },
            {
                "patient": {"pid": "p1", "id_number": IDS[0], "visit": "2024-03-05"},
                "contacts": [],
                "note": None,
                "age": 33,
                "vip": False,
            },
            {
                "patient": {"pid": "p2", "id_number": IDS[2], "visit": "2023-12-31"},
                "contacts": [{"email": "ls@example.com", "kind": "work"}],
                "note": "回电13912345678",
                "age": 41,
                "vip": False,
            },
        ],
    }


def _same_shape(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return (
            isinstance(b, dict) and list(a) == list(b) and all(_same_shape(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same_shape, a, b))
    return True


def test_json_document_round_trip(keys: EnvKeyProvider, tmp_path: Path, scanner: Scanner) -> None:
    doc = _document()
    src = tmp_path / "patients.json"
    src.write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")
    out = tmp_path / "safe.json"
    policy = parse_policy(POLICY, source="p.yaml")
    summary = Deidentifier(policy, keys=keys).deidentify_file(src, out)
    assert summary.rows == 3
    text = out.read_text("utf-8")
    assert text.startswith("{\n  ")  # indented as the input was
    safe = json.loads(text)
    assert _same_shape(doc, safe)
    assert safe["exported"] == "2024-04-01"  # outside the records: not a leaf of a record
    recs = safe["records"]
    # kept leaves and non-string leaves are unchanged; protected ones changed and valid
    assert [r["patient"]["pid"] for r in recs] == ["p1", "p1", "p2"]
    assert [r["vip"] for r in recs] == [True, False, False]
    assert recs[1]["note"] is None
    assert recs[0]["patient"]["id_number"] == recs[1]["patient"]["id_number"] != IDS[0]
    assert cn_ric.is_valid(recs[0]["patient"]["id_number"])
    assert recs[0]["contacts"][0]["email"].startswith("ENC.")
    # date_shift: one offset per person, so p1's visits stay 4 days apart
    d0, d1 = (datetime.date.fromisoformat(r["patient"]["visit"]) for r in recs[:2])
    assert (d1 - d0).days == 4
    assert d0 != datetime.date(2024, 3, 1)
    assert not _found(scanner, text) & set(RAW)
    assert metadata_path(out).exists()

    back = tmp_path / "back.json"
    restored = reidentify_file(out, back, keys=keys)
    assert restored >= 9
    # everything comes back but the phones in the notes, which the policy masks
    want = _document()
    want["records"][0]["note"] = "身份证110101199003071233，电话138****5678"
    want["records"][2]["note"] = "回电139****5678"
    assert json.loads(back.read_text("utf-8")) == want


def test_json_shapes_and_compact_output(keys: EnvKeyProvider, tmp_path: Path) -> None:
    policy = parse_policy(POLICY, source="p.yaml")
    d = Deidentifier(policy, keys=keys)
    # a list of records, written compactly when the input was on one line
    src = tmp_path / "list.json"
    src.write_text(json.dumps([{"id_number": IDS[1], "email": "zs@example.com"}]), "utf-8")
    d.deidentify_file(src, tmp_path / "list.out.json")
    text = (tmp_path / "list.out.json").read_text("utf-8")
    assert "\n" not in text.strip()
    (rec,) = json.loads(text)
    assert rec["id_number"] != IDS[1]
    assert cn_ric.is_valid(rec["id_number"])
    reidentify_file(tmp_path / "list.out.json", tmp_path / "list.back.json", keys=keys)
    assert json.loads((tmp_path / "list.back.json").read_text("utf-8")) == [
        {"id_number": IDS[1], "email": "zs@example.com"}
    ]
    # one object (no list of records): the object is the record
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"id_number": IDS[1], "n": 1.5}), "utf-8")
    d.deidentify_file(one, tmp_path / "one.out.json")
    got = json.loads((tmp_path / "one.out.json").read_text("utf-8"))
    assert got["n"] == 1.5
    assert got["id_number"] != IDS[1]


def test_bad_json_names_file_and_line(keys: EnvKeyProvider, tmp_path: Path) -> None:
    src = tmp_path / "bad.json"
    src.write_text('[\n  {"a": "x"},\n  {"a": }\n]\n', "utf-8")
    with pytest.raises(InputError) as info:
        Deidentifier(keys=keys).deidentify_file(src, tmp_path / "out.json")
    message = str(info.value)
    assert message.startswith(f"{src}:3: not valid JSON (")
    assert "\n" not in message
    assert not (tmp_path / "out.json").exists()
    assert not metadata_path(tmp_path / "out.json").exists()


# ---------------------------------------------------------------------------- JSON Lines
def test_jsonl_date_shift_with_subject_leaf(keys: EnvKeyProvider, tmp_path: Path) -> None:
    records = [
        {"patient": {"pid": "p1", "visit": "2024-03-01"}},
        {"patient": {"pid": "p1", "visit": "2024-03-05"}},
        {"patient": {"pid": "p2", "visit": "2024-03-01"}},
        {"patient": {"visit": "2024-01-01"}},  # no subject: the empty string
    ]
    src = tmp_path / "visits.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    out = tmp_path / "safe.jsonl"
    Deidentifier(parse_policy(POLICY), keys=keys).deidentify_file(src, out)
    safe = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    days = [datetime.date.fromisoformat(r["patient"]["visit"]) for r in safe]
    assert (days[1] - days[0]).days == 4
    assert days[0] != datetime.date(2024, 3, 1)
    assert [r["patient"].get("pid") for r in safe] == ["p1", "p1", "p2", None]
    back = tmp_path / "back.jsonl"
    assert reidentify_file(out, back, keys=keys) == 4
    assert [json.loads(line) for line in back.read_text("utf-8").splitlines()] == records


def test_jsonl_date_shift_subject_must_survive(keys: EnvKeyProvider, tmp_path: Path) -> None:
    policy = parse_policy(
        "columns: {pid: CN_MOBILE, visit: DATE_OF_BIRTH}\nrules:\n"
        "  - entity: DATE_OF_BIRTH\n    operator: date_shift\n    options: {subject: pid}\n"
        "  - grade: ordinary\n    operator: mask\n"
    )
    src = tmp_path / "v.jsonl"
    src.write_text('{"pid": "13812345678", "visit": "2024-03-01"}\n', "utf-8")
    out = tmp_path / "o.jsonl"
    Deidentifier(policy, keys=keys).deidentify_file(src, out)
    with pytest.raises(ConfigError, match="subject column 'pid' is changed by 'mask'"):
        reidentify_file(out, tmp_path / "b.jsonl", keys=keys)


# ---------------------------------------------------------------------------- Excel
def _workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "患者"
    ws.append(["pid", "name", "手机", "id_number", "visit", "email", "note", "score"])
    ws.append(
        [
            "p1",
            "张三",
            13812345678,
            IDS[0],
            "2024-03-01",
            "zs@example.com",
            "身份证110101199003071233",
            1.5,
        ]
    )
    ws.append(["p1", "张三", 13812345678, IDS[0], "2024-03-05", "zs@example.com", None, 2])
    ws.append([None] * 8)  # a blank row stays where it is
    ws.append(["p2", "李四丰", "13912345678", IDS[2], "2023-12-31", "", "好的", None])
    other = book.create_sheet("联系人")
    other.append(["email", "when"])
    other.append(["ls@example.com", datetime.datetime(2024, 1, 2, 3, 4, 5)])
    book.create_sheet("空")  # an empty sheet stays, empty
    book.save(path)  # fmt: skip


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        out = {}
        for ws in book:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            width = max((len(r) for r in rows), default=0)
            out[ws.title] = [r + [None] * (width - len(r)) for r in rows]  # blank rows: ()
        return out
    finally:
        book.close()


def test_xlsx_round_trip(keys: EnvKeyProvider, tmp_path: Path, scanner: Scanner) -> None:
    src = tmp_path / "patients.xlsx"
    _workbook(src)
    policy = parse_policy(POLICY.replace("patient.pid", "pid"), source="p.yaml")
    out = tmp_path / "safe.xlsx"
    summary = Deidentifier(policy, keys=keys).deidentify_file(src, out)
    assert summary.rows == 5  # 4 on the first sheet (the blank row counted), 1 on the second
    before, after = _cells(src), _cells(out)
    assert list(after) == ["患者", "联系人", "空"]
    assert after["空"] == []
    for sheet in ("患者", "联系人"):
        assert after[sheet][0] == before[sheet][0]  # header rows kept
        assert len(after[sheet]) == len(before[sheet])
    rows = after["患者"]
    assert [r[0] for r in rows[1:]] == ["p1", "p1", None, "p2"]  # kept
    assert [r[7] for r in rows[1:]] == [1.5, 2, None, None]  # kept, still numbers
    assert rows[1][1] == "张*"
    assert rows[1][2] == "138****5678"
    assert rows[1][3] != IDS[0]
    assert cn_ric.is_valid(rows[1][3])
    assert rows[4][5] is None  # an empty cell stays empty
    assert after["联系人"][1][1] == datetime.datetime(2024, 1, 2, 3, 4, 5)
    text = "\n".join(" ".join("" if v is None else str(v) for v in r) for r in rows)
    text += "\n" + "\n".join(str(r[0]) for r in after["联系人"])
    assert not _found(scanner, text) & set(RAW)
    changes = {(c, e) for c, e, _ in summary.counts}
    assert ("患者!手机", "CN_MOBILE") in changes
    assert ("联系人!email", "EMAIL") in changes

    back = tmp_path / "back.xlsx"
    assert reidentify_file(out, back, keys=keys) >= 8
    restored = _cells(back)
    assert restored["联系人"] == before["联系人"]
    for got, want in zip(restored["患者"], before["患者"], strict=True):
        # masked cells (name, phone) stay masked; everything reversible comes back
        assert [got[j] for j in (0, 3, 4, 5, 6, 7)] == [want[j] for j in (0, 3, 4, 5, 6, 7)]


def test_xlsx_bad_input(keys: EnvKeyProvider, tmp_path: Path) -> None:
    d = Deidentifier(keys=keys)
    wide = tmp_path / "wide.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "名单"
    ws.append(["name", "phone"])
    ws.append(["张三", "13812345678"])
    ws.append(["李四", "13912345678", "extra"])
    book.save(wide)
    with pytest.raises(InputError) as info:
        d.deidentify_file(wide, tmp_path / "o.xlsx")
    assert str(info.value) == (
        f"{wide}: sheet '名单', row 3: a value beyond the header's 2 columns "
        "(give every column a header)"
    )
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError, match=r"broken\.xlsx: not a readable \.xlsx workbook"):
        d.deidentify_file(broken, tmp_path / "o.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.xlsx", "wide.xlsx"]


def _cut_sheet(src: Path, dst: Path) -> None:
    """A copy of ``src`` whose first worksheet's XML stops short of its end."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) - 60]
            zout.writestr(item, data)


def test_xlsx_damaged_sheet(keys: EnvKeyProvider, tmp_path: Path) -> None:
    """A worksheet whose XML is cut short is a one-line InputError naming the sheet, in both
    directions, and leaves no output or temporary file behind."""
    src = tmp_path / "patients.xlsx"
    _workbook(src)
    policy = parse_policy(POLICY.replace("patient.pid", "pid"), source="p.yaml")
    cut = tmp_path / "cut.xlsx"
    _cut_sheet(src, cut)
    with pytest.raises(InputError, match=r"cut\.xlsx: sheet '患者', row \d+: unreadable worksheet"):
        Deidentifier(policy, keys=keys).deidentify_file(cut, tmp_path / "o.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.xlsx", "patients.xlsx"]

    safe = tmp_path / "safe.xlsx"
    Deidentifier(policy, keys=keys).deidentify_file(src, safe)
    cut_safe = tmp_path / "cut_safe.xlsx"
    _cut_sheet(safe, cut_safe)
    metadata_path(cut_safe).write_bytes(metadata_path(safe).read_bytes())
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InputError, match=r"sheet '患者', row \d+: unreadable worksheet"):
        reidentify_file(cut_safe, tmp_path / "back.xlsx", keys=keys)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_cli_json_and_xlsx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIGUARD_KEY_DEIDENTIFY", "5f" * 32)
    monkeypatch.chdir(tmp_path)
    _workbook(tmp_path / "in.xlsx")
    (tmp_path / "in.json").write_text(json.dumps(_document(), ensure_ascii=False), "utf-8")
    runner = CliRunner()
    for name in ("in.xlsx", "in.json"):
        suffix = Path(name).suffix
        result = runner.invoke(app, ["deidentify", name, "-o", f"safe{suffix}"])
        assert result.exit_code == 0, result.output
        assert "CN_RESIDENT_ID" in result.stderr
        result = runner.invoke(app, ["reidentify", f"safe{suffix}", "-o", f"back{suffix}"])
        assert result.exit_code == 0, result.output
    # the default policy encrypts resident IDs with FF3-1: they come back
    assert _cells(tmp_path / "back.xlsx")["患者"][1][3] == IDS[0]
    back = json.loads((tmp_path / "back.json").read_text("utf-8"))
    assert back["records"][0]["patient"]["id_number"] == IDS[0]
    result = runner.invoke(app, ["deidentify", "nope.xlsx", "-o", "x.xlsx"])
    assert result.exit_code == 2
