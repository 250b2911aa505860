"""Column-level accuracy of piguard's data discovery on the labelled benchmark set.

    .venv/bin/python benchmarks/discovery/generate.py --out /tmp/dbench --rows 2000
    .venv/bin/python benchmarks/discovery/evaluate.py /tmp/dbench [--presidio]
    .venv/bin/python benchmarks/discovery/evaluate.py /tmp/dbench-30k --sample-over-bytes 0

``--sample-over-bytes N`` samples CSV files larger than N bytes (rows drawn at random
offsets, as by default for files over 16 MB) instead of reading them whole; with 0 every
CSV of more than 20 × 1,000 rows is sampled, which checks the sampling path's accuracy on
a set generated with ``--rows 30000``.

Also scores the bundled sample data (examples/data, column/field records of
ground_truth.jsonl). A column is right when its kind and entity (or, for entity-less PI,
its category) match the label; a not-PI column must not be reported as PI. "Missed
sensitive" counts labelled sensitive columns not reported as sensitive PI. ``--presidio``
also scores presidio-structured on the CSV tables (its entity names mapped to ours; for
free text and entity-less PI any PI label counts for it).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from piguard.sources import ColumnFinding, DiscoveryOptions, discover

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2024, 6, 30)


def correct(c: ColumnFinding, lab: dict[str, Any]) -> bool:
    kind = lab["kind"]
    if not lab["pi"]:
        return not c.pi
    if kind == "free_text":
        return c.kind == "free_text"
    if kind in ("masked", "hashed"):
        return c.kind == kind and (c.entity == lab["entity"] or lab["entity"] is None)
    if lab["entity"] is None:
        return c.category == lab["category"] and c.pi
    return c.entity == lab["entity"] and c.kind == "identifier"


def score(
    labels: list[dict[str, Any]], found: dict[tuple[str, str], ColumnFinding]
) -> dict[str, Any]:
    right = 0
    missed_sensitive = []
    wrong = []
    per_file: Counter[str] = Counter()
    per_file_right: Counter[str] = Counter()
    for lab in labels:
        c = found.get((lab["table"], lab["column"]))
        per_file[lab["file"]] += 1
        if c is None:
            wrong.append((lab["file"], lab["column"], "missing"))
            continue
        if correct(c, lab):
            right += 1
            per_file_right[lab["file"]] += 1
        else:
            wrong.append(
                (
                    lab["file"],
                    lab["column"],
                    f"want {lab['kind']}/{lab['entity'] or lab['category']}, "
                    f"got {c.kind}/{c.entity or c.category}",
                )
            )
        if lab.get("sensitive") and not (c.pi and c.sensitive):
            missed_sensitive.append((lab["file"], lab["column"]))
    return {
        "columns": len(labels),
        "correct": right,
        "accuracy": right / max(len(labels), 1),
        "missed_sensitive": missed_sensitive,
        "wrong": wrong,
        "per_file": {f: f"{per_file_right[f]}/{n}" for f, n in per_file.items()},
    }


def bench_set(folder: Path, options: DiscoveryOptions) -> dict[str, Any]:
    labels = [json.loads(line) for line in (folder / "labels.jsonl").open(encoding="utf-8")]
    targets = [str(p) for p in sorted(folder.glob("*.csv"))]
    targets += [str(p) for p in sorted(folder.glob("*.parquet"))]
    targets += [f"sqlite:///{p}" for p in sorted(folder.glob("*.db"))]
    t0 = time.perf_counter()
    inv = discover(targets, options)
    seconds = time.perf_counter() - t0
    found = {(t.table, c.column): c for t in inv.tables for c in t.columns}
    result = score(labels, found)
    result["seconds"] = seconds
    result["errors"] = inv.errors
    result["sampled"] = [t.table for t in inv.tables if t.sampled]
    return result


def sample_data() -> dict[str, Any]:
    data = ROOT / "examples" / "data"
    records = [json.loads(line) for line in (data / "ground_truth.jsonl").open(encoding="utf-8")]
    labels = []
    for r in records:
        if r["kind"] not in ("column", "field"):
            continue
        col = r.get("column") or r.get("field")
        if r.get("free_text"):
            lab = {"kind": "free_text", "entity": None, "category": None, "pi": True}
        elif r["entity"] is None:
            # The sample data's ground truth marks only DESIGN.md entities; gender and a
            # bare city are not labelled, so only "no entity" is checked there.
            lab = {"kind": "none", "entity": None, "category": None, "pi": False}
        else:
            lab = {"kind": "identifier", "entity": r["entity"], "category": None, "pi": True}
        labels.append({"file": r["file"], "table": r["file"], "column": col, **lab})
    inv = discover(
        [str(data / f) for f in sorted({r["file"] for r in labels})], DiscoveryOptions(today=TODAY)
    )
    found = {(t.table, c.column): c for t in inv.tables for c in t.columns}
    for lab in labels:  # entity-less columns: right when no entity is claimed
        c = found.get((lab["table"], lab["column"]))
        if c is not None and lab["kind"] == "none" and c.entity is None:
            lab["pi"] = c.pi
            lab["kind"] = "category" if c.pi else "none"
            lab["category"] = c.category
    return score(labels, found)


# presidio's entity names → DESIGN.md's (what the peer can name at all).
PRESIDIO_TO_OURS = {
    "PHONE_NUMBER": "CN_MOBILE",
    "EMAIL_ADDRESS": "EMAIL",
    "CREDIT_CARD": "BANK_CARD",
    "IP_ADDRESS": "IP_ADDRESS",
    "MAC_ADDRESS": "MAC_ADDRESS",
}


def presidio_csv(folder: Path, n: int = 1000) -> dict[str, Any]:
    """presidio-structured on the CSV tables of the set (same offline set-up as speed.py)."""
    import pandas as pd
    from presidio_structured import PandasAnalysisBuilder

    sys.path.insert(0, str(Path(__file__).parent))
    from speed import presidio_engine

    labels = [json.loads(line) for line in (folder / "labels.jsonl").open(encoding="utf-8")]
    labels = [lab for lab in labels if lab["file"].endswith(".csv")]
    builder = PandasAnalysisBuilder(analyzer=presidio_engine())
    right = 0
    missed_sensitive = 0
    for path in sorted(folder.glob("*.csv")):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        mapping = builder.generate_analysis(df, n=min(n, len(df)), language="zh").entity_mapping
        for lab in (lab for lab in labels if lab["file"] == path.name):
            got = PRESIDIO_TO_OURS.get(mapping.get(lab["column"], ""))
            is_pi = lab["column"] in mapping
            if not lab["pi"]:
                ok = not is_pi
            elif lab["kind"] in ("identifier", "masked", "hashed") and lab["entity"]:
                ok = got == lab["entity"]
            else:
                ok = is_pi  # free text or entity-less PI: any PI label counts
            right += ok
            missed_sensitive += bool(lab.get("sensitive")) and not is_pi
    return {"columns": len(labels), "correct": right, "missed_sensitive": missed_sensitive}


def main() -> None:
    args = sys.argv[1:]
    options = DiscoveryOptions(today=TODAY)
    if "--sample-over-bytes" in args:
        at = args.index("--sample-over-bytes")
        options = DiscoveryOptions(today=TODAY, sample_over_bytes=int(args[at + 1]))
        del args[at : at + 2]
    default = Path("/tmp/piguard-discovery-bench")
    folder = Path(args[0]) if args and not args[0].startswith("--") else default
    if "--presidio" in sys.argv:
        peer = presidio_csv(folder)
        print(
            f"== presidio-structured on the CSV tables: {peer['correct']}/{peer['columns']} "
            f"columns right ({peer['correct'] / peer['columns']:.3f}); sensitive columns with "
            f"no PI label: {peer['missed_sensitive']}"
        )
    for name, result in (
        ("benchmark set", bench_set(folder, options)),
        ("examples/data", sample_data()),
    ):
        print(
            f"== {name}: {result['correct']}/{result['columns']} columns right, "
            f"accuracy {result['accuracy']:.3f}"
        )
        if "seconds" in result:
            print(f"   classified in {result['seconds']:.1f} s; errors: {result['errors']}")
            print(f"   sampled (rows drawn at random): {result['sampled'] or 'none'}")
        print(f"   per file: {result['per_file']}")
        print(
            f"   sensitive columns missed: {len(result['missed_sensitive'])} "
            f"{result['missed_sensitive']}"
        )
        for w in result["wrong"]:
            print(f"   wrong: {w}")


if __name__ == "__main__":
    main()
