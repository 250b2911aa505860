"""The de-identification engine: text line by line, tables column by column, by policy.

* **Text**: the detection engine (:class:`piguard.detect.Scanner`) finds PI; each finding is
  replaced, right to left, by the operator of the first matching rule.
* **Tables** (CSV, JSON Lines, JSON, Excel, Parquet): columns named in the policy, or
  classified from a sample by the data-discovery classifier (:mod:`piguard.sources`:
  validators, header hints, the scanner for free text; look-alikes such as order numbers
  are kept), are transformed a batch of rows at a time, one operator call per column
  batch, so operators can vectorise (NumPy masking, one OpenSSL HMAC per distinct value).

Output is streamed to a temporary file that replaces the target only when everything
succeeded (:func:`piguard._util.atomic_write`). Beside it, ``<output>.piguard.json`` records
the operators with their options and key references (never keys), the column plan and, for
reversible operators inside free text, where the pseudonyms sit, so that ``reidentify`` can
find them with the right key.

>>> from piguard.keys import EnvKeyProvider
>>> keys = EnvKeyProvider(environ={"PIGUARD_KEY_DEIDENTIFY": "11" * 32})
>>> d = Deidentifier(keys=keys)
>>> d.deidentify_text("联系人张三，手机13812345678")
'联系人张*，手机138****5678'
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import io
import itertools
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from piguard import taxonomy
from piguard._util import atomic_write
from piguard._version import __version__
from piguard.deidentify import _arrow
from piguard.deidentify.operators import Operator, OperatorRegistry, Suppress, default_operators
from piguard.deidentify.policy import Policy, Rule, check_keys, default_policy
from piguard.detect import Finding, Scanner
from piguard.detect.reader import detect_encoding, iter_lines
from piguard.errors import ConfigError, EncodingError, InputError
from piguard.keys import KeyProvider, load_provider
from piguard.sources import (
    ValueJudge,
    cell_text,
    classify,
    hint_for,
    load_workbook,
    sheet_rows,
    unique_names,
)

__all__ = [
    "ColumnPlan",
    "Deidentifier",
    "Summary",
    "classify_column",
    "metadata_path",
]

_BATCH = 8192


def cell_digest(text: str) -> str:
    """How database metadata names a de-identified free-text cell (rows of a table have no
    order): the first 128 bits of SHA-256 of its text, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def metadata_path(output: str | Path) -> Path:
    """Where the metadata of ``output`` is written: ``<output>.piguard.json``."""
    return Path(f"{output}.piguard.json")


@dataclass
class ColumnPlan:
    """What a column holds and how it is protected."""

    name: str
    kind: str  # an entity name, "text" or "keep"
    how: str  # "policy", "sample" or "default"
    rule: Rule | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.name,
            "kind": self.kind,
            "decided_by": self.how,
            "rule": None if self.rule is None else self.rule.index,
            "operator": None if self.rule is None else self.rule.operator,
        }


@dataclass
class Summary:
    """What was changed: counts per (column, entity, operator); ``rows`` / ``lines`` read."""

    source: str
    kind: str
    rows: int = 0
    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    columns: list[ColumnPlan] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "rows" if self.kind != "text" else "lines": self.rows,
            "changes": [
                {"column": c, "entity": e, "operator": o, "count": n}
                for (c, e, o), n in sorted(self.counts.items())
            ],
        }


def classify_column(
    values: Sequence[str],
    *,
    name: str,
    table: str,
    source: str,
    judge: ValueJudge,
) -> tuple[str, str]:
    """What a column holds, from the data-discovery classifier (:mod:`piguard.sources`): an
    entity, ``text`` (free text: scan it) or ``keep``, and the classifier's reason.

    Identifier columns get their entity; free-text columns, and any other column where a
    sampled value contains PI, are scanned; look-alikes (order numbers), already masked or
    hashed values, categories (gender, occupation: quasi-identifiers, the anonymiser's job)
    and columns without PI are kept.
    """
    cells = [v for v in (c.strip() for c in values if c) if v]
    evidence = judge.evaluate(cells, hint_for(name))
    finding = classify(source=source, table=table, column=name, ev=evidence, non_empty=len(cells))
    if finding.kind == "identifier" and finding.entity:
        return finding.entity, finding.why
    if finding.kind == "free_text":
        return "text", finding.why
    if finding.kind == "none" and evidence.contains:
        # Too few cells with PI for discovery to call it free text, but de-identification
        # must not let those few through: scan every cell.
        return "text", "some sampled values contain personal information"
    return "keep", finding.why


def _non_overlapping(findings: Iterable[Finding]) -> list[Finding]:
    chosen: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if not chosen or f.start >= chosen[-1].end:
            chosen.append(f)
    return chosen


class Deidentifier:
    """De-identify text and tables by ``policy`` (default: :func:`default_policy`).

    ``keys`` provides the keys (default: the policy's ``keys`` spec); ``scanner`` finds PI in
    text (default: a :class:`Scanner` with every entity); ``audit`` receives one event per
    run (no PI, no keys). Every key the policy's rules need is fetched here
    (:func:`~piguard.deidentify.policy.check_keys`), so a missing key stops the run before
    any input is read, with the policy line and key id; operators are built on first use.
    """

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        keys: KeyProvider | None = None,
        registry: OperatorRegistry | None = None,
        scanner: Scanner | None = None,
        audit: Any = None,
        actor: str = "piguard",
    ) -> None:
        self.registry = registry or default_operators()
        self.policy = policy or default_policy(registry=self.registry)
        self._keys = keys
        self._scanner = scanner
        self._ops: dict[int, Operator] = {}
        self._judge: ValueJudge | None = None
        self._source = "<input>"
        self.audit = audit
        self.actor = actor
        check_keys(self.policy, self.keys, registry=self.registry)

    # ------------------------------------------------------------------ plumbing
    @property
    def keys(self) -> KeyProvider:
        if self._keys is None:
            self._keys = load_provider(self.policy.keys)
        return self._keys

    @property
    def judge(self) -> ValueJudge:
        if self._judge is None:
            self._judge = ValueJudge(scanner=self.scanner)
        return self._judge

    @property
    def scanner(self) -> Scanner:
        if self._scanner is None:
            self._scanner = Scanner()
        return self._scanner

    def operator(self, rule: Rule) -> Operator:
        """The operator of ``rule`` (built once; keyed operators fetch their key here)."""
        op = self._ops.get(rule.index)
        if op is None:
            spec = self.registry.spec(rule.operator)
            keys = self.keys if spec.needs_key or hasattr(rule.config, "key") else None
            op = self._ops[rule.index] = spec.factory(rule.config, keys)
        return op

    def _metadata(self, summary: Summary, spans: dict[str, list[list[Any]]]) -> dict[str, Any]:
        return {
            "piguard": __version__,
            "created": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "policy": {"source": self.policy.source, "sha256": self.policy.sha256},
            "keys": self.policy.keys,
            "kind": summary.kind,
            "rules": {
                str(i): {**op.describe(), "reversible": op.reversible}
                for i, op in sorted(self._ops.items())
            },
            "columns": [c.to_dict() for c in summary.columns],
            "spans": spans,
            "summary": summary.to_dict(),
        }

    def _emit(self, summary: Summary) -> None:
        if self.audit is None:
            return
        from piguard.audit import AuditEvent  # audit is a lower layer; imported only when used

        details: dict[str, str | int | bool | None] = {
            "kind": summary.kind,
            "rows": summary.rows,
            "changes": sum(summary.counts.values()),
            "policy_sha256": self.policy.sha256[:16],
        }
        self.audit.emit(
            AuditEvent(
                time=datetime.datetime.now(datetime.UTC),
                actor=self.actor,
                action="deidentify.run",
                categories=tuple(
                    sorted(
                        {
                            taxonomy.entity_category(e).key
                            for _, e, _ in summary.counts
                            if e in taxonomy.ENTITY_CATEGORIES
                        }
                    )
                ),
                details=details,
            )
        )

    # ------------------------------------------------------------------ text
    def _replace(
        self,
        text: str,
        findings: Sequence[Finding],
        offsets: Sequence[int] | None,
        *,
        column: str,
        table: str | None,
        counts: Counter[tuple[str, str, str]],
        spans: list[list[Any]] | None,
        row: int,
    ) -> str:
        """Replace ``findings`` in ``text`` right to left; record output spans of reversible
        rules (``[row, start, end, rule, entity]``)."""
        chosen = []
        for f in _non_overlapping(findings):
            rule = self.policy.rule_for(f.entity, column=column, table=table)
            if rule is not None:
                base = offsets[f.line - 1] if offsets is not None else 0
                chosen.append((base + f.start, base + f.end, f, rule))
        if not chosen:
            return text
        pieces: list[str] = []
        last = 0
        shift = 0
        for start, end, f, rule in chosen:
            op = self.operator(rule)
            new = op.apply(text[start:end], f.entity)
            pieces.append(text[last:start])
            pieces.append(new)
            counts[(column, f.entity, rule.operator)] += 1
            if spans is not None and op.reversible and not op.needs_subject:
                out_start = start + shift
                spans.append([row, out_start, out_start + len(new), rule.index, f.entity])
            shift += len(new) - (end - start)
            last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def deidentify_text(self, text: str) -> str:
        """De-identify one piece of text (any number of lines)."""
        lines = text.split("\n")
        found: dict[int, list[Finding]] = {}
        for f in self.scanner.scan_lines(lines):
            found.setdefault(f.line, []).append(f)
        counts: Counter[tuple[str, str, str]] = Counter()
        out = [
            self._replace(
                line,
                found.get(i + 1, []),
                None,
                column="<text>",
                table=None,
                counts=counts,
                spans=None,
                row=i + 1,
            )
            for i, line in enumerate(lines)
        ]
        return "\n".join(out)

    def deidentify_text_file(
        self, source: str | Path, output: str | Path, *, encoding: str | None = None
    ) -> Summary:
        """De-identify a text file line by line into ``output`` (+ metadata)."""
        summary = Summary(source=str(source), kind="text")
        spans: list[list[Any]] = []
        with Path(source).open("rb") as fh, _atomic_pair(output) as (out, meta):
            lines = iter_lines(fh, source=str(source), encoding=encoding)
            block: list[str] = []
            first = 1

            def flush() -> None:
                found: dict[int, list[Finding]] = {}
                for f in self.scanner.scan_lines(block, start_line=first):
                    found.setdefault(f.line, []).append(f)
                for i, line in enumerate(block):
                    n = first + i
                    new = self._replace(
                        line,
                        found.get(n, []),
                        None,
                        column="<text>",
                        table=None,
                        counts=summary.counts,
                        spans=spans,
                        row=n,
                    )
                    out.write(new + "\n")

            for line in lines:
                block.append(line)
                if len(block) >= 1024:
                    flush()
                    first += len(block)
                    block = []
            if block:
                flush()
                first += len(block)
            summary.rows = first - 1
            meta.write(json.dumps(self._metadata(summary, {"<text>": spans}), ensure_ascii=False))
        self._emit(summary)
        return summary

    # ------------------------------------------------------------------ tables
    def plan_columns(
        self, names: Sequence[str], sample: Sequence[Sequence[str]], table: str | None
    ) -> list[ColumnPlan]:
        """Decide what each column holds (policy first, then the sample) and its rule."""
        plans = []
        for j, name in enumerate(names):
            kind = self.policy.column_kind(name, table)
            how = "policy"
            if kind is None:
                how = "sample"
                kind, _why = classify_column(
                    [row[j] for row in sample if j < len(row)],
                    name=name,
                    table=table or "",
                    source=self._source,
                    judge=self.judge,
                )
            rule = None
            if kind not in ("text", "keep"):
                rule = self.policy.rule_for(kind, column=name, table=table)
            plans.append(ColumnPlan(name, kind, how, rule))
        return plans

    def transform_columns(
        self,
        plans: Sequence[ColumnPlan],
        columns: list[list[str]],
        *,
        table: str | None,
        counts: Counter[tuple[str, str, str]],
        spans: dict[str, list[list[Any]]] | None = None,
        first_row: int = 0,
    ) -> list[list[str]]:
        """Transform a batch given column-wise (``columns[j]`` is column j's values)."""
        by_name = {p.name: j for j, p in enumerate(plans)}
        out = list(columns)
        for j, plan in enumerate(plans):
            values = columns[j]
            if plan.kind == "keep":
                continue
            if plan.kind == "text":
                out[j] = self._text_cells(
                    values,
                    column=plan.name,
                    table=table,
                    counts=counts,
                    spans=None if spans is None else spans.setdefault(plan.name, []),
                    first_row=first_row,
                )
                continue
            if plan.rule is None:
                continue
            op = self.operator(plan.rule)
            # empty cells stay empty; a column without any is passed on as it is
            idx = range(len(values)) if all(values) else [i for i, v in enumerate(values) if v]
            if not idx:
                continue
            subjects = None
            subject_col = getattr(plan.rule.config, "subject", None)
            if subject_col is not None:
                if subject_col not in by_name:
                    raise ConfigError(
                        f"rule {plan.rule.index + 1}: subject column {subject_col!r} not found",
                        source=self.policy.source,
                        line=plan.rule.line,
                    )
                subj = columns[by_name[subject_col]]
                subjects = [subj[i] for i in idx]
            dense = values if len(idx) == len(values) else [values[i] for i in idx]
            new = op.apply_batch(dense, plan.kind, subjects)
            if len(idx) == len(values):
                out[j] = new
            else:
                col = list(values)
                for i, v in zip(idx, new, strict=True):
                    col[i] = v
                out[j] = col
            counts[(plan.name, plan.kind, plan.rule.operator)] += len(idx)
        return out

    def transform_arrow_columns(
        self,
        plans: Sequence[ColumnPlan],
        arrays: Sequence[Any],
        *,
        table: str | None,
        counts: Counter[tuple[str, str, str]],
        spans: dict[str, list[list[Any]]] | None = None,
        first_row: int = 0,
    ) -> list[Any]:
        """:meth:`transform_columns` on ``pyarrow`` string arrays without nulls (``arrays[j]``
        holds column j). Operators with an Arrow path (masks, keyed hashes, tags) run as Arrow
        kernels on the non-empty cells; the others, free text and date shifts get Python
        lists. Returns the new arrays (the same object where nothing changed)."""
        import pyarrow.compute as pc

        by_name = {p.name: j for j, p in enumerate(plans)}
        out = list(arrays)
        lists: dict[int, list[str]] = {}

        def py(j: int) -> list[str]:
            if j not in lists:
                lists[j] = arrays[j].to_pylist()
            return lists[j]

        for j, plan in enumerate(plans):
            if plan.kind == "keep" or (plan.kind != "text" and plan.rule is None):
                continue
            arr = arrays[j]
            subject = None
            if plan.rule is not None and plan.kind != "text":
                subject = getattr(plan.rule.config, "subject", None)
                if subject is None:
                    n_empty, full = _arrow.empty_cells(arr)
                    if n_empty == len(arr):
                        continue
                    op = self.operator(plan.rule)
                    new = op.apply_arrow(arr if not n_empty else arr.filter(full), plan.kind)
                    if new is not None:
                        out[j] = pc.replace_with_mask(arr, full, new) if n_empty else new
                        counts[(plan.name, plan.kind, plan.rule.operator)] += len(arr) - n_empty
                        continue
            import pyarrow as pa

            sub_plans = [plan]
            cols = [py(j)]
            if subject is not None and subject in by_name:
                sub_plans.append(ColumnPlan(subject, "keep", "policy"))
                cols.append(py(by_name[subject]))
            new_list = self.transform_columns(
                sub_plans, cols, table=table, counts=counts, spans=spans, first_row=first_row
            )[0]
            if new_list is not cols[0]:
                out[j] = pa.array(new_list, type=pa.string())
        return out

    def _text_cells(
        self,
        values: Sequence[str],
        *,
        column: str,
        table: str | None,
        counts: Counter[tuple[str, str, str]],
        spans: list[list[Any]] | None,
        first_row: int,
    ) -> list[str]:
        """Scan free-text cells (each read after its column name, for context words) and
        replace what is found."""
        out = list(values)
        idx = [i for i, v in enumerate(values) if v]
        prefix = f"{column}："
        n = len(prefix)
        texts = [prefix + values[i] for i in idx]
        for i, text, found in zip(idx, texts, self.scanner.scan_batch(texts), strict=True):
            if not found:
                continue
            offsets = [o - n for o in _line_offsets(text)]
            inside = [f for f in found if offsets[f.line - 1] + f.start >= 0]
            out[i] = self._replace(
                values[i],
                inside,
                offsets,
                column=column,
                table=table,
                counts=counts,
                spans=spans,
                row=first_row + i,
            )
        return out

    def deidentify_csv(
        self,
        source: str | Path,
        output: str | Path,
        *,
        encoding: str | None = None,
        table: str | None = None,
        progress: Any = None,
    ) -> Summary:
        """De-identify a CSV file (header row required) into ``output`` (+ metadata)."""
        src = self._source = str(source)
        table = table or Path(source).name
        summary = Summary(source=src, kind="table")
        spans: dict[str, list[list[Any]]] = {}
        with Path(source).open("rb") as fh, _atomic_pair(output) as (out, meta):
            text = _open_text(fh, src, encoding)
            done = False
            if text.encoding in ("utf-8", "utf-8-sig") and _arrow.available():
                done = self._csv_arrow(Path(source), out, summary, spans, table, progress)
                if not done:  # the csv module names the bad line; else it starts again
                    _check_csv(Path(source), src, text.encoding)
                    out.seek(0)
                    out.truncate()
                    summary = Summary(source=src, kind="table")
                    spans.clear()
            if not done:
                self._csv_python(text, out, summary, spans, table, progress)
            meta.write(json.dumps(self._metadata(summary, spans), ensure_ascii=False))
        self._emit(summary)
        return summary

    def _csv_python(
        self,
        text: io.TextIOWrapper,
        out: IO[str],
        summary: Summary,
        spans: dict[str, list[list[Any]]],
        table: str,
        progress: Any,
    ) -> None:
        """CSV with the standard library: rows in batches of ``_BATCH``."""
        src = summary.source
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("the CSV file is empty", source=src) from None
        except csv.Error as exc:
            raise InputError(f"not valid CSV: {exc}", source=src, line=1) from None
        except UnicodeDecodeError:
            raise _decode_error(text, src, 1) from None
        width = len(header)
        rows_iter = _checked_rows(reader, width, src, text)
        sample: list[list[str]] = []
        for row in rows_iter:
            sample.append(row)
            if len(sample) >= self.policy.sample_rows:
                break
        plans = self.plan_columns(header, sample, table)
        summary.columns = plans
        keep = [j for j, p in enumerate(plans) if not self._suppressed(p)]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([header[j] for j in keep])
        done = 0

        def write(batch: list[list[str]]) -> None:
            nonlocal done
            cols = [list(c) for c in zip(*batch, strict=True)] if batch else []
            if not cols:
                return
            new = self.transform_columns(
                plans, cols, table=table, counts=summary.counts, spans=spans, first_row=done
            )
            writer.writerows(zip(*(new[j] for j in keep), strict=True))
            done += len(batch)
            if progress is not None:
                progress(len(batch))

        batch = sample
        for row in rows_iter:
            batch.append(row)
            if len(batch) >= _BATCH:
                write(batch)
                batch = []
        write(batch)
        summary.rows = done

    def _csv_arrow(
        self,
        path: Path,
        out: IO[str],
        summary: Summary,
        spans: dict[str, list[list[Any]]],
        table: str,
        progress: Any,
    ) -> bool:
        """CSV (UTF-8) with Arrow's streaming reader and vectorised writing, record batch by
        record batch (about 4 MB of input each). Same output as :meth:`_csv_python`; returns
        False, having read nothing that matters, when Arrow rejects the file (a row of the
        wrong width, bad UTF-8 ...), so that the csv module can name the line."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        try:
            with path.open("rb") as raw:
                text = io.TextIOWrapper(raw, "utf-8-sig", errors="strict", newline="")
                header = next(csv.reader(text))
        except (StopIteration, csv.Error, UnicodeDecodeError):
            return False
        width = len(header)
        auto = [f"f{j}" for j in range(width)]
        try:
            reader = pacsv.open_csv(
                path,
                read_options=pacsv.ReadOptions(
                    autogenerate_column_names=True, block_size=1 << 22, use_threads=False
                ),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(auto, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    null_values=[],
                ),
            )
            batches = iter(reader)
            first = next(batches, None)
            if first is None or first.num_columns != width:
                return False
            if [first.column(j)[0].as_py() for j in range(width)] != header:
                return False
            pending = [first.slice(1)]
            rows = pending[0].num_rows
            while rows < self.policy.sample_rows:
                more = next(batches, None)
                if more is None:
                    break
                pending.append(more)
                rows += more.num_rows
            head = pa.Table.from_batches(pending).slice(0, self.policy.sample_rows)
            sample = [list(r) for r in zip(*(c.to_pylist() for c in head.columns), strict=True)]
            plans = self.plan_columns(header, sample, table)
            summary.columns = plans
            keep = [j for j, p in enumerate(plans) if not self._suppressed(p)]
            csv.writer(out, lineterminator="\n").writerow([header[j] for j in keep])
            out.flush()
            sink: Any = out.buffer if os.linesep == "\n" else None  # type: ignore[attr-defined]
            done = 0
            for batch in itertools.chain(pending, batches):
                if not batch.num_rows:
                    continue
                new = self.transform_arrow_columns(
                    plans,
                    [batch.column(j) for j in range(width)],
                    table=table,
                    counts=summary.counts,
                    spans=spans,
                    first_row=done,
                )
                data = _arrow.csv_lines([new[j] for j in keep])
                if sink is not None:
                    sink.write(data)
                else:
                    out.write(data.decode("utf-8"))
                done += batch.num_rows
                if progress is not None:
                    progress(batch.num_rows)
            summary.rows = done
            return True
        except pa.ArrowInvalid:
            return False

    def _suppressed(self, plan: ColumnPlan) -> bool:
        return plan.rule is not None and isinstance(self.operator(plan.rule), Suppress)

    def deidentify_jsonl(
        self,
        source: str | Path,
        output: str | Path,
        *,
        encoding: str | None = None,
        table: str | None = None,
        progress: Any = None,
    ) -> Summary:
        """De-identify JSON Lines: every string (or integer) leaf is a cell of the column named
        by its path (``patient.phone``, ``messages[]``; a line that is a bare value:
        ``value``)."""
        src = self._source = str(source)
        table = table or Path(source).name
        summary = Summary(source=src, kind="table")
        spans: dict[str, list[list[Any]]] = {}
        with Path(source).open("rb") as fh, _atomic_pair(output) as (out, meta):
            records = _json_records(iter_lines(fh, source=src, encoding=encoding), src)
            sample: list[Any] = []
            for rec in records:
                sample.append(rec)
                if len(sample) >= self.policy.sample_rows:
                    break
            plans = self._plan_records(sample, table)
            summary.columns = plans
            done = 0

            def write(batch: list[Any]) -> None:
                nonlocal done
                self._transform_records(
                    batch, range(len(batch)), plans, table, summary, spans, base=done
                )
                for rec in batch:
                    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                done += len(batch)
                if progress is not None:
                    progress(len(batch))

            batch = sample
            for rec in records:
                batch.append(rec)
                if len(batch) >= _BATCH:
                    write(batch)
                    batch = []
            write(batch)
            summary.rows = done
            meta.write(json.dumps(self._metadata(summary, spans), ensure_ascii=False))
        self._emit(summary)
        return summary

    def deidentify_json(
        self,
        source: str | Path,
        output: str | Path,
        *,
        encoding: str | None = None,
        table: str | None = None,
        progress: Any = None,
    ) -> Summary:
        """De-identify a JSON document (read whole, as discovery reads it): its records are the
        document when it is a list, the one list of objects that an object holds, or else the
        document itself; leaves are cells of dotted column paths as in JSON Lines. The output
        keeps the document's structure (and its indentation, two spaces, when it had line
        breaks); only protected leaf values change."""
        src = self._source = str(source)
        document = _JsonDocument.read(Path(source), src, encoding)
        table = table or document.table(Path(source).name)
        summary = Summary(source=src, kind="table")
        spans: dict[str, list[list[Any]]] = {}
        records = document.records
        with _atomic_pair(output) as (out, meta):
            plans = self._plan_records(records[: self.policy.sample_rows], table)
            summary.columns = plans
            for first in range(0, len(records), _BATCH):
                rows = range(first, min(first + _BATCH, len(records)))
                self._transform_records(records, rows, plans, table, summary, spans, base=0)
                if progress is not None:
                    progress(len(rows))
            summary.rows = len(records)
            out.write(document.dumps())
            meta.write(json.dumps(self._metadata(summary, spans), ensure_ascii=False))
        self._emit(summary)
        return summary

    def _plan_records(self, sample: Sequence[Any], table: str) -> list[ColumnPlan]:
        """Column plans of JSON records from a sample (paths in order of appearance)."""
        sample_cols: dict[str, list[str]] = {}
        for r in range(len(sample)):
            for path, holder, key in record_leaves(sample, r):
                sample_cols.setdefault(path, []).append(str(holder[key]))
        names = list(sample_cols)
        return self.plan_columns(names, [[*r] for r in _pad(sample_cols, names)], table)

    def _transform_records(
        self,
        records: list[Any],
        rows: range,
        plans: list[ColumnPlan],
        table: str,
        summary: Summary,
        spans: dict[str, list[list[Any]]],
        *,
        base: int,
    ) -> None:
        """Transform the leaves of ``records[rows]`` in place, path by path (one operator call
        per path). A ``date_shift`` with a ``subject`` takes the person from the first leaf at
        the subject's path in the same record, as it was in the input (none: the empty
        string). Spans are ``[base + record, n-th leaf of the path, start, end, rule,
        entity]``. New paths (not in the sample) are planned by the policy, else scanned."""
        plan_by = {p.name: p for p in plans}
        subject_paths = {
            s for r in self.policy.rules if (s := getattr(r.config, "subject", None)) is not None
        }
        cells: dict[str, list[tuple[Any, Any, int, int]]] = {}
        firsts: dict[tuple[int, str], str] = {}
        for r in rows:
            seen: Counter[str] = Counter()
            for path, holder, key in record_leaves(records, r):
                cells.setdefault(path, []).append((holder, key, r, seen[path]))
                if path in subject_paths and not seen[path]:
                    firsts[(r, path)] = str(holder[key])
                seen[path] += 1
        for path, refs in cells.items():
            plan = plan_by.get(path)
            if plan is None:
                kind = self.policy.column_kind(path, table)
                plan = plan_by[path] = ColumnPlan(
                    path,
                    kind or "text",
                    "policy" if kind else "default",
                    None
                    if kind in (None, "text", "keep")
                    else self.policy.rule_for(kind, column=path, table=table),
                )
                plans.append(plan)
            if plan.kind == "keep":
                continue
            if self._suppressed(plan):
                for holder, key, _, _ in refs:
                    holder[key] = None
                continue
            values = [str(ref[0][ref[1]]) for ref in refs]
            sub_plans = [plan]
            columns = [values]
            subject = getattr(plan.rule.config, "subject", None) if plan.rule else None
            if subject is not None:
                sub_plans.append(ColumnPlan(subject, "keep", "policy"))
                columns.append([firsts.get((ref[2], subject), "") for ref in refs])
            path_spans: list[list[Any]] = []
            new = self.transform_columns(
                sub_plans,
                columns,
                table=table,
                counts=summary.counts,
                spans={path: path_spans},
                first_row=0,
            )[0]
            for (holder, key, _, _), v, old in zip(refs, new, values, strict=True):
                if v != old:
                    holder[key] = v
            for sp in path_spans:
                ref = refs[sp[0]]
                spans.setdefault(path, []).append([base + ref[2], ref[3], *sp[1:]])

    def deidentify_xlsx(
        self, source: str | Path, output: str | Path, *, progress: Any = None
    ) -> Summary:
        """De-identify every worksheet of an Excel workbook (.xlsx) into a new workbook with
        the same sheet names and header rows. Each sheet is a table named after the sheet
        (policy ``tables:`` patterns match it), its first row the header; columns are planned
        per sheet. Protected cells are written as text, kept cells keep their values (cached
        values of formulas: the output has no formulas, styles or charts). A value beyond the
        header's last column stops the run, naming the sheet and row. Counts and the metadata
        name a column ``sheet!column``."""
        src = self._source = str(source)
        summary = Summary(source=src, kind="table")
        book = load_workbook(Path(source), src)
        sheets: list[dict[str, Any]] = []
        target = Path(output)
        part = target.with_name(f".{target.name}.part")
        import openpyxl

        out_book = openpyxl.Workbook(write_only=True)
        try:
            for ws in _worksheets(book, src):
                out_ws = out_book.create_sheet(title=ws.title)
                sheets.append(self._xlsx_sheet(ws, out_ws, summary, progress))
            metadata = self._metadata(summary, {})
            metadata["sheets"] = sheets
            out_book.save(part)
            with atomic_write(metadata_path(target)) as fh:
                fh.write(json.dumps(metadata, ensure_ascii=False))
            os.replace(part, target)
        except BaseException:
            _discard(out_book)
            part.unlink(missing_ok=True)
            raise
        finally:
            book.close()
        self._emit(summary)
        return summary

    def _xlsx_sheet(self, ws: Any, out_ws: Any, summary: Summary, progress: Any) -> dict[str, Any]:
        """One worksheet into ``out_ws``; returns its metadata (plans, spans, rows)."""
        src = summary.source
        sheet = ws.title
        rows = sheet_rows(ws, src)
        header = _header(next(rows, None))
        if header is None:
            return {"sheet": sheet, "columns": [], "spans": {}, "rows": 0}
        names = unique_names([_xl_text(h).strip() for h in header])
        width = len(header)
        out_ws.append(header)
        numbered = enumerate(rows, 2)
        batch: list[list[Any]] = []
        for line, row in numbered:
            batch.append(_xl_row(row, width, src, sheet, line))
            if len(batch) >= self.policy.sample_rows:
                break
        plans = self.plan_columns(names, [[_xl_text(v) for v in r] for r in batch], sheet)
        counts: Counter[tuple[str, str, str]] = Counter()
        spans: dict[str, list[list[Any]]] = {}
        keep = [j for j, p in enumerate(plans) if not self._suppressed(p)]
        done = 0

        def write(batch: list[list[Any]]) -> None:
            nonlocal done
            if not batch:
                return
            texts = [[_xl_text(r[j]) for r in batch] for j in range(width)]
            new = self.transform_columns(
                plans, texts, table=sheet, counts=counts, spans=spans, first_row=done
            )
            for i, r in enumerate(batch):
                out_ws.append([r[j] if new[j][i] == texts[j][i] else new[j][i] for j in keep])
            done += len(batch)
            if progress is not None:
                progress(len(batch))

        for line, row in numbered:
            batch.append(_xl_row(row, width, src, sheet, line))
            if len(batch) >= _BATCH:
                write(batch)
                batch = []
        write(batch)
        summary.rows += done
        for (column, entity, op), n in counts.items():
            summary.counts[(f"{sheet}!{column}", entity, op)] += n
        summary.columns.extend(
            ColumnPlan(f"{sheet}!{p.name}", p.kind, p.how, p.rule) for p in plans
        )
        return {
            "sheet": sheet,
            "columns": [p.to_dict() for p in plans],
            "spans": spans,
            "rows": done,
        }

    def transform_arrow(
        self,
        batch: Any,
        *,
        plans: Sequence[ColumnPlan] | None = None,
        table: str | None = None,
        counts: Counter[tuple[str, str, str]] | None = None,
        spans: dict[str, list[list[Any]]] | None = None,
        first_row: int = 0,
    ) -> Any:
        """De-identify one ``pyarrow.RecordBatch`` (the per-batch function that Spark's
        ``mapInArrow`` or any Arrow pipeline calls). Columns are planned from this batch
        unless ``plans`` are given; protected columns come back as strings (nulls stay
        null), kept columns unchanged, suppressed columns are left out. ``spans`` collects
        where reversible pseudonyms sit in free text (rows counted from ``first_row``)."""
        import pyarrow as pa  # the parquet / spark extras
        import pyarrow.compute as pc

        names = list(batch.schema.names)
        if plans is None:
            cols = [_texts(batch.column(j)) for j in range(batch.num_columns)]
            sample = [list(r) for r in zip(*cols, strict=True)][: self.policy.sample_rows]
            plans = self.plan_columns(names, sample, table)
        needed = {
            j
            for j, p in enumerate(plans)
            if p.kind == "text" or (p.kind != "keep" and p.rule is not None)
        }
        for p in plans:
            subject = getattr(p.rule.config, "subject", None) if p.rule is not None else None
            if subject in names:
                needed.add(names.index(subject))
        arrays = [
            _string_array(batch.column(j)) if j in needed else batch.column(j)
            for j in range(batch.num_columns)
        ]
        new = self.transform_arrow_columns(
            plans,
            arrays,
            table=table,
            counts=counts if counts is not None else Counter(),
            spans=spans,
            first_row=first_row,
        )
        out_arrays, out_names = [], []
        for j, plan in enumerate(plans):
            if self._suppressed(plan):
                continue
            out_names.append(names[j])
            column = batch.column(j)
            if new[j] is arrays[j]:
                out_arrays.append(column)
            elif column.null_count:
                out_arrays.append(
                    pc.if_else(pc.is_null(column), pa.scalar(None, pa.string()), new[j])
                )
            else:
                out_arrays.append(new[j])
        return pa.RecordBatch.from_arrays(out_arrays, names=out_names)

    def deidentify_parquet(
        self, source: str | Path, output: str | Path, *, table: str | None = None
    ) -> Summary:
        """De-identify a Parquet file batch by batch into ``output`` (+ metadata)."""
        import pyarrow.parquet as pq  # the parquet extra

        src = self._source = str(source)
        table = table or Path(source).name
        summary = Summary(source=src, kind="table")
        spans: dict[str, list[list[Any]]] = {}
        try:
            reader = pq.ParquetFile(source)
        except (OSError, ValueError) as exc:
            raise InputError(
                f"not a readable Parquet file ({type(exc).__name__})", source=src
            ) from None
        target = Path(output)
        part = target.with_name(f".{target.name}.part")
        writer: Any = None
        plans: list[ColumnPlan] | None = None
        try:
            for batch in parquet_batches(reader, src):
                if plans is None:
                    names = list(batch.schema.names)
                    cols = [_texts(batch.column(j)) for j in range(batch.num_columns)]
                    sample = [list(r) for r in zip(*cols, strict=True)][: self.policy.sample_rows]
                    plans = self.plan_columns(names, sample, table)
                    summary.columns = plans
                out = self.transform_arrow(
                    batch,
                    plans=plans,
                    table=table,
                    counts=summary.counts,
                    spans=spans,
                    first_row=summary.rows,
                )
                if writer is None:
                    writer = pq.ParquetWriter(part, out.schema)
                writer.write_batch(out)
                summary.rows += batch.num_rows
            if writer is None:
                raise InputError("the Parquet file has no rows", source=src)
            writer.close()
            writer = None
            with atomic_write(metadata_path(target)) as fh:
                fh.write(json.dumps(self._metadata(summary, spans), ensure_ascii=False))
            os.replace(part, target)
        except BaseException:
            if writer is not None:
                writer.close()
            part.unlink(missing_ok=True)
            raise
        self._emit(summary)
        return summary

    def deidentify_sql(
        self,
        url: str,
        table: str,
        new_table: str,
        *,
        metadata: str | Path | None = None,
        progress: Any = None,
    ) -> Summary:
        """De-identify the database table ``table`` at ``url`` into a new table ``new_table``
        in the same database (columns as text; the source is read in a read-only
        transaction by :mod:`piguard.sources`). The new table is created and filled in one
        transaction; on any error it is dropped, so nothing half-written remains. The metadata
        goes to ``metadata`` (default ``<new_table>.piguard.json`` in the current folder).
        """
        from piguard.sources import cell_text, redact_url, sql_tables

        shown = redact_url(url)
        matches = [t for t in sql_tables(url, full=True) if t.name == table]
        if not matches:
            raise InputError(f"no table {table!r}", source=shown)
        src_table: Any = matches[0]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", new_table):
            raise ConfigError(f"invalid new table name {new_table!r}: use letters, digits, _")
        self._source = shown
        summary = Summary(source=f"{shown}#{table}", kind="table")
        spans: dict[str, list[list[Any]]] = {}
        names = list(src_table.columns)
        if new_table in {t.name for t in sql_tables(url)}:
            raise ConfigError(f"table {new_table!r} already exists", source=shown)

        def texts(values: Sequence[Any]) -> list[str]:
            return [cell_text(v) or "" for v in values]

        batches = iter(src_table.batches())
        first = next(batches, None)
        sample_cols = [texts(first.columns[c]) if first else [] for c in names]
        sample = [list(r) for r in zip(*sample_cols, strict=True)][: self.policy.sample_rows]
        plans = self.plan_columns(names, sample, table)
        summary.columns = plans
        keep = [j for j, p in enumerate(plans) if not self._suppressed(p)]
        engine = src_table.engine
        import sqlalchemy as sa  # the db extra; piguard.sources has already needed it

        meta = sa.MetaData()
        out_table = sa.Table(new_table, meta, *(sa.Column(names[j], sa.Text) for j in keep))
        done = 0
        try:
            with engine.begin() as conn:
                meta.create_all(conn)
                for batch in itertools.chain([first] if first else [], batches):
                    cols = [texts(batch.columns[c]) for c in names]
                    nulls = [[v is None for v in batch.columns[c]] for c in names]
                    before = {c: len(v) for c, v in spans.items()}
                    new = self.transform_columns(
                        plans,
                        cols,
                        table=table,
                        counts=summary.counts,
                        spans=spans,
                        first_row=done,
                    )
                    # rows of a table have no order: a span names its cell by digest
                    for c, items in spans.items():
                        col = new[names.index(c)]
                        for entry in items[before.get(c, 0) :]:
                            entry[0] = cell_digest(col[entry[0] - done])
                    rows = [
                        {names[j]: (None if nulls[j][i] else new[j][i]) for j in keep}
                        for i in range(batch.rows)
                    ]
                    if rows:
                        conn.execute(out_table.insert(), rows)
                    done += batch.rows
                    if progress is not None:
                        progress(batch.rows)
        except BaseException:
            with contextlib.suppress(Exception):
                out_table.drop(engine, checkfirst=True)
            raise
        summary.rows = done
        target = Path(metadata) if metadata is not None else Path(f"{new_table}.piguard.json")
        with atomic_write(target) as fh:
            fh.write(json.dumps(self._metadata(summary, spans), ensure_ascii=False))
        self._emit(summary)
        return summary

    def deidentify_file(
        self,
        source: str | Path,
        output: str | Path,
        *,
        kind: str = "auto",
        encoding: str | None = None,
        progress: Any = None,
    ) -> Summary:
        """De-identify a file: ``kind`` is ``csv``, ``jsonl``, ``json``, ``xlsx``, ``parquet``,
        ``text`` or ``auto`` (by suffix)."""
        if kind == "auto":
            suffix = Path(source).suffix.lower()
            kind = {
                ".csv": "csv",
                ".jsonl": "jsonl",
                ".ndjson": "jsonl",
                ".parquet": "parquet",
                ".json": "json",
                ".xlsx": "xlsx",
            }.get(suffix, "text")
        if kind == "csv":
            return self.deidentify_csv(source, output, encoding=encoding, progress=progress)
        if kind == "jsonl":
            return self.deidentify_jsonl(source, output, encoding=encoding, progress=progress)
        if kind == "text":
            return self.deidentify_text_file(source, output, encoding=encoding)
        if kind == "parquet":
            return self.deidentify_parquet(source, output)
        if kind == "json":
            return self.deidentify_json(source, output, encoding=encoding, progress=progress)
        if kind == "xlsx":
            return self.deidentify_xlsx(source, output, progress=progress)
        raise ConfigError(
            f"unknown input kind {kind!r}: use auto, text, csv, jsonl, json, xlsx or parquet"
        )


# ---------------------------------------------------------------------------- helpers
def _texts(column: Any) -> list[str]:
    """A ``pyarrow`` column as Python strings (nulls as empty strings)."""
    return ["" if v is None else str(v) for v in column.to_pylist()]


def _string_array(column: Any) -> Any:
    """A ``pyarrow`` column as a string array without nulls (nulls as empty strings); other
    types are converted value by value as Python prints them (``str``)."""
    import pyarrow as pa

    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        arr = column.cast(pa.string()) if pa.types.is_large_string(column.type) else column
        return arr.fill_null("") if arr.null_count else arr
    return pa.array(_texts(column), type=pa.string())


def _line_offsets(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


def _open_text(fh: Any, src: str, encoding: str | None) -> io.TextIOWrapper:
    """The binary file as text in its detected (or given) encoding, strict, for csv."""
    if encoding is None:
        head = fh.read(1 << 16)
        fh.seek(0)
        try:
            encoding = detect_encoding(head)
        except EncodingError as exc:
            raise type(exc)(exc.message, source=src) from None
    return io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="")


def _decode_error(text: io.TextIOWrapper, src: str, line: int) -> EncodingError:
    """The decoding error with its exact line: the decoder reads ahead of the csv reader, so
    the file is read again line by line (strictly) to find where the bad bytes are."""
    raw: Any = text.buffer
    with contextlib.suppress(OSError, ValueError):
        raw.seek(0)
        try:
            for _ in iter_lines(raw, source=src, encoding=text.encoding):
                pass
        except EncodingError as exc:
            line = exc.line or line
    return EncodingError(
        f"bytes that are not valid {text.encoding} (give the encoding with --encoding)",
        source=src,
        line=line,
    )


def _checked_rows(reader: Any, width: int, src: str, text: io.TextIOWrapper) -> Iterator[list[str]]:
    """Rows of ``reader`` with ``width`` fields (blank lines skipped); errors name the line."""
    try:
        for row in reader:
            if len(row) != width:
                if not row:
                    continue
                raise InputError(
                    f"expected {width} fields, found {len(row)}", source=src, line=reader.line_num
                )
            yield row
    except csv.Error as exc:
        raise InputError(f"not valid CSV: {exc}", source=src, line=reader.line_num + 1) from None
    except UnicodeDecodeError:
        # the decoder works a chunk ahead of the reader: the line is where reading stopped
        raise _decode_error(text, src, reader.line_num + 1) from None


def _check_csv(path: Path, src: str, encoding: str) -> None:
    """Read a CSV file with the csv module only (no de-identification) to raise the located
    error of a bad row, after Arrow rejected the file part way: a bad last row then costs a
    reading pass, not a second de-identification of everything before it."""
    with path.open("rb") as fh:
        text = io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="")
        reader = csv.reader(text)
        try:
            width = len(next(reader))
        except (StopIteration, csv.Error, UnicodeDecodeError):
            return  # the full pass reports the header's problem
        for _ in _checked_rows(reader, width, src, text):
            pass


def _json_records(lines: Iterable[str], src: str) -> Iterator[Any]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg})", source=src, line=n) from None
        yield rec


def _leaves(obj: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = f"{path}.{k}" if path else str(k)
            if isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)):
                yield p, obj, k
            elif isinstance(v, dict | list):
                yield from _leaves(v, p)
    elif isinstance(obj, list):
        p = f"{path}[]"
        for i, v in enumerate(obj):
            if isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)):
                yield p, obj, i
            elif isinstance(v, dict | list):
                yield from _leaves(v, p)


def record_leaves(records: Sequence[Any], r: int) -> Iterator[tuple[str, Any, Any]]:
    """The leaves of ``records[r]`` as ``(path, holder, key)``: ``holder[key]`` is a string or
    integer leaf; a record that is itself a bare value is the column ``value`` (as in
    discovery's :func:`piguard.sources.flatten`)."""
    rec = records[r]
    if isinstance(rec, dict | list):
        yield from _leaves(rec, "")
    elif isinstance(rec, str) or (isinstance(rec, int) and not isinstance(rec, bool)):
        yield "value", records, r


@dataclass
class _JsonDocument:
    """A JSON document and its records, chosen as discovery chooses them
    (:class:`piguard.sources` ``JsonTable``)."""

    doc: Any
    records: list[Any]
    key: str | None
    indent: int | None

    @classmethod
    def read(cls, path: Path, src: str, encoding: str | None = None) -> _JsonDocument:
        with path.open("rb") as fh:
            text = "\n".join(iter_lines(fh, source=src, encoding=encoding))
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON ({exc.msg} at column {exc.colno})", source=src, line=exc.lineno
            ) from None
        indent = 2 if "\n" in text.strip() else None
        if isinstance(doc, list):
            return cls(doc, doc, None, indent)
        if isinstance(doc, dict):
            lists = [k for k, v in doc.items() if isinstance(v, list)]
            if len(lists) == 1 and all(isinstance(r, dict) for r in doc[lists[0]]):
                return cls(doc, doc[lists[0]], lists[0], indent)
            return cls(doc, [doc], None, indent)
        return cls(None, [doc], None, indent)  # a bare value: the one record

    def table(self, name: str) -> str:
        return f"{name}:{self.key}" if self.key else name

    def dumps(self) -> str:
        doc = self.records[0] if self.doc is None else self.doc
        return json.dumps(doc, ensure_ascii=False, indent=self.indent) + "\n"


def _xl_text(value: Any) -> str:
    """An Excel cell as text: strings as they are, empty cells as "", numbers and dates as
    discovery reads them (:func:`piguard.sources.cell_text`: 13812345678.0 is 13812345678)."""
    if isinstance(value, str):
        return value
    return cell_text(value) or ""


def _header(row: Sequence[Any] | None) -> list[Any] | None:
    """A sheet's first row without its trailing empty cells (None: an empty sheet)."""
    if row is None:
        return None
    cells = list(row)
    while cells and (cells[-1] is None or cells[-1] == ""):
        cells.pop()
    return cells or None


def _xl_row(row: Sequence[Any], width: int, src: str, sheet: str, line: int) -> list[Any]:
    """One data row padded to the header's width; a value beyond it is an error (it has no
    column name, so no rule could protect it)."""
    cells = list(row)
    if len(cells) > width:
        extra = [v for v in cells[width:] if v is not None and v != ""]
        if extra:
            raise InputError(
                f"sheet {sheet!r}, row {line}: a value beyond the header's {width} columns "
                "(give every column a header)",
                source=src,
            )
        cells = cells[:width]
    return cells + [None] * (width - len(cells))


def parquet_batches(reader: Any, src: str) -> Iterator[Any]:
    """The record batches of a ``pyarrow.parquet.ParquetFile``; a damaged page (bad
    compression, a cut file) is an :class:`InputError` naming the first row not read, not a
    traceback. Only the error's type is shown (never cell text)."""
    batches = reader.iter_batches(batch_size=_BATCH)
    rows = 0
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (OSError, ValueError) as exc:  # ArrowIOError, ArrowInvalid
            raise InputError(
                f"row {rows + 1}: damaged Parquet data ({type(exc).__name__})", source=src
            ) from None
        rows += batch.num_rows
        yield batch


def _discard(out_book: Any) -> None:
    """Close the sheets of a write-only workbook that will not be saved (they stream to
    temporary files)."""
    for ws in out_book.worksheets:
        with contextlib.suppress(Exception):
            ws.close()


def _worksheets(book: Any, src: str) -> list[Any]:
    sheets = list(book.worksheets)
    if not sheets:
        raise InputError("the workbook has no worksheets", source=src)
    return sheets


def _pad(cols: dict[str, list[str]], names: list[str]) -> list[list[str]]:
    n = max((len(v) for v in cols.values()), default=0)
    return [[cols[c][i] if i < len(cols[c]) else "" for c in names] for i in range(n)]


class _atomic_pair:
    """Write the output and its metadata atomically; neither exists unless both succeed."""

    def __init__(self, output: str | Path, *, with_meta: bool = True) -> None:
        self.output = Path(output)
        self.with_meta = with_meta

    def __enter__(self) -> tuple[IO[str], io.StringIO]:
        self._cm = atomic_write(self.output)
        self._out = self._cm.__enter__()
        self._meta = io.StringIO()
        return self._out, self._meta

    def __exit__(self, et: Any, ev: Any, tb: Any) -> None:
        if et is not None:
            self._cm.__exit__(et, ev, tb)
            return
        try:
            if self.with_meta:
                with atomic_write(metadata_path(self.output)) as fh:
                    fh.write(self._meta.getvalue())
        except BaseException:
            self._cm.__exit__(*sys.exc_info())
            raise
        self._cm.__exit__(None, None, None)
