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


def test_quantiles_print_their_rank_error_bound(tmp_path: Path) -> None:
    from piguard.dp import quantile_rank_bound

    data = tmp_path / "visits.csv"
    data.write_text("age\n" + "".join(f"{20 + (i * 7) % 50}\n" for i in range(300)))
    common = [str(data), "--ledger", str(tmp_path / "l.sqlite"), "--budget", "2"]
    table = CliRunner().invoke(app, ["stats", *common, "-e", "0.5", "-q", "median(age, 0, 100)"])
    assert table.exit_code == 0, table.output
    bound = quantile_rank_bound(0.5, 0.5, 101, 0.05)
    assert f"rank ±{bound:,.1f} records, grid step 1" in table.stdout
    as_json = CliRunner().invoke(
        app,
        ["stats", *common, "-e", "0.4", "-q", "quantile(age, 0.9, 0, 50)", "--format", "json"],
    )
    assert as_json.exit_code == 0, as_json.output
    (answer,) = json.loads(as_json.stdout)["answers"]
    assert answer["interval"] is None
    assert answer["rank_error"]["records"] == pytest.approx(
        quantile_rank_bound(0.9, 0.4, 101, 0.05)
    )
    assert answer["rank_error"]["confidence"] == pytest.approx(0.95)
    assert answer["rank_error"]["grid_step"] == pytest.approx(0.5)
