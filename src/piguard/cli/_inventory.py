"""``piguard scan`` for structured sources: the data inventory (数据分类分级清单).

:func:`is_structured` decides whether the arguments go here (tables, folders holding
tables, database URLs) and :func:`run_inventory` classifies them and renders the inventory
as a terminal table, JSON (schema ``piguard.inventory/1``), JSON Lines or one
self-contained HTML file with inline SVG charts. No raw value is ever rendered.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from piguard._util import atomic_write
from piguard._util.svg import bar_chart
from piguard.cli._output import make_table, stderr_console, stdout_console, to_json
from piguard.sources import (
    STRUCTURED_SUFFIXES,
    DiscoveryOptions,
    Inventory,
    Table,
    discover,
    is_database_url,
)

__all__ = [
    "INVENTORY_EXAMPLES",
    "INVENTORY_FORMATS",
    "AsTextOption",
    "ExcludeGlobOption",
    "FullOption",
    "IncludeOption",
    "SampleSizeOption",
    "SchemaOption",
    "StreamOption",
    "is_structured",
    "render",
    "run_inventory",
]

INVENTORY_FORMATS = ("table", "json", "jsonl", "html")

# The options ``piguard scan`` adds for tables and databases (declared here so that the
# command's signature stays short).
FullOption = Annotated[
    bool, typer.Option("--full", help="Tables: classify every value (exact counts), not a sample.")
]
StreamOption = Annotated[
    bool,
    typer.Option(
        "--stream",
        help=(
            "Tables: read every row of large files (exact row count, HyperLogLog people "
            "count) instead of drawing rows at random; columns are still classified from a sample."
        ),
    ),
]
SampleSizeOption = Annotated[
    int,
    typer.Option("--sample-size", min=1, help="Tables: non-empty values sampled per column."),
]
IncludeOption = Annotated[
    list[str] | None,
    typer.Option("--include", help="Folders: only files matching this glob (repeatable)."),
]
ExcludeGlobOption = Annotated[
    list[str] | None,
    typer.Option("--exclude", help="Folders: skip files matching this glob (repeatable)."),
]
SchemaOption = Annotated[
    list[str] | None,
    typer.Option(
        "--schema", help="Databases: schema to scan (repeatable; default schema if none)."
    ),
]
AsTextOption = Annotated[
    bool,
    typer.Option("--as-text", help="Scan tables as plain text lines (findings, no inventory)."),
]
INVENTORY_EXAMPLES = (
    "piguard scan orders.csv exports/ --format json -o inventory.json",
    "piguard scan 'postgresql://reader@db.internal/shop' --schema public --format html -o inv.html",
)


def _has_tables(folder: Path) -> bool:
    for _root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if any(f.lower().endswith(STRUCTURED_SUFFIXES) for f in files):
            return True
    return False


def is_structured(paths: Sequence[str]) -> bool:
    """True when any argument is a table file, a folder holding one, or a database URL."""
    for raw in paths:
        if raw == "-":
            continue
        if is_database_url(raw):
            return True
        path = Path(raw)
        if path.suffix.lower() in STRUCTURED_SUFFIXES:
            return True
        if path.is_dir() and _has_tables(path):
            return True
    return False


def run_inventory(
    paths: Sequence[str],
    *,
    fmt: str = "table",
    output: str | None = None,
    workers: int = 1,
    entities: list[str] | None = None,
    exclude: list[str] | None = None,
    full: bool = False,
    stream: bool = False,
    sample_size: int = 1000,
    include_globs: Sequence[str] = (),
    exclude_globs: Sequence[str] = (),
    schemas: Sequence[str] | None = None,
    summary_only: bool = False,
    **_ignored: Any,
) -> Inventory:
    """Classify ``paths`` and write the inventory; exit code 2 if any source failed.

    Options of the text scan that do not apply to tables (``show_values``: an inventory
    never holds values; ``encoding``: detected per file) are accepted and ignored.
    ``summary_only`` writes only the summary (table, json and jsonl).
    """
    fmt = str(getattr(fmt, "value", fmt))
    if fmt not in INVENTORY_FORMATS:
        raise typer.BadParameter(
            f"use one of {', '.join(INVENTORY_FORMATS)}", param_hint="--format"
        )
    options = DiscoveryOptions(
        sample_size=sample_size,
        full=full,
        stream=stream,
        include=tuple(include_globs),
        exclude=tuple(exclude_globs),
        schemas=tuple(schemas) if schemas else None,
        entities=tuple(entities) if entities else None,
        exclude_entities=tuple(exclude) if exclude else None,
    )
    err = stderr_console()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.completed:,} rows"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    tasks: dict[str, Any] = {}

    def on_table(table: Table) -> Callable[[int], None]:
        task = progress.add_task(f"{Path(table.source).name}:{table.name}", total=None)
        tasks[table.source + table.name] = task
        return lambda n: progress.advance(task, n)

    with progress:
        inv = discover(list(paths), options, workers=workers, on_table=on_table)
    for note in inv.notes:
        err.print(f"piguard: note: {note}", markup=False, highlight=False)
    for error in inv.errors:
        err.print(f"piguard: error: {error['message']}", markup=False, highlight=False)
    target = contextlib.nullcontext(sys.stdout) if output in (None, "-") else atomic_write(output)
    with target as fh:
        render(inv, fmt, fh, summary_only=summary_only)
    if inv.errors:
        raise typer.Exit(2)
    return inv


def render(inv: Inventory, fmt: str, fh: IO[str], *, summary_only: bool = False) -> None:
    """Write ``inv`` in ``fmt`` (table, json, jsonl, html) to ``fh``."""
    if summary_only and fmt in ("json", "jsonl"):
        doc = inv.to_dict()
        summary = {"schema": doc["schema"], **doc["summary"]}
        fh.write(
            to_json({"summary": summary})
            if fmt == "json"
            else json.dumps({"record": "summary", **summary}, ensure_ascii=False) + "\n"
        )
        return
    if fmt == "json":
        fh.write(to_json(inv.to_dict()))
    elif fmt == "jsonl":
        for t in inv.tables:
            for c in t.columns:
                fh.write(json.dumps({"record": "column", **c.to_dict()}, ensure_ascii=False) + "\n")
            head = {k: v for k, v in t.to_dict().items() if k != "columns"}
            fh.write(json.dumps({"record": "table", **head}, ensure_ascii=False) + "\n")
        for e in inv.errors:
            fh.write(json.dumps({"record": "error", **e}, ensure_ascii=False) + "\n")
        doc = inv.to_dict()
        tail = {"record": "summary", "schema": doc["schema"], **doc["summary"]}
        fh.write(json.dumps(tail, ensure_ascii=False) + "\n")
    elif fmt == "html":
        fh.write(render_html(inv))
    else:
        console = stdout_console() if fh is sys.stdout else Console(file=fh, soft_wrap=False)
        _render_table(inv, console, summary_only=summary_only)


# ------------------------------------------------------------------ terminal
def _label(c: Any) -> str:
    if c.kind == "free_text" and c.entity_mix:
        return "text: " + ", ".join(e for e, _ in c.entity_mix[:4])
    if c.entity:
        return str(c.entity)
    return str(c.category or "-")


def _render_table(inv: Inventory, console: Console, *, summary_only: bool = False) -> None:
    for t in [] if summary_only else inv.tables:
        rows = []
        for c in t.columns:
            grade = "-"
            if c.pi:
                grade = "sensitive" if c.sensitive else "ordinary"
            kind = c.kind + (" (de-identified)" if c.deidentified and c.kind != "masked" else "")
            rows.append(
                [c.column, _label(c), grade, kind, f"{c.confidence:.2f}", f"{c.match_rate:.0%}",
                 c.rows_sampled]
            )  # fmt: skip
        title = f"{t.source} · {t.table} · {_rows(t)}"
        console.print(
            make_table(
                title,
                ["column", "entity / category", "grade", "kind", "conf.", "match", "sampled"],
                rows,
            )
        )
        f = t.facts
        facts = []
        if f.people is not None:
            facts.append(_people(f))
        if f.children_under_14:
            est = f" (≈{f.children_estimated:,} in the table)" if f.children_estimated else ""
            facts.append(
                f"children under 14: {f.children_under_14} in the sample{est}, "
                "their PI is sensitive (PIPL Art. 28)"
            )
        if len(f.quasi_identifiers) >= 2:
            facts.append("quasi-identifiers: " + ", ".join(f.quasi_identifiers))
        if f.over_pi_threshold:
            facts.append("PI of > 1,000,000 people (GB/T 35273-2020 11.1)")
        if f.over_sensitive_threshold:
            facts.append("sensitive PI of > 100,000 people (GB/T 35273-2020 11.1)")
        facts.extend(_undecided(f))
        for line in facts:
            console.print(f"  {line}", markup=False, highlight=False)
        console.print()
    s = inv.summary()
    console.print(
        make_table(
            f"{s['pi_columns']}/{s['columns']} columns hold PI, {s['tables']} table(s)"
            + (f", {s['failed_sources']} failed" if s["failed_sources"] else ""),
            ["grade (GB/T 35273-2020)", "columns"],
            [
                ("sensitive 个人敏感信息", s["by_grade"]["sensitive"]),
                ("ordinary 一般个人信息", s["by_grade"]["ordinary"]),
            ],
        )
    )


def _rows(t: Any) -> str:
    """``1,000,000 rows (line count; 2,000 drawn at random)`` and the like."""
    method = t.facts.rows_method
    what = {
        "counted": "",
        "lines": "counted from line breaks",
        "estimate": "estimated",
        "server": "server count",
        "server_estimate": "server estimate",
    }.get(method, method)
    parts = [what] if what else []
    if t.sampled and t.rows_drawn is not None:
        parts.append(f"{t.rows_drawn:,} rows drawn at random")
    if t.server_sampled:
        parts.append("server-side sample")
    return f"{t.rows:,} rows" + (f" ({'; '.join(parts)})" if parts else "")


def _people(f: Any) -> str:
    """The distinct-people figure with how it was obtained and how sure it is."""
    if f.people_exact:
        return f"{f.people:,} people (exact count, from {f.people_column})"
    interval = ""
    if f.people_low is not None and f.people_high is not None:
        interval = f", 95 % interval {f.people_low:,}–{f.people_high:,}"
        if f.people_method == "chao1":
            interval += " if spread evenly over the rows"
            if f.people_max is not None and f.people_max > f.people_high:
                interval += f"; up to {f.people_max:,} not ruled out by the sample"
    return f"≈{f.people:,} people ({f.people_method} estimate{interval}, from {f.people_column})"


def _undecided(f: Any) -> list[str]:
    out = []
    if f.pi_threshold_undecided:
        out.append("undecided by the estimate: PI of > 1,000,000 people (GB/T 35273-2020 11.1)")
    if f.sensitive_threshold_undecided:
        out.append(
            "undecided by the estimate: sensitive PI of > 100,000 people (GB/T 35273-2020 11.1)"
        )
    if out:
        out.append(
            "count with --stream (HyperLogLog) or --full (exact)"
            if f.people_method != "hyperloglog"
            else "count with --full (exact)"
        )
    return out


# ------------------------------------------------------------------ HTML
_CSS = """
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem;
color:#1f2933;max-width:1200px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0 1rem}
th,td{border-bottom:1px solid #e4e7eb;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f7fa}.s{color:#b91c1c;font-weight:600}.o{color:#1d4ed8}.n{color:#7b8794}
.charts{display:flex;flex-wrap:wrap;gap:2rem}.facts{margin:.2rem 0 1rem 1rem;color:#3e4c59}
.err{color:#b91c1c}small{color:#7b8794}
"""


def _bar_chart(title: str, data: list[tuple[str, int]], colour: str) -> str:
    return bar_chart(data, title=title, color=colour, width=460) if data else ""


def render_html(inv: Inventory) -> str:
    """One self-contained HTML page: charts (inline SVG), every table's columns, facts."""
    s = inv.summary()
    e = html.escape
    o = inv.options
    sampling = (
        ""
        if o.full or o.stream
        else f"; CSV and JSON Lines files over {o.sample_over_bytes / (1 << 20):g} MB are "
        "sampled (rows drawn at random, rows counted from line breaks, people estimated)"
    )
    charts = [
        _bar_chart("PI columns by category", list(s["by_category"].items())[:15], "#3e7bfa"),
        _bar_chart(
            "PI columns by grade",
            [
                ("sensitive 敏感", s["by_grade"]["sensitive"]),
                ("ordinary 一般", s["by_grade"]["ordinary"]),
            ],
            "#d64545",
        ),
        _bar_chart(
            "PI columns by source",
            [(Path(k).name or k, v) for k, v in s["by_source"].items()][:15],
            "#27ab83",
        ),
    ]
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>piguard data inventory</title><style>",
        _CSS,
        "</style></head><body>",
        "<h1>piguard data inventory (数据分类分级清单)</h1>",
        f"<p>{s['tables']} table(s), {s['columns']} columns, <b>{s['pi_columns']}</b> holding "
        f"personal information ({s['by_grade']['sensitive']} sensitive). Sample of up to "
        f"{inv.options.sample_size} non-empty values per column"
        f"{' (every value: --full)' if inv.options.full else ''}{sampling}. "
        "No value is shown.</p>",
        f"<div class='charts'>{''.join(charts)}</div>",
    ]
    if inv.errors:
        out.append("<h2>Sources that could not be read</h2><ul>")
        out.extend(f"<li class='err'>{e(err['message'])}</li>" for err in inv.errors)
        out.append("</ul>")
    for t in inv.tables:
        out.append(f"<h2>{e(t.source)} · {e(t.table)} <small>{e(_rows(t))}</small></h2>")
        f = t.facts
        facts = []
        if f.people is not None:
            facts.append(e(_people(f)))
        if f.children_under_14:
            facts.append(
                f"children under 14 in the sample: {f.children_under_14} "
                "(their PI is sensitive: PIPL Art. 28, GB/T 35273-2020 Annex B)"
            )
        if len(f.quasi_identifiers) >= 2:
            facts.append(
                "quasi-identifiers (GB/T 37964-2019): " + e(", ".join(f.quasi_identifiers))
            )
        if f.over_pi_threshold or f.over_sensitive_threshold:
            facts.append("<span class='s'>over a GB/T 35273-2020 11.1 threshold</span>")
        facts.extend(f"<span class='s'>{e(x)}</span>" for x in _undecided(f))
        if facts:
            out.append("<ul class='facts'>" + "".join(f"<li>{x}</li>" for x in facts) + "</ul>")
        out.append(
            "<table><tr><th>column</th><th>entity</th><th>category</th><th>grade</th>"
            "<th>kind</th><th>confidence</th><th>match</th><th>sampled</th><th>why</th></tr>"
        )
        for c in t.columns:
            cls = "s" if c.pi and c.sensitive else ("o" if c.pi else "n")
            grade = c.grade or "-"
            out.append(
                f"<tr><td>{e(c.column)}</td><td>{e(_label(c))}</td><td>{e(c.category or '-')}</td>"
                f"<td class='{cls}'>{e(grade)}</td><td>{e(c.kind)}</td><td>{c.confidence:.2f}</td>"
                f"<td>{c.match_rate:.0%}</td><td>{c.rows_sampled}</td><td>{e(c.why)}</td></tr>"
            )
        out.append("</table>")
    out.append(
        f"<p><small>piguard {e(str(inv.to_dict()['piguard']))} · schema "
        f"{e(str(inv.to_dict()['schema']))} · generated {e(inv.generated_at)}</small></p>"
    )
    out.append("</body></html>\n")
    return "".join(out)
