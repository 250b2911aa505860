"""Anonymisation on Adult: piguard against ARX and anonypy, in the same run.

Cases (issue 6): 8 quasi-identifiers with ARX's hierarchies, k=5, 0 % and 5 % suppression,
ARX's Loss. For each engine: the chosen transformation, Loss, suppressed records, nodes
checked, and warm timings (median and best of N runs after warm-up).

* piguard: ``encode`` + ``search`` on the table already in memory (reading the CSV is not
  timed), the same work as ARX's ``ARXAnonymizer.anonymize``.
* ARX: ``benchmarks/anonymize/ArxAdult.java``, run with ``java`` against ARX compiled from
  source by ``build_arx.sh`` (``ARX_CLASSPATH``); skipped with a note if absent.
* anonypy 0.2.1 (Mondrian, no hierarchies, no suppression), k=5 on the same 8 columns, once.

Run: ``.venv/bin/python benchmarks/anonymize/bench_adult.py [--repeats 15] [--no-anonypy]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from piguard.anonymize import KAnonymity, discover_hierarchies, encode, search

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("PIGUARD_ADULT", ROOT.parent / "shared" / "data" / "adult"))
QI = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
]
ARX = {0.0: {"levels": [0, 4, 0, 2, 3, 2, 2, 1]}, 0.05: {"levels": [0, 3, 0, 0, 1, 1, 1, 2]}}


def load() -> dict[str, list[str]]:
    with open(DATA / "adult.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header = rows[0]
    return {name: [r[i] for r in rows[1:]] for i, name in enumerate(header)}


def bench_piguard(
    columns: dict[str, list[str]], repeats: int, earlier: list[dict[str, object]] | None = None
) -> list[dict[str, object]]:
    """Time piguard; ``earlier`` results from a previous round are merged in (their runs are
    kept in ``runs_ms``) so that rounds before and after ARX share one median."""
    hierarchies = discover_hierarchies(DATA)
    out = []
    for suppression in (0.0, 0.05):
        times: list[float] = []
        if earlier:
            prev = next(r for r in earlier if r["suppression"] == suppression)
            times = [t / 1000 for t in prev["runs_ms"]]  # type: ignore[attr-defined]
        result = None
        for i in range(repeats + 3):
            t0 = time.perf_counter()
            data = encode(columns, QI, hierarchies)
            result = search(data, [KAnonymity(5)], max_suppression=suppression)
            if i >= 3:
                times.append(time.perf_counter() - t0)
        assert result is not None
        out.append(
            {
                "engine": "piguard",
                "suppression": suppression,
                "levels": list(result.levels),
                "loss": result.score,
                "suppressed": result.suppressed_records,
                "checked": result.nodes_checked,
                "median_ms": 1000 * statistics.median(times),
                "min_ms": 1000 * min(times),
                "runs_ms": [1000 * t for t in times],
                "matches_arx": list(result.levels) == ARX[suppression]["levels"],
            }
        )
    return out


def bench_arx(repeats: int) -> list[dict[str, object]] | str:
    classpath = os.environ.get("ARX_CLASSPATH")
    java = shutil.which("java")
    if not classpath or not java:
        return "ARX not run: set ARX_CLASSPATH (see build_arx.sh) and install Java 17"
    proc = subprocess.run(
        [java, "-cp", classpath, "ArxAdult", str(DATA), str(repeats)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if proc.returncode != 0:
        return f"ARX failed: {proc.stderr.strip().splitlines()[-1:]}"
    rows = []
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            row["engine"] = "ARX"
            rows.append(row)
    return rows


def bench_anonypy(columns: dict[str, list[str]]) -> dict[str, object] | str:
    try:
        import anonypy
        import pandas as pd
    except ImportError:
        return "anonypy not installed (pip install anonypy pandas)"
    df = pd.DataFrame({c: columns[c] for c in [*QI, "salary-class"]})
    df["age"] = df["age"].astype(int)
    for c in QI:
        if c != "age":
            df[c] = df[c].astype("category")
    t0 = time.perf_counter()
    preserver = anonypy.Preserver(df, QI, "salary-class")
    rows = preserver.anonymize_k_anonymity(k=5)
    elapsed = time.perf_counter() - t0
    return {"engine": "anonypy (Mondrian)", "k": 5, "ms": 1000 * elapsed, "output_rows": len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--no-anonypy", action="store_true")
    args = parser.parse_args()
    columns = load()
    load_before = os.getloadavg()
    # piguard before and after ARX, so both see the same (shared, noisy) machine.
    ours = bench_piguard(columns, args.repeats)
    arx = bench_arx(args.repeats)
    ours = bench_piguard(columns, args.repeats, earlier=ours)
    load_after = os.getloadavg()
    peer = None if args.no_anonypy else bench_anonypy(columns)
    print(f"Adult: {len(columns['age']):,} records, 8 quasi-identifiers, k=5, ARX's Loss")
    print(
        f"machine: {os.cpu_count()} cores, load average {load_before[0]:.1f} before,"
        f" {load_after[0]:.1f} after; Python {sys.version.split()[0]}; {args.repeats} warm runs"
        " per engine and round (piguard: two rounds around ARX)"
    )
    print(
        f"{'engine':9} {'supp':>5} {'levels':26} {'loss':>8} {'supp.':>6} {'checked':>7} "
        f"{'median ms':>10} {'best ms':>8}"
    )
    rows = ours + (arx if isinstance(arx, list) else [])
    for r in sorted(rows, key=lambda r: (r["suppression"], r["engine"] != "ARX")):
        print(
            f"{r['engine']:9} {r['suppression']:>5.0%} {r['levels']!s:26} {float(r['loss']):8.4f} "
            f"{r['suppressed']:>6} {r['checked']:>7} {float(r['median_ms']):10.1f} "
            f"{float(r['min_ms']):8.1f}"
        )
    if isinstance(arx, list):
        for a in arx:
            ms = a["algorithm_ms"]
            print(f"ARX {a['suppression']:.0%}: ARXResult.getTime() of the last run {ms} ms")
        for mine in ours:
            theirs = next(a for a in arx if a["suppression"] == mine["suppression"])
            ratio = float(mine["median_ms"]) / float(theirs["median_ms"])
            same = (
                mine["levels"] == theirs["levels"]
                and abs(float(mine["loss"]) - float(theirs["loss"])) < 1e-3
            )
            print(
                f"k=5/{mine['suppression']:.0%}: piguard/ARX time ratio (median) {ratio:.2f}; "
                f"same optimum: {same}"
            )
    else:
        print(arx)
    if peer is not None:
        print(
            peer
            if isinstance(peer, str)
            else f"anonypy Mondrian k=5: {float(peer['ms']):.0f} ms"
            f" ({peer['output_rows']} rows out)"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
