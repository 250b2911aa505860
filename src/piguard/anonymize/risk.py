"""Re-identification risk (重标识风险) of a table, from its equivalence-class sizes.

GB/T 37964-2019 Appendix B: the re-identification probability of a record is
1 / (size of its equivalence class), and overall risk = data risk × context risk (1 for a
public release). The attacker models follow El Emam's (and ARX's) definitions:

* **prosecutor** — the attacker knows the person is in the table: record risk 1/fⱼ;
* **journalist** — the attacker links against a larger population table: record risk 1/Fⱼ,
  Fⱼ the size of the record's class in that table. Without such a table Fⱼ = fⱼ (the sample
  is taken as the attacker's population), which is conservative and what ARX reports;
* **marketer** — the attacker links as many records as possible: the expected share of
  records re-identified, max(J/ΣFⱼ, (1/n)·Σⱼ fⱼ/Fⱼ) as in ARX (J classes).

For each: the highest record risk, the average, and the share of records whose risk is above
a threshold. Sample uniqueness is the share of records alone in their class; population
uniqueness uses Zayatz's model (1991) — the probability that a sample unique is also unique
in the population, from hypergeometric sampling — and is given as a share of the population.

The PRC population preset is 1,366,040,000, the figure ARX ships (``ARXPopulationModel``,
region "China (PRC)"). On Adult (8 quasi-identifiers, untransformed) these figures equal
ARX 3.9.2's: prosecutor highest 1, average 0.6004, records at risk 0.7286, sample uniqueness
0.4649, Zayatz population uniqueness 0.2161 with the PRC population (tests/anonymize).

>>> import numpy as np
>>> r = assess(np.array([1, 2, 5]))
>>> r.prosecutor_highest, round(r.prosecutor_average, 3), r.sample_uniqueness
(1.0, 0.375, 0.125)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from piguard.errors import ConfigError

__all__ = ["POPULATIONS", "RiskSummary", "assess", "population_size"]

#: Population presets (persons). China: ARX's "China (PRC)" region, 1,366,040,000.
POPULATIONS: dict[str, int] = {"china": 1_366_040_000, "prc": 1_366_040_000}


def population_size(value: str | int | None) -> int | None:
    """A population size from a preset name (``china``) or a number; None stays None."""
    if value is None:
        return None
    if isinstance(value, int):
        size = value
    else:
        key = value.strip().lower()
        if key in POPULATIONS:
            return POPULATIONS[key]
        try:
            size = int(key.replace(",", "").replace("_", ""))
        except ValueError:
            raise ConfigError(f"unknown population {value!r} (a number or 'china')") from None
    if size < 1:
        raise ConfigError("the population size must be positive")
    return size


@dataclass(frozen=True)
class RiskSummary:
    """Risk figures of one table (see the module docstring)."""

    records: int
    classes: int
    threshold: float
    prosecutor_highest: float
    prosecutor_average: float
    prosecutor_at_risk: float
    journalist_highest: float
    journalist_average: float
    journalist_at_risk: float
    marketer_average: float
    sample_uniqueness: float
    population_size: int | None
    population_uniqueness: float | None
    population_model: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def assess(
    class_sizes: npt.ArrayLike,
    *,
    threshold: float = 0.2,
    population: int | None = None,
    population_class_sizes: npt.ArrayLike | None = None,
) -> RiskSummary:
    """Risk of a table whose equivalence classes have ``class_sizes`` records each.

    ``threshold`` is the record risk above which a record counts as "at risk" (0.2 means a
    class smaller than 5). ``population`` (persons, ≥ records) enables population
    uniqueness. ``population_class_sizes`` (aligned with ``class_sizes``) are the sizes of the
    same classes in a larger table the attacker holds, for the journalist and marketer models.
    """
    f = np.asarray(class_sizes, dtype=np.float64)
    big = None if population_class_sizes is None else np.asarray(population_class_sizes, float)
    if big is not None:
        if big.shape != f.shape or (big < f).any():
            raise ConfigError("population class sizes must match the classes and not be smaller")
        big = big[f > 0]
    f = f[f > 0]
    n = float(f.sum())
    if n == 0:
        raise ConfigError("cannot assess the risk of an empty table")
    if not 0.0 < threshold <= 1.0:
        raise ConfigError("the risk threshold must be in (0, 1]")
    classes = len(f)
    pros = 1.0 / f
    pop = population if population is not None else None
    if pop is not None and pop < n:
        raise ConfigError("the population cannot be smaller than the table")
    big_f = f if big is None else big
    jour = 1.0 / big_f
    unique_share = float(f[f == 1].sum() / n)
    pop_unique: float | None = None
    if pop:
        pop_unique = _zayatz(f, n, float(pop))
    return RiskSummary(
        records=int(n),
        classes=classes,
        threshold=threshold,
        prosecutor_highest=float(pros.max()),
        prosecutor_average=classes / n,
        prosecutor_at_risk=float(f[pros > threshold + 1e-12].sum() / n),
        journalist_highest=float(jour.max()),
        journalist_average=float((f * jour).sum() / n),
        journalist_at_risk=float(f[jour > threshold + 1e-12].sum() / n),
        marketer_average=max(classes / float(big_f.sum()), float((f / big_f).sum() / n)),
        sample_uniqueness=unique_share,
        population_size=pop,
        population_uniqueness=pop_unique,
        population_model="zayatz" if pop else None,
    )


def _hypergeom_one(
    sizes: npt.NDArray[np.float64], population: float, sample: float
) -> npt.NDArray[np.float64]:
    """P(exactly one of ``s`` marked units is drawn) when ``sample`` units are drawn from
    ``population``: s·n·Π_{j<s-1}(N−n−j) / Π_{j<s}(N−j), computed in logs."""
    smax = int(sizes.max())
    j = np.arange(smax, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a = np.concatenate(
            [[0.0], np.cumsum(np.log(np.maximum(population - sample - j, 1e-300)))]
        )
        log_b = np.concatenate([[0.0], np.cumsum(np.log(population - j))])
    s = sizes.astype(np.int64)
    logp = np.log(sizes) + math.log(sample) + log_a[np.maximum(s - 1, 0)] - log_b[s]
    result: npt.NDArray[np.float64] = np.exp(logp)
    return result


def _zayatz(f: npt.NDArray[np.float64], n: float, population: float) -> float:
    """Share of the population that is unique, by Zayatz's model."""
    uniques = float((f == 1).sum())
    if uniques == 0:
        return 0.0
    if population <= n:
        return uniques / population
    sizes, counts = np.unique(f, return_counts=True)
    classes = float(len(f))
    p = _hypergeom_one(sizes, population, n)
    denominator = float((counts / classes * p).sum())
    p1 = float(_hypergeom_one(np.array([1.0]), population, n)[0])
    conditional = (uniques / classes) * p1 / denominator if denominator > 0 else 0.0
    pi = n / population
    estimated_uniques = uniques * conditional / pi
    return min(1.0, estimated_uniques / population)
