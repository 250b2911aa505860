# ruff: noqa: E501  (generated-data tables and report lines read better unwrapped)
"""Speed: classify one wide CSV with piguard and with presidio-structured, in the same run.

The CSV has 20 columns (names, phones, resident IDs, addresses, e-mails, bank cards, plates,
GPS points, order numbers, amounts, free text ...) and ``--rows`` rows (1,000,000 for the
reported figure; generated once and cached). Both tools classify every column from a sample
of 1,000 rows/values, each in its own child process (one after the other):

* **piguard**: ``piguard.sources.discover([csv])`` with ``sample_size=1000``. By default the
  file (over 16 MB) is sampled: its line breaks are counted in binary and rows are drawn at
  random offsets (docs/discovery.md, "Large inputs"); ``--stream`` makes piguard read every
  row instead (reservoir samples, HyperLogLog). ``discover`` runs twice in the same process:
  *cold* (the name/address model of piguard.detect is loaded inside the timed call) and
  *warm* (the model already loaded, as presidio's engine is built before its clock starts).
* **presidio-structured**: ``pandas.read_csv`` of the whole file (presidio-structured works
  on a DataFrame) and ``PandasAnalysisBuilder(analyzer).generate_analysis(df, n=1000)``.
  Presidio runs offline as in benchmarks/detect/speed.py: presidio-analyzer with a spaCy
  ``blank("zh")`` pipeline (no model download), its pattern recognizers and
  ``PhoneRecognizer`` with ``CN`` added, all for language "zh". Its engine set-up, its
  imports and its work are timed apart.

Three ratios are printed: *set-up included* (piguard cold against presidio's engine set-up
plus work), *engines ready* (piguard warm against presidio's work) and *whole process*
(interpreter start, imports, set-up and work of one classification each). Wall-clock and CPU
seconds (``time.process_time``: all threads of the process) are reported; on a shared machine
the CPU figures are the steadier ones. The load average is read before and after.

    .venv/bin/python benchmarks/discovery/speed.py --rows 1000000 --csv /tmp/wide-1m.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HEADER = [
    "order_no", "created_at", "user_name", "mobile", "id_card", "email", "address", "bank_card",
    "plate", "pickup_gps", "col_11", "amount", "quantity", "sku", "city", "gender", "birth_date",
    "masked_phone", "remark", "status",
]  # fmt: skip


def _ck(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _luhn(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    surnames, given = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚",
    )
    people = []
    for _ in range(20000):
        born = f"{rng.randint(1950, 2015)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        mobile = (
            rng.choice(["138", "139", "150", "186", "177"]) + f"{rng.randint(0, 10**8 - 1):08d}"
        )
        people.append(
            (
                rng.choice(surnames) + rng.choice(given) + rng.choice(["", rng.choice(given)]),
                mobile,
                _ck(
                    f"{rng.choice(['110105', '310104', '440305', '420102'])}{born}{rng.randint(0, 999):03d}"
                ),
                f"user{rng.randint(1, 10**6)}@example.com",
                f"{rng.choice(['北京市朝阳区', '上海市徐汇区', '广东省深圳市南山区'])}"
                f"{rng.choice(['建国路', '科苑路', '人民路'])}{rng.randint(1, 999)}号{rng.randint(1, 30)}栋{rng.randint(101, 2505)}室",
                _luhn("622202" + f"{rng.randint(0, 10**9 - 1):09d}"),
                rng.choice("京沪粤") + rng.choice("ABC") + f"{rng.randint(10000, 99999)}",
                f"{born[:4]}-{born[4:6]}-{born[6:]}",
                rng.choice("男女"),
            )
        )
    remarks = ["请尽快发货", "放门卫", "到了打电话{m}", "送到{a}，谢谢", "周末送"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(rows):
            p = people[rng.randrange(len(people))]
            w.writerow(
                [
                    f"2024{rng.randint(10**13, 10**14 - 1)}", f"2024-05-{1 + i % 28:02d} 12:{i % 60:02d}:00",
                    p[0], p[1], p[2], p[3], p[4], p[5] if i % 3 else "", p[6],
                    f"{rng.uniform(22, 40):.6f},{rng.uniform(105, 121):.6f}", p[2],
                    f"{rng.uniform(1, 999):.2f}", rng.randint(1, 9), f"SKU-{rng.randint(1000, 9999)}",
                    "深圳市", p[8], p[7], p[1][:3] + "****" + p[1][-4:],
                    rng.choice(remarks).format(m=p[1], a=p[4]), rng.choice(["paid", "shipped", "done"]),
                ]
            )  # fmt: skip


PIGUARD_CHILD = """
import json, os, resource, sys, time
from piguard.sources import DiscoveryOptions, discover
imports = time.process_time()  # interpreter start-up and imports
runs = []
for _ in range(2):  # cold (model loaded inside), then warm (engine ready, as presidio's is)
    t0, c0 = time.perf_counter(), time.process_time()
    inv = discover([sys.argv[1]], DiscoveryOptions(sample_size=1000, stream=sys.argv[2] == "stream"))
    runs.append((time.perf_counter() - t0, time.process_time() - c0))
    if len(runs) == 1:
        total = time.process_time()  # the whole process up to the first inventory
t = inv.tables[0]
cols = {c.column: (c.entity or c.category or c.kind) for c in inv.columns}
print(json.dumps({"import_cpu": imports, "seconds": runs[0][0], "cpu": runs[0][1],
                  "warm_seconds": runs[1][0], "warm_cpu": runs[1][1],
                  "total_cpu": total,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "columns": cols, "people": t.facts.people, "people_low": t.facts.people_low,
                  "people_high": t.facts.people_high, "people_method": t.facts.people_method,
                  "rows": t.rows, "rows_method": t.facts.rows_method, "rows_drawn": t.rows_drawn}))
"""

PRESIDIO_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
import speed
from pathlib import Path
import pandas, presidio_structured, presidio_analyzer  # noqa: F401  (imports counted apart)
imports = time.process_time()
print(json.dumps(speed.presidio_run(Path(sys.argv[1]), int(sys.argv[2]), imports)))
"""


def presidio_engine() -> object:
    """Presidio offline, as in benchmarks/detect/speed.py (spaCy blank("zh"), no download)."""
    import presidio_analyzer.predefined_recognizers as pr
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    from piguard.integrations.presidio import offline_nlp_engine, pin_tldextract_offline

    pin_tldextract_offline()
    registry = RecognizerRegistry(supported_languages=["zh"])
    for cls in (
        pr.CreditCardRecognizer, pr.CryptoRecognizer, pr.DateRecognizer, pr.EmailRecognizer,
        pr.IbanRecognizer, pr.IpRecognizer, pr.MacAddressRecognizer, pr.UrlRecognizer,
        pr.UuidRecognizer,
    ):  # fmt: skip
        registry.add_recognizer(cls(supported_language="zh"))
    regions = ("US", "UK", "DE", "FE", "IL", "IN", "CA", "BR", "CN")
    registry.add_recognizer(pr.PhoneRecognizer(supported_language="zh", supported_regions=regions))
    return AnalyzerEngine(
        registry=registry, nlp_engine=offline_nlp_engine(("zh",)), supported_languages=["zh"]
    )


def presidio_run(path: Path, n: int, imports: float = 0.0) -> dict[str, object]:
    import pandas as pd
    from presidio_structured import PandasAnalysisBuilder

    t0, c0 = time.perf_counter(), time.process_time()
    engine = presidio_engine()
    engine_cpu, engine_seconds = time.process_time() - c0, time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    t_read = time.perf_counter() - t0
    analysis = PandasAnalysisBuilder(analyzer=engine).generate_analysis(df, n=n, language="zh")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "import_cpu": imports,
        "engine_cpu": engine_cpu,
        "engine_seconds": engine_seconds,
        "seconds": seconds,
        "cpu": cpu,
        "total_cpu": time.process_time(),
        "read_csv_seconds": t_read,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "columns": dict(analysis.entity_mapping),
    }


def _child(code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--csv", type=Path, default=None)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument(
        "--stream", action="store_true", help="piguard reads every row (--stream) instead"
    )
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()
    path = args.csv or Path(f"/tmp/piguard-discovery-{args.rows}.csv")
    if not path.exists():
        t0 = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.0f} s"
        )
    size_mb = path.stat().st_size / 1e6
    load_before = (
        Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    )
    ours = _child(PIGUARD_CHILD, str(path), "stream" if args.stream else "sample")
    theirs = _child(PRESIDIO_CHILD, str(path), str(args.sample), str(Path(__file__).parent))
    load_after = (
        Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    )
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}, file {size_mb:.0f} MB, {args.rows:,} rows x {len(HEADER)} columns, {os.cpu_count()} cores"
    )
    print(
        f"load     : {' '.join(load_before)} before, {' '.join(load_after)} after (/proc/loadavg)"
    )
    print(
        f"piguard  : cold {ours['seconds']:.2f} s wall, {ours['cpu']:.2f} s CPU (model loaded inside); "
        f"warm {ours['warm_seconds']:.2f} s wall, {ours['warm_cpu']:.2f} s CPU; imports {ours['import_cpu']:.2f} s CPU; "
        f"whole process {ours['total_cpu']:.2f} s CPU; max RSS {ours['max_rss_mb']:.0f} MB"
    )
    print(
        f"           rows {ours['rows']:,} ({ours['rows_method']}, {ours['rows_drawn'] or 'all'} read), "
        f"people ~{ours['people']:,} ({ours['people_method']}, {ours['people_low']:,} to {ours['people_high']:,})"
    )
    print(
        f"presidio : {theirs['seconds']:.2f} s wall (read_csv {theirs['read_csv_seconds']:.2f} s), {theirs['cpu']:.2f} s CPU; "
        f"engine set-up {theirs['engine_cpu']:.2f} s CPU; imports {theirs['import_cpu']:.2f} s CPU; "
        f"whole process {theirs['total_cpu']:.2f} s CPU; max RSS {theirs['max_rss_mb']:.0f} MB"
    )
    setup_wall = theirs["seconds"] + theirs["engine_seconds"]
    setup_cpu = theirs["cpu"] + theirs["engine_cpu"]
    print(
        f"ratio    : set-up included {setup_wall / ours['seconds']:.1f}x wall, {setup_cpu / ours['cpu']:.1f}x CPU; "
        f"engines ready {theirs['seconds'] / ours['warm_seconds']:.1f}x wall, {theirs['cpu'] / ours['warm_cpu']:.1f}x CPU; "
        f"whole process {theirs['total_cpu'] / ours['total_cpu']:.1f}x CPU"
    )
    print("piguard columns :", json.dumps(ours["columns"], ensure_ascii=False))
    print("presidio columns:", json.dumps(theirs["columns"], ensure_ascii=False))
    if args.json:
        print(
            json.dumps(
                {
                    "load_before": load_before,
                    "load_after": load_after,
                    "piguard": ours,
                    "presidio": theirs,
                },
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
