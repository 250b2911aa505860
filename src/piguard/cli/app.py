"""The root ``piguard`` command and the registration of its sub-commands."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer._click.core import Context as _ClickContext

from piguard._version import __version__
from piguard.cli._output import examples, stderr_console
from piguard.errors import PiguardError

#: Exit code for bad input, bad configuration and every other PiguardError (DESIGN.md).
EXIT_BAD_INPUT = 2


class _PiguardGroup(TyperGroup):
    """Turns library errors into one line on standard error and exit code 2, never a traceback."""

    def invoke(self, ctx: _ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except PiguardError as exc:
            stderr_console().print(f"piguard: error: {exc}", markup=False, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None


app = typer.Typer(
    name="piguard",
    cls=_PiguardGroup,
    help=(
        "piguard: find, grade and protect personal information (个人信息) in Chinese "
        "Internet+ services, per PIPL and GB/T 35273-2020."
    ),
    epilog=examples(
        "piguard taxonomy list",
        "piguard apps show 网络约车",
        "piguard profiles show ride-hailing --format json",
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    # Tracebacks with local variables could print personal information: never show them.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"piguard {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        help="Print piguard's version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """piguard: find, grade and protect personal information in Chinese Internet+ services."""


def _register_commands() -> None:
    """Attach every sub-command. Each lives in its own module under ``piguard.cli``
    and exposes ``register(app)``; add one import and one call per module here."""
    from piguard.cli import admin as _admin
    from piguard.cli import anonymize as _anonymize
    from piguard.cli import audit as _audit
    from piguard.cli import datamap as _datamap
    from piguard.cli import deidentify as _deidentify
    from piguard.cli import requests as _requests
    from piguard.cli import scan as _scan
    from piguard.cli import serve as _serve
    from piguard.cli import stats as _stats
    from piguard.cli import taxonomy as _taxonomy

    _taxonomy.register(app)
    _audit.register(app)
    _anonymize.register(app)
    _stats.register(app)
    _scan.register(app)
    _datamap.register(app)
    _serve.register(app)
    _admin.register(app)
    _deidentify.register(app)
    _requests.register(app)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``piguard`` script."""
    app(args=argv, prog_name="piguard")
