"""l-diversity and t-closeness on Adult against ARX 3.9.2: same optimum, same Loss, same
suppressed records. Reference values from benchmarks/anonymize/ArxModels.java, run here
(k=5 with each model; 8 quasi-identifiers; sensitive attribute salary-class)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from piguard.anonymize import (
    DistinctLDiversity,
    EncodedData,
    EntropyLDiversity,
    EqualDistanceTCloseness,
    HierarchicalDistanceTCloseness,
    Hierarchy,
    KAnonymity,
    OrderedDistanceTCloseness,
    PrivacyModel,
    RecursiveCLDiversity,
    discover_hierarchies,
    encode,
    read_table,
    search,
)
from piguard.errors import InfeasibleError

S = "salary-class"
T_CLOSE = (0, 4, 1, 2, 3, 2, 2, 2), 0.8340080864093427, 0
MODELS: dict[str, Callable[[dict[str, Hierarchy]], PrivacyModel]] = {
    "distinct-2": lambda h: DistinctLDiversity(S, 2),
    "entropy-1.5": lambda h: EntropyLDiversity(S, 1.5),
    "recursive-3-2": lambda h: RecursiveCLDiversity(S, 3, 2),
    "equal-0.15": lambda h: EqualDistanceTCloseness(S, 0.15),
    "ordered-0.15": lambda h: OrderedDistanceTCloseness(S, 0.15),
    "hierarchical-0.15": lambda h: HierarchicalDistanceTCloseness(S, 0.15, hierarchy=h[S]),
}
ARX: list[tuple[str, float, tuple[tuple[int, ...], float, int] | None]] = [
    ("distinct-2", 0.0, ((0, 4, 0, 2, 3, 2, 2, 1), 0.5915849773198221, 0)),
    ("entropy-1.5", 0.0, ((1, 4, 1, 2, 3, 2, 2, 2), 1.0000000000000004, 0)),
    ("recursive-3-2", 0.0, None),
    ("equal-0.15", 0.0, T_CLOSE),
    ("ordered-0.15", 0.0, T_CLOSE),
    ("hierarchical-0.15", 0.0, T_CLOSE),
    ("distinct-2", 0.05, ((0, 4, 0, 2, 1, 1, 0, 1), 0.3282766574170968, 1389)),
    pytest.param(  # type: ignore[list-item]
        "equal-0.15",
        0.05,
        ((1, 4, 0, 2, 3, 0, 1, 2), 0.6161059655466146, 1485),
        marks=pytest.mark.slow,
    ),
]


@pytest.fixture(scope="module")
def adult(adult_dir: Path) -> tuple[EncodedData, dict[str, Hierarchy]]:
    table = read_table(adult_dir / "adult.csv")
    hierarchies = discover_hierarchies(adult_dir)
    return encode(table.columns, table.header[:8], hierarchies, sensitive=[S]), hierarchies


@pytest.mark.parametrize(("model", "suppression", "expected"), ARX)
def test_same_optimum_as_arx(
    adult: tuple[EncodedData, dict[str, Hierarchy]],
    model: str,
    suppression: float,
    expected: tuple[tuple[int, ...], float, int] | None,
) -> None:
    data, hierarchies = adult
    models = [KAnonymity(5), MODELS[model](hierarchies)]
    if expected is None:
        with pytest.raises(InfeasibleError):
            search(data, models, max_suppression=suppression)
        return
    result = search(data, models, max_suppression=suppression)
    levels, loss, suppressed = expected
    assert result.levels == levels
    assert result.score == pytest.approx(loss, abs=1e-9)
    assert result.suppressed_records == suppressed
