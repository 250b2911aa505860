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


def test_population_model_lowers_journalist_risk() -> None:
    r = assess([1, 1, 2, 4, 10], population=1800)
    assert r.journalist_highest == pytest.approx(1 / 100)
    assert r.marketer_average == pytest.approx(5 / 1800)
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
