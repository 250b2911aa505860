"""Differentially private statistics (差分隐私统计) on a table, built on OpenDP.

One release answers several queries under **one total ε**, split explicitly across them
(even split unless weights are given) — unlike smartnoise-sql, where each aggregate spends
its own ε. The ε is taken from a :class:`~piguard.dp.accountant.PrivacyAccountant` before
anything is computed. Each answer comes with a (1 − α) confidence interval from OpenDP's
accuracy utilities (``summarize``); a quantile, for which OpenDP has none, comes with a
(1 − α) bound on its rank error instead (:func:`quantile_rank_bound`).

Queries (a small language; bounds are public and values outside them are clipped)::

    count                          rows
    count by sex                   rows per group (keys must be given: --keys sex=Male,Female)
    sum(age, 0, 100)               sum, values clipped to [0, 100]
    mean(age, 0, 100) by sex       mean per group
    quantile(age, 0.5, 0, 100)     the median, from 101 candidates between the bounds
    histogram(age, 0, 100, 10)     counts in 10 equal-width bins (bins are public)
    histogram(race)                counts per key given with --keys race=...

OpenDP's sharp edges that this wraps: ``enable_features("contrib")``; a public upper bound on
the number of rows (``Margin(max_length)``; default 10⁹); numeric columns arrive as text and
are cast, with non-numbers replaced by the lower bound; group keys must be public, so they are
joined in from the user's list (a key absent from the data still gets a noisy count, and
groups not in the list are not released); a mean is a noisy sum over a noisy count, so its
interval is built from both intervals (each at α/2, union bound).

Requires the ``dp`` extra: ``pip install 'piguard[dp]'`` (opendp 0.16.0, polars 1.36.1).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from piguard.dp.accountant import PrivacyAccountant
from piguard.errors import ConfigError, InputError

__all__ = ["Answer", "Query", "Release", "parse_query", "quantile_rank_bound", "release"]

#: Public upper bound on the number of rows of a table unless the user gives one.
DEFAULT_MAX_ROWS = 1_000_000_000

#: Quantiles choose among this many evenly spaced candidates between the bounds.
QUANTILE_CANDIDATES = 101

_QUERY = re.compile(
    r"^\s*(?P<fn>count|sum|mean|quantile|median|histogram)\s*(?:\((?P<args>[^()]*)\))?"
    r"\s*(?:by\s+(?P<by>[^()]+?))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Query:
    """One statistic. ``by`` names group columns whose keys are public."""

    kind: str  # count, sum, mean, quantile, histogram
    column: str | None = None
    lower: float | None = None
    upper: float | None = None
    q: float | None = None
    bins: int | None = None
    by: tuple[str, ...] = ()
    text: str = ""

    def __post_init__(self) -> None:
        if self.lower is not None and self.upper is not None and not self.lower < self.upper:
            raise ConfigError(f"query {self.text!r}: the lower bound must be below the upper bound")
        if self.q is not None and not 0.0 <= self.q <= 1.0:
            raise ConfigError(f"query {self.text!r}: the quantile must be between 0 and 1")
        if self.bins is not None and not 1 <= self.bins <= 10_000:
            raise ConfigError(f"query {self.text!r}: between 1 and 10,000 bins")


def _num(text: str, query: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise ConfigError(f"query {query!r}: {text.strip()!r} is not a number") from None
    if not math.isfinite(x):
        raise ConfigError(f"query {query!r}: bounds must be finite")
    return x


def parse_query(text: str) -> Query:
    """Parse one query of the small language in the module docstring.

    >>> q = parse_query("mean(age, 0, 100) by sex")
    >>> q.kind, q.column, q.lower, q.upper, q.by
    ('mean', 'age', 0.0, 100.0, ('sex',))
    >>> parse_query("median(age, 0, 120)").q
    0.5
    """
    m = _QUERY.match(text)
    if not m:
        raise ConfigError(f"cannot parse query {text!r} (see piguard stats --help)")
    fn = m.group("fn").lower()
    args = [a.strip() for a in (m.group("args") or "").split(",") if a.strip()]
    by = tuple(c.strip() for c in (m.group("by") or "").split(",") if c.strip())
    need = {
        "count": (0,),
        "sum": (3,),
        "mean": (3,),
        "quantile": (4,),
        "median": (3,),
        "histogram": (1, 4),
    }
    if len(args) not in need[fn]:
        raise ConfigError(f"query {text!r}: {fn} takes {' or '.join(map(str, need[fn]))} arguments")
    if fn == "count":
        return Query("count", by=by, text=text)
    column = args[0]
    if fn in {"sum", "mean"}:
        return Query(fn, column, _num(args[1], text), _num(args[2], text), by=by, text=text)
    if fn == "median":
        return Query(
            "quantile", column, _num(args[1], text), _num(args[2], text), q=0.5, by=by, text=text
        )
    if fn == "quantile":
        return Query(
            fn,
            column,
            _num(args[2], text),
            _num(args[3], text),
            q=_num(args[1], text),
            by=by,
            text=text,
        )
    if by:
        raise ConfigError(f"query {text!r}: a histogram cannot also be grouped")
    if len(args) == 1:
        return Query("histogram", column, text=text)
    bins = _num(args[3], text)
    if bins != int(bins):
        raise ConfigError(f"query {text!r}: the number of bins must be a whole number")
    return Query(
        "histogram", column, _num(args[1], text), _num(args[2], text), bins=int(bins), text=text
    )


@dataclass(frozen=True)
class Answer:
    """One released number and its confidence interval.

    A quantile has no interval (``low``/``high`` are None); instead ``rank_error`` bounds,
    with probability ≥ 1 − α, how many records its score (≈ rank) may be further from the
    target rank q·n than the best candidate's, and ``grid_step`` is the spacing of the
    candidates (see :func:`quantile_rank_bound`).
    """

    query: str
    statistic: str
    group: dict[str, str]
    value: float
    low: float | None
    high: float | None
    epsilon: float
    distribution: str
    scale: float | None
    note: str = ""
    rank_error: float | None = None
    grid_step: float | None = None


@dataclass
class Release:
    """All answers of one release and how its ε was split."""

    answers: list[Answer]
    epsilon: float
    alpha: float
    split: list[tuple[str, float]]
    dataset: str
    spent_before: float
    total: float
    summaries: list[Any] = field(default_factory=list, repr=False)

    @property
    def remaining(self) -> float:
        return max(self.total - self.spent_before - self.epsilon, 0.0)


def _opendp() -> tuple[Any, Any]:
    try:
        import opendp.prelude as dp
        import polars as pl
    except ImportError:
        raise ConfigError(
            "differentially private statistics need OpenDP: pip install 'piguard[dp]'"
        ) from None
    dp.enable_features("contrib")
    return dp, pl


def _integral(q: Query) -> bool:
    return (
        q.lower is not None
        and q.upper is not None
        and q.lower.is_integer()
        and q.upper.is_integer()
    )


def _bin_labels(lower: float, upper: float, bins: int) -> list[str]:
    width = (upper - lower) / bins
    return [f"[{lower + i * width:g}, {lower + (i + 1) * width:g})" for i in range(bins)]


def _prepare(pl: Any, columns: Mapping[str, Sequence[str]], queries: Sequence[Query]) -> Any:
    """A polars LazyFrame with the columns the queries need, numeric ones cast to float and
    histogram bins added (row-wise maps: they do not change who is in the data)."""
    needed: dict[str, Any] = {}
    for q in queries:
        for name in [*(q.by or ()), *([q.column] if q.column else [])]:
            if name not in columns:
                raise InputError(f"column {name!r} does not exist (query {q.text!r})")
    n = len(next(iter(columns.values()))) if columns else 0
    if n == 0:
        raise InputError("the table has no rows")
    frame = pl.DataFrame({name: list(values) for name, values in columns.items()})
    exprs = []
    for i, q in enumerate(queries):
        if q.kind in {"sum", "mean", "quantile"} and q.column is not None:
            alias = f"__num{i}"
            x = pl.col(q.column).cast(pl.Float64, strict=False).fill_null(q.lower)
            if _integral(q) and q.kind != "quantile":
                # Integer sums have exact sensitivity; float sums pay for rounding error that
                # grows with the public row bound (OpenDP), which swamps small tables.
                x = x.round(0).cast(pl.Int64)
            exprs.append(x.alias(alias))
            needed[alias] = True
        if q.kind == "histogram" and q.bins is not None and q.column is not None:
            assert q.lower is not None
            assert q.upper is not None
            labels = _bin_labels(q.lower, q.upper, q.bins)
            x = pl.col(q.column).cast(pl.Float64, strict=False)
            idx = ((x.clip(q.lower, q.upper) - q.lower) / (q.upper - q.lower) * q.bins).floor()
            idx = idx.clip(0, q.bins - 1).cast(pl.Int64)
            exprs.append(
                pl.when(x.is_null())
                .then(pl.lit("missing"))
                .otherwise(idx.replace_strict(list(range(q.bins)), labels, default="missing"))
                .alias(f"__bin{i}")
            )
    if exprs:
        frame = frame.with_columns(exprs)
    return frame.lazy()


def release(
    columns: Mapping[str, Sequence[str]],
    queries: Sequence[Query],
    *,
    epsilon: float,
    accountant: PrivacyAccountant,
    keys: Mapping[str, Sequence[str]] | None = None,
    weights: Sequence[float] | None = None,
    alpha: float = 0.05,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Release:
    """Answer ``queries`` on the table under a total of ``epsilon``, spent from
    ``accountant`` (pure ε-DP, one record per person)."""
    if not queries:
        raise ConfigError("give at least one query")
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ConfigError("ε must be a positive number")
    if not 0.0 < alpha < 1.0:
        raise ConfigError("α must be between 0 and 1 (0.05 gives 95 % intervals)")
    if weights is None:
        weights = [1.0] * len(queries)
    if len(weights) != len(queries) or any(w <= 0 for w in weights):
        raise ConfigError("give one positive weight per query")
    keys = dict(keys or {})
    for q in queries:
        for g in q.by:
            if g not in keys:
                raise ConfigError(
                    f"query {q.text!r}: the keys of {g!r} must be public;"
                    f" give them with --keys {g}=A,B,..."
                )
        if q.kind == "histogram" and q.bins is None and q.column not in keys:
            raise ConfigError(
                f"query {q.text!r}: give the categories with --keys {q.column}=A,B,..."
            )
    dp, pl = _opendp()
    total_w = float(sum(weights))
    shares = [epsilon * w / total_w for w in weights]
    frame = _prepare(pl, columns, queries)
    spent_before = accountant.spent
    answers: list[Answer] = []
    summaries: list[Any] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with accountant.spend(epsilon, "; ".join(q.text for q in queries)):
            context = dp.Context.compositor(
                data=frame,
                privacy_unit=dp.unit_of(contributions=1),
                privacy_loss=dp.loss_of(epsilon=epsilon),
                split_by_weights=list(weights),
                margins=[dp.polars.Margin(max_length=max_rows)],
            )
            for i, (q, share) in enumerate(zip(queries, shares, strict=True)):
                answers_q, summary = _answer(dp, pl, context, q, i, share, alpha, keys)
                answers.extend(answers_q)
                summaries.append(summary)
    return Release(
        answers=answers,
        epsilon=epsilon,
        alpha=alpha,
        split=[(q.text, s) for q, s in zip(queries, shares, strict=True)],
        dataset=accountant.dataset.label,
        spent_before=spent_before,
        total=accountant.total,
        summaries=summaries,
    )


def _keyframe(pl: Any, keys: Mapping[str, Sequence[str]], by: Sequence[str]) -> Any:
    frame = pl.DataFrame({by[0]: list(keys[by[0]])})
    for g in by[1:]:
        frame = frame.join(pl.DataFrame({g: list(keys[g])}), how="cross")
    return frame.lazy()


def _plan(
    dp: Any, pl: Any, context: Any, q: Query, index: int, keys: Mapping[str, Sequence[str]]
) -> tuple[Any, list[str], str]:
    """The OpenDP query for ``q``: (query, group columns, statistic name)."""
    by = list(q.by)
    statistic = q.kind
    expr: Any
    if q.kind == "count":
        expr = dp.len(signed=True).alias("value")
    elif q.kind == "histogram":
        column = f"__bin{index}" if q.bins is not None else q.column
        assert column is not None
        by = [column]
        if q.bins is not None:
            assert q.lower is not None
            assert q.upper is not None
            keys = {**keys, column: [*_bin_labels(q.lower, q.upper, q.bins), "missing"]}
        expr = dp.len(signed=True).alias("value")
        statistic = "count"
    else:
        assert q.lower is not None
        assert q.upper is not None
        x = pl.col(f"__num{index}")
        bounds: tuple[Any, Any] = (
            (int(q.lower), int(q.upper))
            if _integral(q) and q.kind != "quantile"
            else (q.lower, q.upper)
        )
        if q.kind == "sum":
            expr = x.dp.sum(bounds).alias("value")
        elif q.kind == "mean":
            # Released as a noisy sum and a noisy count so that both accuracies are known.
            expr = [x.dp.sum(bounds).alias("sum"), dp.len(signed=True).alias("n")]
        else:
            assert q.q is not None
            steps = QUANTILE_CANDIDATES - 1
            candidates = [
                q.lower + (q.upper - q.lower) * i / steps for i in range(QUANTILE_CANDIDATES)
            ]
            expr = x.dp.quantile(q.q, candidates).alias("value")
            statistic = f"{q.q:g}-quantile"
    exprs = expr if isinstance(expr, list) else [expr]
    query = context.query()
    if by:
        query = query.group_by(by).agg(*exprs).join(_keyframe(pl, keys, by), on=by, how="right")
    else:
        query = query.select(*exprs)
    return query, by, statistic


def _measurement_for(
    columns: Mapping[str, Sequence[str]],
    q: Query,
    epsilon: float,
    *,
    keys: Mapping[str, Sequence[str]] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> tuple[Any, Any]:
    """(OpenDP measurement, prepared data) of one query, for tests that sample the noise.

    Invoking the measurement bypasses the accountant: never use this to release results.
    """
    dp, pl = _opendp()
    frame = _prepare(pl, columns, [q])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        context = dp.Context.compositor(
            data=frame,
            privacy_unit=dp.unit_of(contributions=1),
            privacy_loss=dp.loss_of(epsilon=epsilon),
            split_evenly_over=1,
            margins=[dp.polars.Margin(max_length=max_rows)],
        )
        query, _, _ = _plan(dp, pl, context, q, 0, dict(keys or {}))
        return query.resolve(), frame


def _answer(
    dp: Any,
    pl: Any,
    context: Any,
    q: Query,
    index: int,
    share: float,
    alpha: float,
    keys: Mapping[str, Sequence[str]],
) -> tuple[list[Answer], Any]:
    query, by, statistic = _plan(dp, pl, context, q, index, keys)
    # Finding the noise scale is a binary search inside OpenDP; do it once and use the same
    # measurement for the accuracy summary and the release (``query.release()`` would
    # search again). ``_query._context`` is what ``release()`` itself submits to.
    from opendp.accuracy import summarize_polars_measurement

    measurement = query.resolve()
    # A mean combines two noisy parts: give each half of α so the interval holds with 1 − α.
    summary = summarize_polars_measurement(measurement, alpha / 2 if q.kind == "mean" else alpha)
    result = object.__getattribute__(query, "_query")._context(measurement).collect()
    rows = summary.to_dicts()
    rank_error = grid_step = None
    if q.kind == "quantile":
        assert q.q is not None
        assert q.lower is not None
        assert q.upper is not None
        # The ε this mechanism actually spends (OpenDP calibrates its noise scale to at
        # most the share); the bound uses it, so it describes the noise that was drawn.
        rank_error = quantile_rank_bound(q.q, float(measurement.map(1)), QUANTILE_CANDIDATES, alpha)
        grid_step = (q.upper - q.lower) / (QUANTILE_CANDIDATES - 1)
    answers = []
    for rec in result.to_dicts():
        group = {g: str(rec[g]) for g in by}
        low = high = None
        note = ""
        if q.kind == "mean":
            assert q.lower is not None
            assert q.upper is not None
            acc = {r["column"]: r for r in rows}
            value, low, high = _mean_interval(
                float(rec["sum"]),
                float(rec["n"]),
                float(acc["sum"]["accuracy"]),
                float(acc["n"]["accuracy"]),
                q.lower,
                q.upper,
            )
            dist = f"{acc['sum']['distribution']} (sum), {acc['n']['distribution']} (count)"
            scale = None
            note = "from a noisy sum and a noisy count, each at α/2"
        else:
            value = float(rec["value"])
            r0 = rows[0]
            dist = str(r0["distribution"])
            scale = float(r0["scale"]) if r0["scale"] is not None else None
            if r0.get("accuracy") is not None:
                acc_value = float(r0["accuracy"])
                low, high = value - acc_value, value + acc_value
            elif rank_error is not None:
                note = (
                    f"rank error bound for selection among {QUANTILE_CANDIDATES} candidates"
                    " (exponential mechanism utility theorem); OpenDP gives no interval"
                )
            else:
                note = "OpenDP gives no interval for this mechanism"
        answers.append(
            Answer(
                query=q.text,
                statistic=statistic,
                group=group
                if q.kind != "histogram" or q.bins is None
                else {q.column or "": group[by[0]]},
                value=value,
                low=low,
                high=high,
                epsilon=share,
                distribution=dist,
                scale=scale,
                note=note,
                rank_error=rank_error,
                grid_step=grid_step,
            )
        )
    return answers, summary


def quantile_rank_bound(q: float, epsilon: float, candidates: int, beta: float) -> float:
    """With probability ≥ 1 − ``beta``, how many records the quantile OpenDP releases may be
    further from the target rank than the best of its ``candidates``.

    OpenDP 0.16 (``dp.quantile`` → ``make_quantile_score_candidates`` + noisy min) scores
    candidate c by u(c) = |(1 − q)·#{x < c} − q·#{x > c}| (= |#{x < c} − q·n| when no
    record equals c), whose sensitivity under adding or removing one record is
    Δ = max(q, 1 − q), and releases argmin_c u(c) − E_c with Exponential noise E_c of scale
    s = 2Δ/ε (factor 2: the scores are not monotonic, so OpenDP's map is ε = 2Δ/s; checked
    against ``make_private_quantile(...).map``). A candidate c with u(c) ≥ min u + t can only
    win if E_c ≥ t, which has probability e^(−t/s); a union bound over the candidates gives
    the bound of the exponential mechanism's utility theorem (Dwork & Roth 2014, Theorem
    3.11, stated there for sampling ∝ exp(−εu/2Δ); the argument above is the same for the
    Exponential noise of permute-and-flip, McKenna & Sheldon 2020, which OpenDP uses):

        u(released) ≤ min_c u(c) + (2Δ/ε)·ln(|C|/β)   with probability ≥ 1 − β.

    >>> round(quantile_rank_bound(0.5, 1.0, 101, 0.05), 3)  # median: Δ = 0.5
    7.611
    >>> round(quantile_rank_bound(0.9, 1.0, 101, 0.05), 3)  # Δ = 0.9
    13.7
    """
    if not (0.0 <= q <= 1.0 and epsilon > 0 and candidates >= 1 and 0.0 < beta < 1.0):
        raise ConfigError("quantile rank bound: need 0 ≤ q ≤ 1, ε > 0, candidates ≥ 1, 0 < β < 1")
    sensitivity = max(q, 1.0 - q)
    return 2.0 * sensitivity / epsilon * math.log(candidates / beta)


def _mean_interval(
    noisy_sum: float,
    noisy_count: float,
    sum_acc: float,
    count_acc: float,
    lower: float,
    upper: float,
) -> tuple[float, float, float]:
    """(mean, low, high) from a noisy sum and count and their accuracies.

    With probability ≥ 1 − α the true sum S is within ±sum_acc of the noisy sum and the true
    count N within ±count_acc of the noisy count; S/N is monotone in each, so its range over
    that box is reached at the corners. Values were clipped to [lower, upper], so the true
    mean is there too.

    >>> _mean_interval(500.0, 10.0, 10.0, 1.0, 0.0, 100.0)
    (50.0, 44.54545454545455, 56.666666666666664)
    """
    count = max(noisy_count, 1.0)
    mean = min(max(noisy_sum / count, lower), upper)
    n_lo = max(noisy_count - count_acc, 1.0)
    n_hi = max(noisy_count + count_acc, 1.0)
    corners = [s / n for s in (noisy_sum - sum_acc, noisy_sum + sum_acc) for n in (n_lo, n_hi)]
    low = min(max(min(corners), lower), upper)
    high = max(min(max(corners), upper), lower)
    return mean, low, high
