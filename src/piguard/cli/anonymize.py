"""``piguard anonymize``: k-anonymity / l-diversity / t-closeness with hierarchies.

Thin wrapper over :mod:`piguard.anonymize`. Bad input raises a PiguardError, which the root
command turns into one line on standard error and exit code 2; nothing is written then.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from piguard._util import atomic_write
from piguard.anonymize import (
    DistinctLDiversity,
    EntropyLDiversity,
    EqualDistanceTCloseness,
    HierarchicalDistanceTCloseness,
    KAnonymity,
    OrderedDistanceTCloseness,
    PrivacyModel,
    RecursiveCLDiversity,
    anonymize_table,
    discover_hierarchies,
    population_size,
    read_table,
    render_html,
)
from piguard.anonymize.table import render_table
from piguard.cli._output import examples, make_table, stderr_console, to_json
from piguard.errors import ConfigError


class LModel(enum.StrEnum):
    """Variants of l-diversity."""

    distinct = "distinct"
    entropy = "entropy"
    recursive = "recursive"


class TModel(enum.StrEnum):
    """Ground distances of t-closeness."""

    equal = "equal"
    ordered = "ordered"
    hierarchical = "hierarchical"


class Metric(enum.StrEnum):
    """Quality models."""

    loss = "loss"
    discernibility = "discernibility"
    aecs = "aecs"
    entropy = "entropy"


class Strategy(enum.StrEnum):
    """Search strategies."""

    auto = "auto"
    optimal = "optimal"
    heuristic = "heuristic"


_EXAMPLES = examples(
    "piguard anonymize adult.csv -o adult-k5.csv --quasi sex,age,race --hierarchies hier/ --k 5",
    "piguard anonymize adult.csv -o out.csv --quasi age,sex --sensitive salary-class "
    "--hierarchies hier/ --k 5 --l 2 --max-suppression 0.05 --report report.json",
    "piguard anonymize visits.csv -o out.csv --quasi age,district --sensitive diagnosis "
    "--hierarchies hier/ --k 10 --t 0.2 --t-model ordered --population china",
)


def _split(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


def anonymize_command(
    input_path: Annotated[
        Path, typer.Argument(metavar="INPUT", help="CSV (or Parquet) table to anonymise.")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the anonymised table.")
    ],
    quasi: Annotated[
        str, typer.Option("--quasi", help="Quasi-identifiers (准标识符), comma-separated.")
    ],
    k: Annotated[
        int, typer.Option("--k", min=1, help="k of k-anonymity: every class has ≥ k records.")
    ],
    hierarchies: Annotated[
        Path | None,
        typer.Option(
            "--hierarchies", help="Folder with ARX hierarchy files *_hierarchy_<column>.csv."
        ),
    ] = None,
    sensitive: Annotated[
        str | None,
        typer.Option("--sensitive", help="Sensitive attribute (敏感属性) for --l and --t."),
    ] = None,
    l_value: Annotated[
        float | None, typer.Option("--l", help="l of l-diversity (needs --sensitive).")
    ] = None,
    l_model: Annotated[
        LModel, typer.Option("--l-model", help="Which l-diversity.")
    ] = LModel.distinct,
    c_value: Annotated[float, typer.Option("--c", help="c of recursive (c,l)-diversity.")] = 1.0,
    t_value: Annotated[
        float | None, typer.Option("--t", help="t of t-closeness (needs --sensitive).")
    ] = None,
    t_model: Annotated[
        TModel, typer.Option("--t-model", help="Ground distance of t-closeness.")
    ] = TModel.equal,
    max_suppression: Annotated[
        float,
        typer.Option(
            "--max-suppression", min=0.0, max=1.0, help="Share of records that may be suppressed."
        ),
    ] = 0.0,
    metric: Annotated[
        Metric, typer.Option("--metric", help="Quality model to minimise.")
    ] = Metric.loss,
    strategy: Annotated[
        Strategy, typer.Option("--strategy", help="Optimal search or time-bounded heuristic.")
    ] = Strategy.auto,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the heuristic search.")
    ] = 10.0,
    local_recoding: Annotated[
        bool,
        typer.Option(
            "--local-recoding",
            help="Re-anonymise would-be-suppressed records on their own, with their own levels.",
        ),
    ] = False,
    population: Annotated[
        str | None,
        typer.Option(
            "--population",
            help="Population size for journalist/marketer risk: a number or 'china'.",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Write a JSON report here, and an HTML report beside it (.html)."
        ),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the HTML report here instead.")
    ] = None,
) -> None:
    """Anonymise a table (匿名化): generalise quasi-identifiers along hierarchies and
    suppress records until the privacy models hold, losing as little as possible."""
    table = read_table(input_path)
    qi = _split(quasi)
    for name in qi:
        if name not in table.columns:
            raise ConfigError(
                f"quasi-identifier column {name!r} does not exist", source=str(input_path)
            )
    if hierarchies is None:
        raise ConfigError("--hierarchies is required: a folder with *_hierarchy_<column>.csv files")
    hs = discover_hierarchies(hierarchies)
    missing = [q for q in qi if q not in hs]
    if missing:
        raise ConfigError(
            f"no hierarchy file for {', '.join(map(repr, missing))}", source=str(hierarchies)
        )
    models: list[PrivacyModel] = [KAnonymity(k)]
    sens: list[str] = []
    if (l_value is not None or t_value is not None) and not sensitive:
        raise ConfigError("--l and --t need --sensitive")
    if sensitive:
        if sensitive not in table.columns:
            raise ConfigError(
                f"sensitive column {sensitive!r} does not exist", source=str(input_path)
            )
        if sensitive in qi:
            raise ConfigError("a column cannot be both quasi-identifier and sensitive")
        sens = [sensitive]
    if l_value is not None:
        if l_model is not LModel.entropy and not float(l_value).is_integer():
            raise ConfigError(f"--l must be a whole number for {l_model.value} l-diversity")
        if l_model is LModel.distinct:
            models.append(DistinctLDiversity(sensitive or "", int(l_value)))
        elif l_model is LModel.entropy:
            models.append(EntropyLDiversity(sensitive or "", l_value))
        else:
            models.append(RecursiveCLDiversity(sensitive or "", c_value, int(l_value)))
    if t_value is not None:
        if t_model is TModel.equal:
            models.append(EqualDistanceTCloseness(sensitive or "", t_value))
        elif t_model is TModel.ordered:
            models.append(OrderedDistanceTCloseness(sensitive or "", t_value))
        else:
            h = hs.get(sensitive or "")
            if h is None:
                raise ConfigError(
                    f"hierarchical t-closeness needs a hierarchy file for {sensitive!r}"
                )
            models.append(HierarchicalDistanceTCloseness(sensitive or "", t_value, hierarchy=h))
    result = anonymize_table(
        table,
        quasi=qi,
        hierarchies=hs,
        models=models,
        sensitive=sens,
        max_suppression=max_suppression,
        quality=metric.value,
        strategy=strategy.value,
        time_limit_s=time_limit,
        population=population_size(population),
        local_recoding=local_recoding,
    )
    data = render_table(result.table, output)
    rep = result.report()
    rep["output"] = str(output)
    html_path = (
        html if html is not None else (report.with_suffix(".html") if report is not None else None)
    )
    json_text = to_json(rep) if report is not None else None
    html_text = render_html(rep) if html_path is not None else None
    # Everything is rendered before anything is written.
    with atomic_write(output, mode="wb") as fh:
        fh.write(data)
    if report is not None and json_text is not None:
        with atomic_write(report) as fh:
            fh.write(json_text)
    if html_path is not None and html_text is not None:
        with atomic_write(html_path) as fh:
            fh.write(html_text)
    console = stderr_console()
    s = result.search
    console.print(
        make_table(
            "piguard anonymize",
            ["", "value"],
            [
                (
                    "transformation",
                    ", ".join(f"{n}={lv}" for n, lv in result.transformation.items()),
                ),
                (f"{result.quality} (lower is better)", f"{s.score:.4f}"),
                (
                    "suppressed records",
                    f"{s.suppressed_records:,} of {result.risk_before.records:,}",
                ),
                ("classes", f"{len(result.class_sizes):,}"),
                (
                    "highest prosecutor risk",
                    f"{result.risk_before.prosecutor_highest:.4f}"
                    f" → {result.risk_after.prosecutor_highest:.4f}",
                ),
                (
                    "nodes checked",
                    f"{s.nodes_checked:,} of {s.nodes_total:,}"
                    + ("" if s.optimal else " (heuristic)"),
                ),
                ("time", f"{result.elapsed_s * 1000:.0f} ms"),
            ],
        )
    )


def register(app: typer.Typer) -> None:
    """Attach ``piguard anonymize`` to the root command."""
    app.command(
        "anonymize",
        help="Anonymise a table: k-anonymity, l-diversity, t-closeness with ARX-style hierarchies.",
        epilog=_EXAMPLES,
    )(anonymize_command)
