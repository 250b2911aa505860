"""How good is the sampled distinct-people estimate (Chao1, ``piguard.sources.estimate_distinct``)?

For several populations (how many people, how many rows, how the rows spread over the
people), draw ``--trials`` seeded samples of n values, estimate, and report how often the 95 %
interval covers the truth, the spread of estimate / truth, and how often the truth stays
below ``upper_distinct`` (what the sample cannot rule out). Uneven populations (a few people
in most rows) show Chao1's known weakness, which ``upper_distinct`` is there for.

    .venv/bin/python benchmarks/discovery/estimator.py --trials 200
"""

from __future__ import annotations

import argparse
import math
import random

from piguard.sources import estimate_distinct, upper_distinct

# (label, people, rows, sample size, share of the rows taken by the 1 % most frequent people)
CASES = [
    ("even, 21,000 people, 400,000 rows", 21_000, 400_000, 1000, None),
    ("even, 20,000 people, 1,000,000 rows", 20_000, 1_000_000, 2000, None),
    ("even, 5,000 people, 100,000 rows", 5_000, 100_000, 1000, None),
    ("even, 100,000 people, 1,000,000 rows", 100_000, 1_000_000, 1000, None),
    ("uneven: 1 % of 100,000 people in 80 % of 1,000,000 rows", 100_000, 1_000_000, 1000, 0.8),
]


def draw(rng: random.Random, people: int, n: int, heavy: float | None) -> list[int]:
    """n row owners drawn (with replacement: the samples are a small share of the rows)."""
    if heavy is None:
        return [rng.randrange(people) for _ in range(n)]
    top = max(people // 100, 1)
    return [
        rng.randrange(top) if rng.random() < heavy else rng.randrange(top, people) for _ in range(n)
    ]


def present(people: int, rows: int, heavy: float | None) -> float:
    """Expected number of people who own at least one of ``rows`` rows (the truth)."""
    if heavy is None:
        return people * -math.expm1(-rows / people)
    top = max(people // 100, 1)
    return top * -math.expm1(-rows * heavy / top) + (people - top) * -math.expm1(
        -rows * (1 - heavy) / (people - top)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200)
    args = parser.parse_args()
    for label, people, rows, n, heavy in CASES:
        covered = bounded = 0
        ratios = []
        truth = present(people, rows, heavy)
        for t in range(args.trials):
            sample = draw(random.Random(t), people, n, heavy)
            est, low, high = estimate_distinct(sample, rows)
            covered += low <= truth <= high
            bounded += truth <= upper_distinct(sample, rows)
            ratios.append(est / truth)
        ratios.sort()
        k = args.trials // 20
        print(
            f"{label} ({truth:,.0f} present), n = {n:,}: "
            f"interval covers the truth in {covered / args.trials:.1%}; "
            f"estimate / truth median {ratios[len(ratios) // 2]:.2f}, "
            f"5-95 % {ratios[k]:.2f}-{ratios[-k - 1]:.2f}; "
            f"truth <= upper_distinct in {bounded / args.trials:.1%}"
        )


if __name__ == "__main__":
    main()
