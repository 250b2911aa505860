"""Data-subject request benchmark: access and deletion of one person in a ride-hailing schema
of 100,000 and 1,000,000 rows on SQLite, PostgreSQL and MariaDB, through the real Executor.

    .venv/bin/python benchmarks/rights/bench_requests.py --sizes 100000,1000000 --repeat 3

The schema (users, orders, trips, payments, messages; foreign keys and indexes on every
reference and identity column) is built with the table prefix ``rrbench_`` in the test
databases (``PIGUARD_TEST_PG_URL``, ``PIGUARD_TEST_MYSQL_URL``; defaults are the project's
local servers) and in a SQLite file in a temporary directory; the tables are dropped at the
end. ``--sizes`` is the number of background rows (other people); on top of them live a
typical rider (person A, ~520 rows) and a heavy account (person B, ~100,000 rows with
``--heavy 100000``), their rows spread over the id range like anyone else's.

Each request runs in a fresh child process (``python bench_requests.py _one ...``) so that its
peak RSS (``VmHWM``) is its own; one more child per request measures the Python heap peak
with ``tracemalloc`` (not timed: tracing slows Python down). Deletion is run after access; the
person's rows are put back between repetitions. Writes Markdown to standard output and, with
``--json FILE``, the raw figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREFIX = "rrbench_"
TABLES = ("users", "orders", "trips", "payments", "messages")
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
MYSQL_DEFAULT = "mysql://root@127.0.0.1:3306/test"
URL_ENV = "RRBENCH_URL"

STREETS = ["建国路", "中关村大街", "世纪大道", "南京东路", "天府大道", "解放碑", "人民路", "长安街"]
CITIES = ["北京市朝阳区", "北京市海淀区", "上海市浦东新区", "成都市高新区", "重庆市渝中区"]
PLACES = ["国贸", "中关村", "陆家嘴", "春熙路", "解放碑", "西湖", "机场T3", "火车站"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
BODIES = ["我在门口", "马上到", "谢谢师傅", "请到东门", "堵车了，稍等", "已上车"]

DESCRIPTION = f"""\
version: 1
datastores:
  - name: ride
    url: env:{URL_ENV}
    tables:
      {PREFIX}users:
        key: id
        identity: {{user_id: id, phone: phone, email: email, resident_id: id_number}}
        pi: {{phone: basic.phone, email: basic.email, name: basic.name,
              id_number: identity.resident_id}}
        erasure:
          mask:
            phone: CN_MOBILE
            name: PERSON_NAME
            id_number: CN_RESIDENT_ID
            email: {{operator: redact}}
      {PREFIX}orders:
        key: id
        pi: {{address: basic.address}}
        erasure:
          mask: {{address: ADDRESS}}
      {PREFIX}trips:
        key: id
        ignore_references: [driver_id]
        pi: {{pickup: location.precise, gps: location.precise}}
        erasure: delete
      {PREFIX}payments:
        key: id
        pi: {{card: financial.bank_account}}
        erasure: delete
      {PREFIX}messages:
        key: id
        pi: {{body: communication.content}}
        erasure: delete
"""

COLUMNS = {
    "users": ("id", "phone", "email", "name", "id_number", "created_at"),
    "orders": ("id", "user_id", "amount", "address", "created_at"),
    "trips": ("id", "order_id", "driver_id", "pickup", "gps", "distance_m"),
    "payments": ("id", "order_id", "card", "amount", "paid_at"),
    "messages": ("id", "sender_id", "body", "sent_at"),
}


# ----------------------------------------------------------------------------- data
@dataclass
class Layout:
    """Which ids exist and which belong to persons A and B (deterministic for a size)."""

    size: int
    heavy: int
    users: int = 0
    drivers: int = 0
    orders_total: int = 0
    messages_total: int = 0
    person: dict[str, int] = field(default_factory=dict)
    orders: dict[str, list[int]] = field(default_factory=dict)
    messages: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        s = self.size
        self.users = max(s // 10, 1000)
        self.drivers = max(self.users // 100, 10)
        bg_orders, bg_messages = 3 * s // 10, s // 10
        # person B's ~100,000 rows: 30% orders, 30% trips (one per order), 20% payments
        # (two orders in three are paid), 20% messages
        b_orders, b_messages = 3 * self.heavy // 10, self.heavy // 5
        a_orders, a_messages = 120, 200
        self.orders_total = bg_orders + a_orders + b_orders
        self.messages_total = bg_messages + a_messages + b_messages
        rng = random.Random(20261126)
        self.person = {"A": self.users // 2, "B": self.users // 2 + 1}
        picked = rng.sample(range(1, self.orders_total + 1), a_orders + b_orders)
        self.orders = {"A": sorted(picked[:a_orders]), "B": sorted(picked[a_orders:])}
        picked = rng.sample(range(1, self.messages_total + 1), a_messages + b_messages)
        self.messages = {"A": sorted(picked[:a_messages]), "B": sorted(picked[a_messages:])}

    def owners(self, ids: dict[str, list[int]]) -> dict[int, int]:
        return {i: self.person[p] for p, lst in ids.items() for i in lst}

    def background_user(self, i: int) -> int:
        span = self.users - self.drivers
        u = self.drivers + 1 + (i * 2654435761) % span
        return u - 2 if u in self.person.values() else u

    def rows_of(self, p: str) -> dict[str, int]:
        orders = self.orders[p]
        return {
            "users": 1,
            "orders": len(orders),
            "trips": len(orders),
            "payments": sum(1 for o in orders if o % 3),
            "messages": len(self.messages[p]),
        }


def user_row(i: int) -> tuple[Any, ...]:
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)]
    id_number = f"11010519{80 + i % 20}{1 + i % 12:02d}{1 + i % 28:02d}{i % 10000:04d}"
    return (i, f"13{i:09d}", f"u{i}@example.cn", name, id_number, f"2024-0{1 + i % 9}-15")


def order_row(i: int, user: int) -> tuple[Any, ...]:
    address = f"{CITIES[i % len(CITIES)]}{STREETS[i % len(STREETS)]}{i % 300 + 1}号"
    return (i, user, f"{10 + i % 90}.{i % 100:02d}", address, f"2025-{1 + i % 12:02d}-03")


def trip_row(i: int, drivers: int) -> tuple[Any, ...]:
    gps = f"{39.8 + (i % 1000) / 5000:.5f},{116.3 + (i % 997) / 5000:.5f}"
    return (i, i, 1 + (i * 7919) % drivers, PLACES[i % len(PLACES)], gps, 1000 + i % 30000)


def payment_row(i: int) -> tuple[Any, ...]:
    card = f"62220202{i % 100000000:08d}{i % 997:03d}"
    return (i, i, card, f"{10 + i % 90}.{i % 100:02d}", f"2025-{1 + i % 12:02d}-03")


def message_row(i: int, sender: int) -> tuple[Any, ...]:
    return (i, sender, BODIES[i % len(BODIES)], f"2025-{1 + i % 12:02d}-04")


def table_rows(lay: Layout, table: str) -> Iterator[tuple[Any, ...]]:
    """Every row of ``table`` (background and both persons), in id order."""
    if table == "users":
        yield from (user_row(i) for i in range(1, lay.users + 1))
        return
    if table == "messages":
        owner = lay.owners(lay.messages)
        for i in range(1, lay.messages_total + 1):
            yield message_row(i, owner.get(i) or lay.background_user(i))
        return
    owner = lay.owners(lay.orders)
    for i in range(1, lay.orders_total + 1):
        if table == "orders":
            yield order_row(i, owner.get(i) or lay.background_user(i))
        elif table == "trips":
            yield trip_row(i, lay.drivers)
        elif i % 3:
            yield payment_row(i)


def person_rows(lay: Layout, p: str) -> dict[str, list[tuple[Any, ...]]]:
    uid, orders = lay.person[p], lay.orders[p]
    return {
        "users": [user_row(uid)],
        "orders": [order_row(i, uid) for i in orders],
        "trips": [trip_row(i, lay.drivers) for i in orders],
        "payments": [payment_row(i) for i in orders if i % 3],
        "messages": [message_row(i, uid) for i in lay.messages[p]],
    }


# ----------------------------------------------------------------------------- databases
DDL = {
    "users": "id {int} PRIMARY KEY, phone VARCHAR(20), email VARCHAR(100), name VARCHAR(50), "
    "id_number VARCHAR(18), created_at VARCHAR(10)",
    "orders": "id {int} PRIMARY KEY, user_id {int} NOT NULL{fk_users}, amount VARCHAR(12), "
    "address VARCHAR(200), created_at VARCHAR(10)",
    "trips": "id {int} PRIMARY KEY, order_id {int} NOT NULL{fk_orders}, driver_id {int} "
    "NOT NULL{fk_users}, pickup VARCHAR(100), gps VARCHAR(40), distance_m INTEGER",
    "payments": "id {int} PRIMARY KEY, order_id {int} NOT NULL{fk_orders}, card VARCHAR(30), "
    "amount VARCHAR(12), paid_at VARCHAR(10)",
    "messages": "id {int} PRIMARY KEY, sender_id {int} NOT NULL{fk_users}, body VARCHAR(200), "
    "sent_at VARCHAR(10)",
}
FKS = [
    ("orders", "user_id", "users"),
    ("trips", "order_id", "orders"),
    ("trips", "driver_id", "users"),
    ("payments", "order_id", "orders"),
    ("messages", "sender_id", "users"),
]
INDEXES = [
    ("users", "phone"),
    ("users", "email"),
    ("users", "id_number"),
    ("orders", "user_id"),
    ("trips", "order_id"),
    ("trips", "driver_id"),
    ("payments", "order_id"),
    ("messages", "sender_id"),
]


class Database:
    """A DB-API connection to one of the three databases, with bulk loading."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind, self.url = kind, url
        if kind == "sqlite":
            self.conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
            self.ph = "?"
        elif kind == "postgresql":
            import psycopg

            self.conn = psycopg.connect(url)
            self.ph = "%s"
        else:
            from urllib.parse import urlsplit

            import pymysql

            u = urlsplit(url)
            self.conn = pymysql.connect(
                host=u.hostname or "127.0.0.1",
                port=u.port or 3306,
                user=u.username or "root",
                password=u.password or "",
                database=(u.path or "/test").lstrip("/"),
            )
            self.ph = "%s"

    def execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        cur = self.conn.cursor()
        cur.execute(sql, tuple(params))
        cur.close()

    def drop(self) -> None:
        for t in reversed(TABLES):
            self.execute(f"DROP TABLE IF EXISTS {PREFIX}{t}")
        self.conn.commit()

    def create(self) -> None:
        self.drop()
        inline = self.kind == "sqlite"  # SQLite cannot add a foreign key later
        for t in TABLES:
            fk_users = f" REFERENCES {PREFIX}users(id)" if inline else ""
            fk_orders = f" REFERENCES {PREFIX}orders(id)" if inline else ""
            body = DDL[t].format(int="BIGINT", fk_users=fk_users, fk_orders=fk_orders)
            if self.kind == "sqlite":
                body = body.replace("id BIGINT PRIMARY KEY", "id INTEGER PRIMARY KEY", 1)
            engine = " ENGINE=InnoDB" if self.kind == "mariadb" else ""
            self.execute(f"CREATE TABLE {PREFIX}{t} ({body}){engine}")
        self.conn.commit()

    def load(self, table: str, rows: Iterable[tuple[Any, ...]], batch: int = 5000) -> None:
        cols = COLUMNS[table]
        name = f"{PREFIX}{table}"
        if self.kind == "postgresql":
            with (
                self.conn.cursor() as cur,
                cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            self.conn.commit()
            return
        sql = f"INSERT INTO {name} VALUES ({', '.join([self.ph] * len(cols))})"
        cur = self.conn.cursor()
        if self.kind == "mariadb":
            cur.execute("SET foreign_key_checks = 0")
        buf: list[tuple[Any, ...]] = []
        for row in rows:
            buf.append(row)
            if len(buf) >= batch:
                cur.executemany(sql, buf)
                buf.clear()
        if buf:
            cur.executemany(sql, buf)
        if self.kind == "mariadb":
            cur.execute("SET foreign_key_checks = 1")
        cur.close()
        self.conn.commit()

    def finish(self) -> None:
        """Foreign keys (PostgreSQL, MariaDB), indexes, statistics."""
        if self.kind != "sqlite":
            for t, col, parent in FKS:
                self.execute(
                    f"ALTER TABLE {PREFIX}{t} ADD CONSTRAINT {PREFIX}{t}_{col}_fk FOREIGN KEY "
                    f"({col}) REFERENCES {PREFIX}{parent}(id)"
                )
        for t, col in INDEXES:
            if self.kind == "mariadb" and (t, col) in {(f, c) for f, c, _ in FKS}:
                continue  # InnoDB created an index for the foreign key
            self.execute(f"CREATE INDEX {PREFIX}{t}_{col}_ix ON {PREFIX}{t} ({col})")
        self.conn.commit()
        if self.kind == "postgresql":
            self.conn.autocommit = True
            for t in TABLES:
                self.execute(f"VACUUM ANALYZE {PREFIX}{t}")
            self.conn.autocommit = False
        elif self.kind == "mariadb":
            for t in TABLES:
                self.execute(f"ANALYZE TABLE {PREFIX}{t}")
        else:
            self.execute("ANALYZE")
        self.conn.commit()

    def restore_person(self, lay: Layout, p: str) -> None:
        """Put person ``p``'s rows back as they were (after a deletion or masking)."""
        uid, orders, msgs = lay.person[p], lay.orders[p], lay.messages[p]
        cur = self.conn.cursor()
        if self.kind == "mariadb":
            cur.execute("SET foreign_key_checks = 0")
        for start in range(0, max(len(orders), len(msgs)), 1000):
            for t, col, ids in (
                ("trips", "order_id", orders),
                ("payments", "order_id", orders),
                ("messages", "id", msgs),
                ("orders", "id", orders),
            ):
                chunk = ids[start : start + 1000]
                if chunk:
                    marks = ", ".join([self.ph] * len(chunk))
                    cur.execute(
                        f"DELETE FROM {PREFIX}{t} WHERE {col} IN ({marks})",
                        chunk,
                    )
        cur.execute(f"DELETE FROM {PREFIX}users WHERE id = {self.ph}", (uid,))
        for t, rows in person_rows(lay, p).items():
            marks = ", ".join([self.ph] * len(COLUMNS[t]))
            for start in range(0, len(rows), 5000):
                cur.executemany(
                    f"INSERT INTO {PREFIX}{t} VALUES ({marks})",
                    rows[start : start + 5000],
                )
        if self.kind == "mariadb":
            cur.execute("SET foreign_key_checks = 1")
        cur.close()
        self.conn.commit()

    def count(self) -> int:
        cur = self.conn.cursor()
        n = 0
        for t in TABLES:
            cur.execute(f"SELECT count(*) FROM {PREFIX}{t}")
            n += int(cur.fetchone()[0])
        cur.close()
        self.conn.commit()
        return n

    def close(self) -> None:
        self.conn.close()


# ----------------------------------------------------------------------------- one request
def _status_kib(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of this process in KiB. Not ru_maxrss: after fork + exec
    Linux carries the parent's peak into it, so a child of a big parent would report that."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def run_one(args: argparse.Namespace) -> None:
    """Child process: one request through the real Executor; prints a JSON line."""
    from piguard.rights import Executor, RequestStore, parse_description

    work = Path(args.work)
    desc = parse_description(Path(args.description).read_text(encoding="utf-8"))
    store = RequestStore(work / "requests.db")
    ex = Executor(desc, store, work_dir=work / "staging")
    kind, _, value = args.identity.partition("=")
    req = store.create(args.type, {kind: value}, received=dt.date.today())
    ex.verify(req.id)
    output = work / "package.zip" if args.type == "access" else None
    # a warm process, as in the service: SQLAlchemy and the driver are imported already
    import sqlalchemy  # noqa: F401

    url = os.environ[URL_ENV]
    if url.startswith("postgresql"):
        import psycopg  # noqa: F401
    elif url.startswith("mysql"):
        import pymysql  # noqa: F401
    gc.collect()
    rss0 = _status_kib("VmRSS")
    if args.trace:
        tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    done = ex.run(req.id, output=output)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = tracemalloc.get_traced_memory()[1] if args.trace else None
    if args.trace:
        tracemalloc.stop()
    rows: dict[str, int] = {}
    for step in store.steps(req.id):
        for t, n in step.detail.get("rows", {}).items():
            rows[t.removeprefix(PREFIX)] = n
    out = {
        "state": done.state,
        "reason": done.reason,
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_before_kib": rss0,
        "rss_peak_kib": _status_kib("VmHWM"),
        "tracemalloc_peak_kib": None if peak is None else peak // 1024,
        "rows": rows,
        "package_bytes": output.stat().st_size if output is not None else None,
    }
    print(json.dumps(out))


def child(url: str, desc: Path, kind: str, identity: str, trace: bool, tmp: Path) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(dir=tmp))
    env = dict(os.environ, **{URL_ENV: url})
    cmd = [sys.executable, __file__, "_one", "--description", str(desc), "--work", str(work)]
    cmd += ["--type", kind, "--identity", identity] + (["--trace"] if trace else [])
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    shutil.rmtree(work, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"child failed: {proc.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["state"] != "completed":
        raise SystemExit(f"request {kind} {identity.split('=')[0]} failed: {result['reason']}")
    return result


# ----------------------------------------------------------------------------- driver
def bench(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(args.dir or tempfile.mkdtemp(prefix="rrbench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    desc = tmp / "ride.yaml"
    desc.write_text(DESCRIPTION, encoding="utf-8")
    urls = {
        "sqlite": f"sqlite:///{tmp / 'ride.db'}",
        "postgresql": os.environ.get("PIGUARD_TEST_PG_URL", PG_DEFAULT),
        "mariadb": os.environ.get("PIGUARD_TEST_MYSQL_URL", MYSQL_DEFAULT),
    }
    results: list[dict[str, Any]] = []
    for kind in args.dbs.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            lay = Layout(size, args.heavy)
            db = Database(kind, urls[kind])
            t0 = time.perf_counter()
            db.create()
            for t in TABLES:
                db.load(t, table_rows(lay, t))
            db.finish()
            total = db.count()
            load_s = time.perf_counter() - t0
            print(f"# {kind} {size}: {total:,} rows loaded in {load_s:.1f} s", file=sys.stderr)
            identities = {"A": f"phone=13{lay.person['A']:09d}", "B": f"user_id={lay.person['B']}"}
            try:
                for person in ("A", "B"):
                    expect = lay.rows_of(person)
                    for rtype in ("access", "deletion"):
                        runs = []
                        for rep in range(args.repeat + 1):
                            trace = rep == args.repeat  # the last run measures the heap
                            r = child(urls[kind], desc, rtype, identities[person], trace, tmp)
                            got = {t: r["rows"].get(t) for t in TABLES}
                            if got != expect:
                                raise SystemExit(f"{kind} {rtype} {person}: {got} != {expect}")
                            if rtype == "deletion":
                                db.restore_person(lay, person)
                            runs.append(r)
                        timed = runs[:-1]
                        row = {
                            "db": kind,
                            "size": size,
                            "total_rows": total,
                            "person": person,
                            "person_rows": sum(expect.values()),
                            "type": rtype,
                            "wall_s": [round(r["wall_s"], 4) for r in timed],
                            "cpu_s": [round(r["cpu_s"], 4) for r in timed],
                            "wall_median_s": statistics.median(r["wall_s"] for r in timed),
                            "cpu_median_s": statistics.median(r["cpu_s"] for r in timed),
                            "rss_peak_mib": max(r["rss_peak_kib"] for r in timed) / 1024,
                            "rss_growth_mib_runs": [
                                round((r["rss_peak_kib"] - r["rss_before_kib"]) / 1024, 1)
                                for r in timed
                            ],
                            "rss_growth_mib": statistics.median(
                                (r["rss_peak_kib"] - r["rss_before_kib"]) / 1024 for r in timed
                            ),
                            "tracemalloc_peak_mib": runs[-1]["tracemalloc_peak_kib"] / 1024,
                            "package_mib": (timed[0]["package_bytes"] or 0) / 2**20,
                            "load": Path("/proc/loadavg").read_text().split()[:3],
                        }
                        results.append(row)
                        print(
                            f"# {kind} {size} {person} {rtype}: {row['wall_median_s']:.3f} s "
                            f"wall, {row['tracemalloc_peak_mib']:.1f} MiB heap, "
                            f"{row['rss_growth_mib']:.1f} MiB RSS growth",
                            file=sys.stderr,
                        )
            finally:
                if not args.keep:
                    db.drop()
                db.close()
    if not args.dir:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "results": results,
        "env": {
            "python": platform.python_version(),
            "machine": f"{os.cpu_count()} cores, {platform.machine()}",
            "loadavg_end": Path("/proc/loadavg").read_text().split()[:3],
        },
    }


def markdown(data: dict[str, Any]) -> str:
    lines = [
        "| database | background rows | total rows | person (rows) | request | wall, median s "
        "| CPU, median s | RSS growth, median MiB | peak RSS MiB | tracemalloc peak MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in data["results"]:
        lines.append(
            f"| {r['db']} | {r['size']:,} | {r['total_rows']:,} | {r['person']} "
            f"({r['person_rows']:,}) | {r['type']} | {r['wall_median_s']:.3f} "
            f"| {r['cpu_median_s']:.3f} | {r['rss_growth_mib']:.1f} | {r['rss_peak_mib']:.1f} "
            f"| {r['tracemalloc_peak_mib']:.1f} |"
        )
    lines.append("")
    lines.append(f"env: {data['env']}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd")
    one = sub.add_parser("_one", help="(internal) one request in this process")
    one.add_argument("--description", required=True)
    one.add_argument("--work", required=True)
    one.add_argument("--type", required=True)
    one.add_argument("--identity", required=True)
    one.add_argument("--trace", action="store_true")
    ap.add_argument("--dbs", default="sqlite,postgresql,mariadb")
    ap.add_argument("--sizes", default="100000,1000000", help="background rows, comma-separated")
    ap.add_argument("--heavy", type=int, default=100000, help="rows of the heavy person B")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per request")
    ap.add_argument("--json", help="write the raw figures here")
    ap.add_argument("--dir", help="work directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the tables afterwards")
    args = ap.parse_args()
    if args.cmd == "_one":
        run_one(args)
        return
    data = bench(args)
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2), encoding="utf-8")
    print(markdown(data))


if __name__ == "__main__":
    main()
