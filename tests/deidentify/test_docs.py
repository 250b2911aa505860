"""The Python examples of docs/deidentification.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "deidentification.md").read_text("utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)


def test_doc_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("code", BLOCKS)
def test_doc_example_runs(
    code: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(code, "docs/deidentification.md", "exec"), {})  # noqa: S102
    printed = capsys.readouterr().out
    # ``print(...)  # what it prints`` lines: the comment is the expected output
    for expected in re.findall(r"print\(.*\)\s+#\s+(.+?)\s*$", code, flags=re.M):
        assert expected in printed
