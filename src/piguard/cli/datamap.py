"""``piguard datamap``: the data map as code, checked as a CI gate (最小必要, 知情同意).

``check`` prints one line per finding (``FILE:LINE: RULE name [clause] message``) and exits 1
when there is any; a data map that cannot be read is a one-line error and exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from piguard import datamap as dm
from piguard.cli._output import (
    OutputFormat,
    emit_text,
    examples,
    make_table,
    stdout_console,
    to_json,
)

datamap_app = typer.Typer(
    name="datamap",
    help="The data map as code: which function collects which PI, why, for how long, for whom.",
    epilog=examples(
        "piguard datamap check examples/datamaps/ride-hailing-compliant.yaml",
        "piguard datamap check map.yaml --app-category 网络约车 --format json",
        "piguard datamap rules",
        "piguard datamap from-profile ride-hailing -o table2.yaml",
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@datamap_app.command(
    "check",
    epilog=examples(
        "piguard datamap check examples/datamaps/ride-hailing-compliant.yaml",
        "piguard datamap check examples/datamaps/table2-ride-hailing.yaml --app-category 网络约车",
        "piguard datamap check map.yaml --format json -o findings.json",
    ),
)
def check_command(
    file: Annotated[Path, typer.Argument(help="The data-map YAML file.")],
    app_category: Annotated[
        str | None,
        typer.Option(
            "--app-category",
            "-a",
            help="The app category of the 2021 necessary-PI rules (网络约车, 2, ride-hailing …); "
            "overrides app_category in the file.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="table: one line per finding; json: every field."),
    ] = OutputFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the findings here.")
    ] = None,
) -> None:
    """Check a data map against the rules; exit 1 when anything is found (a CI gate).

    Rules (`piguard datamap rules`): PI beyond the app category's necessary PI for a basic
    function; sensitive PI without explicit or separate consent; biometrics stored raw or
    shared; no retention period; provision to third parties or abroad without separate consent;
    "improving the service" as a basic function; children's PI without guardian consent.
    """
    datamap = dm.load_datamap(file)
    findings = dm.check(datamap, app_category=app_category)
    if fmt is OutputFormat.json:
        emit_text(
            to_json(
                {
                    "source": str(file),
                    "app_category": app_category or datamap.app_category,
                    "findings": [f.to_dict() for f in findings],
                    "counts": dm.summarise(findings),
                }
            ),
            output,
        )
    else:
        lines = [f.format() for f in findings]
        if findings:
            counts = ", ".join(f"{k} ×{v}" for k, v in sorted(dm.summarise(findings).items()))
            lines.append(f"{len(findings)} finding(s): {counts}")
        else:
            lines.append(f"{file}: no findings")
        emit_text("\n".join(lines) + "\n", output)
    if findings:
        raise typer.Exit(1)


@datamap_app.command(
    "rules", epilog=examples("piguard datamap rules", "piguard datamap rules -f json")
)
def rules_command(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
) -> None:
    """List the checks with their rule ids and the clauses they come from."""
    rows = [(r.id, r.name, r.clause, r.summary) for r in dm.RULES.values()]
    if fmt is OutputFormat.json:
        emit_text(
            to_json([dict(zip(("id", "name", "clause", "summary"), r, strict=True)) for r in rows])
        )
        return
    stdout_console().print(
        make_table("piguard datamap rules", ["Rule", "Name", "Clause", "What"], rows)
    )


@datamap_app.command(
    "from-profile",
    epilog=examples(
        "piguard datamap from-profile ride-hailing",
        "piguard datamap from-profile online-health -o table1.yaml",
    ),
)
def from_profile_command(
    profile: Annotated[str, typer.Argument(help="Industry profile: ride-hailing, online-health …")],
    side: Annotated[
        str | None, typer.Option("--side", help="Only one side (passenger, driver …).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
) -> None:
    """Write a data map built from an industry profile (the report's Table 1 or Table 2).

    It keeps what the table says and nothing more: no legal basis or retention is invented,
    so `piguard datamap check` lists what the inventory lacks.
    """
    emit_text(dm.profile_datamap_yaml(profile, side=side), output)


def register(app: typer.Typer) -> None:
    """Attach ``datamap`` to the root command."""
    app.add_typer(datamap_app, name="datamap")
