"""atomic_write: all or nothing, owner-only for new files, existing modes kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from piguard._util import atomic_write


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_failure_leaves_the_old_content_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")

    def write_half_then_fail() -> None:
        with atomic_write(target) as fh:
            fh.write("half")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_half_then_fail()
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_new_file_is_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    with atomic_write(target) as fh:
        fh.write("<html></html>")
    assert _mode(target) == 0o600


def test_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "shared.csv"
    target.write_text("a\n", encoding="utf-8")
    os.chmod(target, 0o644)
    with atomic_write(target, mode="wb", encoding=None) as fh:
        fh.write(b"b\n")
    assert target.read_bytes() == b"b\n"
    assert _mode(target) == 0o644
