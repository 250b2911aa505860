"""The anonymisation entry point: encode, search, apply, measure risk, report."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from piguard.anonymize.engine import SearchResult, encode, search
from piguard.anonymize.hierarchy import TOP, Hierarchy
from piguard.anonymize.metrics import QualityModel, quality_model
from piguard.anonymize.models import PrivacyModel
from piguard.anonymize.risk import RiskSummary, assess
from piguard.anonymize.table import Table

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
) -> AnonymizationResult:
    """Anonymise ``table`` by full-domain generalisation and record suppression.

    The quasi-identifiers are generalised to the optimal levels; records in classes that
    fail a privacy model are suppressed (every quasi-identifier becomes ``*``) when the
    total stays within ``max_suppression``. Other columns are kept as they are.
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
    columns = dict(table.columns)
    leaves = data.bottom.codes[data.record_inv]
    for d, name in enumerate(quasi):
        level = result.levels[d]
        labels = np.array(data.labels[d][level], dtype=object)
        out = labels[data.maps[d][level][leaves[:, d]]]
        out[suppressed_rows] = suppression_label
        columns[name] = out.tolist()
    output = Table(list(table.header), columns, table.source, table.delimiter)
    released = result.table.counts[~result.suppressed_classes]
    after_sizes = released.tolist()
    if result.suppressed_records:
        after_sizes.append(result.suppressed_records)
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
    )
