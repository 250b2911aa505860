"""Load and durability benchmark of the piguard service (issue 7).

Load: ``wrk`` (Debian package, loopback only) drives POST /v1/decisions on ``piguard serve``
(one uvicorn worker) on SQLite, PostgreSQL and MariaDB for a fixed time, in rounds interleaved
with a bare FastAPI endpoint with the same body (``bare_app.py``) served the same way: the
framework's ceiling. Reported per round: requests/s, p50 and p99 latency (wrk's --latency),
the server process's CPU time per request, the load average; and the ratio to the ceiling.

Durability: concurrent consent writes, SIGKILL of the server in the middle, restart, and a
check that every acknowledged consent is there.

Run (about 2 minutes):
    .venv/bin/python benchmarks/service/bench_service.py --duration 10 --connections 16
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited during start-up")
        try:
            httpx.get(url + "/healthz", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def start_piguard(
    db_url: str, data_dir: Path, prefix: str
) -> tuple[str, str, subprocess.Popen[bytes]]:
    sys.path.insert(0, str(ROOT / "src"))
    from piguard.service.auth import ApiKeys
    from piguard.service.db import make_engine, tables
    from piguard.service.migrate import upgrade

    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(db_url)
    upgrade(engine, prefix)
    key, _ = ApiKeys(engine, tables(prefix)).create(["admin"], "bench")
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "PIGUARD_DB_URL": db_url,
        "PIGUARD_DATA_DIR": str(data_dir),
        "PIGUARD_TABLE_PREFIX": prefix,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "piguard", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=data_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_up(url, proc)
    return url, key, proc


def start_bare() -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=HERE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/docs", timeout=1)
            return url, proc
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("bare app did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def seed(url: str, key: str, subjects: int) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
        c.post(
            "/v1/notices",
            json={
                "notice": "bench",
                "purposes": [{"id": "trip", "categories": ["location.precise"]}],
            },
        ).raise_for_status()
        for i in range(subjects):
            c.post(
                "/v1/consents",
                json={
                    "subject": f"bench-{i}",
                    "notice": "bench",
                    "purposes": ["trip"],
                    "channel": "app",
                },
            ).raise_for_status()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def run_wrk(
    url: str, key: str, *, duration: int, connections: int, subjects: int
) -> dict[str, float]:
    env = {**os.environ, "PIGUARD_BENCH_KEY": key, "PIGUARD_BENCH_SUBJECTS": str(subjects)}
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--latency",
            "-s",
            str(HERE / "decisions.lua"),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": float(non2xx.group(1)) if non2xx else 0.0,
        "socket_errors": 1.0 if errors else 0.0,
    }


def check_decision(url: str, key: str) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as c:
        body = {"notice": "bench", "purpose": "trip", "categories": ["location.precise"]}
        yes = c.post("/v1/decisions", json={"subject": "bench-1", **body}).json()
        no = c.post("/v1/decisions", json={"subject": "nobody", **body}).json()
    assert yes["allow"] is True, yes
    assert no["reason"] == "no_consent", no


def durability(
    db_url: str, data_dir: Path, prefix: str, *, writers: int, min_acked: int
) -> dict[str, int]:
    url, key, proc = start_piguard(db_url, data_dir, prefix)
    headers = {"Authorization": f"Bearer {key}"}
    httpx.post(
        url + "/v1/notices",
        headers=headers,
        json={"notice": "dur", "purposes": [{"id": "trip", "categories": ["basic.name"]}]},
    ).raise_for_status()
    acked: list[str] = []
    stop_flag = threading.Event()
    lock = threading.Lock()

    def writer(n: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            i = 0
            while not stop_flag.is_set():
                i += 1
                body = {
                    "subject": f"d{n}-{i}",
                    "notice": "dur",
                    "purposes": ["trip"],
                    "channel": "app",
                }
                try:
                    r = c.post("/v1/consents", json=body)
                except httpx.TransportError:
                    return
                if r.status_code == 201:
                    with lock:
                        acked.append(r.json()[0]["id"])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    while len(acked) < min_acked:
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    stop_flag.set()
    for t in threads:
        t.join()
    url2, _, proc2 = start_piguard(db_url, data_dir, prefix)
    with httpx.Client(base_url=url2, headers=headers, timeout=30) as c:
        missing = sum(c.get(f"/v1/consents/{i}/receipt").status_code != 200 for i in acked)
    stop(proc2)
    return {"acknowledged": len(acked), "missing_after_restart": int(missing)}


def drop(db_url: str, prefix: str) -> None:
    from sqlalchemy import inspect, text

    from piguard.service.db import make_engine

    engine = make_engine(db_url)
    names = [n for n in inspect(engine).get_table_names() if n.startswith(prefix)]
    with engine.begin() as conn:
        for n in names:
            conn.execute(text(f"DROP TABLE {n}"))
    engine.dispose()


def _median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--duration", type=int, default=5, help="seconds per wrk round")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds per target")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--subjects", type=int, default=500)
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("PIGUARD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    ap.add_argument(
        "--mysql-url",
        default=os.environ.get("PIGUARD_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
    )
    ap.add_argument(
        "--databases", default="sqlite,postgresql,mariadb", help="comma-separated subset"
    )
    ap.add_argument("--no-durability", action="store_true", help="skip the SIGKILL check")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    results: dict[str, object] = {
        "round_s": args.duration,
        "rounds": args.rounds,
        "connections": args.connections,
        "subjects_consented": args.subjects,
    }
    databases = [d for d in args.databases.split(",") if d]
    servers = {"postgresql": args.pg_url, "mariadb": args.mysql_url}
    targets: dict[str, tuple[str, str, subprocess.Popen[bytes]]] = {}
    procs: list[subprocess.Popen[bytes]] = []
    temps: dict[str, Path] = {}
    prefixes: dict[str, str] = {}
    db_urls: dict[str, str] = {}
    try:
        bare_url, bare = start_bare()
        procs.append(bare)
        targets["bare_fastapi"] = (bare_url, "", bare)
        for name in databases:
            tmp = Path(tempfile.mkdtemp(prefix=f"piguard-bench-{name}-"))
            temps[name] = tmp
            prefix = f"b{secrets.token_hex(3)}_"
            prefixes[name] = prefix
            db_urls[name] = f"sqlite:///{tmp / 'piguard.db'}" if name == "sqlite" else servers[name]
            url, key, proc = start_piguard(db_urls[name], tmp, prefix)
            procs.append(proc)
            seed(url, key, args.subjects)
            check_decision(url, key)
            targets[f"piguard_{name}"] = (url, key, proc)
        runs: dict[str, list[dict[str, float]]] = {t: [] for t in targets}
        for url, key, _ in targets.values():  # warm-up
            run_wrk(url, key, duration=2, connections=args.connections, subjects=args.subjects)
        # interleaved rounds: the machine is shared, so each target sees the same noise
        for _ in range(args.rounds):
            for name, (url, key, proc) in targets.items():
                cpu0 = cpu_seconds(proc.pid)
                r = run_wrk(
                    url,
                    key,
                    duration=args.duration,
                    connections=args.connections,
                    subjects=args.subjects,
                )
                served = r["rps"] * args.duration
                r["cpu_us_per_request"] = round((cpu_seconds(proc.pid) - cpu0) / served * 1e6, 1)
                r["loadavg_1m"] = loadavg()
                runs[name].append(r)
                print(name, r, file=sys.stderr)
        for name, rs in runs.items():
            results[name] = {
                "rps": round(_median([r["rps"] for r in rs]), 1),
                "p50_ms": round(_median([r["p50_ms"] for r in rs]), 2),
                "p99_ms": round(_median([r["p99_ms"] for r in rs]), 2),
                "cpu_us_per_request": round(_median([r["cpu_us_per_request"] for r in rs]), 1),
                "non_2xx": sum(r["non_2xx"] for r in rs),
                "rounds": rs,
            }
        for name in databases:
            ratios = [
                p["rps"] / b["rps"]
                for p, b in zip(runs[f"piguard_{name}"], runs["bare_fastapi"], strict=True)
            ]
            results[f"piguard_{name}"]["ratio_to_bare"] = round(_median(ratios), 3)  # type: ignore[index]
            results[f"piguard_{name}"]["rounds_ratio"] = [round(x, 3) for x in ratios]  # type: ignore[index]
    finally:
        for proc in procs:
            stop(proc)
    for name in databases:
        tmp = temps[name]
        if not args.no_durability:
            db_url = f"sqlite:///{tmp / 'dur.db'}" if name == "sqlite" else db_urls[name]
            results[f"durability_{name}"] = durability(
                db_url, tmp / "dur", prefixes[name] + "d", writers=8, min_acked=300
            )
            if name != "sqlite":
                drop(db_url, prefixes[name] + "d")
        if name != "sqlite":
            drop(db_urls[name], prefixes[name])
        shutil.rmtree(tmp, ignore_errors=True)
    text_ = json.dumps(results, indent=2)
    print(text_)
    if args.json:
        args.json.write_text(text_ + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
