"""Privacy models (隐私模型): k-anonymity, l-diversity and t-closeness, combinable.

GB/T 37964-2019 Appendix B names K-匿名 (every equivalence class on the quasi-identifiers
has at least K records) and its extensions L-多样性 and T-接近性. Each model here checks
all equivalence classes of a candidate transformation at once (numpy arrays in, a boolean
per class out); a class that fails is suppressed if the suppression limit allows.

The definitions follow ARX, so that results can be compared with it:

* distinct l-diversity: at least ``l`` different sensitive values per class;
* entropy l-diversity: Shannon entropy of the class's sensitive values ≥ ln(l);
* recursive (c,l)-diversity: r₁ < c·(r_l + … + r_m) with r sorted in decreasing order;
* t-closeness: earth mover's distance between the class's and the whole table's
  distribution ≤ t, with equal ground distance (half the L1 distance), ordered distance
  (values in their natural order, normalised by m−1) or hierarchical distance (Li et al.
  2007, on the sensitive attribute's hierarchy).

>>> import numpy as np
>>> KAnonymity(3).check(np.array([2, 3, 5]), {}).tolist()
[False, True, True]
>>> DistinctLDiversity("disease", 2).check(np.array([3]), {"disease": np.array([[3, 0]])}).tolist()
[False]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from piguard.errors import ConfigError

if TYPE_CHECKING:
    from piguard.anonymize.hierarchy import Hierarchy

__all__ = [
    "DistinctLDiversity",
    "EntropyLDiversity",
    "EqualDistanceTCloseness",
    "HierarchicalDistanceTCloseness",
    "KAnonymity",
    "OrderedDistanceTCloseness",
    "PrivacyModel",
    "RecursiveCLDiversity",
    "SensitiveDomain",
]

Counts = npt.NDArray[np.int64]
Dist = npt.NDArray[np.int64]

# A little slack for floating-point comparisons of entropies and distances.
_EPS = 1e-12


@dataclass(frozen=True)
class SensitiveDomain:
    """What the models need to know about one sensitive column: its values (dense codes
    0..m-1 in this order) and its overall distribution in the input."""

    values: tuple[str, ...]
    overall: npt.NDArray[np.float64]
    order: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


class PrivacyModel(Protocol):
    """A privacy model checks every equivalence class at once."""

    @property
    def attribute(self) -> str | None:
        """The sensitive column it needs, or None (k-anonymity)."""
        ...

    @property
    def monotonic_with_suppression(self) -> bool:
        """True if a generalisation of a transformation that satisfies the model with
        suppression also satisfies it (used to prune the search)."""
        ...

    @property
    def min_class_size(self) -> int:
        """The smallest class that can ever satisfy the model."""
        ...

    def prepare(self, domains: dict[str, SensitiveDomain]) -> None:
        """Called once with the sensitive domains before the search."""
        ...

    def check(self, counts: Counts, dists: dict[str, Dist]) -> npt.NDArray[np.bool_]:
        """One boolean per class: does it satisfy the model?"""
        ...

    def describe(self) -> str:
        """A one-line description for reports."""
        ...


@dataclass(frozen=True)
class KAnonymity:
    """k-anonymity (K-匿名, GB/T 37964-2019 Appendix B): every class has ≥ k records."""

    k: int
    attribute: str | None = None

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ConfigError("k must be at least 1")

    monotonic_with_suppression = True

    @property
    def min_class_size(self) -> int:
        return self.k

    def prepare(self, domains: dict[str, SensitiveDomain]) -> None:
        return None

    def check(self, counts: Counts, dists: dict[str, Dist]) -> npt.NDArray[np.bool_]:
        return counts >= self.k

    def describe(self) -> str:
        return f"{self.k}-anonymity"


@dataclass(frozen=True)
class _Sensitive:
    attribute: str

    def _dist(self, dists: dict[str, Dist]) -> Dist:
        try:
            return dists[self.attribute]
        except KeyError:
            raise ConfigError(f"sensitive column {self.attribute!r} is not configured") from None


@dataclass(frozen=True)
class DistinctLDiversity(_Sensitive):
    """Distinct l-diversity (L-多样性): each class has at least l different sensitive values."""

    l: int  # noqa: E741 - the model's own letter

    def __post_init__(self) -> None:
        if self.l < 1:
            raise ConfigError("l must be at least 1")

    monotonic_with_suppression = True

    @property
    def min_class_size(self) -> int:
        return self.l

    def prepare(self, domains: dict[str, SensitiveDomain]) -> None:
        return None

    def check(self, counts: Counts, dists: dict[str, Dist]) -> npt.NDArray[np.bool_]:
        result: npt.NDArray[np.bool_] = (self._dist(dists) > 0).sum(axis=1) >= self.l
        return result

    def describe(self) -> str:
        return f"distinct-{self.l}-diversity of {self.attribute!r}"


@dataclass(frozen=True)
class EntropyLDiversity(_Sensitive):
    """Entropy l-diversity: the entropy of each class's sensitive values is at least ln(l)."""

    l: float  # noqa: E741

    def __post_init__(self) -> None:
        if self.l < 1:
            raise ConfigError("l must be at least 1")

    monotonic_with_suppression = False

    @property
    def min_class_size(self) -> int:
        return math.ceil(self.l)

    def prepare(self, domains: dict[str, SensitiveDomain]) -> None:
        return None

    def check(self, counts: Counts, dists: dict[str, Dist]) -> npt.NDArray[np.bool_]:
        d = self._dist(dists).astype(np.float64)
        total = d.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            flogf = np.where(d > 0, d * np.log(np.where(d > 0, d, 1.0)), 0.0).sum(axis=1)
            entropy = np.where(
                total > 0,
                np.log(np.where(total > 0, total, 1.0)) - flogf / np.where(total > 0, total, 1.0),
                0.0,
            )
        enough = (d > 0).sum(axis=1) >= math.ceil(self.l)
        result: npt.NDArray[np.bool_] = enough & (entropy >= math.log(self.l) - _EPS)
        return result

    def describe(self) -> str:
        return f"entropy-{self.l:g}-diversity of {self.attribute!r}"


@dataclass(frozen=True)
class RecursiveCLDiversity(_Sensitive):
    """Recursive (c,l)-diversity: r₁ < c·(r_l + … + r_m), frequencies in decreasing order."""

    c: float
    l: int  # noqa: E741

    def __post_init__(self) -> None:
        if self.l < 1 or self.c <= 0:
            raise ConfigError("recursive (c,l)-diversity needs c > 0 and l ≥ 1")

    monotonic_with_suppression = False

    @property
    def min_class_size(self) -> int:
        return self.l

    def prepare(self, domains: dict[str, SensitiveDomain]) -> None:
        return None

    def check(self, counts: Counts, dists: dict[str, Dist]) -> npt.NDArray[np.bool_]:
        d = self._dist(dists)
        ordered = -np.sort(-d, axis=1)
        enough = (d > 0).sum(axis=1) >= self.l
        tail = ordered[:, self.l - 1 :].sum(axis=1)
        result: npt.NDArray[np.bool_] = enough & (ordered[:, 0] < self.c * tail)
        return result

    def describe(self) -> str:
        return f"recursive-({self.c:g},{self.l})-diversity of {self.attribute!r}"


@dataclass(frozen=True)
class _TCloseness(_Sensitive):
    t: float
    _domain: list[SensitiveDomain] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.t <= 1.0:
            raise ConfigError("t must be between 0 and 1")

    monotonic_with_suppression = False

    @property
    def min_class_size(self) -> int:
        return 1

    def prepare(self, domains: dict[str, SensitiveDomain]) -> None:
        if self.attribute not in domains:
            raise ConfigError(f"sensitive column {self.attribute!r} is not configured")
        self._domain[:] = [domains[self.attribute]]

    def _frequencies(
        self, dists: dict[str, Dist]
    ) -> tuple[npt.NDArray[np.float64], SensitiveDomain]:
        d = self._dist(dists).astype(np.float64)
        total = d.sum(axis=1, keepdims=True)
        return d / np.where(total > 0, total, 1.0), self._domain[0]

    def distance(self, dists: dict[str, Dist]) -> npt.NDArray[np.float64]:
        raise NotImplementedError

    def check(self, counts: Counts, dists: dict[str, Dist]) -> npt.NDArray[np.bool_]:
        result: npt.NDArray[np.bool_] = self.distance(dists) <= self.t + _EPS
        return result


@dataclass(frozen=True)
class EqualDistanceTCloseness(_TCloseness):
    """t-closeness (T-接近性) with equal ground distance: EMD = ½·Σ|pᵢ − qᵢ|."""

    def distance(self, dists: dict[str, Dist]) -> npt.NDArray[np.float64]:
        p, dom = self._frequencies(dists)
        result: npt.NDArray[np.float64] = 0.5 * np.abs(p - dom.overall[None, :]).sum(axis=1)
        return result

    def describe(self) -> str:
        return f"{self.t:g}-closeness (equal distance) of {self.attribute!r}"


@dataclass(frozen=True)
class OrderedDistanceTCloseness(_TCloseness):
    """t-closeness with ordered distance: EMD = Σᵢ |Σ_{j≤i} (pⱼ − qⱼ)| / (m − 1), values in
    their natural order (numeric when all values are numbers)."""

    def distance(self, dists: dict[str, Dist]) -> npt.NDArray[np.float64]:
        p, dom = self._frequencies(dists)
        m = p.shape[1]
        if m <= 1:
            return np.zeros(p.shape[0])
        diff = (p - dom.overall[None, :])[:, dom.order]
        result: npt.NDArray[np.float64] = np.abs(np.cumsum(diff, axis=1)).sum(axis=1) / (m - 1)
        return result

    def describe(self) -> str:
        return f"{self.t:g}-closeness (ordered distance) of {self.attribute!r}"


@dataclass(frozen=True)
class HierarchicalDistanceTCloseness(_TCloseness):
    """t-closeness with hierarchical distance (Li, Li, Venkatasubramanian 2007): moving mass
    between values whose lowest common ancestor is at level j costs j/H."""

    hierarchy: Hierarchy | None = None
    _tree: list[list[npt.NDArray[np.int64]]] = field(
        default_factory=list, repr=False, compare=False
    )

    def prepare(self, domains: dict[str, SensitiveDomain]) -> None:
        super().prepare(domains)
        if self.hierarchy is None:
            raise ConfigError(f"hierarchical t-closeness of {self.attribute!r} needs a hierarchy")
        dom = domains[self.attribute]
        h = self.hierarchy
        parents: list[npt.NDArray[np.int64]] = []
        # Level-j node of each sensitive value, as dense codes; children map to parents.
        prev: npt.NDArray[np.int64] | None = None
        for level in range(1, h.height):
            labels = []
            for v in dom.values:
                row = h.index_of(v)
                if row is None:
                    raise ConfigError(
                        f"sensitive value of {self.attribute!r} is not in its hierarchy"
                    )
                labels.append(h.rows[row][level])
            _, codes = np.unique(np.array(labels, dtype=object).astype(str), return_inverse=True)
            codes = codes.astype(np.int64)
            if prev is None:
                parents.append(codes)
            else:
                n_prev = int(prev.max()) + 1
                up = np.full(n_prev, -1, dtype=np.int64)
                for a, b in zip(prev.tolist(), codes.tolist(), strict=True):
                    if up[a] not in (-1, b):
                        raise ConfigError(f"hierarchy of {self.attribute!r} is not a tree")
                    up[a] = b
                parents.append(up)
            prev = codes
        self._tree[:] = [parents]

    def distance(self, dists: dict[str, Dist]) -> npt.NDArray[np.float64]:
        p, dom = self._frequencies(dists)
        parents = self._tree[0]
        height = len(parents)
        if height == 0:
            return np.zeros(p.shape[0])
        extra = p - dom.overall[None, :]
        cost = np.zeros(p.shape[0])
        for j, up in enumerate(parents, start=1):
            n_up = int(up.max()) + 1
            pos = np.zeros((p.shape[0], n_up))
            neg = np.zeros((p.shape[0], n_up))
            np.add.at(pos.T, up, np.maximum(extra, 0.0).T)
            np.add.at(neg.T, up, np.maximum(-extra, 0.0).T)
            cost += (j / height) * np.minimum(pos, neg).sum(axis=1)
            extra = pos - neg
        return cost

    def describe(self) -> str:
        return f"{self.t:g}-closeness (hierarchical distance) of {self.attribute!r}"
