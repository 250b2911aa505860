"""The shapes every reader produces: tables that yield column-oriented batches."""

from __future__ import annotations

import abc
import datetime
import decimal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BATCH_ROWS", "Batch", "RowSample", "Table", "cell_text"]

#: Rows per batch: large enough to amortise Python overhead, small enough to stay bounded.
BATCH_ROWS = 5000


@dataclass(slots=True)
class Batch:
    """``rows`` rows of a table, column by column.

    A column's sequence holds that column's values in these rows; for nested JSON a row may
    give a column several values (``diagnosis[]``) or none, so it need not have ``rows`` items.
    The CSV reader's Arrow engine gives ``pyarrow`` string arrays instead of lists.
    """

    rows: int
    columns: dict[str, Sequence[Any]] = field(default_factory=dict)


@dataclass(slots=True)
class RowSample:
    """Rows drawn uniformly at random from a table too large to read whole.

    ``batches`` hold the drawn rows in the order they were drawn (every prefix is a
    uniform sample); ``rows_total`` is the table's row count, exact when ``rows_method`` is
    ``"lines"`` (line breaks counted, see :mod:`piguard.sources._sample`) and scaled from
    the sample when it is ``"estimate"``; ``drawn`` counts the rows in ``batches``.
    """

    batches: list[Batch]
    rows_total: int
    rows_method: str
    drawn: int
    notes: list[str] = field(default_factory=list)


class Table(abc.ABC):
    """One table of a source: a CSV file, a sheet, a JSON Lines file, a database table.

    ``source`` names the file or the database URL (credentials removed) and ``name`` the
    table within it. ``rows_total`` is known up front only for databases (an estimate unless
    ``rows_exact``); ``server_sampled`` says that :meth:`batches` returns a sample drawn by
    the server rather than every row.
    """

    kind: str = "table"

    def __init__(self, source: str, name: str, columns: list[str] | None = None) -> None:
        self.source = source
        self.name = name
        self.columns: list[str] = list(columns or [])
        self.rows_total: int | None = None
        self.rows_exact = False
        self.server_sampled = False
        self.size_bytes: int | None = None

    @abc.abstractmethod
    def batches(self) -> Iterator[Batch]:
        """The rows in batches; raises :class:`~piguard.errors.InputError` on bad input."""

    def sample(self, k: int, seed: str, *, min_bytes: int = 0) -> RowSample | None:
        """A uniform sample of rows, drawn without reading the whole table, such that each
        column gets about ``k`` non-empty values; None when the table cannot be sampled
        that way or is small (at most ``min_bytes`` bytes, or few rows): then
        :meth:`batches` is used."""
        return None


def cell_text(value: Any) -> str | None:
    """A cell as text for classification: None for empty cells, integers stored as floats
    without their ``.0`` (a phone number in Excel), dates in ISO form.

    >>> cell_text(13812345678.0), cell_text(" "), cell_text(None), cell_text(b"\\x00")
    ('13812345678', None, None, None)
    >>> cell_text(datetime.date(2010, 5, 1)), cell_text(decimal.Decimal("12.50"))
    ('2010-05-01', '12.50')
    """
    if value is None:
        return None
    if hasattr(value, "as_py"):  # a pyarrow scalar
        value = value.as_py()
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return None  # binary cells (images, blobs) are not read as text
    return str(value).strip() or None
