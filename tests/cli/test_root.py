"""The root command: version, help, and the mapping of library errors to exit code 2."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from piguard import __version__
from piguard.cli.app import app

runner = CliRunner()


def test_version_prints_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"piguard {__version__}"


def test_help_lists_examples() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Examples" in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = runner.invoke(app, ["no-such-command"])
    assert result.exit_code == 2


def test_python_dash_m_runs_the_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "piguard", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"piguard {__version__}"


def test_command_table_matches_what_each_module_registers() -> None:
    # main() imports only the module of the command it runs, from COMMAND_MODULES: a
    # command missing from the table would vanish from `piguard CMD` but not from tests.
    import importlib

    import typer

    from piguard.cli import app as app_module

    found: dict[str, str] = {}
    for module in sorted(set(app_module.COMMAND_MODULES.values())):
        probe = typer.Typer()
        probe.callback()(lambda: None)
        importlib.import_module(f"piguard.cli.{module}").register(probe)
        group = typer.main.get_command(probe)
        assert isinstance(group, typer.core.TyperGroup)
        found.update(dict.fromkeys(group.commands, module))
    assert found == app_module.COMMAND_MODULES
    assert set(typer.main.get_command(app).commands) == set(found)  # type: ignore[attr-defined]


def test_entry_point_imports_only_the_command_it_runs() -> None:
    code = (
        "import sys\n"
        "from piguard.cli.app import main\n"
        "try:\n"
        "    main(['taxonomy', 'list', '--format', 'json'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "loaded = {m for m in sys.modules if m.startswith('piguard.cli.')}\n"
        "print(sorted(loaded), file=sys.stderr)\n"
        "assert 'piguard.cli.deidentify' not in loaded and 'piguard.cli.audit' not in loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
