"""Keys checked when the policy is loaded; date_shift reversal; reidentify for every output
format of deidentify (text, CSV, JSON Lines, Parquet, database tables) and its CLI."""

from __future__ import annotations

import contextlib
import csv
import datetime
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from piguard.cli.app import app
from piguard.deidentify import (
    Deidentifier,
    check_keys,
    default_operators,
    default_policy,
    load_policy,
    metadata_path,
    parse_policy,
    reidentify_file,
    reidentify_sql,
)
from piguard.detect.identifiers import cn_ric
from piguard.errors import ConfigError, KeyProviderError
from piguard.keys import EnvKeyProvider

KEY_HEX = "5f" * 32  # the key of conftest.keys

POLICY = """\
version: 1
columns:
  pid: keep
  visit: DATE_OF_BIRTH
  id_number: CN_RESIDENT_ID
  email: EMAIL
  note: text
rules:
  - entity: DATE_OF_BIRTH
    operator: date_shift
    options: {subject: pid, max_days: 30}
  - entity: CN_RESIDENT_ID
    operator: fpe
  - entity: EMAIL
    operator: encrypt
  - entity: PERSON_NAME
    operator: hash
    options: {key: other, length: 12}
  - grade: ordinary
    operator: mask
"""

ROWS = [
    {"pid": "p1", "name": "张三", "visit": "2024-03-01", "id_number": "360426199101010071",
     "email": "zs@example.com", "note": "身份证110101199003071233，电话13812345678"},
    {"pid": "p1", "name": "张三", "visit": "2024-03-05", "id_number": "360426199101010071",
     "email": "zs@example.com", "note": None},
    {"pid": "p2", "name": "李四丰", "visit": "2023-12-31", "id_number": "110101199003071233",
     "email": "ls@example.com", "note": "好的"},
    {"pid": "", "name": "王五", "visit": "2024-02-29", "id_number": "36042619910101104X",
     "email": "", "note": "身份证36042619910101104X已核对"},
] * 3  # fmt: skip
COLUMNS = list(ROWS[0])


def _policy() -> object:
    return parse_policy(POLICY, source="reverse.yaml")


# ---------------------------------------------------------------------------- keys at load
def test_missing_key_fails_at_load_with_line_and_key_id(tmp_path: Path) -> None:
    only_main = EnvKeyProvider(environ={"PIGUARD_KEY_DEIDENTIFY": KEY_HEX})
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    with pytest.raises(KeyProviderError) as info:
        load_policy(policy, keys=only_main)
    # the hash rule (line 16) asks for key id 'other', which the provider does not have
    assert str(info.value) == (
        f"{policy}:16: rule 4 (hash) needs key 'other': "
        "environment variable PIGUARD_KEY_OTHER is not set"
    )
    assert load_policy(policy).rules  # without keys: only the policy is checked
    with pytest.raises(KeyProviderError, match=r"reverse\.yaml:9: rule 1 \(date_shift\)"):
        Deidentifier(_policy(), keys=EnvKeyProvider(environ={}))  # type: ignore[arg-type]
    short = EnvKeyProvider(environ={"PIGUARD_KEY_DEIDENTIFY": "00ff"})
    with pytest.raises(KeyProviderError, match="key is 2 bytes, at least 16 are needed"):
        check_keys(default_policy(), short)
    assert check_keys(_policy(), EnvKeyProvider(environ={  # type: ignore[arg-type]
        "PIGUARD_KEY_DEIDENTIFY": KEY_HEX, "PIGUARD_KEY_OTHER": KEY_HEX}),
    ) == ["deidentify", "other"]  # fmt: skip
    # masks only: no key needed at all
    masks = parse_policy("rules:\n  - grade: ordinary\n    operator: mask\n")
    assert check_keys(masks, EnvKeyProvider(environ={})) == []
    # waybill needs a key only for virtual numbers
    virtual = parse_policy(
        "rules:\n  - grade: ordinary\n    operator: waybill\n    options: {phone: virtual}\n"
    )
    with pytest.raises(KeyProviderError, match=r"<policy>:2: rule 1 \(waybill\)"):
        check_keys(virtual, EnvKeyProvider(environ={}))


def test_cli_missing_key_stops_before_reading_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIGUARD_KEY_DEIDENTIFY", KEY_HEX)
    monkeypatch.delenv("PIGUARD_KEY_OTHER", raising=False)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    src = tmp_path / "in.csv"
    src.write_text("name\n张三\n", "utf-8")
    src.chmod(0)  # unreadable: a run that read it would fail differently
    try:
        result = CliRunner().invoke(
            app, ["deidentify", str(src), "-o", str(tmp_path / "o.csv"), "-p", str(policy)]
        )
    finally:
        src.chmod(0o600)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"piguard: error: {policy}:16: rule 4 (hash) needs key 'other': "
        "environment variable PIGUARD_KEY_OTHER is not set"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "policy.yaml"]


# ---------------------------------------------------------------------------- date_shift
@given(
    st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)),
    st.text(max_size=12),
    st.sampled_from(["-", "/", ""]),
    st.integers(1, 3650),
)
def test_date_shift_round_trips_for_the_subject(
    day: datetime.date, subject: str, sep: str, max_days: int
) -> None:
    keys = EnvKeyProvider(environ={"PIGUARD_KEY_DEIDENTIFY": KEY_HEX})
    op = default_operators().build("date_shift", {"subject": "pid", "max_days": max_days}, keys)
    assert op.reversible
    value = day.strftime(f"%Y{sep}%m{sep}%d")
    shifted = op.apply(value, "DATE_OF_BIRTH", subject)
    moved = datetime.datetime.strptime(shifted, f"%Y{sep}%m{sep}%d").date()
    assert abs((moved - day).days) <= max_days
    assert op.reverse(shifted, "DATE_OF_BIRTH", subject=subject) == value


def test_date_shift_offset_is_per_person_and_needs_the_subject(keys: EnvKeyProvider) -> None:
    reg = default_operators()
    op = reg.build("date_shift", {"subject": "pid", "max_days": 365}, keys)
    offsets = {op.offset(f"patient-{i}") for i in range(50)}  # type: ignore[attr-defined]
    assert len(offsets) > 40
    assert op.apply("2024-03-01", None, "p1") == op.apply("2024-03-01", None, "p1")
    with pytest.raises(ConfigError, match="reversal needs the subject"):
        op.reverse("2024-03-01")
    assert op.reverse("*", subject="p1") == "*"  # unreadable input stays unreadable
    assert not reg.build("date_shift", {}, keys).reversible  # offset from the date itself


def _write_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows([[r[c] or "" for c in COLUMNS] for r in ROWS])
    return path


def _expected_back(row: dict[str, str | None]) -> dict[str, str | None]:
    """What reidentify gives back: everything but the masked name and phone in the note."""
    back = dict(row)
    back["name"] = None  # hashed: stays a pseudonym
    if back["note"]:
        back["note"] = back["note"].replace("13812345678", "138****5678")
    return back


def _check_back(got: list[dict[str, str | None]], *, null: str | None) -> None:
    assert len(got) == len(ROWS)
    for orig, row in zip(ROWS, got, strict=True):
        want = _expected_back(orig)
        for c in COLUMNS:
            if c == "name":  # hashed: a 12-character pseudonym, not reversible
                assert row[c] != orig[c]
                assert len(str(row[c])) == 12
            elif want[c] is None:
                assert row[c] == null
            else:
                assert row[c] == want[c], (c, row[c], want[c])


def test_csv_date_shift_and_spans_round_trip(keys: EnvKeyProvider, tmp_path: Path) -> None:
    src = _write_csv(tmp_path / "visits.csv")
    out = tmp_path / "safe.csv"
    Deidentifier(_policy(), keys=keys).deidentify_file(src, out)  # type: ignore[arg-type]
    safe = list(csv.DictReader(out.open(encoding="utf-8")))
    assert safe[0]["visit"] != "2024-03-01"
    d0, d1 = (datetime.date.fromisoformat(str(r["visit"])) for r in safe[:2])
    assert (d1 - d0).days == 4  # the same person: the same offset
    assert "110101199003071233" not in out.read_text("utf-8")
    back = tmp_path / "back.csv"
    restored = reidentify_file(out, back, keys=keys)
    got = list(csv.DictReader(back.open(encoding="utf-8")))
    _check_back(got, null="")  # type: ignore[arg-type]
    assert restored >= 3 * len(ROWS)


def test_date_shift_subject_must_survive(keys: EnvKeyProvider, tmp_path: Path) -> None:
    policy = parse_policy(POLICY.replace("pid: keep", "pid: PERSON_NAME"))
    src = _write_csv(tmp_path / "visits.csv")
    out = tmp_path / "safe.csv"
    Deidentifier(policy, keys=keys).deidentify_file(src, out)
    with pytest.raises(ConfigError, match="subject column 'pid' is changed by 'hash'"):
        reidentify_file(out, tmp_path / "back.csv", keys=keys)
    assert not (tmp_path / "back.csv").exists()


# ---------------------------------------------------------------------------- Parquet
def test_parquet_round_trip(keys: EnvKeyProvider, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    data = {c: [r[c] for r in ROWS] for c in COLUMNS}
    data["amount"] = [float(i) for i in range(len(ROWS))]  # type: ignore[misc]
    src = tmp_path / "visits.parquet"
    pq.write_table(pa.table(data), src)
    out = tmp_path / "safe.parquet"
    Deidentifier(_policy(), keys=keys).deidentify_file(src, out)  # type: ignore[arg-type]
    safe = pq.read_table(out).to_pylist()
    assert cn_ric.is_valid(str(safe[0]["id_number"]))
    assert safe[0]["id_number"] != ROWS[0]["id_number"]
    assert "110101199003071233" not in str(safe[0]["note"])
    assert json.loads(metadata_path(out).read_text("utf-8"))["spans"]["note"]
    back = tmp_path / "back.parquet"
    restored = reidentify_file(out, back, keys=keys)
    table = pq.read_table(back)
    assert table.schema.field("amount").type == pa.float64()  # other columns as they were
    _check_back(table.to_pylist(), null=None)
    assert restored >= 3 * len(ROWS)
    assert not list(tmp_path.glob(".*.part"))


# ---------------------------------------------------------------------------- databases
def _engine(url: str) -> sa.Engine:
    return sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://").replace(
            "mysql://", "mysql+pymysql://"
        )
    )


@contextlib.contextmanager
def _own_namespace(url: str) -> Iterator[str]:
    """A schema (PostgreSQL) or database (MariaDB) of this test alone, so that other tests'
    tables coming and going do not disturb listing the tables; yields its URL."""
    name = "deid_reid_" + secrets.token_hex(3)
    if url.startswith("sqlite"):
        yield url
        return
    admin = _engine(url)
    pg = url.startswith("postgresql")
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE {'SCHEMA' if pg else 'DATABASE'} {name}"))
    try:
        if pg:
            sep = "&" if "?" in url else "?"
            yield f"{url}{sep}options=-csearch_path%3D{name}"
        else:
            parts = urlsplit(url)
            yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP {'SCHEMA' if pg else 'DATABASE'} {name}"
                                 f"{' CASCADE' if pg else ''}"))  # fmt: skip
        admin.dispose()


def _check_sql(base_url: str, keys: EnvKeyProvider, tmp_path: Path) -> None:
    with _own_namespace(base_url) as url:
        _check_sql_in(url, keys, tmp_path)


def _check_sql_in(url: str, keys: EnvKeyProvider, tmp_path: Path) -> None:
    tag = secrets.token_hex(3)
    src, safe, back = f"deid_visits_{tag}", f"deid_visits_safe_{tag}", f"deid_visits_back_{tag}"
    engine = _engine(url)
    meta = sa.MetaData()
    t = sa.Table(src, meta, *(sa.Column(c, sa.String(200)) for c in COLUMNS))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), [{c: (r[c] or None) if c == "note" else r[c] for c in COLUMNS}
                                  for r in ROWS])  # fmt: skip
    try:
        m = tmp_path / "m.json"
        Deidentifier(_policy(), keys=keys).deidentify_sql(url, src, safe, metadata=m)  # type: ignore[arg-type]
        with engine.connect() as conn:
            notes = [r[0] for r in conn.execute(sa.text(f"SELECT note FROM {safe}"))]  # noqa: S608
        assert not any("110101199003071233" in (n or "") for n in notes)
        restored = reidentify_sql(url, safe, back, metadata=m, keys=keys)
        assert restored >= 3 * len(ROWS)
        with engine.connect() as conn:
            rows = conn.execute(sa.text(f"SELECT * FROM {back}")).mappings().all()  # noqa: S608
        got = sorted((dict(r) for r in rows), key=lambda r: (str(r["visit"]), str(r["pid"])))
        want = sorted(ROWS, key=lambda r: (str(r["visit"]), str(r["pid"])))
        for orig, row in zip(want, got, strict=True):
            exp = _expected_back(orig)
            for c in COLUMNS:
                if c != "name":
                    assert row[c] == (exp[c] or None if c in ("note",) else exp[c]), (c, row[c])
        with pytest.raises(ConfigError, match="already exists"):
            reidentify_sql(url, safe, back, metadata=m, keys=keys)
    finally:
        for name in (src, safe, back):
            sa.Table(name, sa.MetaData()).drop(engine, checkfirst=True)
        engine.dispose()


def test_sqlite_round_trip(keys: EnvKeyProvider, tmp_path: Path) -> None:
    _check_sql(f"sqlite:///{tmp_path / 'clinic.db'}", keys, tmp_path)


@pytest.mark.db
def test_postgresql_round_trip(pg_url: str, keys: EnvKeyProvider, tmp_path: Path) -> None:
    _check_sql(pg_url, keys, tmp_path)


@pytest.mark.db
def test_mariadb_round_trip(mysql_url: str, keys: EnvKeyProvider, tmp_path: Path) -> None:
    _check_sql(mysql_url, keys, tmp_path)


def test_cli_reidentify_table_and_parquet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.setenv("PIGUARD_KEY_DEIDENTIFY", KEY_HEX)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "shop.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE orders (buyer TEXT, id_number TEXT)")
    con.executemany("INSERT INTO orders VALUES (?, ?)",
                    [("张三", "360426199101010071"), ("李四", None)] * 5)  # fmt: skip
    con.commit()
    con.close()
    url = f"sqlite:///{db}"
    runner = CliRunner()
    result = runner.invoke(app, ["deidentify", url, "--table", "orders", "-o", "orders_safe"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["reidentify", url, "--table", "orders_safe", "-o", "orders_back"])
    assert result.exit_code == 0, result.output
    assert "5 values restored" in result.stderr
    con = sqlite3.connect(db)
    got = con.execute("SELECT * FROM orders_back").fetchall()
    con.close()
    assert got == [("张*", "360426199101010071"), ("李*", None)] * 5
    result = runner.invoke(app, ["reidentify", url, "-o", "x"])
    assert result.exit_code == 2
    assert "needs --table" in result.stderr

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"id_number": ["360426199101010071", None]}), "in.parquet")
    result = runner.invoke(app, ["deidentify", "in.parquet", "-o", "safe.parquet"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["reidentify", "safe.parquet", "-o", "back.parquet"])
    assert result.exit_code == 0, result.output
    assert pq.read_table("back.parquet").column("id_number").to_pylist() == [
        "360426199101010071",
        None,
    ]


def test_values_that_do_not_reverse_are_located(keys: EnvKeyProvider, tmp_path: Path) -> None:
    """A protected value altered after the run (or not written by it) stops reidentify with a
    one-line error naming the file, the line / record / row and the column, never the value;
    nothing is left behind."""
    from piguard.errors import InputError, IntegrityError

    policy = parse_policy(
        "columns: {email: EMAIL}\nrules:\n  - entity: EMAIL\n    operator: encrypt\n"
    )
    d = Deidentifier(policy, keys=keys)

    def tamper(safe: Path, name: str, edit: Any) -> Path:
        bad = tmp_path / name
        bad.write_text(edit(safe.read_text("utf-8")), "utf-8")
        metadata_path(bad).write_bytes(metadata_path(safe).read_bytes())
        return bad

    def flip(text: str) -> str:  # one ciphertext character changed: it no longer verifies
        i = text.rindex("ENC.") + 10
        return text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1 :]

    src = tmp_path / "in.csv"
    src.write_text("email,n\nzs@example.com,1\nls@example.com,2\n", "utf-8")
    safe = tmp_path / "safe.csv"
    d.deidentify_file(src, safe)
    with pytest.raises(IntegrityError) as info:
        reidentify_file(tamper(safe, "a.csv", flip), tmp_path / "back.csv", keys=keys)
    assert str(info.value).startswith(f"{tmp_path / 'a.csv'}: line 3, column 'email': ")
    plain = tamper(safe, "b.csv", lambda t: t.replace(t.split("\n")[1].split(",")[0], "x@y.cn"))
    with pytest.raises(InputError) as err:
        reidentify_file(plain, tmp_path / "back.csv", keys=keys)
    assert str(err.value) == (
        f"{plain}: line 2, column 'email': not an encrypted value (no ENC. prefix)"
    )
    assert "x@y.cn" not in str(err.value)

    src = tmp_path / "in.jsonl"
    src.write_text('{"email": "zs@example.com"}\n{"email": "ls@example.com"}\n', "utf-8")
    safe = tmp_path / "safe.jsonl"
    d.deidentify_file(src, safe)
    with pytest.raises(IntegrityError, match=r"a\.jsonl: record 2, column 'email': "):
        reidentify_file(tamper(safe, "a.jsonl", flip), tmp_path / "back.jsonl", keys=keys)

    src = tmp_path / "in.txt"
    src.write_text("hello\nmail zs@example.com please\n", "utf-8")
    safe = tmp_path / "safe.txt"
    d.deidentify_file(src, safe)
    with pytest.raises(IntegrityError, match=r"a\.txt: line 2: ciphertext"):
        reidentify_file(tamper(safe, "a.txt", flip), tmp_path / "back.txt", keys=keys)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("back", "."))]
