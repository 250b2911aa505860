"""Profile tables and build the inventory (数据资产清单): columns, grades, dataset facts.

Each table is streamed once. Per column: the count of non-empty values and a uniform
reservoir sample (bottom-k of random keys; default 1,000 non-empty values, seeded so the
same input gives the same inventory). After the first batch the sample is classified
provisionally; identifier columns then feed a HyperLogLog sketch (Apache DataSketches,
lg_k = 12, relative standard error about 1.6 %) so the distinct-people estimate covers every
row, not only the sample. ``full=True`` classifies every value instead and counts distinct
values exactly (memory then grows with the number of distinct people).

Dataset facts per table: estimated distinct people (from the strongest identifier column:
resident ID, then passport/permit, mobile, e-mail, bank card ...), children under 14 (from
resident IDs and birth dates; their PI is sensitive: PIPL Art. 28, GB/T 35273-2020 Annex B),
quasi-identifier columns (GB/T 37964-2019 5.1) and the GB/T 35273-2020 11.1 thresholds
(PI of more than 1,000,000 people; sensitive PI of more than 100,000 people).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from piguard import taxonomy
from piguard._version import __version__
from piguard.errors import EncodingError, InputError, PiguardError
from piguard.sources._classify import (
    IDENTIFYING_RANK,
    ColumnEvidence,
    ColumnFinding,
    ValueJudge,
    classify,
)
from piguard.sources._files import file_tables, walk_folder
from piguard.sources._hints import hint_for
from piguard.sources._model import Batch, RowSample, Table, cell_text
from piguard.sources._sql import SqlTable, is_database_url, redact_url, sql_tables

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "INVENTORY_SCHEMA",
    "PI_PEOPLE_THRESHOLD",
    "SENSITIVE_PEOPLE_THRESHOLD",
    "DiscoveryOptions",
    "Inventory",
    "Reservoir",
    "TableFacts",
    "TableReport",
    "discover",
    "estimate_distinct",
    "expand_targets",
    "profile_table",
    "upper_distinct",
]

#: Version of the inventory JSON; readers (data map, de-identification) check it.
INVENTORY_SCHEMA = "piguard.inventory/1"
#: GB/T 35273-2020 11.1 c): PI of more than 1,000,000 people needs a full-time DPO and team.
PI_PEOPLE_THRESHOLD = 1_000_000
#: GB/T 35273-2020 11.1 c): sensitive PI of more than 100,000 people.
SENSITIVE_PEOPLE_THRESHOLD = 100_000
_PREVIEW_VALUES = 200  # values classified after the first batch to choose sketched columns
#: Files larger than this are sampled (rows drawn at random offsets) unless ``stream``.
SAMPLE_OVER_BYTES = 16 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscoveryOptions:
    """How to read and sample. ``seed`` makes sampling reproducible; ``today`` is the
    reference date for ages (default: the current date).

    By default a CSV file larger than ``sample_over_bytes`` is **sampled**: its line breaks
    are counted (exact row count) and rows are drawn at random offsets, so it is not parsed
    whole; distinct people are then estimated (Chao1). ``stream`` reads every row of every
    file (sample per column, HyperLogLog people count); ``full`` classifies every value
    and counts people exactly."""

    sample_size: int = 1000
    full: bool = False
    stream: bool = False
    sample_over_bytes: int = SAMPLE_OVER_BYTES
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    schemas: tuple[str, ...] | None = None
    seed: int = 0
    today: datetime.date | None = None
    entities: tuple[str, ...] | None = None
    exclude_entities: tuple[str, ...] | None = None


class Reservoir:
    """A uniform sample without replacement of ``k`` items from a stream: every item gets a
    random key and the ``k`` smallest keys win (bottom-k sampling). Keys are drawn with
    numpy per batch and only items that beat the current k-th key are looked at, so the cost
    per batch is a few vectorised operations, whatever the batch holds (a list or a pyarrow
    array, from which only the winners are converted).

    >>> import numpy as np
    >>> r = Reservoir(3, np.random.default_rng(1))
    >>> r.extend(list(range(1000)))
    >>> len(r.items), r.seen, all(0 <= x < 1000 for x in r.items)
    (3, 1000, True)
    """

    def __init__(self, k: int, rng: np.random.Generator) -> None:
        import numpy as np

        self.k = k
        self.rng = rng
        self.items: list[Any] = []
        self.keys: np.ndarray[Any, np.dtype[np.float64]] = np.empty(0)
        self.seen = 0

    def extend(self, values: Sequence[Any]) -> None:
        """Offer ``values`` (in stream order) to the sample."""
        import numpy as np

        n = len(values)
        self.seen += n
        if n == 0 or self.k == 0:
            return
        new = self.rng.random(n)
        if len(self.items) == self.k:
            candidates = np.flatnonzero(new < self.keys.max())
            if candidates.size == 0:
                return
        else:
            candidates = np.arange(n)
        keys = np.concatenate([self.keys, new[candidates]])
        old = len(self.items)
        if len(keys) > self.k:
            keep = np.argpartition(keys, self.k - 1)[: self.k]
        else:
            keep = np.arange(len(keys))
        kept_new = candidates[keep[keep >= old] - old]
        if kept_new.size == 0:
            return
        if old == self.k:
            # Full: the winners take the slots of the evicted items (cost ~ winners).
            kept = np.zeros(old, dtype=bool)
            kept[keep[keep < old]] = True
            evicted = np.flatnonzero(~kept)
            for slot, value in zip(evicted.tolist(), _pick(values, kept_new), strict=True):
                self.items[slot] = value
            self.keys[evicted] = new[kept_new]
            return
        kept_old = keep[keep < old]
        self.items = [self.items[i] for i in kept_old.tolist()] + _pick(values, kept_new)
        self.keys = np.concatenate([self.keys[kept_old], new[kept_new]])


def _pick(values: Sequence[Any], indices: np.ndarray[Any, Any]) -> list[Any]:
    if hasattr(values, "take"):  # a pyarrow array: convert only the chosen values
        return list(values.take(indices).to_pylist())
    return [values[i] for i in indices.tolist()]


def _rng(seed: str) -> np.random.Generator:
    import numpy as np

    return np.random.default_rng(int.from_bytes(hashlib.blake2b(seed.encode()).digest()[:8]))


@dataclass(slots=True)
class TableFacts:
    """Dataset-level facts of one table."""

    rows: int
    people: int | None = None
    people_method: str | None = None
    people_column: str | None = None
    children_under_14: int = 0
    children_estimated: int | None = None
    youngest_age: int | None = None
    quasi_identifiers: tuple[str, ...] = ()
    sensitive_pi: bool = False
    over_pi_threshold: bool = False
    over_sensitive_threshold: bool = False
    notes: tuple[str, ...] = ()
    # Added with sampling (after the original fields, so positional use stays valid):
    rows_method: str = "counted"
    people_exact: bool = False
    people_low: int | None = None
    people_high: int | None = None
    pi_threshold_undecided: bool = False
    sensitive_threshold_undecided: bool = False
    people_max: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["quasi_identifiers"] = list(self.quasi_identifiers)
        d["notes"] = list(self.notes)
        return d


@dataclass(slots=True)
class TableReport:
    """The inventory of one table: its columns and facts."""

    source: str
    table: str
    kind: str
    rows: int
    rows_exact: bool
    server_sampled: bool
    columns: list[ColumnFinding]
    facts: TableFacts
    sampled: bool = False
    rows_drawn: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "table": self.table,
            "kind": self.kind,
            "rows": self.rows,
            "rows_exact": self.rows_exact,
            "server_sampled": self.server_sampled,
            "sampled": self.sampled,
            "rows_drawn": self.rows_drawn,
            "facts": self.facts.to_dict(),
            "columns": [c.to_dict() for c in self.columns],
        }


@dataclass(slots=True)
class Inventory:
    """Everything one discovery run found: tables, errors, notes."""

    tables: list[TableReport] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    options: DiscoveryOptions = field(default_factory=DiscoveryOptions)
    generated_at: str = ""

    @property
    def columns(self) -> list[ColumnFinding]:
        """Every column finding, table by table."""
        return [c for t in self.tables for c in t.columns]

    def summary(self) -> dict[str, Any]:
        """Counts by category, grade and source; the largest populations."""
        by_category: dict[str, int] = {}
        by_grade = {"sensitive": 0, "ordinary": 0}
        by_source: dict[str, int] = {}
        for c in self.columns:
            if not c.pi:
                continue
            key = c.category or "unknown"
            by_category[key] = by_category.get(key, 0) + 1
            by_grade["sensitive" if c.sensitive else "ordinary"] += 1
            by_source[c.source] = by_source.get(c.source, 0) + 1
        people = [t.facts.people for t in self.tables if t.facts.people is not None]
        sensitive_people = [
            t.facts.people
            for t in self.tables
            if t.facts.people is not None and t.facts.sensitive_pi
        ]
        most = max(people, default=0)
        most_sensitive = max(sensitive_people, default=0)
        undecided = [
            f"{t.source} · {t.table}"
            for t in self.tables
            if t.facts.pi_threshold_undecided or t.facts.sensitive_threshold_undecided
        ]
        return {
            "tables": len(self.tables),
            "columns": len(self.columns),
            "pi_columns": sum(by_grade.values()),
            "by_category": dict(sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))),
            "by_grade": by_grade,
            "by_source": by_source,
            "failed_sources": len(self.errors),
            "largest_table_people": most,
            "largest_sensitive_table_people": most_sensitive,
            # GB/T 35273-2020 11.1 c): one table is a lower bound for the whole organisation.
            "pi_people_threshold": PI_PEOPLE_THRESHOLD,
            "sensitive_people_threshold": SENSITIVE_PEOPLE_THRESHOLD,
            "over_pi_threshold": most > PI_PEOPLE_THRESHOLD,
            "over_sensitive_threshold": most_sensitive > SENSITIVE_PEOPLE_THRESHOLD,
            "estimated_people_tables": sum(
                1 for t in self.tables if t.facts.people is not None and not t.facts.people_exact
            ),
            "thresholds_undecided": undecided,
        }

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable inventory (schema :data:`INVENTORY_SCHEMA`)."""
        o = self.options
        return {
            "schema": INVENTORY_SCHEMA,
            "piguard": __version__,
            "taxonomy": taxonomy.TAXONOMY_VERSION,
            "generated_at": self.generated_at,
            "options": {
                "sample_size": o.sample_size,
                "full": o.full,
                "stream": o.stream,
                "sample_over_bytes": o.sample_over_bytes,
                "seed": o.seed,
                "reference_date": (o.today or datetime.date.today()).isoformat(),
            },
            "summary": self.summary(),
            "tables": [t.to_dict() for t in self.tables],
            "errors": list(self.errors),
            "notes": list(self.notes),
        }


# ------------------------------------------------------------------ profiling
class _ColumnState:
    __slots__ = ("drawn", "evidence", "exact", "hint", "non_empty", "reservoir", "sketch")

    def __init__(self, name: str, k: int, rng: np.random.Generator) -> None:
        self.hint = hint_for(name)
        self.reservoir = Reservoir(k, rng)
        self.non_empty = 0
        self.sketch: Any = None
        self.exact: set[int] | None = None
        self.evidence: ColumnEvidence | None = None
        self.drawn: list[str] | None = None  # sampled file: every drawn value, in draw order


def _new_sketch() -> Any:
    from datasketches import hll_sketch

    return hll_sketch(12)


def profile_table(
    table: Table,
    judge: ValueJudge,
    options: DiscoveryOptions,
    *,
    on_rows: Callable[[int], None] | None = None,
) -> TableReport:
    """Classify the columns of ``table``: from rows drawn at random when the table can be
    sampled (:meth:`Table.sample`; not with ``stream`` or ``full``), else streaming it once."""
    seed = f"{options.seed}:{table.source}:{table.name}"
    if not options.full and not options.stream:
        drawn = table.sample(options.sample_size, seed, min_bytes=options.sample_over_bytes)
        if drawn is not None:
            return _profile_sample(table, drawn, judge, options, on_rows)
    rng = _rng(seed)
    k = options.sample_size
    states: dict[str, _ColumnState] = {}
    rows = 0
    first = True
    # CSV and text cells are already strings: skip the per-value conversion (the sample is
    # stripped when it is classified).
    strings = table.kind in ("csv", "text")
    for batch in table.batches():
        rows += batch.rows
        for name in table.columns:
            if name not in states:
                states[name] = _ColumnState(name, k, rng)
        for name, raw in batch.columns.items():
            st = states.get(name)
            if st is None:
                st = states[name] = _ColumnState(name, k, rng)
            arrow = None
            values: Sequence[Any]
            if hasattr(raw, "to_pylist"):  # a pyarrow array from the CSV Arrow engine
                arrow = _arrow_present(raw)
                values = arrow
                if options.full:
                    values = [t for t in map(cell_text, arrow.to_pylist()) if t is not None]
            elif strings and not options.full:
                values = [v for v in raw if v]
            else:
                values = [t for t in map(cell_text, raw) if t is not None]
            st.non_empty += len(values)
            if options.full:
                ev = judge.evaluate(values, st.hint)
                if st.evidence is None:
                    st.evidence = ev
                else:
                    st.evidence.merge(ev)
                if any(e in IDENTIFYING_RANK for e in ev.whole):
                    if st.exact is None:
                        st.exact = set()
                    st.exact.update(hash(v) for v in values)
                continue
            st.reservoir.extend(values)
            if st.sketch is not None:
                update = st.sketch.update
                for v in arrow.to_pylist() if arrow is not None else values:
                    update(v)
        if first and not options.full:
            first = False
            _start_sketches(table, states, batch, judge)
        if on_rows is not None:
            on_rows(batch.rows)
    return _report(table, states, rows, judge, options)


def _profile_sample(
    table: Table,
    drawn: RowSample,
    judge: ValueJudge,
    options: DiscoveryOptions,
    on_rows: Callable[[int], None] | None,
) -> TableReport:
    """Columns of a sampled table: each column's sample is its first ``sample_size``
    non-empty values in draw order (a uniform sample: the rows come in random order)."""
    states = {name: _ColumnState(name, 0, _NO_RNG) for name in table.columns}
    for batch in drawn.batches:
        for name, raw in batch.columns.items():
            st = states.get(name)
            if st is None:
                st = states[name] = _ColumnState(name, 0, _NO_RNG)
            if st.drawn is None:
                st.drawn = []
            if all(type(v) is str for v in raw):  # CSV cells: cell_text() is strip()
                st.drawn.extend(t for v in raw if (t := v.strip()))
            else:
                st.drawn.extend(t for t in map(cell_text, raw) if t is not None)
        if on_rows is not None:
            on_rows(batch.rows)
    for st in states.values():
        seen = len(st.drawn or ())
        st.non_empty = round(seen * drawn.rows_total / max(drawn.drawn, 1))
    return _report(table, states, drawn.drawn, judge, options, drawn=drawn)


_NO_RNG: Any = None  # sampled tables keep no reservoir


def estimate_distinct(values: Sequence[Any], population: int) -> tuple[int, int, int]:
    """Distinct values of a column of ``population`` non-empty cells from a uniform sample
    of them: the bias-corrected Chao1 estimator (Chao 1984; 1987) with its 95 % log-normal
    interval, all three clamped to [distinct values seen, ``population``].

    Chao1 adds f1(f1-1) / (2(f2+1)) unseen values to the d seen (f1: values seen once,
    f2: twice); its variance is the bias-corrected form (Chao 2005, as in EstimateS).
    It is a lower-bound estimator: when a few people fill far more rows than the others
    the rare ones stay unseen and no sample-based estimate can be trusted (Charikar et al.
    2000); :func:`upper_distinct` bounds what the sample cannot rule out.

    >>> estimate_distinct(["a", "b", "a", "c"], 4)  # every value seen: exact
    (3, 3, 3)
    >>> import random
    >>> rng = random.Random(1)  # 1,000 draws among 5,000 people
    >>> estimate_distinct([rng.randrange(5000) for _ in range(1000)], 100_000)
    (5358, 4331, 6693)
    """
    n = len(values)
    counts = Counter(values)
    d = len(counts)
    if n == 0 or n >= population:
        return d, d, d
    freq = Counter(counts.values())
    f1, f2 = freq.get(1, 0), freq.get(2, 0)
    extra = f1 * (f1 - 1) / (2 * (f2 + 1))
    est = d + extra
    if extra <= 0:
        return d, d, d
    if f2 > 0:
        var = (
            f1 * (f1 - 1) / (2 * (f2 + 1))
            + f1 * (2 * f1 - 1) ** 2 / (4 * (f2 + 1) ** 2)
            + f1**2 * f2 * (f1 - 1) ** 2 / (4 * (f2 + 1) ** 4)
        )
    else:
        var = f1 * (f1 - 1) / 2 + f1 * (2 * f1 - 1) ** 2 / 4 - f1**4 / (4 * est)
    c = math.exp(1.96 * math.sqrt(math.log(1 + max(var, 0.0) / extra**2)))
    low, high = d + extra / c, d + extra * c

    def clamp(x: float) -> int:
        return int(min(max(round(x), d), population))

    return clamp(est), clamp(low), clamp(high)


def upper_distinct(values: Sequence[Any], population: int) -> int:
    """How many distinct values a column of ``population`` non-empty cells may hold that a
    uniform sample of them (``values``) cannot rule out, however unevenly the values spread.

    The rows whose value the sample did not see are, by Good and Turing's estimate of the
    missing mass, a share of about f1 / n of the column (f1 values seen once among n);
    taking two standard deviations more (f1 + 2√f1) and counting each such row as a
    different value gives d + population × (f1 + 2√f1) / n, clamped to [d, population].
    It is far above Chao1 when most sampled values are singletons: a sample alone then
    cannot tell many rows per person from many people with one row each.

    >>> upper_distinct(["a", "a", "b", "b"], 1000)  # no singletons: nothing unseen
    2
    >>> upper_distinct([str(i) for i in range(100)], 10_000)  # all singletons
    10000
    """
    n = len(values)
    counts = Counter(values)
    d = len(counts)
    if n == 0 or n >= population:
        return d
    f1 = sum(1 for c in counts.values() if c == 1)
    share = min((f1 + 2 * math.sqrt(f1)) / n, 1.0) if f1 else 0.0
    return int(min(max(d + math.ceil(population * share), d), population))


def _arrow_present(array: Any) -> Any:
    """The non-null, non-empty values of a pyarrow array (computed in C++)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return pc.filter(array, pc.not_equal(array, ""))  # null compares to null: dropped
    return pc.drop_null(array)


def _start_sketches(
    table: Table, states: dict[str, _ColumnState], batch: Batch, judge: ValueJudge
) -> None:
    """Classify the first values provisionally; sketch the (at most two) columns that the
    final report will most likely count people by (same rule as in :func:`_report`)."""
    candidates: list[tuple[int, int, str]] = []
    for name, st in states.items():
        preview = [t for t in map(cell_text, st.reservoir.items[:_PREVIEW_VALUES]) if t]
        if not preview:
            continue
        ev = judge.evaluate(preview, st.hint, quick=True)
        ranks = [
            IDENTIFYING_RANK[e]
            for e, c in ev.whole.items()
            if e in IDENTIFYING_RANK and c >= 0.5 * ev.values
        ]
        if ranks:
            candidates.append((min(ranks), st.non_empty, name))
    if not candidates:
        return
    most = max(c[1] for c in candidates)
    ordered = sorted(candidates, key=lambda c: (c[1] < 0.5 * most, c[0], -c[1]))
    for _, _, name in ordered[:2]:
        st = states[name]
        st.sketch = _new_sketch()
        raw = batch.columns.get(name, ())
        for v in raw.to_pylist() if hasattr(raw, "to_pylist") else raw:
            t = cell_text(v)
            if t is not None:
                st.sketch.update(t)


def _report(
    table: Table,
    states: dict[str, _ColumnState],
    rows: int,
    judge: ValueJudge,
    options: DiscoveryOptions,
    *,
    drawn: RowSample | None = None,
) -> TableReport:
    findings: list[ColumnFinding] = []
    evidences: dict[str, ColumnEvidence] = {}
    for name in list(table.columns) + [n for n in states if n not in table.columns]:
        st = states.get(name)
        if st is None:
            st = _ColumnState(name, 0, _rng("empty"))
        ev = st.evidence
        if ev is None:
            if st.drawn is not None:
                sample = st.drawn[: options.sample_size]
            else:
                sample = [t for t in map(cell_text, st.reservoir.items) if t is not None]
            ev = judge.evaluate(sample, st.hint)
        evidences[name] = ev
        findings.append(
            classify(
                source=table.source,
                table=table.name,
                column=name,
                ev=ev,
                non_empty=st.non_empty,
                hint=st.hint,
            )
        )
    if options.entities or options.exclude_entities:
        findings = [_only_requested(f, options) for f in findings]
    total_rows = rows
    sampled = drawn is not None or table.server_sampled
    facts = TableFacts(rows=total_rows)
    notes: list[str] = []
    if drawn is not None:
        total_rows = facts.rows = drawn.rows_total
        facts.rows_method = drawn.rows_method
        notes.extend(drawn.notes)
        notes.append(
            f"sampled: {drawn.drawn:,} rows drawn at random; rows "
            + (
                "counted from line breaks"
                if drawn.rows_method == "lines"
                else "estimated from line breaks and the blank lines drawn"
            )
            + "; non-empty counts and people estimated (--stream reads every row)"
        )
    elif table.server_sampled and table.rows_total is not None:
        total_rows = facts.rows = table.rows_total
        facts.rows_method = "server" if table.rows_exact else "server_estimate"

    # distinct people, from the strongest identifier column
    ids = [f for f in findings if f.kind == "identifier" and f.entity in IDENTIFYING_RANK]
    if ids:
        # The most identifying column among those filled in at least half of the rows
        # (a sparse resident-ID column would undercount); else the fullest one.
        most = max(f.non_empty for f in ids)
        full_enough = [f for f in ids if f.non_empty >= 0.5 * most]
        best = min(full_enough, key=lambda f: (IDENTIFYING_RANK[f.entity or ""], -f.non_empty))
        st = states.get(best.column)
        facts.people_column = best.column
        if st is not None and st.exact is not None:
            facts.people, facts.people_method = len(st.exact), "exact"
            facts.people_exact = True
            facts.people_low = facts.people_high = facts.people_max = facts.people
        elif st is not None and st.sketch is not None and not sampled:
            facts.people, facts.people_method = round(st.sketch.get_estimate()), "hyperloglog"
            facts.people_low = math.floor(st.sketch.get_lower_bound(2))
            facts.people_high = facts.people_max = math.ceil(st.sketch.get_upper_bound(2))
        elif st is not None:
            if st.drawn is not None:
                values: Sequence[Any] = st.drawn
                population = st.non_empty
            else:
                values = [t for t in map(cell_text, st.reservoir.items) if t is not None]
                population = round(st.non_empty * total_rows / max(rows, 1))
            population = max(population, len(values))
            facts.people, facts.people_low, facts.people_high = estimate_distinct(
                values, population
            )
            facts.people_max = max(upper_distinct(values, population), facts.people_high)
            facts.people_method = "chao1"
            notes.append(
                f"distinct people estimated from {len(values):,} sampled values of "
                f"{best.column} (Chao1): about {facts.people:,} (95 % interval "
                f"{facts.people_low:,} to {facts.people_high:,} if people spread evenly over "
                f"the rows; the sample cannot rule out up to {facts.people_max:,})"
            )

    # children under 14: resident IDs and birth dates
    ages = [a for ev in evidences.values() for a in ev.ages]
    if ages:
        facts.youngest_age = min(ages)
    counted = {
        name: (sum(c for a, c in ev.ages.items() if a < taxonomy.PIPL_CHILD_AGE_LIMIT), ev)
        for name, ev in evidences.items()
        if ev.ages
    }
    if counted:
        name, (children, ev) = max(counted.items(), key=lambda kv: kv[1][0])
        facts.children_under_14 = children
        if children and not options.full:
            st = states.get(name)
            non_empty = st.non_empty if st is not None else 0
            share = children / max(sum(ev.ages.values()), 1)
            scale = 1.0 if drawn is not None else total_rows / max(rows, 1)
            facts.children_estimated = round(share * non_empty * scale)
    child_age = (
        facts.youngest_age
        if facts.youngest_age is not None and facts.youngest_age <= taxonomy.GBT_CHILD_MAX_AGE
        else None
    )
    if child_age is not None:
        findings = [_child_grade(f, child_age) for f in findings]

    facts.quasi_identifiers = tuple(f.column for f in findings if f.quasi_identifier)
    if len(facts.quasi_identifiers) >= 2:
        notes.append(
            "quasi-identifiers (GB/T 37964-2019 准标识符) together may single people out: "
            + ", ".join(facts.quasi_identifiers)
        )
    facts.sensitive_pi = any(f.pi and f.sensitive for f in findings)
    if facts.people is not None:
        facts.over_pi_threshold = facts.people > PI_PEOPLE_THRESHOLD
        facts.over_sensitive_threshold = (
            facts.sensitive_pi and facts.people > SENSITIVE_PEOPLE_THRESHOLD
        )
        facts.pi_threshold_undecided = _undecided(facts, PI_PEOPLE_THRESHOLD)
        facts.sensitive_threshold_undecided = facts.sensitive_pi and _undecided(
            facts, SENSITIVE_PEOPLE_THRESHOLD
        )
        for undecided, limit, what in (
            (facts.pi_threshold_undecided, PI_PEOPLE_THRESHOLD, "PI"),
            (facts.sensitive_threshold_undecided, SENSITIVE_PEOPLE_THRESHOLD, "sensitive PI"),
        ):
            if undecided:
                notes.append(
                    f"GB/T 35273-2020 11.1 threshold ({what} of more than {limit:,} people) "
                    f"undecided: the {facts.people_method} estimate (about {facts.people:,}; "
                    f"{facts.people_low:,} to {facts.people_max or facts.people_high:,} "
                    "not ruled out) cannot decide it; count with "
                    + (
                        "--full (exact)"
                        if facts.people_method == "hyperloglog"
                        else "--stream (HyperLogLog) or --full (exact)"
                    )
                )
    facts.notes = tuple(notes)
    return TableReport(
        source=table.source,
        table=table.name,
        kind=table.kind,
        rows=total_rows,
        rows_exact=facts.rows_method in ("counted", "lines", "server"),
        server_sampled=table.server_sampled,
        columns=findings,
        facts=facts,
        sampled=drawn is not None,
        rows_drawn=drawn.drawn if drawn is not None else None,
    )


def _undecided(facts: TableFacts, threshold: int) -> bool:
    """Whether an estimated people count leaves ``threshold`` open: the threshold lies
    between the low end of the estimate's interval and the most the estimate cannot rule
    out (``people_max``: HyperLogLog's upper bound, or :func:`upper_distinct` for a sample),
    and below the row count, which no count of people can exceed."""
    if facts.people_exact or facts.people_low is None:
        return False
    high = facts.people_max if facts.people_max is not None else facts.people_high
    if high is None:
        return False
    return facts.people_low <= threshold < min(high, facts.rows)


def _only_requested(f: ColumnFinding, options: DiscoveryOptions) -> ColumnFinding:
    """Apply --entities / --exclude-entities to a column finding."""
    wanted = {e.strip().upper() for e in options.entities or ()}
    unwanted = {e.strip().upper() for e in options.exclude_entities or ()}

    def ok(entity: str) -> bool:
        return (not wanted or entity in wanted) and entity not in unwanted

    if f.entity is not None and not ok(f.entity):
        return dataclasses.replace(
            f,
            entity=None,
            category=None,
            sensitive=False,
            grade=None,
            pi=False,
            kind="none",
            also=(),
            why=f"{f.entity} not requested (--entities / --exclude-entities)",
        )
    if f.entity_mix:
        mix = tuple((e, c) for e, c in f.entity_mix if ok(e))
        if mix != f.entity_mix:
            sensitive = any(
                e in taxonomy.ENTITY_CATEGORIES and taxonomy.entity_category(e).sensitive
                for e, _ in mix
            )
            return dataclasses.replace(
                f,
                entity_mix=mix,
                pi=bool(mix),
                sensitive=sensitive,
                grade=("sensitive" if sensitive else "ordinary") if mix else None,
                category=f.category if mix else None,
            )
    return f


def _child_grade(f: ColumnFinding, age: int) -> ColumnFinding:
    if not f.pi or f.category is None or f.sensitive:
        return f
    verdict = taxonomy.sensitivity(f.category, age=age)
    if not verdict.sensitive:
        return f
    rule = "PIPL Art. 28" if age < taxonomy.PIPL_CHILD_AGE_LIMIT else "GB/T 35273-2020 Annex B"
    return dataclasses.replace(
        f,
        sensitive=True,
        grade=verdict.grade.value,
        why=f"{f.why}; sensitive because the table holds PI of children ({rule}; youngest {age})",
    )


# ------------------------------------------------------------------ targets
@dataclass(frozen=True, slots=True)
class _Unit:
    """One thing to read: a file or a database URL (``shown`` is safe to print)."""

    target: str
    shown: str
    is_db: bool


def expand_targets(
    targets: Iterable[str],
    options: DiscoveryOptions,
    notes: list[str],
    errors: list[dict[str, str]],
) -> Iterator[_Unit]:
    """Files of folders (recursively, with include/exclude globs), files and database URLs."""
    for raw in targets:
        if is_database_url(raw):
            yield _Unit(raw, redact_url(raw), True)
            continue
        path = Path(raw)
        if path.is_dir():
            for child in walk_folder(path, include=options.include, exclude=options.exclude):
                yield _Unit(str(child), str(child), False)
        elif path.exists():
            yield _Unit(raw, raw, False)
        else:
            errors.append(
                {"source": raw, "message": f"{raw}: no such file, folder or database URL"}
            )


def _unit_tables(unit: _Unit, options: DiscoveryOptions) -> list[Table]:
    if unit.is_db:
        return sql_tables(
            unit.target, schemas=options.schemas, sample_size=options.sample_size, full=options.full
        )
    return file_tables(Path(unit.target), unit.shown)


def _profile_unit(
    unit: _Unit,
    judge: ValueJudge,
    options: DiscoveryOptions,
    on_table: Callable[[Table], Callable[[int], None] | None] | None = None,
) -> tuple[list[TableReport], list[dict[str, str]], list[str]]:
    reports: list[TableReport] = []
    errors: list[dict[str, str]] = []
    notes: list[str] = []
    try:
        tables = _unit_tables(unit, options)
    except EncodingError as exc:
        if "binary" in str(exc):
            notes.append(f"skipped {unit.shown}: binary file")
        else:
            errors.append({"source": unit.shown, "message": str(exc)})
        return reports, errors, notes
    except PiguardError as exc:
        errors.append({"source": unit.shown, "message": _located(exc, unit.shown)})
        return reports, errors, notes
    try:
        for table in tables:
            try:
                callback = on_table(table) if on_table is not None else None
                reports.append(profile_table(table, judge, options, on_rows=callback))
            except PiguardError as exc:
                errors.append({"source": unit.shown, "message": _located(exc, unit.shown)})
    finally:
        engines = {id(t.engine): t.engine for t in tables if isinstance(t, SqlTable)}
        for engine in engines.values():
            engine.dispose()  # close the database connections of this source
    return reports, errors, notes


def _located(exc: PiguardError, shown: str) -> str:
    text = str(exc)
    if isinstance(exc, InputError) and exc.source is None:
        return f"{shown}: {text}"
    return text


_WORKER_JUDGE: ValueJudge | None = None


def _init_worker(options: DiscoveryOptions) -> None:
    global _WORKER_JUDGE  # one engine per worker process
    _WORKER_JUDGE = _make_judge(options)


def _worker(
    args: tuple[_Unit, DiscoveryOptions],
) -> tuple[list[TableReport], list[dict[str, str]], list[str]]:
    unit, options = args
    assert _WORKER_JUDGE is not None
    return _profile_unit(unit, _WORKER_JUDGE, options)


def _make_judge(options: DiscoveryOptions) -> ValueJudge:
    return ValueJudge(
        entities=list(options.entities) if options.entities else None,
        exclude_entities=list(options.exclude_entities) if options.exclude_entities else None,
        today=options.today,
    )


def discover(
    targets: Sequence[str],
    options: DiscoveryOptions | None = None,
    *,
    workers: int = 1,
    on_table: Callable[[Table], Callable[[int], None] | None] | None = None,
    on_unit_done: Callable[[str], None] | None = None,
) -> Inventory:
    """Classify every column of ``targets`` (files, folders, database URLs).

    A source that cannot be read is recorded in ``errors`` (one line naming it) and the
    others are still read. ``workers`` > 1 reads sources in that many processes (the order
    of the inventory stays the same).

    >>> inv = discover(["examples/data/shop_orders.csv"])
    >>> [(c.column, c.entity) for c in inv.columns if c.kind == "identifier"][:3]
    [('buyer_email', 'EMAIL'), ('buyer_phone', 'CN_MOBILE'), ('receiver_name', 'PERSON_NAME')]
    """
    options = options or DiscoveryOptions()
    inv = Inventory(options=options)
    inv.generated_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    units = list(expand_targets(targets, options, inv.notes, inv.errors))
    if workers > 1 and len(units) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(options,)) as pool:
            for unit, (reports, errors, notes) in zip(
                units, pool.map(_worker, [(u, options) for u in units]), strict=True
            ):
                inv.tables.extend(reports)
                inv.errors.extend(errors)
                inv.notes.extend(notes)
                if on_unit_done is not None:
                    on_unit_done(unit.shown)
        return inv
    judge = _make_judge(options)
    for unit in units:
        reports, errors, notes = _profile_unit(unit, judge, options, on_table)
        inv.tables.extend(reports)
        inv.errors.extend(errors)
        inv.notes.extend(notes)
        if on_unit_done is not None:
            on_unit_done(unit.shown)
    return inv
