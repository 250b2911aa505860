"""piguard on the bundled sample data (examples/data), an independent check: the files and
their ground truth were written by another author than the scanner and its corpus.

- Recall per entity over every planted ``span`` (free text of all files; overlap with a
  finding of the same entity counts).
- Precision per entity on the two ``.txt`` files, where every line is labelled: a finding is
  correct when it overlaps a planted span of its entity.
- Decoys reported: findings on ``decoy`` spans (order numbers that pass the ID check, tracking
  numbers, timestamps, …), separately for the text files and for whole CSV cells (which only
  a column header identifies; a text scan cannot see it).

    python benchmarks/detect/sample_data.py [--identifiers-only]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from piguard.detect import Scanner

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
MODEL = {"PERSON_NAME", "ADDRESS"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--identifiers-only", action="store_true")
    args = parser.parse_args()
    scanner = Scanner(exclude_entities=sorted(MODEL)) if args.identifiers_only else Scanner()
    with (DATA / "ground_truth.jsonl").open(encoding="utf-8") as fh:
        spans = [r for r in map(json.loads, fh) if r["kind"] == "span"]
    recall_hit: Counter[str] = Counter()
    recall_all: Counter[str] = Counter()
    prec_ok: Counter[str] = Counter()
    prec_all: Counter[str] = Counter()
    decoys = Counter[str]()
    for name in sorted({s["file"] for s in spans}):
        lines = (DATA / name).read_text(encoding="utf-8").split("\n")
        found = list(scanner.scan_lines(lines, source=name))
        mine = [s for s in spans if s["file"] == name]
        for s in mine:
            if not s["pi"] or (args.identifiers_only and s["entity"] in MODEL):
                continue
            recall_all[s["entity"]] += 1
            recall_hit[s["entity"]] += any(
                f.line == s["line"]
                and f.entity == s["entity"]
                and f.start < s["end"]
                and s["start"] < f.end
                for f in found
            )
        for f in found:
            near = [
                s for s in mine if s["line"] == f.line and s["start"] < f.end and f.start < s["end"]
            ]
            if any(not s["pi"] for s in near):
                decoys["csv cells" if name.endswith(".csv") else "text"] += 1
            if name.endswith(".txt"):
                prec_all[f.entity] += 1
                prec_ok[f.entity] += any(s["pi"] and s["entity"] == f.entity for s in near)
    print("| entity | planted spans | recall | findings in .txt | precision in .txt |")
    print("|---|---|---|---|---|")
    for e in sorted(recall_all):
        p = f"{prec_ok[e] / prec_all[e]:.3f}" if prec_all[e] else "–"
        print(
            f"| {e} | {recall_all[e]} | {recall_hit[e] / recall_all[e]:.3f} | {prec_all[e]} | {p} |"
        )
    print(f"\ndecoys reported: {decoys['text']} in text, {decoys['csv cells']} in whole CSV cells")


if __name__ == "__main__":
    main()
