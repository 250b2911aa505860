"""Audit-log benchmark: batched appends, proof times and full verification on SQLite,
against pymerkle 7's SQLite backend on the same leaves in the same run.

    .venv/bin/python benchmarks/audit/bench_audit.py --events 10000000 --pymerkle-events 10000000

Writes a Markdown summary to standard output (and, with --json FILE, the raw figures).
Needs the dev extra (pymerkle). Uses a temporary directory unless --dir is given; the 10M-event
log takes about 3 GB of disk.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from piguard.audit import (
    AuditEvent,
    AuditLog,
    GroupCommitWriter,
    Pseudonymizer,
    canonical_bytes,
)
from piguard.audit.merkle import verify_consistency, verify_inclusion
from piguard.audit.note import open_checkpoint
from piguard.keys import EnvKeyProvider, NoteSigner

ACTIONS = [
    "deidentify.run",
    "request.access",
    "consent.grant",
    "export.csv",
    "scan.table",
]
CATS = [
    ("basic.phone",),
    ("identity.resident_id", "basic.name"),
    ("health.medical_record",),
]
PSEUDO = Pseudonymizer(EnvKeyProvider(environ={"PIGUARD_KEY_BENCH": "42" * 32}), "bench")


def make_batch(start: int, n: int) -> list[AuditEvent]:
    """Realistic events: a keyed pseudonym per event, categories, purpose, request id."""
    out = []
    for i in range(start, start + n):
        out.append(
            AuditEvent(
                time="2026-11-26T08:00:00Z",
                actor=f"svc-{i % 37}",
                action=ACTIONS[i % 5],
                purpose="delivery",
                categories=CATS[i % 3],
                subject=PSEUDO.pseudonym(f"user-{i % 100_003}"),
                request_id=f"req-{i}",
            )
        )
    return out


def bench_piguard(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    signer = NoteSigner.generate("bench.example/audit")
    db = workdir / "piguard.db"
    res: dict[str, Any] = {"events": args.events, "batch": args.batch}
    log = AuditLog.create(db, origin=signer.name, signer=signer)
    build = append = append_cpu = 0.0
    done = 0
    t_report = time.perf_counter()
    while done < args.events:
        n = min(args.batch, args.events - done)
        t0 = time.perf_counter()
        batch = make_batch(done, n)
        t1, c1 = time.perf_counter(), time.process_time()
        log.append_many(batch)
        t2, c2 = time.perf_counter(), time.process_time()
        build += t1 - t0
        append += t2 - t1
        append_cpu += c2 - c1
        done += n
        if time.perf_counter() - t_report > 30:
            print(f"  piguard: {done:,} events, {done / append:,.0f}/s", file=sys.stderr)
            t_report = time.perf_counter()
    res["append_seconds"] = append
    res["append_per_s"] = args.events / append
    res["append_per_cpu_s"] = args.events / append_cpu
    res["event_build_per_s"] = args.events / build
    t0 = time.perf_counter()
    note = log.checkpoint()
    res["checkpoint_ms"] = (time.perf_counter() - t0) * 1000
    cp = open_checkpoint(note, signer.verifier())
    size = cp.size

    rnd = random.Random(7)
    idx = [rnd.randrange(size) for _ in range(args.proofs)]
    times = []
    for i in idx:
        t0 = time.perf_counter()
        proof = log.inclusion_proof(i, size, with_event=False)
        times.append((time.perf_counter() - t0) * 1000)
        assert verify_inclusion(log.hasher, proof.leaf_hash, i, size, proof.path, cp.root_hash)
    res["inclusion_ms_mean"] = statistics.fmean(times)
    res["inclusion_ms_p50"] = statistics.median(times)
    res["inclusion_ms_p99"] = statistics.quantiles(times, n=100)[98]
    res["inclusion_path_len"] = len(proof.path)
    times = []
    for i in idx[:200]:
        t0 = time.perf_counter()
        log.inclusion_proof(i, size, with_event=True)
        times.append((time.perf_counter() - t0) * 1000)
    res["inclusion_with_event_ms_mean"] = statistics.fmean(times)
    times = []
    for i in idx[:200]:
        old = max(1, i)
        t0 = time.perf_counter()
        c = log.consistency_proof(old, size)
        times.append((time.perf_counter() - t0) * 1000)
        assert verify_consistency(log.hasher, old, size, c.old_root, cp.root_hash, c.path)
    res["consistency_ms_mean"] = statistics.fmean(times)
    if not args.skip_verify:
        t0 = time.perf_counter()
        report = log.verify(signer.verifier())
        res["verify_seconds"] = time.perf_counter() - t0
        res["verify_per_s"] = report.size / res["verify_seconds"]
    res["db_bytes"] = sum(p.stat().st_size for p in workdir.glob("piguard.db*"))
    res["_log"] = log
    return res


def bench_group_commit(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Single-event appends, each acknowledged only once durably committed (SQLite
    synchronous=FULL): one transaction per event, versus the group-commit writer fed by
    blocking threads, versus the writer fed by a producer that pipelines (submit, then wait)."""
    res: dict[str, Any] = {}
    log = AuditLog.create(workdir / "group.db", origin="bench.example/group")
    events = make_batch(0, max(args.group_events, 20_000))
    n = 300
    t0 = time.perf_counter()
    for ev in events[:n]:
        log.append(ev)
    res["one_tx_per_event_per_s"] = n / (time.perf_counter() - t0)
    for threads in (16, 128):
        n = 20_000
        with GroupCommitWriter(log, max_batch=5000) as writer:

            def work(chunk: list[AuditEvent], w: GroupCommitWriter = writer) -> None:
                for ev in chunk:
                    w.append(ev)

            ts = [
                threading.Thread(target=work, args=(events[k:n:threads],)) for k in range(threads)
            ]
            t0 = time.perf_counter()
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            res[f"threads_{threads}_per_s"] = n / (time.perf_counter() - t0)
    n = args.group_events
    with GroupCommitWriter(log, max_batch=5000) as writer:
        t0 = time.perf_counter()
        futures = [writer.submit(ev) for ev in events[:n]]
        for f in futures:
            f.result()
        res["pipelined_per_s"] = n / (time.perf_counter() - t0)
    res["pipelined_events"] = n
    log.close()
    return res


def bench_pymerkle(args: argparse.Namespace, workdir: Path, ours: AuditLog) -> dict[str, Any]:
    from pymerkle import SqliteTree

    n = args.pymerkle_events
    res: dict[str, Any] = {"events": n}
    tree = SqliteTree(str(workdir / "pymerkle.db"), algorithm="sha256")
    append = append_cpu = 0.0
    done = 0
    while done < n:
        k = min(args.batch, n - done)
        batch = make_batch(done, k)
        # The same work piguard's append does: canonical JSON of each event, then the tree.
        t1, c1 = time.perf_counter(), time.process_time()
        tree.append_entries([canonical_bytes(e) for e in batch])
        t2, c2 = time.perf_counter(), time.process_time()
        append += t2 - t1
        append_cpu += c2 - c1
        done += k
    res["append_seconds"] = append
    res["append_per_s"] = n / append
    res["append_per_cpu_s"] = n / append_cpu
    # The first root computes every subtree from the stored leaves (pymerkle keeps no
    # interior nodes); later calls hit its in-memory cache.
    t0 = time.perf_counter()
    root = tree.get_root(n)
    res["first_root_seconds"] = time.perf_counter() - t0
    res["root_equal"] = root == ours.root(n)
    rnd = random.Random(7)
    idx = [rnd.randrange(n) for _ in range(args.pymerkle_proofs)]
    times = []
    equal = True
    for i in idx:
        t0 = time.perf_counter()
        proof = tree.prove_inclusion(i + 1, n)
        times.append((time.perf_counter() - t0) * 1000)
        equal &= proof.path[1:] == list(ours.inclusion_proof(i, n, with_event=False).path)
    res["inclusion_ms_mean"] = statistics.fmean(times)
    res["inclusion_ms_p50"] = statistics.median(times)
    res["inclusion_paths_equal"] = equal
    res["db_bytes"] = sum(p.stat().st_size for p in workdir.glob("pymerkle.db*"))
    tree.close()
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--batch", type=int, default=100_000)
    ap.add_argument("--proofs", type=int, default=2000)
    ap.add_argument("--pymerkle-events", type=int, default=None)
    ap.add_argument("--pymerkle-proofs", type=int, default=200)
    ap.add_argument("--group-events", type=int, default=200_000)
    ap.add_argument("--skip-verify", action="store_true")
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    if args.pymerkle_events is None:
        args.pymerkle_events = args.events

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        print(f"piguard: {args.events:,} events ...", file=sys.stderr)
        ours = bench_piguard(args, work)
        log = ours.pop("_log")
        print("group commit ...", file=sys.stderr)
        group = bench_group_commit(args, work)
        print(f"pymerkle: {args.pymerkle_events:,} events ...", file=sys.stderr)
        theirs = bench_pymerkle(args, work, log)
        log.close()

    env = {
        "python": platform.python_version(),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}",
    }
    result = {"piguard": ours, "group_commit": group, "pymerkle": theirs, "env": env}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    p, g, m = ours, group, theirs
    print("| measure | piguard | pymerkle 7 (SqliteTree) |\n|---|---|---|")
    print(f"| events | {p['events']:,} | {m['events']:,} |")
    print(f"| batched append, events/s | {p['append_per_s']:,.0f} | {m['append_per_s']:,.0f} |")
    print(
        f"| batched append, events per CPU-second | {p['append_per_cpu_s']:,.0f} "
        f"| {m['append_per_cpu_s']:,.0f} |"
    )
    print(
        f"| inclusion proof, mean ms | {p['inclusion_ms_mean']:.3f} "
        f"| {m['inclusion_ms_mean']:.3f} |"
    )
    print(
        f"| inclusion proof, p50 ms | {p['inclusion_ms_p50']:.3f} | {m['inclusion_ms_p50']:.3f} |"
    )
    print(f"| inclusion proof, p99 ms | {p['inclusion_ms_p99']:.3f} | - |")
    print(f"| first root after load, s | (kept in memory) | {m['first_root_seconds']:.2f} |")
    print(f"| database size, MB | {p['db_bytes'] / 1e6:,.0f} | {m['db_bytes'] / 1e6:,.0f} |")
    print(f"\nroots equal: {m['root_equal']}; inclusion paths equal: {m['inclusion_paths_equal']}")
    print(f"event construction + validation: {p['event_build_per_s']:,.0f} events/s")
    print(f"inclusion proof incl. event JSON: {p['inclusion_with_event_ms_mean']:.3f} ms")
    print(
        f"consistency proof: {p['consistency_ms_mean']:.3f} ms; "
        f"checkpoint: {p['checkpoint_ms']:.1f} ms"
    )
    if "verify_seconds" in p:
        print(f"full verify: {p['verify_seconds']:.1f} s ({p['verify_per_s']:,.0f} events/s)")
    print(
        "durable single appends, events/s: one transaction each "
        f"{g['one_tx_per_event_per_s']:,.0f}; group commit with 16 threads "
        f"{g['threads_16_per_s']:,.0f}, 128 threads {g['threads_128_per_s']:,.0f}, "
        f"pipelined {g['pipelined_per_s']:,.0f}"
    )
    print(f"env: {env}")


if __name__ == "__main__":
    main()
