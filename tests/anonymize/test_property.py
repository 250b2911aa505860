"""Property tests: on random small tables the output really is k-anonymous and l-diverse,
suppression stays within its limit, and the search finds the same optimum as trying every
transformation."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piguard.anonymize import (
    DistinctLDiversity,
    EntropyLDiversity,
    KAnonymity,
    Loss,
    PrivacyModel,
    QualityModel,
    Table,
    anonymize_table,
    encode,
    interval_hierarchy,
    mapping_hierarchy,
    quality_model,
    redaction_hierarchy,
    search,
)
from piguard.anonymize.engine import rollup
from piguard.errors import ConfigError, InfeasibleError

tables = st.integers(min_value=8, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 99), min_size=n, max_size=n),
        st.lists(
            st.sampled_from(["1001", "1002", "1013", "2021", "2022", "3999"]),
            min_size=n,
            max_size=n,
        ),
        st.lists(st.sampled_from(["flu", "cold", "hiv", "none"]), min_size=n, max_size=n),
    )
)


def _setup(
    ages: list[int], codes: list[str], disease: list[str]
) -> tuple[Table, dict[str, object]]:
    cols = {"age": [str(a) for a in ages], "zip": codes, "disease": disease}
    hs = {
        "age": interval_hierarchy("age", cols["age"], widths=[10, 50]),
        "zip": redaction_hierarchy("zip", codes),
    }
    return Table(["age", "zip", "disease"], cols, "random"), hs


def _brute_force(
    data: object, models: list[PrivacyModel], limit: int, quality: QualityModel | None = None
) -> float | None:
    best = None
    quality = quality or Loss()
    quality.prepare(data)  # type: ignore[arg-type]
    for m in models:
        m.prepare(data.domains)  # type: ignore[attr-defined]
    heights = data.heights  # type: ignore[attr-defined]
    for node in itertools.product(*[range(h) for h in heights]):
        table = rollup(data, data.bottom, tuple([0] * len(heights)), node)  # type: ignore[arg-type]
        ok = np.ones(len(table.counts), dtype=bool)
        for m in models:
            ok &= m.check(table.counts, table.dists)
        if table.counts[~ok].sum() <= limit:
            value = quality.evaluate(node, table, ~ok)[0]
            best = value if best is None else min(best, value)
    return best


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables, st.integers(2, 5), st.sampled_from([0.0, 0.1, 0.3]), st.booleans())
def test_output_is_k_anonymous_l_diverse_and_optimal(
    t: tuple[list[int], list[str], list[str]], k: int, suppression: float, diverse: bool
) -> None:
    table, hs = _setup(*t)
    models: list[PrivacyModel] = [KAnonymity(k)]
    if diverse:
        models.append(DistinctLDiversity("disease", 2))
    try:
        result = anonymize_table(
            table,
            quasi=["age", "zip"],
            hierarchies=hs,  # type: ignore[arg-type]
            models=models,
            sensitive=["disease"],
            max_suppression=suppression,
        )
    except InfeasibleError:
        data = encode(table.columns, ["age", "zip"], hs, sensitive=["disease"])  # type: ignore[arg-type]
        assert _brute_force(data, models, int(suppression * table.rows + 1e-9)) is None
        return
    out = result.table.columns
    rows = list(zip(out["age"], out["zip"], strict=True))
    gone = set(result.suppressed_rows)
    assert all(rows[i] == ("*", "*") for i in gone)
    released = [i for i in range(len(rows)) if i not in gone]
    assert len(gone) == result.search.suppressed_records <= suppression * table.rows + 1e-9
    classes = Counter(rows[i] for i in released)
    assert all(size >= k for size in classes.values())
    if diverse:
        for key in classes:
            assert len({out["disease"][i] for i in released if rows[i] == key}) >= 2
    # Every released value is a generalisation of the original one at the chosen level.
    for i in released:
        assert out["age"][i] == hs["age"].generalize(
            table.columns["age"][i], result.transformation["age"]
        )  # type: ignore[attr-defined]
    data = encode(table.columns, ["age", "zip"], hs, sensitive=["disease"])  # type: ignore[arg-type]
    expected = _brute_force(data, models, int(suppression * table.rows + 1e-9))
    assert expected is not None
    assert abs(result.search.score - expected) < 1e-9


@settings(max_examples=25, deadline=None)
@given(tables, st.sampled_from([0.0, 0.2]))
def test_non_monotonic_models_still_optimal(
    t: tuple[list[int], list[str], list[str]], suppression: float
) -> None:
    """Entropy l-diversity with suppression is not monotonic: the search checks every node."""
    table, hs = _setup(*t)
    data = encode(table.columns, ["age", "zip"], hs, sensitive=["disease"])  # type: ignore[arg-type]
    models: list[PrivacyModel] = [KAnonymity(2), EntropyLDiversity("disease", 1.5)]
    limit = int(suppression * table.rows + 1e-9)
    expected = _brute_force(data, models, limit)
    try:
        result = search(data, models, max_suppression=suppression)
    except InfeasibleError:
        assert expected is None
        return
    assert expected is not None
    assert abs(result.score - expected) < 1e-9


@settings(max_examples=20, deadline=None)
@given(tables, st.sampled_from(["discernibility", "aecs", "entropy"]), st.sampled_from([0.0, 0.2]))
def test_other_quality_models_are_optimal(
    t: tuple[list[int], list[str], list[str]], metric: str, suppression: float
) -> None:
    """Discernibility and AECS learn their bounds during the search; entropy has static ones."""
    table, hs = _setup(*t)
    data = encode(table.columns, ["age", "zip"], hs, sensitive=["disease"])  # type: ignore[arg-type]
    models: list[PrivacyModel] = [KAnonymity(3)]
    limit = int(suppression * table.rows + 1e-9)
    expected = _brute_force(data, models, limit, quality_model(metric))
    try:
        result = search(data, models, max_suppression=suppression, quality=quality_model(metric))
    except InfeasibleError:
        assert expected is None
        return
    assert expected is not None
    assert abs(result.score - expected) <= 1e-9 * max(1.0, abs(expected))


def test_hierarchy_that_is_not_a_tree_is_refused() -> None:
    """Level-1 label X sits under P for 'a' but under Q for 'c': generalising from level 1 to
    level 2 could split a class, so (like ARX) such a hierarchy is refused."""
    cols = {"l": ["a", "b", "c", "d"]}
    hs = {
        "l": mapping_hierarchy(
            "l", {"a": ["X", "P"], "b": ["Y", "P"], "c": ["X", "Q"], "d": ["Y", "Q"]}
        )
    }
    with pytest.raises(ConfigError, match=r"not a tree: rows 1 and 3 share their level-1 label"):
        encode(cols, ["l"], hs)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(tables, st.integers(2, 4), st.sampled_from([0.1, 0.3]))
def test_local_recoding_stays_k_anonymous_and_l_diverse(
    t: tuple[list[int], list[str], list[str]], k: int, suppression: float
) -> None:
    table, hs = _setup(*t)
    models: list[PrivacyModel] = [KAnonymity(k), DistinctLDiversity("disease", 2)]
    kwargs = {"quasi": ["age", "zip"], "hierarchies": hs, "models": models,
              "sensitive": ["disease"], "max_suppression": suppression}  # fmt: skip
    try:
        plain = anonymize_table(table, **kwargs)  # type: ignore[arg-type]
    except InfeasibleError:
        return
    local = anonymize_table(table, local_recoding=True, **kwargs)  # type: ignore[arg-type]
    assert local.search.suppressed_records <= plain.search.suppressed_records
    out = local.table.columns
    rows = list(zip(out["age"], out["zip"], strict=True))
    gone = set(local.suppressed_rows)
    assert all(rows[i] == ("*", "*") for i in gone)
    released = [i for i in range(len(rows)) if i not in gone]
    assert len(gone) == local.search.suppressed_records
    classes = Counter(rows[i] for i in released)
    assert all(size >= k for size in classes.values())
    for key in classes:
        assert len({out["disease"][i] for i in released if rows[i] == key}) >= 2
