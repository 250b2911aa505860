"""``piguard stats``: differentially private statistics with a persistent privacy budget.

Thin wrapper over :mod:`piguard.dp`. The budget of each data set (content hash + label) is
kept in a SQLite ledger, so repeated runs cannot overspend: a release that would exceed it
raises PrivacyBudgetExceeded, which the root command turns into exit code 2.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from piguard.anonymize.table import read_table
from piguard.cli._output import (
    OutputFormat,
    emit_text,
    examples,
    make_table,
    stdout_console,
    to_json,
)
from piguard.dp import (
    Answer,
    Ledger,
    PrivacyAccountant,
    Release,
    dataset_ref,
    parse_query,
    release,
)
from piguard.errors import ConfigError

_EXAMPLES = examples(
    "piguard stats adult.csv --budget 2 --epsilon 0.5 --query count --query 'mean(age, 0, 100)'",
    "piguard stats adult.csv --epsilon 0.3 --query 'count by sex' --keys sex=Male,Female",
    "piguard stats adult.csv --epsilon 0.2 --query 'histogram(age, 0, 100, 10)' --format json",
    "piguard stats adult.csv -e 0.4 -q 'median(age, 0, 100)' -q count --weights 3,1",
)


def default_ledger() -> Path:
    """``$PIGUARD_DP_LEDGER``, else ``$XDG_DATA_HOME/piguard/dp-ledger.sqlite``."""
    env = os.environ.get("PIGUARD_DP_LEDGER")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "piguard" / "dp-ledger.sqlite"


def _keys(values: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in values:
        name, sep, rest = item.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise ConfigError(f"--keys {item!r}: expected COLUMN=A,B,...")
        out[name.strip()] = [v.strip() for v in rest.split(",") if v.strip()]
    return out


def _fmt(x: float | None) -> str:
    if x is None:
        return "–"
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{x:,.0f}"
    return f"{x:,.2f}" if abs(x) >= 0.01 else f"{x:.3g}"


def _interval(a: Answer) -> str:
    """The interval column: [low, high], or a quantile's rank error bound and grid step."""
    if a.low is not None:
        return f"[{_fmt(a.low)}, {_fmt(a.high)}]"
    if a.rank_error is not None:
        step = f", grid step {a.grid_step:g}" if a.grid_step is not None else ""
        return f"rank ±{a.rank_error:,.1f} records{step}"
    return f"– ({a.note})"


def stats_command(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="CSV (or Parquet) table.")],
    query: Annotated[
        list[str],
        typer.Option(
            "--query",
            "-q",
            help="A statistic: count, sum(c,lo,hi), mean(c,lo,hi), "
            "quantile(c,q,lo,hi), median(c,lo,hi), histogram(c,lo,hi,bins) or histogram(c); "
            "add 'by COL' to group. Repeat for several.",
        ),
    ],
    epsilon: Annotated[
        float,
        typer.Option("--epsilon", "-e", help="Total ε of this release, split across the queries."),
    ],
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights", help="How to split ε across the queries, e.g. 3,1 (default: evenly)."
        ),
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option(
            "--budget", help="Total ε of the data set; needed the first time the data set is used."
        ),
    ] = None,
    label: Annotated[
        str | None,
        typer.Option("--label", help="Name of the data set in the ledger (default: file name)."),
    ] = None,
    ledger: Annotated[
        Path | None, typer.Option("--ledger", help="The budget ledger (SQLite).")
    ] = None,
    keys: Annotated[
        list[str] | None,
        typer.Option("--keys", help="Public group keys: COLUMN=A,B,C (repeatable)."),
    ] = None,
    alpha: Annotated[
        float, typer.Option("--alpha", help="1 − confidence of the intervals (0.05 → 95 %).")
    ] = 0.05,
    max_rows: Annotated[
        int, typer.Option("--max-rows", help="Public upper bound on the number of rows.")
    ] = 10**9,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output: table or JSON.")
    ] = OutputFormat.table,
) -> None:
    """Differentially private statistics (差分隐私): counts, sums, means, quantiles and
    histograms under one total ε per release, with a confidence interval for each answer
    (for a quantile: a bound on its rank error, in records, and the candidate grid step)."""
    queries = [parse_query(q) for q in query]
    w = [float(x) for x in weights.split(",")] if weights else None
    table = read_table(input_path)
    accountant = PrivacyAccountant(
        Ledger(ledger or default_ledger()), dataset_ref(input_path, label), total_epsilon=budget
    )
    result = release(
        table.columns,
        queries,
        epsilon=epsilon,
        accountant=accountant,
        keys=_keys(keys or []),
        weights=w,
        alpha=alpha,
        max_rows=max_rows,
    )
    level = f"{(1 - alpha) * 100:g} %"
    if output_format is OutputFormat.json:
        emit_text(to_json(_as_json(result)))
        return
    rows = [
        (
            a.query,
            ", ".join(f"{k}={v}" for k, v in a.group.items()),
            _fmt(a.value),
            _interval(a),
            f"{a.epsilon:g}",
        )
        for a in result.answers
    ]
    console = stdout_console()
    console.print(
        make_table(
            f"Differentially private answers (ε={result.epsilon:g}, {level} intervals)",
            ["query", "group", "value", f"{level} interval", "ε"],
            rows,
        )
    )
    spent = result.spent_before + result.epsilon
    console.print(
        f"Budget of {result.dataset!r}: {spent:g} of {result.total:g} spent,"
        f" {result.remaining:g} left.",
        markup=False,
        highlight=False,
    )


def _as_json(result: Release) -> dict[str, Any]:
    return {
        "dataset": result.dataset,
        "epsilon": result.epsilon,
        "alpha": result.alpha,
        "split": [{"query": q, "epsilon": e} for q, e in result.split],
        "budget": {
            "total": result.total,
            "spent": result.spent_before + result.epsilon,
            "remaining": result.remaining,
        },
        "answers": [
            {
                "query": a.query,
                "statistic": a.statistic,
                "group": a.group,
                "value": a.value,
                "interval": None if a.low is None else [a.low, a.high],
                "epsilon": a.epsilon,
                "distribution": a.distribution,
                "scale": a.scale,
                "note": a.note,
                **(
                    {
                        "rank_error": {
                            "records": a.rank_error,
                            "confidence": 1 - result.alpha,
                            "grid_step": a.grid_step,
                            "meaning": "with this confidence, the released candidate's"
                            " |(1-q)*#below - q*#above| (= |#below - q*n| without ties) exceeds"
                            " the best candidate's by at most this many records",
                        }
                    }
                    if a.rank_error is not None
                    else {}
                ),
            }
            for a in result.answers
        ],
    }


def register(app: typer.Typer) -> None:
    """Attach ``piguard stats`` to the root command."""
    app.command(
        "stats",
        help="Differentially private statistics with a persistent privacy budget (OpenDP).",
        epilog=_EXAMPLES,
    )(stats_command)
