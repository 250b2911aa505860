"""``piguard stats``: answers with intervals, and a budget kept across runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piguard.cli.app import app

pytest.importorskip("opendp")


def test_budget_is_kept_across_runs(tmp_path: Path) -> None:
    data = tmp_path / "visits.csv"
    data.write_text(
        "age,sex\n" + "".join(f"{20 + i % 50},{'F' if i % 2 else 'M'}\n" for i in range(500))
    )
    ledger = tmp_path / "ledger.sqlite"
    common = [str(data), "--ledger", str(ledger), "--label", "visits"]
    first = CliRunner().invoke(
        app,
        ["stats", *common, "--budget", "1", "--epsilon", "0.6", "-q", "count", "-q",
         "mean(age, 0, 100) by sex", "--keys", "sex=F,M", "--format", "json"],
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    out = json.loads(first.stdout)
    assert out["budget"] == {
        "total": 1.0,
        "spent": pytest.approx(0.6),
        "remaining": pytest.approx(0.4),
    }
    assert [s["epsilon"] for s in out["split"]] == [pytest.approx(0.3), pytest.approx(0.3)]
    for answer in out["answers"]:
        low, high = answer["interval"]
        assert low <= answer["value"] <= high
    # A second process-level run finds the ledger and refuses to overspend; nothing is printed.
    second = CliRunner().invoke(app, ["stats", *common, "--epsilon", "0.5", "-q", "count"])
    assert second.exit_code == 2
    assert second.stdout == ""
    assert "would exceed the budget of data set 'visits'" in second.stderr
    third = CliRunner().invoke(app, ["stats", *common, "--epsilon", "0.4", "-q", "count"])
    assert third.exit_code == 0, third.output
    assert "95 % interval" in third.stdout
    assert "1 of 1 spent, 0 left" in third.stdout


def test_help_has_examples() -> None:
    result = CliRunner().invoke(app, ["stats", "--help"])
    assert result.exit_code == 0
    assert "Examples" in result.output
