"""Data discovery (数据发现与分类分级): read files and databases, classify and grade every column.

Readers for CSV/TSV, JSON, JSON Lines, Excel (.xlsx), Parquet, plain text, folders and SQL
databases by URL yield column-oriented batches (:class:`Table`, :class:`Batch`); the
classifier turns a sample of each column into a :class:`ColumnFinding` with DESIGN.md's
fields (entity, taxonomy category, sensitive flag, grade, confidence, match rate, rows
sampled) and ``why``; :func:`discover` builds the :class:`Inventory` with the dataset facts
(distinct people, children under 14, quasi-identifiers, GB/T 35273-2020 11.1 thresholds).

>>> inv = discover(["examples/data/ridehailing_orders.csv"])
>>> col = {c.column: c for c in inv.columns}
>>> col["driver_id_number"].entity, col["driver_id_number"].grade
('CN_RESIDENT_ID', 'sensitive')
>>> col["order_no"].kind, col["remark"].kind
('lookalike', 'free_text')
"""

from piguard.sources._classify import (
    IDENTIFYING_RANK,
    QUASI_IDENTIFIER_CATEGORIES,
    ColumnEvidence,
    ColumnFinding,
    ValueJudge,
    classify,
)
from piguard.sources._files import (
    STRUCTURED_SUFFIXES,
    file_tables,
    flatten,
    load_workbook,
    sheet_rows,
    unique_names,
    walk_folder,
)
from piguard.sources._hints import Hint, hint_for
from piguard.sources._inventory import (
    INVENTORY_SCHEMA,
    PI_PEOPLE_THRESHOLD,
    SENSITIVE_PEOPLE_THRESHOLD,
    DiscoveryOptions,
    Inventory,
    Reservoir,
    TableFacts,
    TableReport,
    discover,
    estimate_distinct,
    profile_table,
    upper_distinct,
)
from piguard.sources._model import BATCH_ROWS, Batch, RowSample, Table, cell_text
from piguard.sources._sql import is_database_url, redact_url, sql_tables

__all__ = [
    "BATCH_ROWS",
    "IDENTIFYING_RANK",
    "INVENTORY_SCHEMA",
    "PI_PEOPLE_THRESHOLD",
    "QUASI_IDENTIFIER_CATEGORIES",
    "SENSITIVE_PEOPLE_THRESHOLD",
    "STRUCTURED_SUFFIXES",
    "Batch",
    "ColumnEvidence",
    "ColumnFinding",
    "DiscoveryOptions",
    "Hint",
    "Inventory",
    "Reservoir",
    "RowSample",
    "Table",
    "TableFacts",
    "TableReport",
    "ValueJudge",
    "cell_text",
    "classify",
    "discover",
    "estimate_distinct",
    "file_tables",
    "flatten",
    "hint_for",
    "is_database_url",
    "load_workbook",
    "profile_table",
    "redact_url",
    "sheet_rows",
    "sql_tables",
    "unique_names",
    "upper_distinct",
    "walk_folder",
]
