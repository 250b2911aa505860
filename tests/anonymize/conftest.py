"""Shared fixtures: the Adult data set and ARX's hierarchies from ../shared/data/adult."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ADULT = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "adult"


@pytest.fixture(scope="session")
def adult_dir() -> Path:
    if not (ADULT / "adult.csv").exists():
        pytest.fail(f"the Adult data set is missing: {ADULT} (shared/ must sit beside the clone)")
    return ADULT


@pytest.fixture(scope="session")
def adult_columns(adult_dir: Path) -> dict[str, list[str]]:
    with open(adult_dir / "adult.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    return {name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0])}
