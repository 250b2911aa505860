"""The rank error bound printed with quantiles: the formula, an empirical check against the
mechanism OpenDP actually runs, and the score function it is derived from."""

from __future__ import annotations

import math
import random

import pytest

pytest.importorskip("opendp")

import opendp.prelude as dp

from piguard.dp import parse_query, quantile_rank_bound
from piguard.dp.stats import QUANTILE_CANDIDATES, _measurement_for
from piguard.errors import ConfigError

dp.enable_features("contrib")


def test_bound_formula_on_known_inputs() -> None:
    # (2·max(q, 1 − q)/ε)·ln(|C|/β)
    assert quantile_rank_bound(0.5, 1.0, 101, 0.05) == pytest.approx(math.log(2020))
    assert quantile_rank_bound(0.5, 0.5, 101, 0.05) == pytest.approx(2 * math.log(2020))
    assert quantile_rank_bound(0.9, 1.0, 101, 0.05) == pytest.approx(1.8 * math.log(2020))
    assert quantile_rank_bound(0.1, 1.0, 101, 0.05) == pytest.approx(1.8 * math.log(2020))
    assert quantile_rank_bound(0.25, 2.0, 10, 0.1) == pytest.approx(0.75 * math.log(100))
    # The formula does not special-case |C| = 1 (a lone candidate is trivially the best).
    assert quantile_rank_bound(0.5, 1.0, 1, 0.05) == pytest.approx(math.log(20))
    with pytest.raises(ConfigError):
        quantile_rank_bound(0.5, 0.0, 101, 0.05)
    with pytest.raises(ConfigError):
        quantile_rank_bound(0.5, 1.0, 101, 1.0)


def _scores(values: list[float], candidates: list[float], q: float) -> list[float]:
    """u(c) = |(1 − q)·#{x < c} − q·#{x > c}| in records."""
    return [
        abs((1 - q) * sum(x < c for x in values) - q * sum(x > c for x in values))
        for c in candidates
    ]


@pytest.mark.parametrize("q", [0.5, 0.9])
def test_score_function_and_sensitivity_match_opendp(q: float) -> None:
    """The bound assumes OpenDP's score and its sensitivity max(q, 1 − q); check both
    against OpenDP's own transformation (its scores are integers, scaled by a constant)."""
    values = [float(v) for v in (0, 1, 1, 2, 3, 3, 3, 4, 7, 7)]
    candidates = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 8.0]
    score = dp.t.make_quantile_score_candidates(
        dp.vector_domain(dp.atom_domain(T=float, nan=False)),
        dp.symmetric_distance(),
        candidates,
        q,
    )
    unit = float(score.map(1)) / max(q, 1 - q)  # OpenDP's integer score per record
    ours = _scores(values, candidates, q)
    assert [s / unit for s in score(values)] == pytest.approx(ours)
    # Non-monotonic scores: OpenDP's selection costs ε = 2Δ/scale (scale in records).
    quantile = dp.m.make_private_quantile(
        dp.vector_domain(dp.atom_domain(T=float, nan=False)),
        dp.symmetric_distance(),
        dp.max_divergence(),
        candidates,
        q,
        10.0,
    )
    assert float(quantile.map(1)) == pytest.approx(2 * max(q, 1 - q) / 10.0)


@pytest.mark.parametrize(("q", "epsilon"), [(0.5, 0.5), (0.9, 1.0)])
def test_released_quantiles_stay_within_the_bound(q: float, epsilon: float) -> None:
    """200 releases through the same OpenDP measurement `piguard stats` uses, on a seeded
    synthetic column of 400 distinct values: the released candidate's score exceeds the best
    candidate's by at most the bound in at least 95 % of them. (OpenDP draws its noise from
    the OS's CSPRNG, which cannot be seeded; the theorem gives ≥ 95 %, the slack is large.)"""
    rng = random.Random(6)
    values = [round(rng.uniform(0, 100), 3) + 0.0005 for _ in range(400)]  # never on the grid
    columns = {"x": [str(v) for v in values]}
    query = parse_query(f"quantile(x, {q}, 0, 100)")
    measurement, frame = _measurement_for(columns, query, epsilon)
    bound = quantile_rank_bound(q, float(measurement.map(1)), QUANTILE_CANDIDATES, 0.05)
    candidates = [float(i) for i in range(QUANTILE_CANDIDATES)]
    scores = dict(zip(candidates, _scores(values, candidates, q), strict=True))
    best = min(scores.values())
    target = q * len(values)
    gaps, rank_errors = [], []
    for _ in range(200):
        released = float(measurement(frame).collect()["value"][0])
        assert released in scores
        gaps.append(scores[released] - best)
        # No record equals a candidate, so the score is the distance from the target rank.
        rank_errors.append(abs(sum(v < released for v in values) - target))
    within = sum(g <= bound for g in gaps) / len(gaps)
    assert within >= 0.95, (within, bound, sorted(gaps)[-10:])
    assert all(
        e <= bound + best + 1e-9 for e, g in zip(rank_errors, gaps, strict=True) if g <= bound
    )
    assert max(gaps) > 0  # the noise does move the answer: the check is not vacuous
