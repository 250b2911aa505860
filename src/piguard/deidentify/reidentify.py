"""Re-identification (重标识) for key holders: undo the reversible operators of a run.

The metadata written beside a de-identified file (``<output>.piguard.json``) names each rule's
operator, options and key reference; this module rebuilds those operators with keys from the
key provider and reverses whole columns (``fpe``, ``encrypt``, ``tokenize``) and the recorded
spans inside free text. Tokens need an explicit ``role`` that the vault allows. Values that
were masked, hashed, generalised or removed stay as they are: they cannot be reversed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from piguard.deidentify.engine import _atomic_pair, _json_records, _leaves, metadata_path
from piguard.deidentify.operators import Operator, OperatorRegistry, default_operators
from piguard.detect.reader import iter_lines
from piguard.errors import ConfigError, InputError
from piguard.keys import KeyProvider, KeyRef, load_provider

__all__ = ["reidentify_file"]


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
    text: str, spans: list[list[Any]], ops: dict[int, Operator], role: str | None
) -> str:
    """Reverse ``[start, end, rule, entity]`` spans right to left."""
    for start, end, rule, entity in sorted(spans, reverse=True):
        op = ops.get(rule)
        if op is not None:
            text = text[:start] + op.reverse(text[start:end], entity, role=role) + text[end:]
    return text


def reidentify_file(
    source: str | Path,
    output: str | Path,
    *,
    metadata: str | Path | None = None,
    keys: KeyProvider | None = None,
    role: str | None = None,
    registry: OperatorRegistry | None = None,
) -> int:
    """Restore the reversible values of a de-identified file; returns how many were restored.

    ``metadata`` defaults to ``<source>.piguard.json``. Raises
    :class:`~piguard.errors.IntegrityError` when a value does not verify under the key.
    """
    src = Path(source)
    meta = _load_metadata(Path(metadata) if metadata else metadata_path(src))
    ops = _operators(meta, keys, registry or default_operators())
    restored = 0
    kind = meta.get("kind")
    spans: dict[str, list[list[Any]]] = meta.get("spans", {})
    with src.open("rb") as fh, _atomic_pair(output, with_meta=False) as (out, _meta):
        lines = iter_lines(fh, source=str(src))
        if kind == "text":
            by_line: dict[int, list[list[Any]]] = {}
            for row, *span in spans.get("<text>", []):
                by_line.setdefault(row, []).append(span)
            for n, line in enumerate(lines, 1):
                todo = by_line.get(n, [])
                restored += sum(1 for s in todo if s[2] in ops)
                out.write(_reverse_spans(line, todo, ops, role) + "\n")
        elif src.suffix.lower() == ".csv":
            restored = _csv(lines, out, meta, ops, role, spans, str(src))
        else:
            restored = _jsonl(lines, out, meta, ops, role, spans, str(src))
    return restored


def _column_ops(meta: dict[str, Any], ops: dict[int, Operator]) -> dict[str, tuple[Operator, str]]:
    out = {}
    for col in meta.get("columns", []):
        rule = col.get("rule")
        if rule is not None and rule in ops and col["kind"] not in ("text", "keep"):
            out[col["column"]] = (ops[rule], col["kind"])
    return out


def _csv(
    lines: Any,
    out: Any,
    meta: dict[str, Any],
    ops: dict[int, Operator],
    role: str | None,
    spans: dict[str, list[list[Any]]],
    src: str,
) -> int:
    reader = csv.reader(line + "\n" for line in lines)
    writer = csv.writer(out, lineterminator="\n")
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the CSV file is empty", source=src) from None
    writer.writerow(header)
    cols = _column_ops(meta, ops)
    span_at: dict[tuple[int, str], list[list[Any]]] = {}
    for column, items in spans.items():
        for row, *span in items:
            span_at.setdefault((row, column), []).append(span)
    restored = 0
    for r, row in enumerate(reader):
        for j, name in enumerate(header):
            if name in cols and row[j]:
                op, entity = cols[name]
                row[j] = op.reverse(row[j], entity, role=role)
                restored += 1
            todo = span_at.get((r, name))
            if todo:
                row[j] = _reverse_spans(row[j], todo, ops, role)
                restored += len(todo)
        writer.writerow(row)
    return restored


def _jsonl(
    lines: Any,
    out: Any,
    meta: dict[str, Any],
    ops: dict[int, Operator],
    role: str | None,
    spans: dict[str, list[list[Any]]],
    src: str,
) -> int:
    cols = _column_ops(meta, ops)
    span_at: dict[tuple[int, str, int], list[list[Any]]] = {}
    for path, items in spans.items():
        for row, nth, *span in items:
            span_at.setdefault((row, path, nth), []).append(span)
    restored = 0
    for r, rec in enumerate(_json_records(lines, src)):
        seen: dict[str, int] = {}
        for path, holder, key in list(_leaves(rec, "")):
            nth = seen.get(path, 0)
            seen[path] = nth + 1
            value = holder[key]
            if not isinstance(value, str):
                continue
            if path in cols and value:
                op, entity = cols[path]
                holder[key] = op.reverse(value, entity, role=role)
                restored += 1
            todo = span_at.get((r, path, nth))
            if todo:
                holder[key] = _reverse_spans(holder[key], todo, ops, role)
                restored += len(todo)
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return restored
