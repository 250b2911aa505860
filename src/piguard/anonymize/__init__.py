"""Anonymisation (匿名化) with formal privacy models, optimal search and risk measures.

De-identified data is still personal information; only anonymised data is not
(GB/T 35273-2020 3.14, PIPL Art. 73). This package generalises quasi-identifiers along
hierarchies and suppresses records until k-anonymity, l-diversity and t-closeness hold
(GB/T 37964-2019 Appendix B), choosing the transformation that loses least information
(ARX's Loss by default), and measures re-identification risk before and after.

>>> from piguard.anonymize import Hierarchy, KAnonymity, Table, anonymize_table
>>> ages = ["31", "32", "33", "47", "48"]
>>> h = Hierarchy.from_rows("age", [[a, a[0] + "0-" + a[0] + "9", "*"] for a in ages])
>>> t = Table(["age"], {"age": ages}, "example")
>>> anonymize_table(t, quasi=["age"], hierarchies={"age": h}, models=[KAnonymity(2)]).table.columns[
...     "age"
... ]
['30-39', '30-39', '30-39', '40-49', '40-49']
"""

from piguard.anonymize.api import AnonymizationResult, anonymize_table
from piguard.anonymize.engine import EncodedData, SearchResult, encode, search
from piguard.anonymize.hierarchy import (
    Hierarchy,
    date_hierarchy,
    discover_hierarchies,
    division_hierarchy,
    interval_hierarchy,
    mapping_hierarchy,
    read_hierarchy,
    redaction_hierarchy,
)
from piguard.anonymize.metrics import (
    AverageClassSize,
    Discernibility,
    Loss,
    NonUniformEntropy,
    QualityModel,
    quality_model,
)
from piguard.anonymize.models import (
    DistinctLDiversity,
    EntropyLDiversity,
    EqualDistanceTCloseness,
    HierarchicalDistanceTCloseness,
    KAnonymity,
    OrderedDistanceTCloseness,
    PrivacyModel,
    RecursiveCLDiversity,
)
from piguard.anonymize.report import render_html
from piguard.anonymize.risk import POPULATIONS, RiskSummary, assess, population_size
from piguard.anonymize.table import Table, read_table, write_table

__all__ = [
    "POPULATIONS",
    "AnonymizationResult",
    "AverageClassSize",
    "Discernibility",
    "DistinctLDiversity",
    "EncodedData",
    "EntropyLDiversity",
    "EqualDistanceTCloseness",
    "HierarchicalDistanceTCloseness",
    "Hierarchy",
    "KAnonymity",
    "Loss",
    "NonUniformEntropy",
    "OrderedDistanceTCloseness",
    "PrivacyModel",
    "QualityModel",
    "RecursiveCLDiversity",
    "RiskSummary",
    "SearchResult",
    "Table",
    "anonymize_table",
    "assess",
    "date_hierarchy",
    "discover_hierarchies",
    "division_hierarchy",
    "encode",
    "interval_hierarchy",
    "mapping_hierarchy",
    "population_size",
    "quality_model",
    "read_hierarchy",
    "read_table",
    "redaction_hierarchy",
    "render_html",
    "search",
    "write_table",
]
