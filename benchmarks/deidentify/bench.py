"""De-identification speed: piguard against presidio-anonymizer / presidio-structured, same run.

Builds one synthetic table (phone, resident ID, name, address, free-text remark; seeded, all
identifiers valid) and measures, in this process, with CPU time (``time.process_time``, so
"per core" even on a shared machine; wall time is printed too):

1. operators on whole columns (cells per CPU-second): piguard ``mask`` (presets) and ``hash``
   (HMAC-SHA256, 16 hex) against presidio-anonymizer's ``mask`` and ``hash`` (SHA-256 with a
   fixed 32-byte salt, i.e. deterministic like piguard's pseudonyms) run by
   presidio-structured's ``StructuredEngine`` on a pandas DataFrame of the same values;
2. the table end to end, CSV in and CSV out: piguard's engine with a mask/hash policy that
   does what presidio does (phone, name, address masked; ID hashed) against
   presidio-structured (pandas ``read_csv`` → ``StructuredEngine.anonymize`` → ``to_csv``);
3. the default policy (FF3-1 for IDs, masks, free text scanned by the detection engine) on
   the whole table including the free-text column, piguard only (presidio has no Chinese
   recognizers to scan the remark with).

Run: .venv/bin/python benchmarks/deidentify/bench.py --rows 1000000 --default-rows 20000
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from piguard import geo
from piguard.deidentify import Deidentifier, default_operators, default_policy, parse_policy
from piguard.detect.identifiers import cn_mobile, iso7064
from piguard.keys import EnvKeyProvider

KEYS = EnvKeyProvider(environ={"PIGUARD_KEY_DEIDENTIFY": "42" * 32})
SALT = b"\x42" * 32
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红梅玉兰"
ROADS = ["建国路", "人民路", "中山路", "解放路", "科苑路", "和平东路", "青年路", "花园路"]


def make_table(rows: int, seed: int = 20240630) -> dict[str, list[str]]:
    rnd = random.Random(seed)
    segments = sorted(cn_mobile.SEGMENTS)
    counties = [d for d in geo.counties() if not d.placeholder]
    phones, ids, names, addresses, remarks = [], [], [], [], []
    for _ in range(rows):
        phone = rnd.choice(segments) + f"{rnd.randrange(10**8):08d}"
        county = rnd.choice(counties)
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rnd.randrange(365 * 60))
        body = f"{county.code}{born:%Y%m%d}{rnd.randrange(1000):03d}"
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
        address = (
            f"{county.full_name}{rnd.choice(ROADS)}{rnd.randrange(1, 999)}号"
            f"{rnd.randrange(1, 30)}栋{rnd.randrange(101, 2999)}室"
        )
        phones.append(phone)
        ids.append(body + iso7064.calc_check_digit(body))
        names.append(name)
        addresses.append(address)
        r = rnd.random()
        if r < 0.2:
            remarks.append(f"到了给{name}打电话{phone}")
        elif r < 0.3:
            remarks.append(f"送到{address}，谢谢")
        else:
            remarks.append(rnd.choice(["好的", "尽快发货", "不要辣", "放门口就行", "周末送"]))
    return {"phone": phones, "id_number": ids, "name": names, "address": addresses,
            "remark": remarks}  # fmt: skip


def write_csv(table: dict[str, list[str]], path: Path, columns: list[str]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        w.writerows(zip(*(table[c] for c in columns), strict=True))


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return time.process_time() - c0, time.perf_counter() - w0, result


def presidio_engine() -> Any:
    from presidio_structured import StructuredEngine

    return StructuredEngine()


def presidio_ops(kind: str) -> dict[str, Any]:
    from presidio_anonymizer.entities import OperatorConfig

    mask = {"masking_char": "*", "chars_to_mask": 4, "from_end": False}
    if kind == "mask":
        return {
            e: OperatorConfig("mask", mask) for e in ("PHONE_NUMBER", "ID", "PERSON", "LOCATION")
        }
    return {e: OperatorConfig("hash", {"hash_type": "sha256", "salt": SALT})
            for e in ("PHONE_NUMBER", "ID", "PERSON", "LOCATION")}  # fmt: skip


PRESIDIO_ENTITY = {"phone": "PHONE_NUMBER", "id_number": "ID", "name": "PERSON",
                   "address": "LOCATION"}  # fmt: skip


def _versions() -> dict[str, str]:
    import ssl
    from importlib import metadata

    out = {"openssl": ssl.OPENSSL_VERSION}
    for name in ("numpy", "pyarrow", "cryptography", "ff3", "pandas", "presidio-anonymizer",
                 "presidio-structured"):  # fmt: skip
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--presidio-rows", type=int, default=None, help="default: --rows")
    ap.add_argument("--default-rows", type=int, default=20_000)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    import pandas as pd
    from presidio_structured.config import StructuredAnalysis

    n = args.rows
    pn = args.presidio_rows or n
    results: dict[str, Any] = {
        "rows": n, "presidio_rows": pn, "python": platform.python_version(),
        "cpus": os.cpu_count(), "load_before": os.getloadavg(),
        "versions": _versions(),
    }  # fmt: skip
    print(f"building {n} rows ...", file=sys.stderr)
    table = make_table(n)
    # The generated table (millions of strings) stays in memory for the whole run; frozen, the
    # cyclic garbage collector does not walk it again and again during the timed parts, as it
    # would not in a real run that streams a file (applies to piguard and presidio alike).
    gc.collect()
    gc.freeze()
    import pyarrow as pa

    reg = default_operators()
    engine = presidio_engine()
    # one-time set-up of Arrow's compute functions (about 0.2 s), not counted per column
    reg.build("mask", {}).apply_arrow(pa.array(["13812345678"] * 100), "CN_MOBILE")

    # 1. operators on whole columns: Python lists (the core install) and Arrow arrays (the
    # parquet extra; what the CSV and Parquet readers give), a new operator each time so
    # that caches (address prefixes) start cold
    ops: dict[str, Any] = {}
    for col, entity in (("phone", "CN_MOBILE"), ("id_number", "CN_RESIDENT_ID"),
                        ("name", "PERSON_NAME"), ("address", "ADDRESS")):  # fmt: skip
        values = table[col]
        arrow_values = pa.array(values, type=pa.string())
        for label, kind, options in (
            ("mask", "mask", {}),
            ("hmac", "hash", {"length": 16}),
            ("hmac-sm3", "hash", {"length": 16, "algorithm": "hmac-sm3"}),
        ):
            op = reg.build(kind, options, KEYS)
            cpu, wall, _ = timed(partial(op.apply_batch, values, entity))
            ops[f"piguard {label} {col}"] = {"cells": n, "cpu_s": cpu, "wall_s": wall}
            op = reg.build(kind, options, KEYS)
            cpu, wall, _ = timed(partial(op.apply_arrow, arrow_values, entity))
            ops[f"piguard {label} arrow {col}"] = {"cells": n, "cpu_s": cpu, "wall_s": wall}
        # object columns: with pandas 3's default string dtype presidio-structured writes each
        # cell into an Arrow-backed column, which takes time quadratic in the rows
        df = pd.DataFrame({col: pd.Series(values[:pn], dtype=object)})
        analysis = StructuredAnalysis(entity_mapping={col: PRESIDIO_ENTITY[col]})
        for kind in ("mask", "hash"):
            frame = df.copy()
            cpu, wall, _ = timed(partial(engine.anonymize, frame, analysis, presidio_ops(kind)))
            ops[f"presidio {kind} {col}"] = {"cells": pn, "cpu_s": cpu, "wall_s": wall}
        print(col, "done", file=sys.stderr)
    for v in ops.values():
        v["cells_per_cpu_s"] = v["cells"] / v["cpu_s"]
    results["operators"] = ops

    # 2. the table end to end, CSV → CSV, mask/hash as presidio does it
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cols = ["phone", "id_number", "name", "address"]
        write_csv(table, d / "t.csv", cols)
        small = {c: v[:pn] for c, v in table.items()}
        write_csv(small, d / "tp.csv", cols)
        policy = parse_policy(
            "columns: {phone: CN_MOBILE, id_number: CN_RESIDENT_ID, name: PERSON_NAME,"
            " address: ADDRESS}\n"
            "rules:\n  - entity: CN_RESIDENT_ID\n    operator: hash\n    options: {length: 16}\n"
            "  - grade: ordinary\n    operator: mask\n"
        )
        deid = Deidentifier(policy, keys=KEYS)
        cpu, wall, _ = timed(lambda: deid.deidentify_csv(d / "t.csv", d / "out.csv"))
        whole = {"piguard": {"rows": n, "cells": 4 * n, "cpu_s": cpu, "wall_s": wall}}
        # the same with the core install's path (the standard library's csv module)
        from piguard.deidentify import _arrow

        arrow_available = _arrow.available
        _arrow.available = lambda: False  # type: ignore[assignment]
        try:
            deid = Deidentifier(policy, keys=KEYS)
            cpu, wall, _ = timed(lambda: deid.deidentify_csv(d / "t.csv", d / "out_core.csv"))
        finally:
            _arrow.available = arrow_available  # type: ignore[assignment]
        whole["piguard core"] = {"rows": n, "cells": 4 * n, "cpu_s": cpu, "wall_s": wall}
        same = (d / "out.csv").read_bytes() == (d / "out_core.csv").read_bytes()
        whole["outputs identical"] = same  # type: ignore[assignment]
        analysis = StructuredAnalysis(entity_mapping=PRESIDIO_ENTITY)
        ops_p = presidio_ops("mask")
        from presidio_anonymizer.entities import OperatorConfig

        ops_p["ID"] = OperatorConfig("hash", {"hash_type": "sha256", "salt": SALT})

        def run_presidio() -> None:
            frame = pd.read_csv(d / "tp.csv", dtype=object)
            engine.anonymize(frame, analysis, ops_p).to_csv(d / "outp.csv", index=False)

        cpu, wall, _ = timed(run_presidio)
        whole["presidio-structured"] = {"rows": pn, "cells": 4 * pn, "cpu_s": cpu, "wall_s": wall}
        for v in whole.values():
            if isinstance(v, dict):
                v["cells_per_cpu_s"] = v["cells"] / v["cpu_s"]
        presidio_speed = whole["presidio-structured"]["cells_per_cpu_s"]
        whole["ratio"] = whole["piguard"]["cells_per_cpu_s"] / presidio_speed
        whole["ratio core"] = whole["piguard core"]["cells_per_cpu_s"] / presidio_speed
        results["table_mask_hash"] = whole
        print("table done", file=sys.stderr)

        # 3. default policy, all five columns, smaller
        m = min(args.default_rows, n)
        sub = {c: v[:m] for c, v in table.items()}
        write_csv(sub, d / "full.csv", ["phone", "id_number", "name", "address", "remark"])
        deid = Deidentifier(default_policy(), keys=KEYS)
        deid.deidentify_csv(d / "full.csv", d / "warm.csv")  # loads the tagger, builds FF3-1
        cpu, wall, summary = timed(lambda: deid.deidentify_csv(d / "full.csv", d / "full_out.csv"))
        results["default_policy"] = {
            "rows": m,
            "cells": 5 * m,
            "cpu_s": cpu,
            "wall_s": wall,
            "rows_per_cpu_s": m / cpu,
        }
        results["default_policy"]["columns"] = {
            c.name: [c.kind, c.rule.operator if c.rule else None] for c in summary.columns
        }
        # where the time goes: each column alone
        parts = {}
        for col in ("phone", "id_number", "name", "address", "remark"):
            p = next(c for c in summary.columns if c.name == col)
            values = sub[col]
            if p.kind == "text":
                fn: Callable[[], Any] = partial(
                    deid._text_cells,
                    values,
                    column=col,
                    table=None,
                    counts=Counter(),
                    spans=None,
                    first_row=0,
                )
            else:
                op = deid.operator(p.rule)  # type: ignore[arg-type]
                fn = partial(op.apply_batch, values, p.kind)
            cpu, wall, _ = timed(fn)
            parts[col] = {"kind": p.kind, "operator": p.rule.operator if p.rule else "scan",
                          "cells_per_cpu_s": m / cpu}  # fmt: skip
        results["default_policy"]["per_column"] = parts
    results["load_after"] = os.getloadavg()
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
