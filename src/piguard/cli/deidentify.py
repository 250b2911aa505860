"""``piguard deidentify`` and ``piguard reidentify``: protect PI in text and tables by policy.

Thin wrappers over :mod:`piguard.deidentify`. Output is written atomically with its metadata
(``OUTPUT.piguard.json``: operators, options and key references, never keys). Bad input or a
bad policy raises a PiguardError, which the root command prints as one line (exit code 2);
nothing is written then.
"""

from __future__ import annotations

import contextlib
import enum
from pathlib import Path
from typing import Annotated

import typer

from piguard.audit import AuditLog, MerkleLogSink
from piguard.cli._output import OutputFormat, examples, make_table, stderr_console, to_json
from piguard.deidentify import (
    Deidentifier,
    Summary,
    default_policy,
    load_policy,
    reidentify_file,
    reidentify_sql,
)
from piguard.errors import ConfigError, InputError
from piguard.keys import load_provider
from piguard.sources import is_database_url, redact_url

__all__ = ["register"]


class InputKind(enum.StrEnum):
    """How to read the input."""

    auto = "auto"
    text = "text"
    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    xlsx = "xlsx"
    parquet = "parquet"


def _check_paths(input_path: Path, output: Path) -> None:
    if not input_path.is_file():
        raise InputError("no such file", source=str(input_path))
    if output.resolve() == input_path.resolve():
        raise ConfigError("the output must not be the input file")
    if not output.parent.is_dir():
        raise ConfigError("the output folder does not exist", source=str(output.parent))


def _run(
    engine: Deidentifier,
    input_path: str,
    output: str,
    table: str | None,
    kind: InputKind,
    encoding: str | None,
) -> tuple[Summary, str]:
    if is_database_url(input_path):
        if table is None:
            raise ConfigError("a database URL needs --table NAME (the table to read)")
        summary = engine.deidentify_sql(input_path, table, output)
        return summary, f"{redact_url(input_path)}#{table}"
    _check_paths(Path(input_path), Path(output))
    summary = engine.deidentify_file(input_path, output, kind=kind.value, encoding=encoding)
    return summary, input_path


def _print_summary(summary: Summary, shown: str, output: str, fmt: OutputFormat) -> None:
    console = stderr_console()
    if fmt is OutputFormat.json:
        console.print(to_json(summary.to_dict()), markup=False, highlight=False, end="")
        return
    rows = [
        (column, entity, operator, count)
        for (column, entity, operator), count in sorted(summary.counts.items())
    ]
    unit = "lines" if summary.kind == "text" else "rows"
    console.print(
        make_table(
            f"{shown} → {output}: {summary.rows} {unit}",
            ["column", "entity", "operator", "changed"],
            rows,
        )
    )


def register(app: typer.Typer) -> None:
    """Add ``piguard deidentify`` and ``piguard reidentify`` to the root command."""

    @app.command(
        "deidentify",
        epilog=examples(
            "export PIGUARD_KEY_DEIDENTIFY=$(openssl rand -hex 32)",
            "piguard deidentify examples/data/ridehailing_orders.csv -o orders.safe.csv",
            "piguard deidentify chat.txt -o chat.safe.txt --policy examples/policies/default.yaml",
            "piguard deidentify consultations.jsonl -o safe.jsonl --keys file:/etc/piguard/keys",
            "piguard deidentify orders.csv -o out.csv --summary json",
            "piguard deidentify sqlite:///shop.db --table orders -o orders_safe",
        ),
    )
    def deidentify(
        input_path: Annotated[
            str,
            typer.Argument(
                metavar="INPUT",
                help="A text, CSV, JSON Lines, JSON, Excel (.xlsx) or Parquet file, or a "
                "database URL (with --table).",
            ),
        ],
        output: Annotated[
            str,
            typer.Option(
                "--output",
                "-o",
                help="Where to write (atomically); for a database, the new table's name.",
            ),
        ],
        table: Annotated[
            str | None,
            typer.Option("--table", help="With a database URL: the table to de-identify."),
        ] = None,
        policy: Annotated[
            Path | None,
            typer.Option(
                "--policy", "-p", help="Policy YAML (default: the shipped default policy)."
            ),
        ] = None,
        kind: Annotated[
            InputKind,
            typer.Option(
                "--kind", help="auto (by suffix), text, csv, jsonl, json, xlsx or parquet."
            ),
        ] = InputKind.auto,
        keys: Annotated[
            str | None,
            typer.Option(
                "--keys",
                help="Key provider: env, env:PREFIX, file:DIR or a plug-in "
                "(default: the policy's 'keys').",
            ),
        ] = None,
        encoding: Annotated[
            str | None, typer.Option("--encoding", help="Input encoding (default: detected).")
        ] = None,
        summary_format: Annotated[
            OutputFormat,
            typer.Option("--summary", help="Summary on standard error: table or json."),
        ] = OutputFormat.table,
        audit_log: Annotated[
            str | None,
            typer.Option(
                "--audit-log",
                help="Record the run (counts, no values) in this audit log (path or URL).",
            ),
        ] = None,
    ) -> None:
        """De-identify (去标识化) a text file or a table by policy.

        Operators: masks, keyed pseudonyms, FF3-1 format-preserving encryption, tokens,
        generalisation, privacy waybills (隐私面单).

        Text is scanned for PI and each finding replaced; table columns named in the policy
        or classified from a sample are transformed column by column. A database table
        (sqlite:///, postgresql://, mysql:// URL and --table) is written to a new table in
        the same database, its metadata to OUTPUT.piguard.json in the current folder.
        The default policy turns sensitive PI into FF3-1 ciphertexts or keyed pseudonyms and
        masks ordinary PI; its key is read from PIGUARD_KEY_DEIDENTIFY (hex or base64, at
        least 16 bytes).
        """
        pol = load_policy(policy) if policy is not None else default_policy()
        provider = load_provider(keys) if keys is not None else None
        with contextlib.ExitStack() as stack:
            sink = None
            if audit_log is not None:
                log = stack.enter_context(AuditLog.open(audit_log))
                sink = MerkleLogSink(log, group_commit=False)
            engine = Deidentifier(pol, keys=provider, audit=sink, actor="piguard-cli")
            summary, shown = _run(engine, input_path, output, table, kind, encoding)
        _print_summary(summary, shown, output, summary_format)

    @app.command(
        "reidentify",
        epilog=examples(
            "piguard reidentify orders.safe.csv -o orders.csv",
            "piguard reidentify safe.jsonl -o back.jsonl --role auditor",
            "piguard reidentify safe.parquet -o back.parquet",
            "piguard reidentify staff.safe.xlsx -o staff.xlsx",
            "piguard reidentify chat.safe.txt -o chat.txt --keys file:/etc/piguard/keys",
            "piguard reidentify sqlite:///shop.db --table orders_safe -o orders_back",
        ),
    )
    def reidentify(
        input_path: Annotated[
            str,
            typer.Argument(
                metavar="INPUT",
                help="A file written by piguard deidentify, or a database URL (with --table).",
            ),
        ],
        output: Annotated[
            str,
            typer.Option(
                "--output",
                "-o",
                help="Where to write (atomically); for a database, the new table's name.",
            ),
        ],
        table: Annotated[
            str | None,
            typer.Option("--table", help="With a database URL: the de-identified table."),
        ] = None,
        metadata: Annotated[
            Path | None,
            typer.Option(
                "--metadata",
                help="The run's metadata (default: INPUT.piguard.json; for a table, "
                "TABLE.piguard.json in the current folder).",
            ),
        ] = None,
        keys: Annotated[
            str | None,
            typer.Option("--keys", help="Key provider (default: the one recorded in metadata)."),
        ] = None,
        role: Annotated[
            str | None,
            typer.Option("--role", help="Your role, needed to detokenise (vault tokens)."),
        ] = None,
    ) -> None:
        """Restore values protected by reversible operators, for key holders (重标识).

        Reversible operators are fpe, encrypt, tokenize and date_shift with a subject
        column; masked, hashed and generalised values stay as they are. Text, CSV, JSON
        Lines, JSON, Excel (.xlsx) and Parquet files are written to OUTPUT; a database
        table (URL and --table) to a new table OUTPUT in the same database.
        """
        provider = load_provider(keys) if keys is not None else None
        if is_database_url(input_path):
            if table is None:
                raise ConfigError("a database URL needs --table NAME (the table to read)")
            restored = reidentify_sql(
                input_path, table, output, metadata=metadata, keys=provider, role=role
            )
            shown = f"{redact_url(input_path)}#{table}"
        else:
            _check_paths(Path(input_path), Path(output))
            restored = reidentify_file(
                input_path, output, metadata=metadata, keys=provider, role=role
            )
            shown = input_path
        stderr_console().print(
            f"{shown} → {output}: {restored} values restored",
            markup=False,
            highlight=False,
        )
