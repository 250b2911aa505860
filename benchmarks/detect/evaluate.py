"""Quality of piguard's detection on the generated corpus: per-entity precision and recall.

Identifiers count as correct when entity and span match exactly. PERSON_NAME and ADDRESS
are scored by overlap (a predicted span overlapping a gold span of the same entity is a true
positive, and a gold span overlapped by a prediction is recalled), as in issue 3.

    python benchmarks/detect/evaluate.py --lines 20000
    python benchmarks/detect/evaluate.py --lines 20000 --identifiers-only
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import generate

from piguard.detect import Scanner

OVERLAP = {"PERSON_NAME", "ADDRESS"}
TARGETS = {"recall": 0.99, "precision": 0.98, "overlap_f1": 0.90}


def evaluate(lines: int, *, identifiers_only: bool, seed: int) -> dict[str, dict[str, float]]:
    exclude = ["PERSON_NAME", "ADDRESS"] if identifiers_only else []
    scanner = Scanner(exclude_entities=exclude)
    records = list(generate(lines, seed))
    results = scanner.scan_batch([r["text"] for r in records])  # type: ignore[misc]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors: dict[str, list[str]] = {}
    for record, found in zip(records, results, strict=True):
        text = str(record["text"])
        gold = [tuple(s) for s in record["spans"]]  # type: ignore[union-attr]
        gold = [g for g in gold if not (identifiers_only and g[2] in OVERLAP)]
        pred = [(f.start, f.end, f.entity) for f in found]
        for g in gold:
            ent = g[2]
            if ent in OVERLAP:
                hit = any(p[2] == ent and p[0] < g[1] and g[0] < p[1] for p in pred)
            else:
                hit = g in pred
            if hit:
                tp[ent] += 1
            else:
                fn[ent] += 1
                errors.setdefault(f"FN {ent}", []).append(f"{text[g[0] : g[1]]!r} in {text}")
        for p in pred:
            ent = p[2]
            if ent in OVERLAP:
                ok = any(g[2] == ent and p[0] < g[1] and g[0] < p[1] for g in gold)
            else:
                ok = p in gold
            if not ok:
                fp[ent] += 1
                errors.setdefault(f"FP {ent}", []).append(f"{text[p[0] : p[1]]!r} in {text}")
            elif ent in OVERLAP:
                tp[ent + "#pred"] += 1
    table: dict[str, dict[str, float]] = {}
    for ent in sorted(set(tp) | set(fp) | set(fn)):
        if ent.endswith("#pred"):
            continue
        if ent in OVERLAP:
            p = tp[ent + "#pred"] / max(1, tp[ent + "#pred"] + fp[ent])
        else:
            p = tp[ent] / max(1, tp[ent] + fp[ent])
        r = tp[ent] / max(1, tp[ent] + fn[ent])
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        table[ent] = {"gold": tp[ent] + fn[ent], "precision": p, "recall": r, "f1": f1}
    for key, examples in sorted(errors.items()):
        print(f"{key}: {len(examples)} e.g. {examples[:3]}", file=sys.stderr)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--identifiers-only", action="store_true")
    args = parser.parse_args()
    table = evaluate(args.lines, identifiers_only=args.identifiers_only, seed=args.seed)
    print("| entity | gold | precision | recall | F1 | target met |")
    print("|---|---|---|---|---|---|")
    for ent, row in table.items():
        if ent in OVERLAP:
            met = row["f1"] >= TARGETS["overlap_f1"]
            kind = " (overlap)"
        else:
            met = row["recall"] >= TARGETS["recall"] and row["precision"] >= TARGETS["precision"]
            kind = ""
        print(
            f"| {ent}{kind} | {int(row['gold'])} | {row['precision']:.4f} | {row['recall']:.4f} "
            f"| {row['f1']:.4f} | {'yes' if met else 'NO'} |"
        )


if __name__ == "__main__":
    main()
