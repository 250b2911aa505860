"""The anonymisation entry point: encode, search, apply, measure risk, report."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from piguard.anonymize.engine import SearchResult, encode, search
from piguard.anonymize.hierarchy import TOP, Hierarchy
from piguard.anonymize.metrics import Loss, QualityModel, quality_model
from piguard.anonymize.models import DistinctLDiversity, EntropyLDiversity, KAnonymity, PrivacyModel
from piguard.anonymize.risk import RiskSummary, assess
from piguard.anonymize.table import Table
from piguard.errors import ConfigError, InfeasibleError

__all__ = ["AnonymizationResult", "anonymize_table"]

#: Class-size histogram bins for reports: [lo, hi) record counts.
SIZE_BINS: tuple[tuple[int, int | None], ...] = (
    (1, 2),
    (2, 5),
    (5, 10),
    (10, 20),
    (20, 50),
    (50, 100),
    (100, 1000),
    (1000, None),
)


@dataclass
class AnonymizationResult:
    """The anonymised table and everything the report needs."""

    table: Table
    quasi: list[str]
    sensitive: list[str]
    models: list[PrivacyModel]
    quality: str
    max_suppression: float
    search: SearchResult
    class_sizes: list[int]
    risk_before: RiskSummary
    risk_after: RiskSummary
    elapsed_s: float
    local_rounds: list[dict[str, Any]] = field(default_factory=list)
    #: Row numbers (from 0) of the suppressed records.
    suppressed_rows: list[int] = field(default_factory=list)

    @property
    def transformation(self) -> dict[str, int]:
        return dict(zip(self.quasi, self.search.levels, strict=True))

    def report(self) -> dict[str, Any]:
        """The JSON report. It names columns and levels, never values of the data."""
        s = self.search
        sizes = np.array(self.class_sizes)
        histogram = []
        for lo, hi in SIZE_BINS:
            mask = (sizes >= lo) if hi is None else ((sizes >= lo) & (sizes < hi))
            histogram.append(
                {
                    "min": lo,
                    "max": None if hi is None else hi - 1,
                    "classes": int(mask.sum()),
                    "records": int(sizes[mask].sum()),
                }
            )
        return {
            "source": self.table.source,
            "records": self.risk_before.records,
            "quasi_identifiers": self.quasi,
            "sensitive": self.sensitive,
            "privacy_models": [m.describe() for m in self.models],
            "max_suppression": self.max_suppression,
            "quality_model": self.quality,
            "transformation": {
                name: {"level": level, "max_level": s.lattice_levels[d] - 1}
                for d, (name, level) in enumerate(zip(self.quasi, s.levels, strict=True))
            },
            "loss": s.score,
            "loss_per_attribute": dict(zip(self.quasi, s.score_parts, strict=False)),
            "suppressed_records": s.suppressed_records,
            "classes": {
                "count": len(self.class_sizes),
                "smallest": int(sizes.min()) if len(sizes) else 0,
                "largest": int(sizes.max()) if len(sizes) else 0,
                "average": float(sizes.mean()) if len(sizes) else 0.0,
                "histogram": histogram,
            },
            "risk_before": self.risk_before.to_dict(),
            "risk_after": self.risk_after.to_dict(),
            "search": {
                "optimal": s.optimal,
                "nodes_total": s.nodes_total,
                "nodes_checked": s.nodes_checked,
                "search_time_s": round(s.elapsed_s, 6),
            },
            "local_recoding": self.local_rounds,
            "time_s": round(self.elapsed_s, 6),
        }


def anonymize_table(
    table: Table,
    *,
    quasi: Sequence[str],
    hierarchies: Mapping[str, Hierarchy],
    models: Sequence[PrivacyModel],
    sensitive: Sequence[str] = (),
    max_suppression: float = 0.0,
    quality: str | QualityModel = "loss",
    strategy: Literal["optimal", "heuristic", "auto"] = "auto",
    time_limit_s: float = 10.0,
    population: int | None = None,
    risk_threshold: float = 0.2,
    suppression_label: str = TOP,
    local_recoding: bool = False,
    max_rounds: int = 20,
) -> AnonymizationResult:
    """Anonymise ``table`` by full-domain generalisation and record suppression.

    The quasi-identifiers are generalised to the optimal levels; records in classes that
    fail a privacy model are suppressed (every quasi-identifier becomes ``*``) when the
    total stays within ``max_suppression``. Other columns are kept as they are.

    With ``local_recoding``, the records that would be suppressed are anonymised again on
    their own, with their own optimal levels (and the same suppression limit, relative to
    them), round after round while that releases records — ARX's approach to local
    recoding. Classes with equal released values then merge, which keeps k-anonymity and
    distinct and entropy l-diversity; only those models and the Loss quality model are
    allowed with it.
    """
    started = time.perf_counter()
    data = encode(
        table.columns, list(quasi), hierarchies, sensitive=list(sensitive), source=table.source
    )
    qm = quality_model(quality) if isinstance(quality, str) else quality
    result = search(
        data,
        models,
        max_suppression=max_suppression,
        quality=qm,
        strategy=strategy,
        time_limit_s=time_limit_s,
    )
    record_class = result.table.bottom_inv[data.record_inv]
    suppressed_rows = result.suppressed_classes[record_class]
    leaves = data.bottom.codes[data.record_inv]
    record_levels = np.tile(np.array(result.levels, dtype=np.int64), (data.n, 1))
    rounds: list[dict[str, Any]] = []
    if local_recoding and suppressed_rows.any():
        _local_recoding_allowed(models, qm)
        suppressed_rows = _recode_locally(
            table, list(quasi), hierarchies, models, list(sensitive), max_suppression, qm,
            suppressed_rows, record_levels, rounds, max_rounds,
        )  # fmt: skip
        assert isinstance(qm, Loss)
        qm.prepare(data)  # the rounds prepared it for their subsets
        result.score, result.score_parts = qm.record_score(leaves, record_levels, suppressed_rows)
        result.suppressed_records = int(suppressed_rows.sum())
    columns = dict(table.columns)
    for d, name in enumerate(quasi):
        out = np.empty(data.n, dtype=object)
        for level in np.unique(record_levels[:, d]).tolist():
            rows = record_levels[:, d] == level
            labels = np.array(data.labels[d][level], dtype=object)
            out[rows] = labels[data.maps[d][level][leaves[rows, d]]]
        out[suppressed_rows] = suppression_label
        columns[name] = out.tolist()
    output = Table(list(table.header), columns, table.source, table.delimiter)
    if rounds:
        keys = list(zip(*(columns[q] for q in quasi), strict=True))
        released_keys = [k for k, s in zip(keys, suppressed_rows.tolist(), strict=True) if not s]
        released = np.array(sorted(Counter(released_keys).values()), dtype=np.int64)
    else:
        released = result.table.counts[~result.suppressed_classes]
    after_sizes = released.tolist()
    if int(suppressed_rows.sum()):
        after_sizes.append(int(suppressed_rows.sum()))
    before = assess(data.bottom.counts, threshold=risk_threshold, population=population)
    after = assess(np.array(after_sizes), threshold=risk_threshold, population=population)
    return AnonymizationResult(
        table=output,
        quasi=list(quasi),
        sensitive=list(sensitive),
        models=list(models),
        quality=qm.name,
        max_suppression=max_suppression,
        search=result,
        class_sizes=[int(x) for x in released],
        risk_before=before,
        risk_after=after,
        elapsed_s=time.perf_counter() - started,
        local_rounds=rounds,
        suppressed_rows=np.flatnonzero(suppressed_rows).tolist(),
    )


def _local_recoding_allowed(models: Sequence[PrivacyModel], quality: QualityModel) -> None:
    for m in models:
        if not isinstance(m, KAnonymity | DistinctLDiversity | EntropyLDiversity):
            raise ConfigError(
                "local recoding keeps k-anonymity and distinct/entropy l-diversity only,"
                f" not {m.describe()}"
            )
    if not isinstance(quality, Loss):
        raise ConfigError("local recoding is available with the Loss quality model only")


def _recode_locally(
    table: Table,
    quasi: list[str],
    hierarchies: Mapping[str, Hierarchy],
    models: Sequence[PrivacyModel],
    sensitive: list[str],
    max_suppression: float,
    quality: QualityModel,
    suppressed: npt.NDArray[np.bool_],
    record_levels: npt.NDArray[np.int64],
    rounds: list[dict[str, Any]],
    max_rounds: int,
) -> npt.NDArray[np.bool_]:
    """Re-anonymise the suppressed records on their own until that releases no more."""
    suppressed = suppressed.copy()
    for _ in range(max_rounds):
        rows = np.flatnonzero(suppressed)
        if len(rows) == 0:
            break
        picked = rows.tolist()
        sub = {c: [table.columns[c][i] for i in picked] for c in [*quasi, *sensitive]}
        try:
            data = encode(sub, quasi, hierarchies, sensitive=sensitive, source=table.source)
            res = search(data, models, max_suppression=max_suppression, quality=quality)
        except InfeasibleError:
            break
        still = res.suppressed_classes[res.table.bottom_inv[data.record_inv]]
        if still.all():
            break
        released = rows[~still]
        record_levels[released] = np.array(res.levels, dtype=np.int64)
        suppressed[released] = False
        rounds.append(
            {"levels": dict(zip(quasi, res.levels, strict=True)), "records": len(released)}
        )
    return suppressed
