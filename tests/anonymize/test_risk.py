"""Re-identification risk measures."""

from __future__ import annotations

import pytest

from piguard.anonymize import POPULATIONS, assess, population_size
from piguard.errors import ConfigError


def test_prosecutor_and_uniqueness() -> None:
    r = assess([1, 1, 2, 4, 10], threshold=0.2)
    assert r.records == 18
    assert r.classes == 5
    assert r.prosecutor_highest == 1.0
    assert r.prosecutor_average == pytest.approx(5 / 18)
    # Records in classes smaller than 5: 1 + 1 + 2 + 4.
    assert r.prosecutor_at_risk == pytest.approx(8 / 18)
    assert r.sample_uniqueness == pytest.approx(2 / 18)
    # Without a population the journalist and marketer see the table as the population.
    assert r.journalist_highest == r.prosecutor_highest
    assert r.marketer_average == pytest.approx(5 / 18)
    assert r.population_uniqueness is None


def test_population_table_lowers_journalist_and_marketer_risk() -> None:
    r = assess([1, 1, 2, 4, 10], population_class_sizes=[100, 1, 20, 4, 50])
    assert r.journalist_highest == 1.0
    assert r.journalist_average == pytest.approx((1 / 100 + 1 + 2 / 20 + 1 + 10 / 50) / 18)
    assert r.marketer_average == pytest.approx(max(5 / 175, (1 / 100 + 1 + 0.1 + 1 + 0.2) / 18))
    with pytest.raises(ConfigError):
        assess([3, 3], population_class_sizes=[2, 3])


def test_population_uniqueness() -> None:
    r = assess([1, 1, 2, 4, 10], population=1800)
    assert r.population_uniqueness is not None
    assert 0.0 <= r.population_uniqueness <= r.sample_uniqueness


def test_no_uniques_means_no_population_uniques() -> None:
    r = assess([5, 5, 7], population=POPULATIONS["china"])
    assert r.population_uniqueness == 0.0
    assert r.sample_uniqueness == 0.0


def test_population_presets() -> None:
    assert population_size("china") == 1_366_040_000
    assert population_size("1,000") == 1000
    assert population_size(None) is None
    with pytest.raises(ConfigError):
        population_size("mars")
    with pytest.raises(ConfigError):
        assess([3, 3], population=5)


def test_adult_matches_arx(adult_dir: object) -> None:
    """ARX 3.9.2's risk estimator on the untransformed Adult data (8 quasi-identifiers,
    population model China), run here with the ARX build of benchmarks/anonymize."""
    from pathlib import Path

    from piguard.anonymize import discover_hierarchies, encode, read_table

    d = Path(str(adult_dir))
    t = read_table(d / "adult.csv")
    data = encode(t.columns, t.header[:8], discover_hierarchies(d))
    r = assess(data.bottom.counts, population=POPULATIONS["china"])
    assert r.prosecutor_highest == 1.0
    assert r.prosecutor_average == pytest.approx(0.6003912207413301, abs=1e-12)
    assert r.prosecutor_at_risk == pytest.approx(0.728632053577349, abs=1e-12)
    assert r.sample_uniqueness == pytest.approx(0.4648564418805119, abs=1e-12)
    assert r.population_uniqueness == pytest.approx(0.2161085393031921, abs=1e-9)
    assert r.journalist_highest == 1.0
    assert r.marketer_average == pytest.approx(0.6003912207413301, abs=1e-12)
