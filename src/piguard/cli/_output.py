"""Output helpers shared by the commands: formats, consoles, JSON, files, help examples."""

from __future__ import annotations

import enum
import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from piguard._util import atomic_write


class OutputFormat(enum.StrEnum):
    """Formats every listing command accepts with ``--format``."""

    table = "table"
    json = "json"


def stdout_console() -> Console:
    """A console on standard output (re-created per call so tests can capture it)."""
    return Console(file=sys.stdout, soft_wrap=False)


def stderr_console() -> Console:
    """A console on standard error for progress, warnings and errors."""
    return Console(file=sys.stderr, soft_wrap=True)


def to_json(data: Any) -> str:
    """JSON as piguard writes it: UTF-8 text with Chinese kept readable, two-space indent."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def emit_text(text: str, output: str | os.PathLike[str] | None = None) -> None:
    """Write ``text`` to ``output`` atomically, or to standard output when ``output`` is None."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with atomic_write(output) as fh:
        fh.write(text)


def make_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    """A rich table with piguard's look: bold header, no row lines, wrapped text."""
    table = Table(title=title, title_justify="left", header_style="bold", expand=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    return table


def examples(*lines: str) -> str:
    """The ``--help`` epilog listing examples, one command per line."""
    body = "\n\n".join(f"  [cyan]$ {line}[/cyan]" for line in lines)
    return f"[bold]Examples[/bold]\n\n{body}"
