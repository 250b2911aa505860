"""Readers for the training corpora (../shared/data): CLUENER2020 and MSRA NER.

Both give ``(text, spans)`` with spans ``(start, end_exclusive, label)`` and labels
"PERSON_NAME" / "ADDRESS". Other entity types are dropped (their characters become O).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"

Span = tuple[int, int, str]
Example = tuple[str, list[Span]]

_CLUENER_LABELS = {"name": "PERSON_NAME", "address": "ADDRESS"}


def read_cluener(path: Path, *, all_types: bool = False) -> list[Example]:
    """CLUENER2020 JSON lines (``{"text", "label": {type: {entity: [[s, e_incl]]}}}``).

    With ``all_types``, the other entity types are kept under their CLUENER names.
    """
    out: list[Example] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            spans: list[Span] = []
            for typ, ents in row.get("label", {}).items():
                lab = _CLUENER_LABELS.get(typ, typ if all_types else None)
                if lab is None:
                    continue
                for positions in ents.values():
                    for s, e in positions:
                        spans.append((s, e + 1, lab))
            out.append((row["text"], sorted(spans)))
    return out


def read_msra(path: Path, *, loc: str | None = None) -> list[Example]:
    """MSRA NER (char<TAB>IOB2 tag, blank line between sentences).

    PER becomes PERSON_NAME. LOC (any place, not necessarily an address) becomes
    ``loc`` if given (e.g. "ADDRESS"), else it is dropped.
    """
    labels = {"PER": "PERSON_NAME"}
    if loc:
        labels["LOC"] = loc
    out: list[Example] = []
    for chars, tags in _msra_sentences(path):
        spans: list[Span] = []
        start = -1
        typ = ""
        for i, tag in enumerate([*tags, "O"]):
            if start >= 0 and (tag == "O" or tag.startswith("B-") or tag[2:] != typ):
                if typ in labels:
                    spans.append((start, i, labels[typ]))
                start = -1
            if tag.startswith("B-") or (tag.startswith("I-") and start < 0):
                start, typ = i, tag[2:]
        out.append(("".join(chars), spans))
    return out


def _msra_sentences(path: Path) -> Iterator[tuple[list[str], list[str]]]:
    chars: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if chars:
                    yield chars, tags
                chars, tags = [], []
                continue
            ch, _, tag = line.partition("\t")
            if not tag:  # "char tag" separated by a space in a few copies
                ch, _, tag = line.rpartition(" ")
            chars.append(ch[:1] if ch else " ")
            tags.append(tag.strip() or "O")
    if chars:
        yield chars, tags


def bio(text: str, spans: list[Span]) -> list[str]:
    """CRF label per character: B-N / I-N (names), B-A / I-A (addresses), O."""
    y = ["O"] * len(text)
    for s, e, lab in spans:
        t = "N" if lab == "PERSON_NAME" else "A"
        y[s] = "B-" + t
        for i in range(s + 1, e):
            y[i] = "I-" + t
    return y
