"""Large files are sampled, not parsed whole: line index, uniform draws, estimates, fall-backs."""

from __future__ import annotations

import datetime
import json
import os
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piguard.cli.app import app
from piguard.errors import InputError
from piguard.sources import (
    DiscoveryOptions,
    TableFacts,
    discover,
    estimate_distinct,
    file_tables,
    upper_distinct,
)
from piguard.sources._inventory import _undecided
from piguard.sources._sample import draw_order, line_index, read_lines

TODAY = datetime.date(2024, 6, 30)
# Sample 50 values per column, and sample every CSV of more than 20 x 50 rows.
SAMPLED = DiscoveryOptions(today=TODAY, sample_size=50, sample_over_bytes=0)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _rid(i: int) -> str:
    body = f"110105{1950 + i % 50}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def _people_csv(path: Path, rows: int, people: int, *, seed: int = 1, newline: str = "\n") -> int:
    """A CSV of visits: resident ID, mobile, amount; returns the number of distinct people."""
    rng = random.Random(seed)
    ids = [_rid(i) for i in range(people)]
    seen = set()
    lines = ["sfzh,mobile,amount"]
    for _ in range(rows):
        p = rng.randrange(people)
        seen.add(p)
        lines.append(f"{ids[p]},138{p:08d},{rng.uniform(1, 500):.2f}")
    path.write_text(newline.join(lines) + newline, encoding="utf-8", newline="")
    return len(seen)


# ------------------------------------------------------------------ line index
@pytest.mark.parametrize("trailing", [True, False])
def test_line_index_finds_every_line(tmp_path: Path, trailing: bool) -> None:
    rng = random.Random(3)
    # Lines from empty to longer than two index blocks (32 KB), so some run across blocks.
    lines = [b"x" * rng.choice([0, 1, 40, 300, 40_000, 70_000]) for _ in range(300)]
    data = b"\n".join(lines) + (b"\n" if trailing else b"")
    path = tmp_path / "lines.txt"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        index = line_index(fd, len(data))
        assert index.lines == len(lines)
        wanted = rng.sample(range(len(lines)), 120)
        got = dict(read_lines(fd, index, wanted))
        assert got == {n: lines[n] for n in wanted}
    finally:
        os.close(fd)


def test_draws_are_uniform_over_rows_not_bytes(tmp_path: Path) -> None:
    # Half the rows are 100 times longer than the others: picking byte offsets would draw
    # long rows 99 % of the time; drawing row numbers draws each kind half of the time.
    path = tmp_path / "skewed.csv"
    rows = ["kind,pad"] + [("long," + "x" * 1000) if i % 2 else "short,x" for i in range(40_000)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (table,) = file_tables(path)
    drawn = table.sample(2000, "seed")
    assert drawn is not None
    kinds = [v for b in drawn.batches for v in b.columns["kind"]]
    assert len(kinds) == 2000
    assert 0.45 < kinds.count("long") / len(kinds) < 0.55


def test_draw_order_is_seeded_and_without_replacement() -> None:
    a = draw_order(1_000_000, 500, "0:x")
    assert a == draw_order(1_000_000, 500, "0:x")
    assert a != draw_order(1_000_000, 500, "1:x")
    assert len(set(a)) == 500


# ------------------------------------------------------------------ sampled tables
def test_a_large_csv_is_sampled_with_an_exact_row_count(tmp_path: Path) -> None:
    path = tmp_path / "visits.csv"
    truth = _people_csv(path, 20_000, 3000)
    (t,) = discover([str(path)], SAMPLED).tables
    assert t.sampled
    assert not t.server_sampled
    assert (t.rows, t.rows_exact, t.facts.rows_method) == (20_000, True, "lines")
    assert t.rows_drawn == 50
    cols = {c.column: c for c in t.columns}
    assert cols["sfzh"].entity == "CN_RESIDENT_ID"
    assert cols["mobile"].entity == "CN_MOBILE"
    assert cols["sfzh"].rows_sampled == 50
    assert cols["sfzh"].non_empty == 20_000  # estimated: every drawn row had a value
    f = t.facts
    assert (f.people_method, f.people_exact, f.people_column) == ("chao1", False, "sfzh")
    assert f.people_low is not None
    assert f.people_high is not None
    assert f.people_low <= f.people <= f.people_high <= 20_000
    assert any("sampled: 50 rows drawn at random" in n for n in f.notes)
    assert truth > 0
    # The same seed draws the same rows; another seed other rows.
    again = discover([str(path)], SAMPLED).tables[0]
    assert again.to_dict() == t.to_dict()


def test_people_estimate_is_close_on_an_even_population(tmp_path: Path) -> None:
    path = tmp_path / "visits.csv"
    truth = _people_csv(path, 60_000, 4000, seed=2)
    options = DiscoveryOptions(today=TODAY, sample_size=1000, sample_over_bytes=0)
    (t,) = discover([str(path)], options).tables
    f = t.facts
    assert f.people_low is not None
    assert f.people_high is not None
    assert f.people is not None
    assert f.people_low <= truth <= f.people_high
    assert abs(f.people - truth) / truth < 0.25


def test_stream_and_full_read_every_row(tmp_path: Path) -> None:
    path = tmp_path / "visits.csv"
    truth = _people_csv(path, 5000, 800, newline="\r\n")
    stream = DiscoveryOptions(today=TODAY, sample_size=50, sample_over_bytes=0, stream=True)
    (t,) = discover([str(path)], stream).tables
    assert not t.sampled
    assert t.facts.rows_method == "counted"
    assert t.rows == 5000
    assert t.facts.people_method == "hyperloglog"
    assert t.facts.people_low is not None
    assert t.facts.people_low <= truth
    full = DiscoveryOptions(today=TODAY, sample_size=50, sample_over_bytes=0, full=True)
    (t,) = discover([str(path)], full).tables
    assert (t.facts.people_method, t.facts.people, t.facts.people_exact) == ("exact", truth, True)


def test_crlf_and_bom_and_gbk_files_are_sampled(tmp_path: Path) -> None:
    path = tmp_path / "crlf.csv"
    _people_csv(path, 3000, 500, newline="\r\n")
    text = path.read_text(encoding="utf-8").replace("sfzh", "身份证号")
    for encoding in ("utf-8-sig", "gb18030"):
        p = tmp_path / f"{encoding}.csv"
        p.write_bytes(text.encode(encoding))
        (t,) = discover([str(p)], SAMPLED).tables
        assert t.sampled
        assert t.rows == 3000
        cols = {c.column: c for c in t.columns}
        assert cols["身份证号"].entity == "CN_RESIDENT_ID"
        assert cols["mobile"].entity == "CN_MOBILE"


def test_small_files_and_utf16_are_streamed(tmp_path: Path) -> None:
    path = tmp_path / "visits.csv"
    _people_csv(path, 3000, 500)
    default = DiscoveryOptions(today=TODAY, sample_size=50)  # 16 MB: this file is read whole
    assert not discover([str(path)], default).tables[0].sampled
    few = DiscoveryOptions(today=TODAY, sample_size=1000, sample_over_bytes=0)  # 3000 <= 20 k
    assert not discover([str(path)], few).tables[0].sampled
    wide = tmp_path / "utf16.csv"
    wide.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    (t,) = discover([str(wide)], SAMPLED).tables
    assert not t.sampled
    assert t.rows == 3000


def test_quoted_line_breaks_fall_back_to_streaming(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    rows = ["id,note"] + [f'{i},"第{i}行\n续行"' for i in range(3000)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (t,) = discover([str(path)], SAMPLED).tables
    assert not t.sampled
    assert (t.rows, t.facts.rows_method) == (3000, "counted")


def test_quoted_line_breaks_found_only_among_the_drawn_rows(tmp_path: Path) -> None:
    # The first 64 KB are plain; later rows hold line breaks in quoted cells.
    path = tmp_path / "late.csv"
    rows = ["id,note"] + [f"{i},plain" for i in range(8000)]
    rows += [f'{i},"a\nb"' for i in range(8000, 16000)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (t,) = discover([str(path)], SAMPLED).tables
    assert not t.sampled
    assert t.rows == 16000


def test_blank_lines_make_the_row_count_an_estimate(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    _people_csv(path, 4000, 500)
    lines = path.read_text(encoding="utf-8").split("\n")
    body = [x for pair in zip(lines[1:], [""] * len(lines), strict=False) for x in pair]
    path.write_text("\n".join([lines[0], *body]) + "\n\n\n", encoding="utf-8")
    (t,) = discover([str(path)], SAMPLED).tables
    assert t.sampled
    assert t.facts.rows_method == "estimate"
    assert not t.rows_exact
    assert 2500 < t.rows < 5500


def test_a_truncated_large_csv_still_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    _people_csv(path, 3000, 500)
    data = path.read_bytes()
    path.write_bytes(data[: data.rfind(b",")] + b',"12')
    inv = discover([str(path)], SAMPLED)
    assert not inv.tables
    (error,) = inv.errors
    assert error["message"].startswith(f"{path}:3001: malformed CSV")


def test_a_wrong_byte_in_a_drawn_row_falls_back_to_the_exact_error(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    # UTF-8 well past the 64 KB the encoding is detected on, then GBK-encoded rows.
    lines = ["name,phone"] + [f"用户{i},13812345678" for i in range(4000)]
    bad = "张伟,13812345678".encode("gbk")
    data = b"\n".join([x.encode() for x in lines] + [bad] * 3000) + b"\n"
    path.write_bytes(data)
    (table,) = file_tables(path)
    assert table.sample(50, "s") is None
    with pytest.raises(InputError):
        list(table.batches())


def test_workers_give_the_same_inventory(tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        p = tmp_path / f"v{i}.csv"
        _people_csv(p, 3000, 400, seed=i)
        paths.append(str(p))
    one = discover(paths, SAMPLED)
    two = discover(paths, SAMPLED, workers=2)
    assert [t.to_dict() for t in one.tables] == [t.to_dict() for t in two.tables]
    assert all(t.sampled for t in two.tables)


# ------------------------------------------------------------------ estimates and thresholds
def test_estimate_distinct_is_exact_when_everything_was_seen() -> None:
    assert estimate_distinct(["a", "b", "b"], 3) == (2, 2, 2)
    assert estimate_distinct([], 10) == (0, 0, 0)
    # All values distinct: nothing is known beyond the bounds (seen .. population).
    est, low, high = estimate_distinct([str(i) for i in range(100)], 5000)
    assert low >= 100
    assert high == 5000
    assert 100 <= est <= 5000


@pytest.mark.parametrize("seed", range(5))
def test_estimate_distinct_interval_covers_an_even_population(seed: int) -> None:
    rng = random.Random(seed)
    population = [rng.randrange(20_000) for _ in range(1_000_000)]
    truth = len(set(population))
    est, low, high = estimate_distinct(rng.sample(population, 2000), len(population))
    assert low <= truth <= high
    assert abs(est - truth) / truth < 0.3


def test_undecided_thresholds() -> None:
    def facts(rows: int, people: int, low: int, high: int, method: str = "chao1") -> TableFacts:
        return TableFacts(
            rows=rows, people=people, people_method=method, people_low=low, people_high=high
        )

    # 60,000 (50,000 to 70,000) from a sample that cannot rule out 300,000: open.
    sampled = facts(1_000_000, 60_000, 50_000, 70_000)
    sampled.people_max = 300_000
    assert _undecided(sampled, 100_000)
    assert not _undecided(sampled, 1_000_000)
    assert not _undecided(sampled, 40_000)  # below the interval: over, decided
    assert not _undecided(facts(1_000_000, 2_000, 1_800, 2_200), 100_000)
    # No table of 90,000 rows holds more than 90,000 people.
    assert not _undecided(facts(90_000, 60_000, 50_000, 70_000), 100_000)
    # HyperLogLog's bounds are used as they are.
    assert not _undecided(facts(1_000_000, 60_000, 58_000, 62_000, "hyperloglog"), 100_000)
    assert _undecided(facts(1_000_000, 99_000, 97_000, 101_000, "hyperloglog"), 100_000)
    exact = TableFacts(rows=10**6, people=100_001, people_method="exact", people_exact=True)
    assert not _undecided(exact, 100_000)
    # What the sample cannot rule out (people_max) decides, not the even-spread interval.
    uneven = facts(1_000_000, 21_000, 17_000, 26_000)
    uneven.people_max = 950_000
    assert _undecided(uneven, 100_000)
    assert not _undecided(uneven, 1_000_000)  # 1,000,000 rows: not more people than that
    repeated = facts(1_000_000, 500, 480, 520)
    repeated.people_max = 520
    assert not _undecided(repeated, 100_000)


def test_upper_distinct_bounds_uneven_populations() -> None:
    # 1 % of 100,000 people own 80 % of 1,000,000 rows; the other 99,000 about two each.
    rng = random.Random(1)
    sample = [
        rng.randrange(1000) if rng.random() < 0.8 else rng.randrange(1000, 100_000)
        for _ in range(1000)
    ]
    high = estimate_distinct(sample, 1_000_000)[2]
    assert high < 10_000  # Chao1 sees the heavy people only ...
    assert upper_distinct(sample, 1_000_000) > 86_000  # ... the bound keeps the truth open
    # 300 people, each seen about 7 times in 2,000 draws: hardly anything unseen.
    even = [rng.randrange(300) for _ in range(2000)]
    assert len(set(even)) <= upper_distinct(even, 1_000_000) < 5_000


# ------------------------------------------------------------------ command line
def test_cli_reports_sampling_and_stream(tmp_path: Path) -> None:
    path = tmp_path / "visits.csv"
    _people_csv(path, 3000, 500)
    out = tmp_path / "inv.json"
    # --sample-size 50: the file is sampled only above 16 MB by default, so read whole.
    result = CliRunner().invoke(
        app, ["scan", str(path), "--sample-size", "50", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    (table,) = doc["tables"]
    assert table["sampled"] is False
    assert table["facts"]["rows_method"] == "counted"
    assert doc["options"]["stream"] is False
    assert doc["options"]["sample_over_bytes"] == 16 << 20
    result = CliRunner().invoke(app, ["scan", str(path), "--stream", "--format", "table"])
    assert result.exit_code == 0, result.output
    assert "3,000 rows" in result.output
    assert "hyperloglog estimate, 95 % interval" in " ".join(result.output.split())


def test_a_large_json_lines_file_is_sampled(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "visits.jsonl"
    records = [
        {"patient": {"sfzh": _rid(rng.randrange(900)), "phone": f"139{i % 700:08d}"}, "n": i}
        for i in range(4000)
    ]
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n", encoding="utf-8"
    )
    (t,) = discover([str(path)], SAMPLED).tables
    assert t.sampled
    assert (t.rows, t.facts.rows_method) == (4000, "lines")
    cols = {c.column: c for c in t.columns}
    assert cols["patient.sfzh"].entity == "CN_RESIDENT_ID"
    assert cols["patient.phone"].entity == "CN_MOBILE"
    assert t.facts.people_column == "patient.sfzh"
    assert t.facts.people_method == "chao1"
    # Every tenth record cut short: a drawn line is not JSON, so the file is read whole and
    # the error names the first bad line (record 7, line 8).
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text(
        "\n".join(x[:-1] if i % 10 == 7 else x for i, x in enumerate(lines)) + "\n", "utf-8"
    )
    inv = discover([str(path)], SAMPLED)
    assert not inv.tables
    assert inv.errors[0]["message"].startswith(f"{path}:8: not valid JSON")


def test_a_json_lines_round_larger_than_a_batch_keeps_every_record(tmp_path: Path) -> None:
    # A round of 6,000 drawn records is more than one streaming batch (5,000 rows): every
    # drawn record must reach the sample, not only those after the batch boundary.
    path = tmp_path / "many.jsonl"
    path.write_text(
        "".join(json.dumps({"id": i, "phone": f"139{i:08d}"}) + "\n" for i in range(130_000)),
        encoding="utf-8",
    )
    (table,) = file_tables(path)
    drawn = table.sample(6000, "s")
    assert drawn is not None
    assert drawn.drawn == sum(b.rows for b in drawn.batches) == 6000
    for batch in drawn.batches:
        assert {len(v) for v in batch.columns.values()} == {batch.rows}
