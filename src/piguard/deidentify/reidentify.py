"""Re-identification (重标识) for key holders: undo the reversible operators of a run.

The metadata written beside a de-identified output (``<output>.piguard.json``) names each
rule's operator, options and key reference; this module rebuilds those operators with keys
from the key provider and reverses whole columns (``fpe``, ``encrypt``, ``tokenize``,
``date_shift`` with a subject column) and the recorded spans inside free text, in every
format that ``deidentify`` writes: text, CSV, JSON Lines, JSON, Excel (.xlsx), Parquet and
database tables (into
a new table). Tokens need an explicit ``role`` that the vault allows. Values that were
masked, hashed, generalised or removed stay as they are: they cannot be reversed.

``date_shift`` is reversed with the offset of the person named in its ``subject`` column, so
that column is restored first (when a reversible operator protected it) and must otherwise
be in the output as it was (``keep``).
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from piguard.deidentify.engine import (
    _atomic_pair,
    _discard,
    _header,
    _json_records,
    _JsonDocument,
    _worksheets,
    _xl_row,
    _xl_text,
    cell_digest,
    metadata_path,
    parquet_batches,
    record_leaves,
)
from piguard.deidentify.operators import Operator, OperatorRegistry, default_operators
from piguard.detect.reader import iter_lines
from piguard.errors import ConfigError, InputError, IntegrityError, PiguardError
from piguard.keys import KeyProvider, KeyRef, load_provider
from piguard.sources import load_workbook, sheet_rows, unique_names

__all__ = ["reidentify_file", "reidentify_sql"]

_BATCH = 8192


def _load_metadata(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "no metadata file (written by piguard deidentify)", source=str(path)
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read metadata ({type(exc).__name__})", source=str(path)
        ) from None
    if not isinstance(data, dict) or "rules" not in data:
        raise ConfigError("not a piguard de-identification metadata file", source=str(path))
    return data


def _operators(
    meta: dict[str, Any], keys: KeyProvider | None, registry: OperatorRegistry
) -> dict[int, Operator]:
    keys = keys or load_provider(str(meta.get("keys", "env")))
    ops: dict[int, Operator] = {}
    for index, desc in meta["rules"].items():
        if not desc.get("reversible"):
            continue
        options = {k: v for k, v in desc.items() if k not in ("operator", "key", "reversible")}
        if "key" in desc:
            ref = KeyRef.parse(desc["key"])
            if ref.provider != keys.name:
                raise ConfigError(
                    f"rule {int(index) + 1} used key {ref}; the key provider given is {keys.name!r}"
                )
            options["key"] = ref.key_id
        ops[int(index)] = registry.build(desc["operator"], options, keys)
    return ops


def _reverse_spans(
    text: str, spans: Sequence[Sequence[Any]], ops: dict[int, Operator], role: str | None
) -> str:
    """Reverse ``[start, end, rule, entity]`` spans right to left."""
    for start, end, rule, entity in sorted(map(tuple, spans), reverse=True):
        op = ops.get(rule)
        if op is not None:
            text = text[:start] + op.reverse(text[start:end], entity, role=role) + text[end:]
    return text


def _not_reversed(
    exc: InputError | IntegrityError, source: str, at: str | None, column: str | None
) -> PiguardError:
    """A value that does not reverse (altered, or not written by this run), located by source,
    row or line and column: never the value itself."""
    reason = exc.message if isinstance(exc, InputError) else str(exc)
    where = ", ".join(w for w in (at, None if column is None else f"column {column!r}") if w)
    message = f"{where}: {reason}" if where else reason
    if isinstance(exc, InputError):
        return InputError(message, source=source)
    return IntegrityError(f"{source}: {message}")


class _Columns:
    """Reverses a batch of columns: whole protected columns, then ``date_shift`` columns
    with their (restored) subject column, then the recorded spans in free text."""

    def __init__(
        self,
        meta: dict[str, Any],
        ops: dict[int, Operator],
        role: str | None,
        source: str = "<input>",
    ):
        self.ops = ops
        self.role = role
        self.source = source
        self.restored = 0
        plans = {c["column"]: c for c in meta.get("columns", [])}
        self.cols: dict[str, tuple[Operator, str]] = {}
        self.subject: dict[str, str] = {}
        for name, col in plans.items():
            rule = col.get("rule")
            if rule is None or rule not in ops or col["kind"] in ("text", "keep"):
                continue
            op = ops[rule]
            self.cols[name] = (op, col["kind"])
            if op.needs_subject:
                subject = str(op.config.subject)
                sp = plans.get(subject)
                ok = sp is not None and (
                    sp["kind"] == "keep"
                    or (sp.get("rule") in ops and not ops[sp["rule"]].needs_subject)
                )
                if not ok:
                    how = "not in the output" if sp is None else f"changed by {sp['operator']!r}"
                    if sp is not None and sp["kind"] == "text":
                        how = "free text"
                    raise ConfigError(
                        f"column {name!r}: date_shift cannot be reversed, its subject column "
                        f"{subject!r} is {how} (it must be kept or reversibly protected)"
                    )
                self.subject[name] = subject

    def reverse(
        self,
        names: Sequence[str],
        columns: list[list[str | None]],
        spans_of: Callable[[str], dict[int, Sequence[Sequence[Any]]]] | None = None,
        at: Callable[[int], str] | None = None,
    ) -> list[list[str | None]]:
        """``columns[j]`` holds the values of ``names[j]`` (None: a NULL, kept); ``at(i)``
        names where row ``i`` of the batch is in the input, for errors."""
        index = {n: j for j, n in enumerate(names)}
        out = list(columns)
        # columns that other columns' date shifts depend on come first
        order = sorted(range(len(names)), key=lambda j: names[j] in self.subject)
        for j in order:
            name = names[j]
            entry = self.cols.get(name)
            if entry is not None:
                op, entity = entry
                col = list(out[j])
                subj = out[index[self.subject[name]]] if name in self.subject else None
                for i, v in enumerate(col):
                    if not v:
                        continue
                    s = None if subj is None else (subj[i] or "")
                    try:
                        col[i] = op.reverse(v, entity, role=self.role, subject=s)
                    except (InputError, IntegrityError) as exc:
                        raise _not_reversed(exc, self.source, at and at(i), name) from None
                    self.restored += 1
                out[j] = col
            todo = spans_of(name) if spans_of is not None else None
            if todo:
                col = list(out[j])
                for i, spans in todo.items():
                    v = col[i]
                    if v:
                        try:
                            col[i] = _reverse_spans(v, spans, self.ops, self.role)
                        except (InputError, IntegrityError) as exc:
                            raise _not_reversed(exc, self.source, at and at(i), name) from None
                        self.restored += sum(1 for s in spans if s[2] in self.ops)
                out[j] = col
        return out


def _row_spans(
    spans: dict[str, list[list[Any]]],
) -> dict[str, dict[int, list[list[Any]]]]:
    """``{column: [[row, start, end, rule, entity], ...]}`` by column and row."""
    out: dict[str, dict[int, list[list[Any]]]] = {}
    for column, items in spans.items():
        by_row = out.setdefault(column, {})
        for row, *span in items:
            by_row.setdefault(int(row), []).append(span)
    return out


def _window(
    rows: dict[int, list[list[Any]]] | None, first: int, size: int
) -> dict[int, Sequence[Sequence[Any]]]:
    """The spans of rows ``first`` .. ``first + size - 1``, by row within the batch."""
    if not rows:
        return {}
    out: dict[int, Sequence[Sequence[Any]]] = {}
    for i in range(size):
        todo = rows.get(first + i)
        if todo:
            out[i] = todo
    return out


def reidentify_file(
    source: str | Path,
    output: str | Path,
    *,
    metadata: str | Path | None = None,
    keys: KeyProvider | None = None,
    role: str | None = None,
    registry: OperatorRegistry | None = None,
) -> int:
    """Restore the reversible values of a de-identified file (text, CSV, JSON Lines, JSON,
    Excel or Parquet); returns how many were restored.

    ``metadata`` defaults to ``<source>.piguard.json``. Raises
    :class:`~piguard.errors.IntegrityError` when a value does not verify under the key.
    """
    src = Path(source)
    meta = _load_metadata(Path(metadata) if metadata else metadata_path(src))
    ops = _operators(meta, keys, registry or default_operators())
    kind = meta.get("kind")
    spans: dict[str, list[list[Any]]] = meta.get("spans", {})
    suffix = src.suffix.lower()
    if kind != "text" and suffix == ".parquet":
        return _parquet(src, Path(output), _Columns(meta, ops, role, str(src)), spans)
    if kind != "text" and suffix == ".xlsx":
        return _xlsx(src, Path(output), meta, ops, role)
    if kind != "text" and suffix == ".json":
        return _json(src, Path(output), meta, ops, role)
    restored = 0
    with src.open("rb") as fh, _atomic_pair(output, with_meta=False) as (out, _meta):
        lines = iter_lines(fh, source=str(src))
        if kind == "text":
            by_line: dict[int, list[list[Any]]] = {}
            for row, *span in spans.get("<text>", []):
                by_line.setdefault(row, []).append(span)
            for n, line in enumerate(lines, 1):
                todo = by_line.get(n, [])
                restored += sum(1 for s in todo if s[2] in ops)
                try:
                    line = _reverse_spans(line, todo, ops, role)
                except (InputError, IntegrityError) as exc:
                    raise _not_reversed(exc, str(src), f"line {n}", None) from None
                out.write(line + "\n")
        elif src.suffix.lower() == ".csv":
            restored = _csv(lines, out, _Columns(meta, ops, role, str(src)), spans, str(src))
        else:
            restored = _jsonl(lines, out, meta, ops, role, spans, str(src))
    return restored


def _csv(lines: Any, out: Any, rev: _Columns, spans: dict[str, list[list[Any]]], src: str) -> int:
    reader = csv.reader(line + "\n" for line in lines)
    writer = csv.writer(out, lineterminator="\n")
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the CSV file is empty", source=src) from None
    writer.writerow(header)
    by_col = _row_spans(spans)
    done = 0

    def flush(batch: list[list[str]], line_of: list[int]) -> None:
        nonlocal done
        if not batch:
            return
        cols: list[list[str | None]] = [list(c) for c in zip(*batch, strict=True)]
        first = done

        def spans_of(name: str) -> dict[int, Sequence[Sequence[Any]]]:
            return _window(by_col.get(name), first, len(batch))

        def at(i: int) -> str:
            return f"line {line_of[i]}"

        new = rev.reverse(header, cols, spans_of if by_col else None, at)
        writer.writerows(zip(*new, strict=True))
        done += len(batch)

    batch: list[list[str]] = []
    line_of: list[int] = []
    for row in reader:
        if len(row) != len(header):
            if not row:
                continue
            raise InputError(
                f"expected {len(header)} fields, found {len(row)}",
                source=src,
                line=reader.line_num,
            )
        batch.append(row)
        line_of.append(reader.line_num)
        if len(batch) >= _BATCH:
            flush(batch, line_of)
            batch, line_of = [], []
    flush(batch, line_of)
    return rev.restored


class _Records:
    """Reverses JSON records (JSON Lines or a JSON document) leaf by leaf: whole protected
    paths, then ``date_shift`` paths with the first (restored) leaf of their subject path in
    the same record, then the recorded spans ``[record, n-th leaf, start, end, rule,
    entity]``."""

    def __init__(
        self,
        meta: dict[str, Any],
        ops: dict[int, Operator],
        role: str | None,
        spans: dict[str, list[list[Any]]],
        source: str,
    ) -> None:
        rev = _Columns(meta, ops, role, source)
        self.source = source
        self.cols, self.subject = rev.cols, rev.subject
        self.ops, self.role = ops, role
        self.span_at: dict[tuple[int, str, int], list[list[Any]]] = {}
        for path, items in spans.items():
            for row, nth, *span in items:
                self.span_at.setdefault((int(row), path, int(nth)), []).append(span)
        self.restored = 0

    def reverse(self, records: list[Any], r: int, row: int) -> None:
        """Restore ``records[r]`` (record number ``row`` of the input) in place."""
        leaves = []
        seen: dict[str, int] = {}
        for path, holder, key in list(record_leaves(records, r)):
            nth = seen.get(path, 0)
            seen[path] = nth + 1
            leaves.append((path, holder, key, nth))
        firsts: dict[str, str] = {}
        for later in (False, True):
            for path, holder, key, nth in leaves:
                value = holder[key]
                if not isinstance(value, str) or (path in self.subject) != later:
                    continue
                if path in self.cols and value:
                    op, entity = self.cols[path]
                    subject = None
                    if later:
                        subject = firsts.get(self.subject[path], "")
                    try:
                        holder[key] = op.reverse(value, entity, role=self.role, subject=subject)
                    except (InputError, IntegrityError) as exc:
                        raise _not_reversed(exc, self.source, f"record {row + 1}", path) from None
                    self.restored += 1
                todo = self.span_at.get((row, path, nth))
                if todo:
                    try:
                        holder[key] = _reverse_spans(holder[key], todo, self.ops, self.role)
                    except (InputError, IntegrityError) as exc:
                        raise _not_reversed(exc, self.source, f"record {row + 1}", path) from None
                    self.restored += len(todo)
                if nth == 0:
                    firsts.setdefault(path, str(holder[key]))
            if not later:
                # subjects that no rule changed (kept) or whose leaves are not strings
                for path, holder, key, nth in leaves:
                    if nth == 0:
                        firsts.setdefault(path, str(holder[key]))


def _jsonl(
    lines: Any,
    out: Any,
    meta: dict[str, Any],
    ops: dict[int, Operator],
    role: str | None,
    spans: dict[str, list[list[Any]]],
    src: str,
) -> int:
    rev = _Records(meta, ops, role, spans, src)
    for r, rec in enumerate(_json_records(lines, src)):
        holder = [rec]
        rev.reverse(holder, 0, r)
        out.write(json.dumps(holder[0], ensure_ascii=False) + "\n")
    return rev.restored


def _json(
    src: Path, output: Path, meta: dict[str, Any], ops: dict[int, Operator], role: str | None
) -> int:
    document = _JsonDocument.read(src, str(src))
    rev = _Records(meta, ops, role, meta.get("spans", {}), str(src))
    for r in range(len(document.records)):
        rev.reverse(document.records, r, r)
    with _atomic_pair(output, with_meta=False) as (out, _meta):
        out.write(document.dumps())
    return rev.restored


def _xlsx(
    src: Path, output: Path, meta: dict[str, Any], ops: dict[int, Operator], role: str | None
) -> int:
    """Every worksheet, as :meth:`~piguard.deidentify.Deidentifier.deidentify_xlsx` wrote
    it: restored cells become text, the others keep their values."""
    import openpyxl  # a core dependency

    sheets = {s["sheet"]: s for s in meta.get("sheets", [])}
    book = load_workbook(src, str(src))
    part = output.with_name(f".{output.name}.part")
    restored = 0
    out_book = openpyxl.Workbook(write_only=True)
    try:
        for ws in _worksheets(book, str(src)):
            out_ws = out_book.create_sheet(title=ws.title)
            info = sheets.get(ws.title, {"columns": [], "spans": {}})
            restored += _xlsx_sheet(ws, out_ws, info, ops, role, str(src))
        out_book.save(part)
        os.replace(part, output)
    except BaseException:
        _discard(out_book)
        part.unlink(missing_ok=True)
        raise
    finally:
        book.close()
    return restored


def _xlsx_sheet(
    ws: Any,
    out_ws: Any,
    info: dict[str, Any],
    ops: dict[int, Operator],
    role: str | None,
    src: str,
) -> int:
    rev = _Columns({"columns": info["columns"]}, ops, role, src)
    by_col = _row_spans(info.get("spans", {}))
    rows = enumerate(sheet_rows(ws, src), 1)
    header = _header(next(rows, (0, None))[1])
    if header is None:
        return 0
    out_ws.append(header)
    names = unique_names([_xl_text(h).strip() for h in header])
    width = len(header)
    done = 0

    def flush(batch: list[list[Any]]) -> None:
        nonlocal done
        if not batch:
            return
        cols: list[list[str | None]] = [
            [None if r[j] is None else _xl_text(r[j]) for r in batch] for j in range(width)
        ]
        first = done

        def spans_of(name: str) -> dict[int, Sequence[Sequence[Any]]]:
            return _window(by_col.get(name), first, len(batch))

        def at(i: int) -> str:
            return f"sheet {ws.title!r}, row {first + i + 2}"  # the header is row 1

        new = rev.reverse(names, cols, spans_of, at)
        for i, r in enumerate(batch):
            out_ws.append([r[j] if new[j][i] == cols[j][i] else new[j][i] for j in range(width)])
        done += len(batch)

    batch: list[list[Any]] = []
    for line, row in rows:
        batch.append(_xl_row(row, width, src, ws.title, line))
        if len(batch) >= _BATCH:
            flush(batch)
            batch = []
    flush(batch)
    return rev.restored


def _parquet(src: Path, output: Path, rev: _Columns, spans: dict[str, list[list[Any]]]) -> int:
    """Parquet batch by batch; restored columns become strings (nulls stay null), the other
    columns are copied as they are."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            "Parquet needs pyarrow: pip install 'piguard[parquet]'", source=str(src)
        ) from None
    try:
        reader = pq.ParquetFile(src)
    except (OSError, ValueError) as exc:
        raise InputError(
            f"not a readable Parquet file ({type(exc).__name__})", source=str(src)
        ) from None
    by_col = _row_spans(spans)
    part = output.with_name(f".{output.name}.part")
    writer: Any = None
    done = 0
    try:
        for batch in parquet_batches(reader, str(src)):
            names = list(batch.schema.names)
            wanted = [j for j, n in enumerate(names) if n in rev.cols or n in by_col]
            wanted += [
                j for j, n in enumerate(names) if n in rev.subject.values() and j not in wanted
            ]
            cols: list[list[str | None]] = [[] for _ in names]
            for j in wanted:
                cols[j] = [None if v is None else str(v) for v in batch.column(j).to_pylist()]
            first, size = done, batch.num_rows

            def spans_of(name: str) -> dict[int, Sequence[Sequence[Any]]]:
                return _window(by_col.get(name), first, size)  # noqa: B023

            def at(i: int) -> str:
                return f"row {first + i + 1}"  # noqa: B023

            new = rev.reverse(names, cols, spans_of, at)
            arrays = [
                pa.array(new[j], type=pa.string())
                if (names[j] in rev.cols or names[j] in by_col)
                else batch.column(j)
                for j in range(len(names))
            ]
            out = pa.RecordBatch.from_arrays(arrays, names=names)
            if writer is None:
                writer = pq.ParquetWriter(part, out.schema)
            writer.write_batch(out)
            done += size
        if writer is None:
            raise InputError("the Parquet file has no rows", source=str(src))
        writer.close()
        writer = None
        os.replace(part, output)
    except BaseException:
        if writer is not None:
            writer.close()
        part.unlink(missing_ok=True)
        raise
    return rev.restored


def reidentify_sql(
    url: str,
    table: str,
    new_table: str,
    *,
    metadata: str | Path | None = None,
    keys: KeyProvider | None = None,
    role: str | None = None,
    registry: OperatorRegistry | None = None,
) -> int:
    """Restore a de-identified database table ``table`` (written by
    :meth:`~piguard.deidentify.Deidentifier.deidentify_sql`) into a new table ``new_table``
    of the same database; returns how many values were restored.

    ``metadata`` defaults to ``<table>.piguard.json`` in the current folder (where
    ``deidentify_sql`` writes it). The source is read in a read-only transaction; the new
    table (text columns) is created and filled in one transaction and dropped again if
    anything fails.
    """
    from piguard.sources import redact_url, sql_tables

    meta = _load_metadata(Path(metadata) if metadata else Path(f"{table}.piguard.json"))
    ops = _operators(meta, keys, registry or default_operators())
    shown = redact_url(url)
    rev = _Columns(meta, ops, role, shown)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", new_table):
        raise ConfigError(f"invalid new table name {new_table!r}: use letters, digits, _")
    tables = sql_tables(url, full=True)
    matches = [t for t in tables if t.name == table]
    if not matches:
        raise InputError(f"no table {table!r}", source=shown)
    if new_table in {t.name for t in tables}:
        raise ConfigError(f"table {new_table!r} already exists", source=shown)
    src: Any = matches[0]
    names = list(src.columns)
    # free-text spans of a database table are recorded by the digest of the cell
    by_digest: dict[str, dict[str, list[list[Any]]]] = {}
    for column, items in meta.get("spans", {}).items():
        cells = by_digest.setdefault(column, {})
        for digest, *span in items:
            todo = cells.setdefault(str(digest), [])
            if span not in todo:
                todo.append(span)

    import sqlalchemy as sa  # the db extra; piguard.sources has already needed it

    out_meta = sa.MetaData()
    out_table = sa.Table(new_table, out_meta, *(sa.Column(n, sa.Text) for n in names))
    engine = src.engine
    # the first batch is read before the write transaction starts, so that the reading
    # connection (read-only) and the writing one are different connections of the pool
    batches = iter(src.batches())
    first = next(batches, None)
    try:
        with engine.begin() as conn:
            out_meta.create_all(conn)
            for batch in itertools.chain([first] if first else [], batches):
                cols: list[list[str | None]] = [
                    [None if v is None else _text(v) for v in batch.columns[n]] for n in names
                ]

                def spans_of(name: str) -> dict[int, Sequence[Sequence[Any]]]:
                    cells = by_digest.get(name)
                    if not cells:
                        return {}
                    col = cols[names.index(name)]  # noqa: B023
                    out: dict[int, Sequence[Sequence[Any]]] = {}
                    for i, v in enumerate(col):
                        if v and (todo := cells.get(cell_digest(v))):
                            out[i] = todo
                    return out

                new = rev.reverse(names, cols, spans_of)
                rows = [{n: new[j][i] for j, n in enumerate(names)} for i in range(batch.rows)]
                if rows:
                    conn.execute(out_table.insert(), rows)
    except BaseException:
        with contextlib.suppress(Exception):
            out_table.drop(engine, checkfirst=True)
        raise
    return rev.restored


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
