"""Quality models (有用性度量): how much information a transformation loses.

* :class:`Loss` — ARX's default "Loss" model (Bild, Kuhn, Prasser, SafePub, PoPETs 2018,
  Section 5.1; ARX ``MetricMDNMLoss``). For each quasi-identifier the share of the domain
  that a generalised value covers (value 1 for ``*``, 1/|domain| for an original value) is
  summed over the records; a suppressed record counts as fully generalised. The sum is
  normalised to [0, 1] per attribute, (x − n/|domain|) / (n − n/|domain|), and the
  attributes are combined by a geometric mean, Π(1 + xᵢ)^(1/d) − 1. The generalisation /
  suppression factor (default 0.5) weights the two as ARX does. |domain| is the number of
  rows of the hierarchy, as in ARX.
* :class:`Discernibility` — Σ|E|² over released classes plus n per suppressed record.
* :class:`AverageClassSize` — AECS: released records divided by the number of classes
  (the suppressed records counting as one class).
* :class:`NonUniformEntropy` — Σ over attributes and records of
  −log₂(frequency of the original value / frequency of the released value), in bits.

All are "lower is better". Each offers a cheap lower bound per lattice node where one
exists, which the search uses to prune (branch and bound).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from piguard.errors import ConfigError

if TYPE_CHECKING:
    from piguard.anonymize.engine import ClassTable, EncodedData

__all__ = ["AverageClassSize", "Discernibility", "Loss", "NonUniformEntropy", "QualityModel"]

F64 = npt.NDArray[np.float64]


class QualityModel(Protocol):
    """A quality model scores a transformation; lower is better."""

    name: str

    #: True when, without suppression, generalising further never lowers the score.
    monotonic: bool

    def prepare(self, data: EncodedData) -> None:
        """Precompute tables once per data set."""
        ...

    def lower_bounds(self, levels: npt.NDArray[np.int64]) -> F64 | None:
        """A lower bound of the score for every node (rows of ``levels``), or None."""
        ...

    def evaluate(
        self, levels: tuple[int, ...], table: ClassTable, suppressed: npt.NDArray[np.bool_]
    ) -> tuple[float, list[float]]:
        """The score of a transformation and its per-attribute parts."""
        ...


def _floor10(x: F64) -> F64:
    # ARX compares information loss after cutting it to ten decimal places.
    result: F64 = np.floor(x * 1e10) / 1e10
    return result


@dataclass
class Loss:
    """ARX's Loss quality model (default). See the module docstring."""

    gs_factor: float = 0.5
    aggregate: str = "geometric"
    weights: dict[str, float] | None = None
    name: str = "loss"
    monotonic: bool = True
    _shares: list[list[F64]] = field(default_factory=list, repr=False)
    _lb: list[F64] = field(default_factory=list, repr=False)
    _w: F64 = field(default_factory=lambda: np.zeros(0), repr=False)
    _n: float = 0.0
    _domain: F64 = field(default_factory=lambda: np.zeros(0), repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.gs_factor <= 1.0:
            raise ConfigError("the generalisation/suppression factor must be in [0, 1]")
        if self.aggregate not in {"geometric", "arithmetic", "sum", "max"}:
            raise ConfigError(f"unknown aggregate function {self.aggregate!r}")
        self.s_factor = 2.0 * self.gs_factor if self.gs_factor < 0.5 else 1.0
        self.g_factor = 1.0 if self.gs_factor <= 0.5 else 1.0 - 2.0 * (self.gs_factor - 0.5)

    def prepare(self, data: EncodedData) -> None:
        self._n = float(data.n)
        self._domain = np.array([float(len(h.rows)) for h in data.hierarchies])
        w = np.array([(self.weights or {}).get(name, 1.0) for name in data.names], dtype=float)
        self._w = w / w.max() if w.max() > 0 else np.ones_like(w)
        self._shares = []
        self._lb = []
        leaves = data.bottom.codes
        counts = data.bottom.counts.astype(np.float64)
        for d, maps in enumerate(data.maps):
            shares_d = []
            lb_d = np.zeros(len(maps))
            for level, m in enumerate(maps):
                per_code = np.bincount(m, minlength=data.cards[d][level]) / self._domain[d]
                shares_d.append(per_code)
                lb_d[level] = float((per_code[m[leaves[:, d]]] * counts).sum()) * self.g_factor
            self._shares.append(shares_d)
            self._lb.append(self._normalise(lb_d, d))
        self._names = list(data.names)
        self._maps = data.maps

    def _normalise(self, aggregate: F64, d: int) -> F64:
        lo = self.g_factor * self._n / self._domain[d]
        hi = self._n
        if hi - lo <= 0:
            return np.zeros_like(aggregate)
        return _floor10(np.maximum((aggregate - lo) / (hi - lo), 0.0))

    def _combine(self, values: F64) -> F64:
        """Combine per-attribute values (last axis) into one score."""
        weighted = values * self._w
        dims = values.shape[-1]
        if self.aggregate == "geometric":
            result: F64 = np.prod(np.power(weighted + 1.0, 1.0 / dims), axis=-1) - 1.0
        elif self.aggregate == "arithmetic":
            result = weighted.mean(axis=-1)
        elif self.aggregate == "sum":
            result = weighted.sum(axis=-1)
        else:
            result = weighted.max(axis=-1)
        return result

    def record_score(
        self,
        leaves: npt.NDArray[np.int64],
        levels: npt.NDArray[np.int64],
        suppressed: npt.NDArray[np.bool_],
    ) -> tuple[float, list[float]]:
        """The score when each record has its own levels (local recoding): ``leaves`` and
        ``levels`` are (records, attributes), ``suppressed`` one flag per record."""
        parts = np.zeros(leaves.shape[1])
        for d in range(leaves.shape[1]):
            share = np.zeros(len(leaves))
            for level in np.unique(levels[:, d]).tolist():
                rows = levels[:, d] == level
                share[rows] = self._shares[d][level][self._maps[d][level][leaves[rows, d]]]
            supp = (
                np.ones_like(share) if self.s_factor == 1.0 else share + self.s_factor * (1 - share)
            )
            parts[d] = float(np.where(suppressed, supp, share * self.g_factor).sum())
        per = self._normalise_all(parts)
        return float(self._combine(per[None, :])[0]), per.tolist()

    def lower_bounds(self, levels: npt.NDArray[np.int64]) -> F64:
        per = np.stack([self._lb[d][levels[:, d]] for d in range(levels.shape[1])], axis=1)
        return self._combine(per)

    def evaluate(
        self, levels: tuple[int, ...], table: ClassTable, suppressed: npt.NDArray[np.bool_]
    ) -> tuple[float, list[float]]:
        counts = table.counts.astype(np.float64)
        share = np.empty((len(counts), len(levels)))
        for d, level in enumerate(levels):
            share[:, d] = self._shares[d][level][table.codes[:, d]]
        share *= counts[:, None]
        if self.s_factor == 1.0:
            supp = np.broadcast_to(counts[:, None], share.shape)
        else:
            supp = share + self.s_factor * (counts[:, None] - share)
        parts = np.where(suppressed[:, None], supp, share * self.g_factor).sum(axis=0)
        per = self._normalise_all(parts)
        return float(self._combine(per[None, :])[0]), per.tolist()

    def _normalise_all(self, parts: F64) -> F64:
        """Normalise one aggregate per attribute (the vector form of ``_normalise``)."""
        lo = self.g_factor * self._n / self._domain
        span = self._n - lo
        safe = np.where(span > 0, span, 1.0)
        return np.where(span > 0, _floor10(np.maximum((parts - lo) / safe, 0.0)), 0.0)


@dataclass
class Discernibility:
    """Discernibility: Σ|E|² over released classes plus n for every suppressed record."""

    name: str = "discernibility"
    monotonic: bool = True
    _n: int = 0

    def prepare(self, data: EncodedData) -> None:
        self._n = data.n

    def lower_bounds(self, levels: npt.NDArray[np.int64]) -> F64 | None:
        return None

    def evaluate(
        self, levels: tuple[int, ...], table: ClassTable, suppressed: npt.NDArray[np.bool_]
    ) -> tuple[float, list[float]]:
        c = table.counts.astype(np.float64)
        value = float((c[~suppressed] ** 2).sum() + c[suppressed].sum() * self._n)
        return value, []


@dataclass
class AverageClassSize:
    """Average equivalence-class size (AECS); suppressed records form one class."""

    name: str = "aecs"
    monotonic: bool = True
    _n: int = 0

    def prepare(self, data: EncodedData) -> None:
        self._n = data.n

    def lower_bounds(self, levels: npt.NDArray[np.int64]) -> F64 | None:
        return None

    def evaluate(
        self, levels: tuple[int, ...], table: ClassTable, suppressed: npt.NDArray[np.bool_]
    ) -> tuple[float, list[float]]:
        classes = int((~suppressed).sum()) + (1 if suppressed.any() else 0)
        return (self._n / classes if classes else 0.0), []


@dataclass
class NonUniformEntropy:
    """Non-uniform entropy in bits: Σ −log₂(f(original) / f(released)) over values."""

    name: str = "entropy"
    monotonic: bool = True
    _cost: list[list[F64]] = field(default_factory=list, repr=False)
    _lb: list[F64] = field(default_factory=list, repr=False)
    _bottom_counts: F64 = field(default_factory=lambda: np.zeros(0), repr=False)
    _bottom_codes: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.zeros((0, 0), dtype=np.int64), repr=False
    )

    def prepare(self, data: EncodedData) -> None:
        leaves = data.bottom.codes
        counts = data.bottom.counts.astype(np.float64)
        self._bottom_counts = counts
        self._bottom_codes = leaves
        self._cost = []
        self._lb = []
        for d, maps in enumerate(data.maps):
            freq0 = np.bincount(leaves[:, d], weights=counts, minlength=len(maps[0]))
            cost_d = []
            lb_d = np.zeros(len(maps))
            for level, m in enumerate(maps):
                freq_l = np.bincount(m, weights=freq0, minlength=data.cards[d][level])
                with np.errstate(divide="ignore", invalid="ignore"):
                    c = np.where(
                        freq0 > 0, -np.log2(freq0 / np.where(freq_l[m] > 0, freq_l[m], 1.0)), 0.0
                    )
                cost_d.append(c)
                lb_d[level] = float((c[leaves[:, d]] * counts).sum())
            top = np.where(
                freq0 > 0, -np.log2(np.where(freq0 > 0, freq0, 1.0) / float(counts.sum())), 0.0
            )
            cost_d.append(top)
            self._cost.append(cost_d)
            self._lb.append(lb_d)

    def lower_bounds(self, levels: npt.NDArray[np.int64]) -> F64:
        result: F64 = sum(
            (self._lb[d][levels[:, d]] for d in range(levels.shape[1])), np.zeros(len(levels))
        )
        return result

    def evaluate(
        self, levels: tuple[int, ...], table: ClassTable, suppressed: npt.NDArray[np.bool_]
    ) -> tuple[float, list[float]]:
        supp_bottom = suppressed[table.bottom_inv]
        parts = []
        for d, level in enumerate(levels):
            leaf = self._bottom_codes[:, d]
            c = np.where(supp_bottom, self._cost[d][-1][leaf], self._cost[d][level][leaf])
            parts.append(float((c * self._bottom_counts).sum()))
        return float(sum(parts)) if parts else 0.0, parts


def quality_model(name: str) -> QualityModel:
    """A quality model by name: ``loss`` (default), ``discernibility``, ``aecs``, ``entropy``."""
    models: dict[str, type] = {
        "loss": Loss,
        "discernibility": Discernibility,
        "aecs": AverageClassSize,
        "entropy": NonUniformEntropy,
    }
    try:
        model: QualityModel = models[name.lower()]()
    except KeyError:
        raise ConfigError(
            f"unknown quality model {name!r} (choose from {', '.join(models)})"
        ) from None
    return model
