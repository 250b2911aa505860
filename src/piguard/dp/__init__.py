"""Differential privacy (差分隐私): an explicit privacy accountant with a persistent ledger,
and differentially private statistics built on OpenDP.

GB/T 37964-2019 Appendix B describes the server model: a component answers queries, tracks
the cumulative privacy loss, and stops when the budget is spent. :class:`PrivacyAccountant`
is that component; :func:`release` spends from it.
"""

from piguard.dp.accountant import DatasetRef, Ledger, PrivacyAccountant, dataset_ref
from piguard.dp.stats import Answer, Query, Release, parse_query, quantile_rank_bound, release

__all__ = [
    "Answer",
    "DatasetRef",
    "Ledger",
    "PrivacyAccountant",
    "Query",
    "Release",
    "dataset_ref",
    "parse_query",
    "quantile_rank_bound",
    "release",
]
