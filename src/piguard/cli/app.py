"""The root ``piguard`` command and the registration of its sub-commands."""

from __future__ import annotations

import importlib
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


_app = typer.Typer(
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


@_app.callback()
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


#: Each sub-command and the module under ``piguard.cli`` that defines it; every module
#: exposes ``register(app)``. ``main`` imports only the module of the command it runs, so that
#: ``piguard scan`` does not pay for importing de-identification, audit or the service.
#: tests/cli/test_root.py checks this table against what each module registers.
COMMAND_MODULES: dict[str, str] = {
    "taxonomy": "taxonomy",
    "profiles": "taxonomy",
    "apps": "taxonomy",
    "audit": "audit",
    "anonymize": "anonymize",
    "stats": "stats",
    "scan": "scan",
    "datamap": "datamap",
    "serve": "serve",
    "admin": "admin",
    "deidentify": "deidentify",
    "reidentify": "deidentify",
    "requests": "requests",
}
_registered: set[str] = set()


def _register(module: str) -> None:
    if module in _registered:
        return
    _registered.add(module)
    importlib.import_module(f"piguard.cli.{module}").register(_app)


def _register_all() -> None:
    """Attach every sub-command, in the order of ``COMMAND_MODULES`` (the order of --help)."""
    for module in dict.fromkeys(COMMAND_MODULES.values()):
        _register(module)


def __getattr__(name: str) -> Any:
    # ``from piguard.cli.app import app`` (tests, embedding) gets the root command with every
    # sub-command attached.
    if name == "app":
        _register_all()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``piguard`` script."""
    args = sys.argv[1:] if argv is None else argv
    # The first word that is not an option names the sub-command (the root has only the
    # flags --version and --help). Anything else (help, a typo) gets every command.
    word = next((a for a in args if not a.startswith("-")), None)
    if word in COMMAND_MODULES:
        _register(COMMAND_MODULES[word])
    elif word is None and ("--version" in args or "-V" in args):
        pass  # answered by the root callback before any sub-command is needed
    else:
        _register_all()
    _app(args=args, prog_name="piguard")
