"""The bundled sample data: reproducible, synthetic, and its ground truth is right.

The checks here are written independently of the generator (their own check-digit code), so a
bug in one does not hide in the other.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib.util
import ipaddress
import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import faker
import pytest
from faker.providers.person.zh_CN import Provider as ZhNames

from piguard import geo

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
SAMPLES = (
    "ridehailing_orders.csv",
    "shop_orders.csv",
    "health_consultations.jsonl",
    "smarthome_device_log.txt",
    "customer_service_chat.txt",
)
ENTITIES = {
    "CN_RESIDENT_ID", "CN_MOBILE", "CN_LANDLINE", "EMAIL", "BANK_CARD", "CN_PASSPORT",
    "CN_TRAVEL_PERMIT", "CN_LICENSE_PLATE", "PERSON_NAME", "ADDRESS", "GPS_COORDINATE",
    "IP_ADDRESS", "MAC_ADDRESS", "IMEI", "QQ_NUMBER", "WECHAT_ID", "DATE_OF_BIRTH",
    "HEALTH_CONDITION", "CREDENTIAL",
}  # fmt: skip
TODAY = dt.date(2024, 6, 30)


@functools.cache
def _generator() -> ModuleType:
    name = "piguard_sample_data_generator"
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "scripts" / "generate_sample_data.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@functools.cache
def _truth() -> list[dict[str, Any]]:
    lines = (DATA / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _spans(entity: str | None = None) -> list[dict[str, Any]]:
    return [
        r for r in _truth() if r["kind"] == "span" and (entity is None or r["entity"] == entity)
    ]


@functools.cache
def _lines(name: str) -> list[str]:
    # A text scan counts lines from 1 and splits on "\n" only.
    return (DATA / name).read_text(encoding="utf-8").split("\n")[:-1]


def _cells(name: str, column: str) -> list[str]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return [row[column] for row in csv.DictReader(fh) if row[column]]


def _json_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in _lines("health_consultations.jsonl")]


# ---------------------------------------------------------------- independent validators


def _ric_checksum_ok(value: str) -> bool:
    """GB 11643-1999 check digit: ISO 7064 MOD 11-2 over 18 characters."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    total = sum(int(c) * w for c, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17]


def _ric_ok(value: str) -> bool:
    """A check digit (18 digits) and a real birth date (18 or 15 digits)."""
    if re.fullmatch(r"\d{15}", value):
        birth = "19" + value[6:12]
    elif _ric_checksum_ok(value):
        birth = value[6:14]
    else:
        return False
    try:
        dt.datetime.strptime(birth, "%Y%m%d")
    except ValueError:
        return False
    return True


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _uscc_ok(code: str) -> bool:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    if not re.fullmatch(f"[{chars}]{{18}}", code):
        return False
    total = sum(chars.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    return chars[(31 - total % 31) % 31] == code[17]


def _birth(value: str) -> dt.date:
    text = "19" + value[6:12] if len(value) == 15 else value[6:14]
    return dt.datetime.strptime(text, "%Y%m%d").date()


def _digits(text: str) -> str:
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return re.sub(r"\D", "", text)


_ID_TYPES = {
    "CN_RESIDENT_ID": "居民身份证",
    "CN_PASSPORT": "护照",
    "CN_TRAVEL_PERMIT": "往来港澳通行证",
}


def _is_landline(text: str) -> bool:
    return text.startswith(("0", "(0"))


def _all_values(entity: str) -> list[str]:
    """Every planted value of an entity: free-text spans plus typed columns and fields.

    Two typed columns mix entities, as their records say (``also``): ``receiver_phone``
    holds some landlines (they start with the area code's 0), and ``patient.id_number``
    holds passports and travel permits where ``patient.id_type`` says so.
    """
    values = [r["text"] for r in _spans(entity)]
    for record in _truth():
        if record["kind"] != "column":
            continue
        if record["entity"] == entity:
            cells = _cells(record["file"], record["column"])
            if "CN_LANDLINE" in record.get("also", ()):
                cells = [c for c in cells if not _is_landline(c)]
            values += cells
        elif entity in record.get("also", ()) and entity == "CN_LANDLINE":
            values += [c for c in _cells(record["file"], record["column"]) if _is_landline(c)]
    fields = {
        r["field"]
        for r in _truth()
        if r["kind"] == "field" and (r["entity"] == entity or entity in r.get("also", ()))
    }
    for row in _json_rows():
        for path in fields:
            if path == "patient.id_number":
                if row["patient"]["id_type"] == _ID_TYPES[entity]:
                    values.append(row["patient"]["id_number"])
                continue
            head, _, tail = path.partition(".")
            if head.endswith("[]"):
                items = row.get(head[:-2], [])
                values += [i[tail] if tail else i for i in items]
            elif tail:
                values.append(row.get(head, {}).get(tail, ""))
            else:
                values.append(row.get(head, ""))
    return [v for v in values if v]


# ---------------------------------------------------------------- reproducible


def test_files_are_what_the_generator_produces() -> None:
    built = _generator().build()
    assert sorted(built) == sorted([*SAMPLES, "ground_truth.jsonl"])
    for name, text in built.items():
        assert (DATA / name).read_bytes() == text.encode("utf-8"), (
            f"{name} differs from the generator's output: run "
            "scripts/generate_sample_data.py (generated with faker "
            f"{_truth()[0]['faker']}, installed {faker.VERSION})"
        )


def test_generator_writes_the_files(tmp_path: Path) -> None:
    assert _generator().main(["--out", str(tmp_path)]) == 0
    for name in [*SAMPLES, "ground_truth.jsonl"]:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes()


def test_sizes_and_line_counts() -> None:
    total = sum((DATA / n).stat().st_size for n in [*SAMPLES, "ground_truth.jsonl"])
    assert total < 1_000_000
    for name in SAMPLES:
        assert 150 <= len(_lines(name)) <= 1000, name


# ---------------------------------------------------------------- ground truth format


def test_ground_truth_records() -> None:
    meta, *records = _truth()
    assert meta["kind"] == "meta"
    assert meta["synthetic"] is True
    kinds = Counter(r["kind"] for r in records)
    assert set(kinds) == {"span", "column", "field"}
    for r in records:
        assert r["file"] in SAMPLES
        assert r["entity"] is None or r["entity"] in ENTITIES
        if r["kind"] != "span" and r.get("free_text"):
            assert r["pi"] is None
        else:
            assert r["pi"] is (r["entity"] is not None)
        if r["pi"] is False and r["kind"] == "span":
            assert r["decoy"]
    # Every entity of DESIGN.md is planted somewhere.
    planted = {r["entity"] for r in records if r["entity"]}
    assert planted == ENTITIES


def test_every_span_is_the_text_at_its_place() -> None:
    spans = _spans()
    assert len(spans) > 1500
    for r in spans:
        lines = _lines(r["file"])
        assert 1 <= r["line"] <= len(lines)
        line = lines[r["line"] - 1]
        assert 0 <= r["start"] < r["end"] <= len(line)
        assert line[r["start"] : r["end"]] == r["text"], r


def test_spans_do_not_overlap() -> None:
    by_line: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for r in _spans():
        by_line.setdefault((r["file"], r["line"]), []).append((r["start"], r["end"]))
    for key, spans in by_line.items():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, key


def test_columns_and_fields_cover_the_tables() -> None:
    for name in ("ridehailing_orders.csv", "shop_orders.csv"):
        header = _lines(name)[0].split(",")
        typed = [r["column"] for r in _truth() if r["kind"] == "column" and r["file"] == name]
        assert typed == header
        with (DATA / name).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert all(len(row) == len(header) for row in rows)
    fields = {r["field"] for r in _truth() if r["kind"] == "field"}
    for row in _json_rows():
        for key, value in row.items():
            if isinstance(value, dict):
                assert {f"{key}.{k}" for k in value} <= fields
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                assert {f"{key}[].{k}" for k in value[0]} <= fields
            elif isinstance(value, list):
                assert f"{key}[]" in fields
            else:
                assert key in fields


# ---------------------------------------------------------------- identifiers are valid


def test_resident_ids_have_valid_check_digits_and_regions() -> None:
    ids = _all_values("CN_RESIDENT_ID")
    assert len(ids) > 150
    assert any(len(v) == 15 for v in ids), "a few legacy 15-digit numbers"
    assert any(v.endswith("X") for v in ids)
    for value in ids:
        assert _ric_ok(value), value
        assert geo.id_region_level(value[:6]) == "county", value
        assert dt.date(1950, 1, 1) <= _birth(value) <= TODAY


def test_minors_are_present_and_flagged() -> None:
    minor_ids = [r["text"] for r in _spans("CN_RESIDENT_ID") if r.get("minor")]
    assert minor_ids
    for value in minor_ids:
        age = (TODAY - _birth(value)).days / 365.25
        assert age < 14, value
    flagged = [r for r in _spans() if r.get("minor")]
    assert {r["entity"] for r in flagged} >= {"PERSON_NAME", "DATE_OF_BIRTH", "HEALTH_CONDITION"}
    # In the consultations, every patient under 14 has a guardian.
    for row in _json_rows():
        birth = dt.date.fromisoformat(row["patient"]["date_of_birth"])
        is_minor = (TODAY - birth).days / 365.25 < 14
        assert ("guardian" in row) is is_minor


def test_bank_cards_and_imeis_pass_luhn() -> None:
    cards = _all_values("BANK_CARD")
    assert len(cards) > 100
    assert any(_digits(c).startswith("62") for c in cards)
    assert any(not _digits(c).startswith("62") for c in cards)
    for card in cards:
        digits = _digits(card)
        assert 16 <= len(digits) <= 19, card
        assert _luhn_ok(digits), card
    imeis = _all_values("IMEI")
    assert imeis
    for imei in imeis:
        assert re.fullmatch(r"\d{15}", imei)
        assert _luhn_ok(imei), imei


def test_mobiles_use_real_prefixes_in_varied_formats() -> None:
    mobiles = _all_values("CN_MOBILE")
    prefixes = set(_generator().MOBILE_PREFIXES)
    for text in mobiles:
        digits = _digits(text)
        if len(digits) == 13:
            assert digits.startswith("86"), text
            digits = digits[2:]
        assert len(digits) == 11, text
        assert digits[:3] in prefixes, text
    assert any(t.startswith("+86") for t in mobiles)
    assert any(re.search("[０-９]", t) for t in mobiles)
    assert any(" " in t or "-" in t for t in mobiles)


def test_other_identifier_shapes() -> None:
    for value in _all_values("CN_PASSPORT"):
        assert re.fullmatch(r"[EG]\d{8}", value), value
    for value in _all_values("CN_TRAVEL_PERMIT"):
        assert re.fullmatch(r"C\d{8}", value), value
    plates = _all_values("CN_LICENSE_PLATE")
    pattern = r"[\u4e00-\u9fff][A-Z][· ]?(?:[A-HJ-NP-Z0-9]{5}|[DF][A-HJ-NP-Z0-9]\d{4})"
    for value in plates:
        assert re.fullmatch(pattern, value), value
        assert geo.province_by_abbreviation(value[0]) is not None, value
    assert any(re.search(r"[DF][A-HJ-NP-Z0-9]\d{4}$", p) for p in plates), "new-energy plates"
    for value in _all_values("MAC_ADDRESS"):
        assert re.fullmatch(r"[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}", value)
    for value in _all_values("EMAIL"):
        assert re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", value), value
    for value in _all_values("QQ_NUMBER"):
        assert re.fullmatch(r"[1-9]\d{5,9}", value), value
    for value in _all_values("WECHAT_ID"):
        assert re.fullmatch(r"[A-Za-z][-_A-Za-z0-9]{5,19}", value), value
    for value in _all_values("GPS_COORDINATE"):
        lat, lng = (float(x) for x in value.split(","))
        assert 18 < lat < 54
        assert 73 < lng < 136


def test_addresses_start_with_real_divisions() -> None:
    addresses = _all_values("ADDRESS")
    assert len(addresses) > 500
    for text in addresses:
        found = geo.locate(text)
        assert found is not None, text
        assert any(d.level == "county" for d in found.candidates), text
        assert re.search(r"\d+号|村$|\d+组", text), text


def test_ip_addresses_are_private_or_documentation_ranges() -> None:
    documentation = [
        ipaddress.ip_network(n)
        for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
    ]
    for value in _all_values("IP_ADDRESS"):
        ip = ipaddress.ip_address(value)
        assert ip.is_private or ip.is_link_local or any(ip in net for net in documentation), value


# ---------------------------------------------------------------- decoys


def test_id_like_order_numbers_really_pass_the_id_check_digit() -> None:
    decoys = [r for r in _spans() if r.get("decoy") == "ORDER_NUMBER"]
    hard = [r for r in decoys if r.get("passes_id_checksum")]
    assert len(hard) >= 20
    assert any(r.get("id_structure_valid") for r in hard)
    for r in hard:
        assert re.fullmatch(r"\d{18}", r["text"])
        assert _ric_checksum_ok(r["text"]), r["text"]
        if r.get("id_structure_valid"):
            assert _ric_ok(r["text"])
            assert geo.is_known_code(r["text"][:6])
        if r["kind"] == "span" and r["file"].endswith(".txt"):
            line = _lines(r["file"])[r["line"] - 1]
            assert re.search(r"(订单号|order )$", line[: r["start"]]), line
    # The ordinary 18-digit order numbers of the order_no columns fail it.
    for name in ("ridehailing_orders.csv", "shop_orders.csv"):
        hard_here = {r["text"] for r in hard if r["file"] == name}
        for value in _cells(name, "order_no"):
            assert _ric_checksum_ok(value) is (value in hard_here), value


def test_organisation_credit_codes_are_valid_and_not_pi() -> None:
    codes = [r["text"] for r in _spans() if r.get("decoy") == "ORG_CREDIT_CODE"]
    codes += _cells("shop_orders.csv", "seller_credit_code")
    assert codes
    for code in codes:
        assert _uscc_ok(code), code


# ---------------------------------------------------------------- synthetic people


def test_names_are_faker_names_not_well_known_people() -> None:
    surnames = set(ZhNames.last_names)
    given = set(ZhNames.first_names_male) | set(ZhNames.first_names_female)
    famous = _generator().FAMOUS_NAMES
    assert {"李娜", "姚明", "周杰伦"} <= famous
    names = _all_values("PERSON_NAME")
    assert len(names) > 1000
    for name in names:
        assert name not in famous, name
        split_ok = any(name[:k] in surnames and name[k:] in given for k in (1, 2) if len(name) > k)
        assert split_ok, name


def test_health_terms_come_from_the_generator_lexicon() -> None:
    gen = _generator()
    known = set(gen.HEALTH_ADULT) | set(gen.HEALTH_CHILD) | {m for m, _ in gen.MEDICATIONS.values()}
    known |= {t for results in gen.TEST_RESULTS.values() for t in results}
    values = _all_values("HEALTH_CONDITION")
    assert len(values) > 300
    assert set(values) <= known


def test_readme_documents_every_file() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in [*SAMPLES, "ground_truth.jsonl", "scripts/generate_sample_data.py"]:
        assert name in readme, name
    docs = (ROOT / "docs" / "sample-data.md").read_text(encoding="utf-8")
    assert "examples/data/README.md" in docs


@pytest.mark.parametrize("name", SAMPLES)
def test_each_file_is_valid_in_its_format(name: str) -> None:
    # Each file is valid in its own format.
    text = (DATA / name).read_text(encoding="utf-8")
    assert text.endswith("\n")
    assert "\r" not in text
    if name.endswith(".jsonl"):
        for line in text.splitlines():
            assert isinstance(json.loads(line), dict)
