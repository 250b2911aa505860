"""The bundled sample data (examples/data): planted identifiers are found, decoys are not.

The ground truth lists each planted value of the free text as a ``span``. Identifiers must
be found with high recall; decoy spans in the text files must not be reported. (Whole-cell
order numbers in the CSV files are recognisable only by their column header, which a text
scan does not see; table scanning is a separate feature, so they are left out here.)
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from piguard.detect import Scanner

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
MODEL_ENTITIES = {"PERSON_NAME", "ADDRESS"}

pytestmark = pytest.mark.skipif(not (DATA / "ground_truth.jsonl").exists(), reason="no sample data")


def _spans() -> list[dict[str, object]]:
    with (DATA / "ground_truth.jsonl").open(encoding="utf-8") as fh:
        return [r for r in map(json.loads, fh) if r["kind"] == "span"]


def _scan(scanner: Scanner) -> dict[str, list[tuple[int, int, int, str]]]:
    out: dict[str, list[tuple[int, int, int, str]]] = {}
    for name in sorted({str(s["file"]) for s in _spans()}):
        lines = (DATA / name).read_text(encoding="utf-8").split("\n")
        out[name] = [
            (f.line, f.start, f.end, f.entity) for f in scanner.scan_lines(lines, source=name)
        ]
    return out


def _overlaps(
    span: dict[str, object], found: list[tuple[int, int, int, str]], entity: object
) -> bool:
    return any(
        line == span["line"] and start < span["end"] and span["start"] < end and ent == entity  # type: ignore[operator]
        for line, start, end, ent in found
    )


def test_identifiers_are_found_and_decoys_are_not() -> None:
    found = _scan(Scanner(exclude_entities=sorted(MODEL_ENTITIES)))
    hit: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    decoys_reported = []
    for span in _spans():
        files_found = found[str(span["file"])]
        if span["pi"] and span["entity"] not in MODEL_ENTITIES:
            ok = _overlaps(span, files_found, span["entity"])
            (hit if ok else missed)[str(span["entity"])] += 1
        elif (
            not span["pi"]
            and not str(span["file"]).endswith(".csv")
            and any(
                line == span["line"] and start < span["end"] and span["start"] < end  # type: ignore[operator]
                for line, start, end, _ in files_found
            )
        ):
            decoys_reported.append(span["text"])
    total = sum(hit.values()) + sum(missed.values())
    assert total > 1500
    for entity in hit.keys() | missed.keys():
        recall = hit[entity] / (hit[entity] + missed[entity])
        assert recall >= 0.98, (entity, recall)
    assert decoys_reported == []


def test_names_and_addresses_with_the_shipped_model() -> None:
    found = _scan(Scanner(entities=sorted(MODEL_ENTITIES)))
    for entity, floor in (("ADDRESS", 0.95), ("PERSON_NAME", 0.75)):
        spans = [s for s in _spans() if s["entity"] == entity]
        recalled = sum(_overlaps(s, found[str(s["file"])], entity) for s in spans)
        assert recalled / len(spans) >= floor, (entity, recalled / len(spans))
