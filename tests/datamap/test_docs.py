"""The console examples of docs/datamap.md print what the page says."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piguard.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "datamap.md").read_text(encoding="utf-8")


def _examples() -> list[tuple[str, str]]:
    """(command, expected output) for each `$ piguard datamap check …` followed by output."""
    block = re.search(r"```console\n(.*?)```", DOC, re.S)
    assert block is not None
    out: list[tuple[str, str]] = []
    lines = block.group(1).splitlines()
    for i, line in enumerate(lines):
        if line.startswith("$ piguard datamap check examples/"):
            expected = []
            for follow in lines[i + 1 :]:
                if follow.startswith("$"):
                    break
                expected.append(follow)
            out.append((line[2:], "\n".join(expected)))
    return out


@pytest.mark.parametrize(("command", "expected"), _examples())
def test_doc_console_examples(command: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, command.split()[1:], env={**os.environ, "COLUMNS": "200"})
    assert result.output.strip() == expected.strip()


def test_doc_python_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = re.search(r"```python\n(.*?)```", DOC, re.S)
    assert code is not None
    exec(compile(code.group(1), "docs/datamap.md", "exec"), {})  # noqa: S102
