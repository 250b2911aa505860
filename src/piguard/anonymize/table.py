"""Read and write the tables that ``piguard anonymize`` works on: CSV (and Parquet when
pyarrow is installed). Every value is read as text; the encodings seen in China (UTF-8 with
or without BOM, GB18030/GBK, UTF-16 with BOM) are recognised.
"""

from __future__ import annotations

import csv
import importlib
import io
from dataclasses import dataclass
from pathlib import Path

from piguard._util import atomic_write
from piguard.errors import EncodingError, InputError

__all__ = ["Table", "read_table", "write_table"]


@dataclass
class Table:
    """A table as columns of text. ``delimiter`` is kept so output looks like input."""

    header: list[str]
    columns: dict[str, list[str]]
    source: str
    delimiter: str = ","

    @property
    def rows(self) -> int:
        return len(self.columns[self.header[0]]) if self.header else 0


def _decode(raw: bytes, source: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise EncodingError("file is neither UTF-8, GB18030 nor UTF-16", source=source) from None


def read_table(path: str | Path) -> Table:
    """Read a CSV (``,`` ``;`` tab or ``|`` separated, with a header) or Parquet file."""
    p = Path(path)
    source = str(p)
    if p.suffix.lower() in {".parquet", ".pq"}:
        return _read_parquet(p)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", source=source) from None
    text = _decode(raw, source)
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t", "|"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("file is empty", source=source) from None
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        raise InputError("the header names a column twice", source=source, line=1)
    cols: list[list[str]] = [[] for _ in header]
    width = len(header)
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != width:
                raise InputError(
                    f"expected {width} fields, found {len(row)}",
                    source=source,
                    line=reader.line_num,
                )
            for c, value in zip(cols, row, strict=True):
                c.append(value)
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", source=source, line=reader.line_num) from None
    return Table(header, dict(zip(header, cols, strict=True)), source, delimiter)


def _read_parquet(p: Path) -> Table:
    try:
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise InputError(
            "reading Parquet needs pyarrow (pip install 'piguard[spark]')", source=str(p)
        ) from None
    try:
        arrow = pq.read_table(p)
    except Exception as exc:
        raise InputError(
            f"cannot read Parquet file ({type(exc).__name__})", source=str(p)
        ) from None
    header = list(arrow.column_names)
    columns = {
        name: ["" if v is None else str(v) for v in arrow.column(name).to_pylist()]
        for name in header
    }
    return Table(header, columns, str(p), ",")


def render_table(table: Table, path: str | Path) -> bytes:
    """The bytes of ``table`` in the format that ``path``'s suffix asks for."""
    p = Path(path)
    if p.suffix.lower() in {".parquet", ".pq"}:
        try:
            pa = importlib.import_module("pyarrow")
            pq = importlib.import_module("pyarrow.parquet")
        except ImportError:
            raise InputError(
                "writing Parquet needs pyarrow (pip install 'piguard[spark]')", source=str(p)
            ) from None
        sink = io.BytesIO()
        pq.write_table(pa.table({h: table.columns[h] for h in table.header}), sink)
        return sink.getvalue()
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=table.delimiter, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(zip(*(table.columns[h] for h in table.header), strict=True))
    return buf.getvalue().encode("utf-8")


def write_table(table: Table, path: str | Path) -> None:
    """Write ``table`` atomically (CSV, or Parquet for a ``.parquet`` path)."""
    data = render_table(table, path)
    with atomic_write(path, mode="wb") as fh:
        fh.write(data)
