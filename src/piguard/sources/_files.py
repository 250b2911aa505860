"""File readers: CSV/TSV, JSON, JSON Lines, Excel (.xlsx), Parquet, plain text, folders.

Text files are decoded by :func:`piguard.detect.reader.iter_lines` (UTF-8 with or without
BOM, GB18030/GBK, UTF-16; detected on the first 64 KB and checked strictly while streaming,
so a wrong byte later stops the read with the file and line). Every reader streams in
batches of :data:`~piguard.sources._model.BATCH_ROWS` rows except plain ``.json`` (one
document, read whole) and ``.xlsx`` (openpyxl's read-only mode streams rows).
"""

from __future__ import annotations

import csv
import fnmatch
import io
import itertools
import json
import os
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from piguard.detect.reader import BinaryFileError, detect_encoding, iter_lines, looks_binary
from piguard.errors import EncodingError, InputError
from piguard.sources._model import BATCH_ROWS, Batch, RowSample, Table
from piguard.sources._sample import (
    LINE_SAFE_ENCODINGS,
    LineIndex,
    draw_order,
    line_index,
    read_lines,
)

__all__ = [
    "STRUCTURED_SUFFIXES",
    "CsvTable",
    "ExcelTable",
    "JsonLinesTable",
    "JsonTable",
    "ParquetTable",
    "TextTable",
    "file_tables",
    "flatten",
    "walk_folder",
]

#: File name endings read as tables (everything else that is text is read as plain text).
STRUCTURED_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".parquet", ".json", ".jsonl", ".ndjson")
_TEXT_COLUMN = "<text>"
#: A CSV file is sampled (not read whole) when it holds more than this many times the
#: sample size of rows (estimated from its first 64 KB), as for database tables.
SAMPLE_MIN_ROWS_FACTOR = 20
#: At most this many times the sample size of rows are drawn (for sparse columns).
SAMPLE_MAX_ROWS_FACTOR = 10


def _open(path: Path, source: str) -> IO[bytes]:
    try:
        return path.open("rb")
    except PermissionError:
        raise InputError("permission denied", source=source) from None
    except FileNotFoundError:
        raise InputError("no such file", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=source) from None


def _lines(path: Path, source: str, *, keep_newline: bool = False) -> Iterator[str]:
    with _open(path, source) as fh:
        try:
            for line in iter_lines(cast(BinaryIO, fh), source=source):
                yield line + "\n" if keep_newline else line
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", source=source) from None


# ------------------------------------------------------------------ CSV / TSV
class CsvTable(Table):
    """A delimited text file; the first row is the header.

    The delimiter is ``\\t`` for ``.tsv`` and otherwise sniffed among ``, \\t ; |`` from the
    first lines. A row with a different number of fields than the header, or a quote left
    open at the end of the file (a truncated export), stops the read with the line number.

    ``engine``: "arrow" parses UTF-8 files with pyarrow's multi-threaded CSV reader (batches
    then hold ``pyarrow`` string arrays), "python" uses the csv module (every encoding);
    "auto" (default) takes arrow for UTF-8 when pyarrow is installed. Any error the Arrow
    parser reports is re-diagnosed by the Python path, which names the line.
    """

    kind = "csv"

    def __init__(
        self, path: Path, source: str, *, delimiter: str | None = None, engine: str = "auto"
    ) -> None:
        super().__init__(source, path.name)
        self.path = path
        self.delimiter = delimiter
        self.engine = engine
        self.size_bytes = _size(path)

    def _sniff(self) -> str:
        if self.path.suffix.lower() == ".tsv":
            return "\t"
        head: list[str] = []
        for line in _lines(self.path, self.source, keep_newline=True):
            head.append(line)
            if len(head) >= 20:
                break
        sample = "".join(head)
        try:
            return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
        except csv.Error:
            first = head[0] if head else ""
            counts = {d: first.count(d) for d in ",\t;|"}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","

    def _encoding(self) -> str:
        return _file_encoding(self.path, self.source)

    def batches(self) -> Iterator[Batch]:
        delimiter = self.delimiter = self.delimiter or self._sniff()
        encoding = self._encoding()
        if self.engine != "python" and encoding in ("utf-8", "utf-8-sig"):
            try:
                import pyarrow.csv  # noqa: F401
            except ImportError:
                if self.engine == "arrow":
                    raise InputError(
                        "the arrow CSV engine needs pyarrow: pip install 'piguard[parquet]'",
                        source=self.source,
                    ) from None
            else:
                yield from self._arrow_batches(delimiter)
                return
        yield from self._python_batches(delimiter, encoding)

    def _arrow_batches(self, delimiter: str) -> Iterator[Batch]:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        with _open(self.path, self.source) as raw:
            header = next(
                csv.reader(io.TextIOWrapper(raw, "utf-8-sig", newline=""), delimiter=delimiter),
                None,
            )
        if header is None:
            return
        self.columns = unique_names([h.strip() for h in header])
        try:
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(
                    column_names=self.columns, skip_rows=1, block_size=1 << 20
                ),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(self.columns, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    null_values=[],
                ),
            )
            tail = ""
            for rb in reader:
                if rb.num_rows:
                    tail = rb.column(rb.num_columns - 1)[rb.num_rows - 1].as_py() or ""
                yield Batch(rb.num_rows, dict(zip(self.columns, rb.columns, strict=True)))
            if not self._quotes_balanced(last_cell_ends_in_newline=tail.endswith(("\n", "\r"))):
                # Arrow ends an open quote at the end of the file; the csv module (strict)
                # calls it what it is, a truncated file, and names the line.
                raise pa.ArrowInvalid("unbalanced quotes")
        except PermissionError:
            raise InputError("permission denied", source=self.source) from None
        except (pa.ArrowInvalid, OSError):
            # Arrow's message may quote the offending row: never show it. The Python path
            # finds the same problem and names its line.
            for _ in self._python_batches(delimiter, "utf-8-sig"):
                pass
            raise InputError(
                "malformed CSV (rejected by the Arrow parser)", source=self.source
            ) from None

    def _quotes_balanced(self, *, last_cell_ends_in_newline: bool = False) -> bool:
        """Whether no quoted cell is left open at the end of the file.

        Arrow closes an open quote at the end of the file silently. A file cut off mid-row
        does not end with a line break; one cut right after a line break inside a quoted
        last cell leaves that cell ending in a line break. In either case the quote
        characters are counted: an odd number means a cell was never closed.
        """
        with _open(self.path, self.source) as raw:
            raw.seek(0, os.SEEK_END)
            if raw.tell() == 0:
                return True
            raw.seek(-1, os.SEEK_END)
            if raw.read(1) == b"\n" and not last_cell_ends_in_newline:
                return True
            raw.seek(0)
            count = 0
            while chunk := raw.read(1 << 23):
                count += chunk.count(b'"')
        return count % 2 == 0

    def sample(self, k: int, seed: str, *, min_bytes: int = 0) -> RowSample | None:
        """Draw rows uniformly without parsing the whole file (see :mod:`._sample`).

        Rounds of ``k`` rows are drawn until every column holds ``k`` non-empty values or
        :data:`SAMPLE_MAX_ROWS_FACTOR` × ``k`` rows were drawn. None (stream the file
        instead) for files of at most :data:`SAMPLE_MIN_ROWS_FACTOR` × ``k`` rows, UTF-16,
        a line break inside a quoted cell (a line with an odd number of quote characters
        in the first 64 KB or among the drawn lines), a row of another width, an invalid
        byte in a drawn line, or a last line that is cut off (truncated file): the
        streaming path then reads every row and reports bad input with its line.
        """
        if k <= 0 or not self.size_bytes or self.size_bytes <= min_bytes:
            return None
        encoding = self._encoding()
        if encoding not in LINE_SAFE_ENCODINGS:
            return None
        with _open(self.path, self.source) as raw:
            try:
                return self._sample(raw.fileno(), encoding, k, seed)
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}", source=self.source) from None

    def _sample(self, fd: int, encoding: str, k: int, seed: str) -> RowSample | None:
        complete = _head_lines(fd, self.size_bytes or 0, k)
        if complete is None:
            return None
        if any(line.count(b'"') % 2 for line in complete):
            return None  # a quoted cell holds a line break: records are not lines
        delimiter = self.delimiter = self.delimiter or self._sniff()
        parsed = _parse_lines([complete[0]], encoding, delimiter, header=True)
        if not parsed:
            return None
        self.columns = unique_names([h.strip() for h in parsed[0]])
        width = len(self.columns)
        index = line_index(fd, self.size_bytes or 0)
        found = _last_row(fd, index, first=1)
        if found is None:
            return None
        data, last = found
        tail = _parse_lines([last], encoding, delimiter)
        if not tail or len(tail[0]) != width:
            return None
        filled = [0] * width

        def parse(lines: list[bytes]) -> Batch | None:
            if any(line.count(b'"') % 2 for line in lines):
                return None
            rows = _parse_lines(lines, encoding, delimiter)
            if rows is None or any(len(r) != width for r in rows):
                return None
            for i, col in enumerate(zip(*rows, strict=True)):
                filled[i] += sum(1 for v in col if v)
            return _transpose(self.columns, rows) if rows else Batch(0)

        return _sample_lines(
            fd, index, data, k, seed, first=1, parse=parse, enough=lambda: min(filled) >= k
        )

    def _python_batches(self, delimiter: str, encoding: str) -> Iterator[Batch]:
        with _open(self.path, self.source) as raw:
            # Fast path: the C decoder and csv module on the file. A wrong byte later in the
            # file is then located exactly by re-reading it line by line (iter_lines).
            text = io.TextIOWrapper(cast(BinaryIO, raw), encoding=encoding, newline="")
            try:
                yield from self._rows(csv.reader(text, delimiter=delimiter, strict=True))
            except UnicodeDecodeError:
                for _ in _lines(self.path, self.source):
                    pass
                raise InputError(
                    f"bytes that are not valid {encoding}", source=self.source
                ) from None
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}", source=self.source) from None

    def _line_of(self, width: int, guess: int) -> int:
        """The exact line of the first row whose width differs (re-reads the file)."""
        reader = csv.reader(
            _lines(self.path, self.source, keep_newline=True),
            delimiter=self.delimiter or self._sniff(),
            strict=True,
        )
        next(reader, None)
        for row in reader:
            if row and len(row) != width and not (len(row) == 1 and not row[0].strip()):
                return reader.line_num
        return guess

    def _rows(self, reader: Any) -> Iterator[Batch]:
        try:
            header = next(reader, None)
            if header is None:
                return
            self.columns = unique_names([h.strip() for h in header])
            width = len(self.columns)
            while True:
                # Whole batches at C speed; a row of another width is looked at only then.
                rows = list(itertools.islice(reader, BATCH_ROWS))
                if not rows:
                    break
                first_line = reader.line_num - len(rows) + 1
                if any(len(r) != width for r in rows):
                    rows = [r for r in rows if r and not (len(r) == 1 and not r[0].strip())]
                    for i, row in enumerate(rows):
                        if len(row) != width:
                            # The line is exact unless quoted cells hold line breaks.
                            raise InputError(
                                f"expected {width} fields as in the header, found {len(row)}"
                                + (" (truncated file?)" if len(row) < width else ""),
                                source=self.source,
                                line=self._line_of(width, first_line + i),
                            )
                if rows:
                    yield _transpose(self.columns, rows)
        except csv.Error as exc:
            raise InputError(
                f"malformed CSV: {exc}"
                + (" (truncated file?)" if "end of data" in str(exc) else ""),
                source=self.source,
                line=reader.line_num,
            ) from None


def _head_lines(fd: int, size: int, k: int) -> list[bytes] | None:
    """The whole lines of the first 64 KB, or None when the file is too small to sample
    (at most :data:`SAMPLE_MIN_ROWS_FACTOR` × ``k`` lines, estimated) or its lines are long."""
    head = os.pread(fd, 1 << 16, 0)
    complete = head.split(b"\n")[:-1]
    if len(complete) < 3:
        return None
    mean = len(head[: head.rfind(b"\n") + 1]) / len(complete)
    if size / mean <= SAMPLE_MIN_ROWS_FACTOR * k:
        return None
    return complete


def _last_row(fd: int, index: LineIndex, *, first: int) -> tuple[int, bytes] | None:
    """``(rows, last line)``: blank lines at the end of the file are not rows (None when
    there are many, or no row at all: then the file is streamed)."""
    last_line = index.lines - 1
    for _ in range(1000):
        if last_line < first:
            return None
        ((_, text),) = read_lines(fd, index, [last_line])
        if text.strip():
            return last_line - first + 1, text
        last_line -= 1
    return None


def _sample_lines(
    fd: int,
    index: LineIndex,
    data: int,
    k: int,
    seed: str,
    *,
    first: int,
    parse: Callable[[list[bytes]], Batch | None],
    enough: Callable[[], bool],
) -> RowSample | None:
    """Draw rows (lines ``first`` .. ``first + data - 1``) in rounds of ``k`` until
    ``enough()`` or :data:`SAMPLE_MAX_ROWS_FACTOR` × ``k`` rows; ``parse`` turns a round's
    non-blank lines into a batch, or None when the file must be streamed instead."""
    order = draw_order(data, SAMPLE_MAX_ROWS_FACTOR * k, seed)
    batches: list[Batch] = []
    drawn = blank = 0
    for start in range(0, len(order), k):
        wanted = [n + first for n in order[start : start + k]]
        got = dict(read_lines(fd, index, wanted))
        lines = []
        for n in wanted:
            if got[n].strip():
                lines.append(got[n])
            else:
                blank += 1
        batch = parse(lines)
        if batch is None:
            return None
        if batch.rows:
            batches.append(batch)
            drawn += batch.rows
        if enough():
            break
    if blank:  # blank lines are not rows: scale the line count by the share drawn
        return RowSample(batches, round(data * drawn / (drawn + blank)), "estimate", drawn)
    return RowSample(batches, data, "lines", drawn)


def _parse_lines(
    lines: list[bytes], encoding: str, delimiter: str, *, header: bool = False
) -> list[list[str]] | None:
    """Whole lines (no line break inside a quoted cell) as CSV rows; None when a line is
    not valid in ``encoding`` or not valid CSV."""
    codec = encoding if header or encoding != "utf-8-sig" else "utf-8"
    try:
        texts = [line.decode(codec).rstrip("\r") for line in lines]
        return list(csv.reader(texts, delimiter=delimiter, strict=True))
    except (UnicodeDecodeError, csv.Error):
        return None


def _transpose(columns: list[str], rows: list[list[str]] | list[list[Any]]) -> Batch:
    return Batch(len(rows), dict(zip(columns, zip(*rows, strict=True), strict=True)))


def unique_names(names: list[str]) -> list[str]:
    """Column names made unique as discovery reports them: ``col_3`` for an empty third
    header, ``name_2`` for the second ``name`` (de-identification names columns the same way).

    >>> unique_names(["name", "", "name"])
    ['name', 'col_2', 'name_2']
    """
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        base = name or f"col_{i + 1}"
        if base in seen:
            seen[base] += 1
            base = f"{base}_{seen[base]}"
        else:
            seen[base] = 1
        out.append(base)
    return out


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


# ------------------------------------------------------------------ JSON
def flatten(
    value: Any, prefix: str = "", out: dict[str, list[Any]] | None = None
) -> dict[str, list[Any]]:
    """Nested JSON as dotted column paths; ``[]`` marks a list (as in examples/data).

    >>> flatten(
    ...     {"patient": {"name": "张三"}, "diagnosis": ["失眠症", "焦虑"], "rx": [{"drug": "x"}]}
    ... )
    {'patient.name': ['张三'], 'diagnosis[]': ['失眠症', '焦虑'], 'rx[].drug': ['x']}
    """
    if out is None:
        out = {}
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for item in value:
            flatten(item, f"{prefix}[]", out)
    else:
        out.setdefault(prefix or "value", []).append(value)
    return out


class _JsonBatcher:
    """Records to batches of ``limit`` rows (sampling takes whole rounds with :meth:`take`,
    so it passes no limit)."""

    def __init__(self, table: Table, limit: int | None = BATCH_ROWS) -> None:
        self.table = table
        self.known = dict.fromkeys(table.columns)
        self.batch = Batch(0)
        self.limit = limit

    def add(self, record: Any) -> Batch | None:
        flat = flatten(record)
        for key, values in flat.items():
            if key not in self.known:
                self.known[key] = None
                self.table.columns.append(key)
            cast(list[Any], self.batch.columns.setdefault(key, [])).extend(values)
        self.batch.rows += 1
        if self.limit is not None and self.batch.rows >= self.limit:
            out, self.batch = self.batch, Batch(0)
            return out
        return None

    def rest(self) -> Batch | None:
        return self.batch if self.batch.rows else None

    def take(self) -> Batch:
        """Whatever was added since the last batch."""
        out, self.batch = self.batch, Batch(0)
        return out


def _json_records(lines: list[bytes], codec: str) -> list[Any] | None:
    """Each line as a JSON value (the first line may start with a BOM); None if one is not."""
    try:
        return [json.loads(line.decode(codec).lstrip("\ufeff")) for line in lines]
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _file_encoding(path: Path, source: str) -> str:
    with _open(path, source) as raw:
        head = raw.read(1 << 16)
    try:
        return detect_encoding(head)
    except EncodingError as exc:
        raise type(exc)(exc.message, source=source) from None


class JsonLinesTable(Table):
    """One JSON value a line (objects become rows; nested fields become dotted paths)."""

    kind = "jsonl"

    def __init__(self, path: Path, source: str) -> None:
        super().__init__(source, path.name)
        self.path = path
        self.size_bytes = _size(path)

    def sample(self, k: int, seed: str, *, min_bytes: int = 0) -> RowSample | None:
        """Draw records uniformly as :meth:`CsvTable.sample` draws rows (one record a line;
        JSON strings cannot hold a raw line break). None (stream instead) for small files,
        UTF-16, or a drawn or last line that is not valid JSON."""
        if k <= 0 or not self.size_bytes or self.size_bytes <= min_bytes:
            return None
        encoding = _file_encoding(self.path, self.source)
        if encoding not in LINE_SAFE_ENCODINGS:
            return None
        codec = "utf-8" if encoding == "utf-8-sig" else encoding
        with _open(self.path, self.source) as raw:
            fd = raw.fileno()
            try:
                if _head_lines(fd, self.size_bytes, k) is None:
                    return None
                index = line_index(fd, self.size_bytes)
                found = _last_row(fd, index, first=0)
                if found is None or _json_records([found[1]], codec) is None:
                    return None
                batcher = _JsonBatcher(self, limit=None)  # a round is one batch, however large
                filled: dict[str, int] = {}

                def parse(lines: list[bytes]) -> Batch | None:
                    records = _json_records(lines, codec)
                    if records is None:
                        return None
                    for record in records:
                        batcher.add(record)
                    batch = batcher.take()
                    for key, values in batch.columns.items():
                        filled[key] = filled.get(key, 0) + sum(1 for v in values if v is not None)
                    return batch

                return _sample_lines(
                    fd,
                    index,
                    found[0],
                    k,
                    seed,
                    first=0,
                    parse=parse,
                    enough=lambda: bool(filled) and min(filled.values()) >= k,
                )
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}", source=self.source) from None

    def batches(self) -> Iterator[Batch]:
        batcher = _JsonBatcher(self)
        for number, line in enumerate(_lines(self.path, self.source), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"not valid JSON ({exc.msg} at column {exc.colno})",
                    source=self.source,
                    line=number,
                ) from None
            full = batcher.add(record)
            if full is not None:
                yield full
        rest = batcher.rest()
        if rest is not None:
            yield rest


class JsonTable(Table):
    """A JSON document: a list of records, or an object holding one list of records (read
    whole; use JSON Lines for large data)."""

    kind = "json"

    def __init__(self, path: Path, source: str) -> None:
        super().__init__(source, path.name)
        self.path = path
        self.size_bytes = _size(path)

    def batches(self) -> Iterator[Batch]:
        text = "\n".join(_lines(self.path, self.source))
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON ({exc.msg} at column {exc.colno})",
                source=self.source,
                line=exc.lineno,
            ) from None
        records: Any = doc
        if isinstance(doc, dict):
            lists = [k for k, v in doc.items() if isinstance(v, list)]
            if len(lists) == 1 and all(isinstance(r, dict) for r in doc[lists[0]]):
                records = doc[lists[0]]
                self.name = f"{self.path.name}:{lists[0]}"
            else:
                records = [doc]
        if not isinstance(records, list):
            records = [records]
        batcher = _JsonBatcher(self)
        for record in records:
            full = batcher.add(record)
            if full is not None:
                yield full
        rest = batcher.rest()
        if rest is not None:
            yield rest


# ------------------------------------------------------------------ plain text
class TextTable(Table):
    """A plain text file as one free-text column whose values are its lines."""

    kind = "text"

    def __init__(self, path: Path, source: str) -> None:
        super().__init__(source, path.name, [_TEXT_COLUMN])
        self.path = path
        self.size_bytes = _size(path)

    def batches(self) -> Iterator[Batch]:
        lines: list[str] = []
        for line in _lines(self.path, self.source):
            lines.append(line)
            if len(lines) >= BATCH_ROWS:
                yield Batch(len(lines), {_TEXT_COLUMN: lines})
                lines = []
        if lines:
            yield Batch(len(lines), {_TEXT_COLUMN: lines})


# ------------------------------------------------------------------ Excel
class ExcelTable(Table):
    """One worksheet of an .xlsx workbook (openpyxl read-only mode; first row = header)."""

    kind = "xlsx"

    def __init__(self, path: Path, source: str, sheet: str) -> None:
        super().__init__(source, sheet)
        self.path = path
        self.sheet = sheet

    def batches(self) -> Iterator[Batch]:
        book = load_workbook(self.path, self.source)
        try:
            rows_iter = sheet_rows(book[self.sheet], self.source)
            header = next(rows_iter, None)
            if header is None:
                return
            self.columns = unique_names(["" if h is None else str(h).strip() for h in header])
            width = len(self.columns)
            rows: list[list[Any]] = []
            for row in rows_iter:
                values = list(row[:width]) + [None] * (width - len(row))
                if all(v is None for v in values):
                    continue
                rows.append(values)
                if len(rows) >= BATCH_ROWS:
                    yield _transpose(self.columns, rows)
                    rows = []
            if rows:
                yield _transpose(self.columns, rows)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise InputError(
                f"unreadable workbook ({type(exc).__name__})", source=self.source
            ) from None
        finally:
            book.close()


def load_workbook(path: Path, source: str) -> Any:
    """An .xlsx workbook opened read-only with cached values; a missing, unreadable or
    damaged file is a one-line :class:`InputError` naming ``source``."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a core dependency
        raise InputError(
            "reading .xlsx needs openpyxl: pip install openpyxl", source=source
        ) from None
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError("no such file", source=source) from None
    except PermissionError:
        raise InputError("permission denied", source=source) from None
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(
            f"not a readable .xlsx workbook ({type(exc).__name__})", source=source
        ) from None


def sheet_rows(ws: Any, source: str) -> Iterator[tuple[Any, ...]]:
    """The rows of a read-only worksheet as values; a damaged sheet (XML cut short, a part
    missing from the archive) is an :class:`InputError` naming the sheet and the row after
    the last one read, not a traceback. Only the error's type is shown (never cell text)."""
    rows = ws.iter_rows(values_only=True)
    line = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except (SyntaxError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, OSError) as exc:
            # xml.etree's ParseError is a SyntaxError; zlib.error a bad deflate stream
            raise InputError(
                f"sheet {ws.title!r}, row {line + 1}: unreadable worksheet ({type(exc).__name__})",
                source=source,
            ) from None
        line += 1
        yield row


def excel_tables(path: Path, source: str) -> list[Table]:
    """One table per worksheet."""
    book = load_workbook(path, source)
    try:
        names = list(book.sheetnames)
    finally:
        book.close()
    return [ExcelTable(path, source, name) for name in names]


# ------------------------------------------------------------------ Parquet
class ParquetTable(Table):
    """A Parquet file, read batch by batch with pyarrow (the ``parquet`` extra)."""

    kind = "parquet"

    def __init__(self, path: Path, source: str) -> None:
        super().__init__(source, path.name)
        self.path = path
        self.size_bytes = _size(path)

    def batches(self) -> Iterator[Batch]:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(
                "reading Parquet needs pyarrow: pip install 'piguard[parquet]'", source=self.source
            ) from None
        try:
            pf = pq.ParquetFile(self.path)
            self.rows_total = pf.metadata.num_rows
            self.rows_exact = True
            for rb in pf.iter_batches(batch_size=BATCH_ROWS):
                data = rb.to_pydict()
                batch = Batch(rb.num_rows)
                for name, values in data.items():
                    if values and any(isinstance(v, dict | list) for v in values[:50]):
                        for v in values:
                            for key, vs in flatten(v, name).items():
                                cast(list[Any], batch.columns.setdefault(key, [])).extend(vs)
                    else:
                        batch.columns[name] = values
                for key in batch.columns:
                    if key not in self.columns:
                        self.columns.append(key)
                yield batch
        except PermissionError:
            raise InputError("permission denied", source=self.source) from None
        except (OSError, ValueError) as exc:
            raise InputError(
                f"not a readable Parquet file ({type(exc).__name__})", source=self.source
            ) from None


# ------------------------------------------------------------------ dispatch
def file_tables(path: Path, source: str | None = None, *, csv_engine: str = "auto") -> list[Table]:
    """The tables in one file, chosen by its name ending (anything else: plain text).

    Raises :class:`InputError` for a binary file that is not a known format."""
    src = source or str(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return [CsvTable(path, src, engine=csv_engine)]
    if suffix in (".jsonl", ".ndjson"):
        return [JsonLinesTable(path, src)]
    if suffix == ".json":
        return [JsonTable(path, src)]
    if suffix in (".xlsx", ".xlsm"):
        return excel_tables(path, src)
    if suffix == ".parquet":
        return [ParquetTable(path, src)]
    with _open(path, src) as fh:
        head = fh.read(8192)
    if looks_binary(head):
        raise BinaryFileError("binary file, skipped", source=src)
    try:
        detect_encoding(head)
    except EncodingError as exc:
        raise EncodingError(exc.message, source=src) from None
    return [TextTable(path, src)]


def _matches(rel: str, patterns: Iterable[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in patterns)


def walk_folder(
    folder: Path, *, include: Iterable[str] = (), exclude: Iterable[str] = ()
) -> Iterator[Path]:
    """Files under ``folder`` (recursive, sorted, hidden entries skipped) that match an
    ``include`` glob (all when none) and no ``exclude`` glob; globs match the path relative
    to the folder or the file name."""
    inc, exc = list(include), list(exclude)
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if inc and not _matches(rel, inc):
                continue
            if exc and _matches(rel, exc):
                continue
            yield path
