#!/usr/bin/env python3
"""Rebuild piguard.geo's package data from the NBS administrative-division tables.

Reads ``provinces.csv``, ``cities.csv``, ``areas.csv`` and ``streets.csv`` (the layout of
github.com/modood/Administrative-divisions-of-China ``dist/``) and writes

* ``src/piguard/geo/data/divisions.tsv``: provinces, prefecture-level cities and county-level
  units (about 100 KB), and
* ``src/piguard/geo/data/townships.tsv``: township-level units (乡级: 街道, 镇, 乡; about 1 MB),
  loaded only when township look-ups are asked for.

Each file starts with ``#`` header lines naming the source, its edition and the SHA-256 of the
input tables, then one ``code<TAB>name`` row per unit, sorted by code. The build is
deterministic: the same input gives byte-identical files (a test checks the shipped files).

Usage::

    .venv/bin/python scripts/build_divisions.py          # reads ../shared/data/cn_divisions
    .venv/bin/python scripts/build_divisions.py --source DIR --out DIR
    .venv/bin/python scripts/build_divisions.py --check  # exit 1 if the shipped files differ
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

from piguard._util import atomic_write

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "cn_divisions"
DEFAULT_OUT = ROOT / "src" / "piguard" / "geo" / "data"

SOURCE_LINES = (
    "Source: National Bureau of Statistics (国家统计局),",
    "  统计用区划代码和城乡划分代码, 2023 edition",
    "  (data as of 2023-06-30, published 2023-09-11), as compiled in",
    "  github.com/modood/Administrative-divisions-of-China dist/ (regenerated 2023-09-13,",
    "  commit dc3a1d7acd85ca1b0979543e9259604142c52e8e; repository HEAD 57a0aa9 of 2024-11-28).",
    "Licence of the compilation: WTFPL v2; the codes are official government statistical codes.",
)

# Province-level units outside the NBS mainland tables, with their GB/T 2260 codes. They have no
# subdivisions here; they are listed so that addresses and ID prefixes naming them resolve.
EXTRA_PROVINCES = (
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read(path: Path, fields: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [f for f in fields if f not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{path}: missing column(s) {', '.join(missing)}")
        rows = []
        for lineno, row in enumerate(reader, start=2):
            code, name = row["code"].strip(), row["name"].strip()
            if not code.isdigit() or not name:
                raise SystemExit(f"{path}:{lineno}: bad row (code must be digits, name non-empty)")
            rows.append({k: row[k].strip() for k in fields})
        return rows


def build(source: Path) -> dict[str, str]:
    """Return ``{file name: text}`` of the package data built from ``source``."""
    tables = {
        "provinces.csv": ("code", "name"),
        "cities.csv": ("code", "name", "provinceCode"),
        "areas.csv": ("code", "name", "cityCode", "provinceCode"),
        "streets.csv": ("code", "name", "areaCode", "cityCode", "provinceCode"),
    }
    data = {name: _read(source / name, fields) for name, fields in tables.items()}
    digests = [f"  {name} sha256 {_sha256(source / name)}" for name in tables]

    rows: dict[str, str] = {}
    expected_len = {"provinces.csv": 2, "cities.csv": 4, "areas.csv": 6}
    for table, length in expected_len.items():
        for row in data[table]:
            code = row["code"]
            if len(code) != length:
                raise SystemExit(f"{table}: code {code} should have {length} digits")
            parent = code[: length - 2]
            if length > 2 and parent not in rows:
                raise SystemExit(f"{table}: code {code} has no parent {parent}")
            if code in rows:
                raise SystemExit(f"{table}: duplicate code {code}")
            rows[code] = row["name"]
    for code, name in EXTRA_PROVINCES:
        if code in rows:
            raise SystemExit(f"extra province {code} is already in the source")
        rows[code] = name

    townships: dict[str, str] = {}
    for row in data["streets.csv"]:
        code = row["code"]
        if len(code) != 9 or code[:6] not in rows or code in townships:
            raise SystemExit(f"streets.csv: bad or duplicate township code {code}")
        townships[code] = row["name"]

    n_prov = sum(len(c) == 2 for c in rows)
    n_city = sum(len(c) == 4 for c in rows)
    n_county = sum(len(c) == 6 for c in rows)
    div_header = [
        "piguard.geo: administrative divisions of the People's Republic of China",
        "(province / prefecture-level city / county-level), one 'code<TAB>name' row per unit.",
        "Code length gives the level: 2 = province (省级), 4 = prefecture-level city (地级),",
        "6 = county-level (县级). The 6-digit form of a code pads it with zeros (11 -> 110000).",
        *SOURCE_LINES,
        "Input tables:",
        *digests,
        "Added by the build script (not in the NBS tables): 71 台湾省, 81 香港特别行政区,",
        "  82 澳门特别行政区 (GB/T 2260 province-level codes; no subdivisions listed).",
        "NBS placeholder units are kept as they are: 市辖区, 县, 省直辖县级行政区划,",
        "  自治区直辖县级行政区划 (city level), and NBS-only county-level units such as",
        "  development zones (开发区) and 管理区.",
        f"Counts: {n_prov} province-level, {n_city} prefecture-level, {n_county} county-level.",
        "Generated by scripts/build_divisions.py; do not edit by hand.",
    ]
    town_header = [
        "piguard.geo: township-level divisions (乡级: 街道, 镇, 乡, 民族乡, 苏木 ...) of the PRC,",
        "one 'code<TAB>name' row per unit; the 9-digit code starts with its county's 6-digit code.",
        "Names have the 办事处 suffix stripped upstream (东华门街道办事处 -> 东华门街道).",
        *SOURCE_LINES,
        "Input tables:",
        *digests,
        f"Counts: {len(townships)} township-level units.",
        "Generated by scripts/build_divisions.py; do not edit by hand.",
    ]

    def render(header: list[str], body: dict[str, str]) -> str:
        lines = [f"# {h}" for h in header]
        lines += [f"{code}\t{body[code]}" for code in sorted(body)]
        return "\n".join(lines) + "\n"

    return {
        "divisions.tsv": render(div_header, rows),
        "townships.tsv": render(town_header, townships),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Rebuild piguard.geo's division tables from the NBS CSV files.",
        epilog="Example: .venv/bin/python scripts/build_divisions.py --check",
    )
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder of CSVs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the files would change"
    )
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"build_divisions: error: no such folder: {args.source}", file=sys.stderr)
        return 2
    built = build(args.source)
    if args.check:
        stale = [
            name
            for name, text in built.items()
            if not (args.out / name).is_file()
            or (args.out / name).read_bytes() != text.encode("utf-8")
        ]
        for name in stale:
            print(f"build_divisions: {args.out / name} is out of date", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in built.items():
        with atomic_write(args.out / name, mode="wb") as fh:
            fh.write(text.encode("utf-8"))
        print(f"wrote {args.out / name} ({len(text.encode('utf-8')):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
