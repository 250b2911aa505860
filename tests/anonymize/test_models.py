"""Privacy models, table-driven, against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from piguard.anonymize import (
    DistinctLDiversity,
    EntropyLDiversity,
    EqualDistanceTCloseness,
    HierarchicalDistanceTCloseness,
    Hierarchy,
    KAnonymity,
    OrderedDistanceTCloseness,
    RecursiveCLDiversity,
)
from piguard.anonymize.models import SensitiveDomain
from piguard.errors import ConfigError

VALUES = ("1", "2", "3", "4")
UNIFORM = SensitiveDomain(VALUES, np.full(4, 0.25), np.arange(4))
DISTS = {"s": np.array([[2, 2, 0, 0], [2, 0, 2, 0], [4, 0, 0, 0], [1, 1, 1, 1]])}
COUNTS = np.array([4, 4, 4, 4])


def test_k_anonymity() -> None:
    assert KAnonymity(4).check(COUNTS, {}).all()
    assert not KAnonymity(5).check(COUNTS, {}).any()
    with pytest.raises(ConfigError):
        KAnonymity(0)


def test_l_diversity_variants() -> None:
    assert DistinctLDiversity("s", 2).check(COUNTS, DISTS).tolist() == [True, True, False, True]
    # Entropy of (2,2) is ln 2: 2-diverse but not 2.1-diverse.
    assert EntropyLDiversity("s", 2).check(COUNTS, DISTS).tolist() == [True, True, False, True]
    assert EntropyLDiversity("s", 2.1).check(COUNTS, DISTS).tolist() == [False, False, False, True]
    # Recursive (c,l): r1 < c (r_l + ... + r_m).
    assert RecursiveCLDiversity("s", 1.0, 2).check(COUNTS, DISTS).tolist() == [
        False,
        False,
        False,
        True,
    ]
    assert RecursiveCLDiversity("s", 1.5, 2).check(COUNTS, DISTS).tolist() == [
        True,
        True,
        False,
        True,
    ]


def test_equal_and_ordered_distance() -> None:
    eq = EqualDistanceTCloseness("s", 0.5)
    eq.prepare({"s": UNIFORM})
    assert eq.distance(DISTS) == pytest.approx([0.5, 0.5, 0.75, 0.0])
    od = OrderedDistanceTCloseness("s", 0.5)
    od.prepare({"s": UNIFORM})
    # (1,0,0,0) against uniform: cumulative differences .75, .5, .25, 0 -> 1.5 / 3.
    assert od.distance(DISTS)[2] == pytest.approx(0.5)
    assert od.distance(DISTS)[0] == pytest.approx((0.25 + 0.5 + 0.25) / 3)
    assert od.check(COUNTS, DISTS).tolist() == [True, True, True, True]


def test_hierarchical_distance() -> None:
    h = Hierarchy.from_rows(
        "s", [["1", "X", "*"], ["2", "X", "*"], ["3", "Y", "*"], ["4", "Y", "*"]]
    )
    hd = HierarchicalDistanceTCloseness("s", 0.3, hierarchy=h)
    hd.prepare({"s": UNIFORM})
    # Moving mass between X and Y costs 1 (top level); within X or Y it costs 1/2.
    # (1,0,0,0): within X 0.25 moves at cost 1/2, then 0.5 moves from X to Y at cost 1.
    assert hd.distance(DISTS) == pytest.approx([0.5, 0.25, 0.625, 0.0])
    assert hd.check(COUNTS, DISTS).tolist() == [False, True, False, True]


def test_hierarchical_distance_needs_a_tree() -> None:
    h = Hierarchy.from_rows(
        "s", [["1", "X", "A"], ["2", "X", "B"], ["3", "Y", "A"], ["4", "Y", "A"]]
    )
    with pytest.raises(ConfigError, match="not a tree"):
        HierarchicalDistanceTCloseness("s", 0.3, hierarchy=h).prepare({"s": UNIFORM})


def test_bad_parameters() -> None:
    with pytest.raises(ConfigError):
        EqualDistanceTCloseness("s", 1.5)
    with pytest.raises(ConfigError):
        RecursiveCLDiversity("s", 0, 2)
    assert math.isclose(EntropyLDiversity("s", 3).min_class_size, 3)
