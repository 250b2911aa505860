"""DP statistics on OpenDP: answers, intervals, the ε split, and the noise scale."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

pytest.importorskip("opendp")

import opendp.prelude as dp

from piguard.dp import Ledger, PrivacyAccountant, dataset_ref, parse_query, release
from piguard.dp.stats import _measurement_for
from piguard.errors import ConfigError, PrivacyBudgetExceeded

AGES = [str(20 + (i * 7) % 50) for i in range(2000)]
COLS = {"age": AGES, "sex": ["Male" if i % 3 else "Female" for i in range(2000)]}


@pytest.fixture
def accountant(tmp_path: Path) -> PrivacyAccountant:
    f = tmp_path / "t.csv"
    f.write_text("age,sex\n")
    return PrivacyAccountant(Ledger(tmp_path / "l.sqlite"), dataset_ref(f, "t"), total_epsilon=1.0)


def test_release_splits_one_epsilon_and_matches_opendp_summary(
    accountant: PrivacyAccountant,
) -> None:
    queries = [parse_query("count"), parse_query("sum(age, 0, 100)")]
    result = release(COLS, queries, epsilon=0.6, accountant=accountant, weights=[2, 1])
    assert result.split == [("count", pytest.approx(0.4)), ("sum(age, 0, 100)", pytest.approx(0.2))]
    assert accountant.spent == pytest.approx(0.6)
    count, total = result.answers
    # Pure ε-DP: count sensitivity 1, integer sum sensitivity 100 → Laplace scale Δ/ε.
    assert count.scale == pytest.approx(1 / 0.4)
    assert total.scale == pytest.approx(100 / 0.2)
    # Intervals are OpenDP's own accuracy at α = 0.05 around the released value.
    for ans in (count, total):
        assert ans.scale is not None
        acc = dp.discrete_laplacian_scale_to_accuracy(ans.scale, 0.05)
        assert ans.high - ans.value == pytest.approx(acc)  # type: ignore[operator]
        assert ans.value - ans.low == pytest.approx(acc)  # type: ignore[operator]
    assert abs(count.value - 2000) < 60
    assert abs(total.value - sum(map(int, AGES))) < 6000
    with pytest.raises(PrivacyBudgetExceeded):
        release(COLS, queries, epsilon=0.5, accountant=accountant)
    assert accountant.spent == pytest.approx(0.6)


def test_grouped_mean_and_histogram(accountant: PrivacyAccountant) -> None:
    result = release(
        COLS,
        [parse_query("mean(age, 0, 100) by sex"), parse_query("histogram(age, 0, 100, 4)")],
        epsilon=1.0,
        accountant=accountant,
        keys={"sex": ["Male", "Female", "Other"]},
    )
    means = {a.group["sex"]: a for a in result.answers if a.statistic == "mean"}
    assert set(means) == {"Male", "Female", "Other"}
    for sex in ("Male", "Female"):
        a = means[sex]
        assert a.low is not None
        assert a.high is not None
        assert a.low <= a.value <= a.high
        assert 30 < a.value < 60
    bins = {a.group["age"]: a.value for a in result.answers if a.statistic == "count"}
    assert set(bins) == {"[0, 25)", "[25, 50)", "[50, 75)", "[75, 100)", "missing"}
    # Ages 20..69: a tenth below 25, the rest between 25 and 75.
    assert bins["[0, 25)"] == pytest.approx(200, abs=60)
    assert bins["[25, 50)"] + bins["[50, 75)"] == pytest.approx(1800, abs=80)


def test_group_keys_must_be_public(accountant: PrivacyAccountant) -> None:
    with pytest.raises(ConfigError, match="--keys sex"):
        release(COLS, [parse_query("count by sex")], epsilon=0.1, accountant=accountant)
    assert accountant.spent == 0.0


def test_noise_scales_with_one_over_epsilon() -> None:
    """Empirical: the standard deviation of a count's noise at ε=0.5 is about 4 times that at
    ε=2 (Laplace scale 1/ε). 400 samples each; the tolerance is wide on purpose."""
    sds = []
    for eps in (0.5, 2.0):
        measurement, frame = _measurement_for(COLS, parse_query("count"), eps)
        samples = [float(measurement(frame).collect()["value"][0]) for _ in range(400)]
        sds.append(statistics.pstdev(samples))
        assert abs(statistics.fmean(samples) - 2000) < 5 / eps
    ratio = sds[0] / sds[1]
    assert 2.5 < ratio < 6.0, ratio


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("avg(age)", "cannot parse"),
        ("sum(age, 0)", "takes 3"),
        ("sum(age, 10, 0)", "lower bound"),
        ("quantile(age, 1.5, 0, 100)", "between 0 and 1"),
        ("histogram(age, 0, 100, 2.5)", "whole number"),
    ],
)
def test_bad_queries(text: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        parse_query(text)
