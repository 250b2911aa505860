"""The scanning engine: :class:`Scanner` turns text into :class:`Finding` s.

All enabled pattern recognizers are compiled into **one** regular expression whose whole
alternation starts with a single leading character class, the layout that lets ``re`` skip
ahead in C to the next possible start (measured about three times faster than a plain
alternation; see benchmarks/detect/RESULTS.md). Every branch re-checks its own first
character with a one-character lookbehind, and the left boundary ``(?<![0-9A-Za-z])`` is a
lookbehind too, so the match starts where the identifier starts. A candidate the validator
rejects falls through to the next branch at the same position.

Lines are normalised full-width → half-width with a 1:1 table only when they contain
full-width digits or letters, so offsets are code points of the original line.
"""

from __future__ import annotations

import bisect
import json.encoder
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from piguard import taxonomy
from piguard.detect.identifiers._text import HALFWIDTH
from piguard.detect.masking import preview as _preview
from piguard.detect.recognizers.base import (
    Hit,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    TextRecognizer,
    split_first,
)
from piguard.errors import ConfigError, UnknownKeyError

__all__ = ["Finding", "Scanner"]

_NEEDS_HALFWIDTH = re.compile(
    "[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff20\uff0b\uff0d\uff0e\u3000]"
)
_MODEL_ENTITIES = frozenset({"PERSON_NAME", "ADDRESS"})
# The C string encoder behind json.dumps(..., ensure_ascii=False): quotes and escapes.
_encode = json.encoder.encode_basestring


class Finding(NamedTuple):
    """One piece of personal information found in a line of text (immutable).

    The fields of DESIGN.md (``source`` … ``preview``) plus ``explanation``. The raw
    ``value`` is kept for callers that need it (de-identification) but is never in ``repr``
    and reaches JSON only through ``to_dict(show_values=True)``.
    """

    source: str
    line: int
    start: int
    end: int
    entity: str
    category: str
    sensitive: bool
    score: float
    explanation: str
    value: str

    def __repr__(self) -> str:
        return (
            f"Finding(source={self.source!r}, line={self.line}, start={self.start}, "
            f"end={self.end}, entity={self.entity!r}, category={self.category!r}, "
            f"sensitive={self.sensitive}, score={self.score}, explanation={self.explanation!r})"
        )

    @property
    def preview(self) -> str:
        """The masked value (``138****5678``)."""
        return _preview(self.entity, self.value)

    def to_json(self, *, show_values: bool = False, explain: bool = False) -> str:
        """``json.dumps(self.to_dict(...), ensure_ascii=False)``, formatted directly (the output
        path of a scan costs as much as the scan if every finding goes through a dict).

        >>> f = Finding(
        ...     "a.txt", 1, 0, 11, "CN_MOBILE", "basic.phone.mobile", False, 0.9, "", "13800138000"
        ... )
        >>> import json
        >>> json.loads(f.to_json()) == f.to_dict()
        True
        """
        value = self.value if show_values else _preview(self.entity, self.value)
        tail = f', "explanation": {_encode(self.explanation)}}}' if explain else "}"
        return (
            f'{{"source": {_encode(self.source)}, "line": {self.line}, "start": {self.start}, '
            f'"end": {self.end}, "entity": {_encode(self.entity)}, '
            f'"category": {_encode(self.category)}, '
            f'"sensitive": {"true" if self.sensitive else "false"}, "score": {self.score!r}, '
            f'"preview": {_encode(value)}{tail}'
        )

    def to_dict(self, *, show_values: bool = False, explain: bool = False) -> dict[str, Any]:
        """The finding as DESIGN.md's JSON object (``explanation`` only when asked)."""
        out: dict[str, Any] = {
            "source": self.source,
            "line": self.line,
            "start": self.start,
            "end": self.end,
            "entity": self.entity,
            "category": self.category,
            "sensitive": self.sensitive,
            "score": self.score,
            "preview": self.value if show_values else self.preview,
        }
        if explain:
            out["explanation"] = self.explanation
        return out


@dataclass(frozen=True, slots=True)
class _Branch:
    recognizer: PatternRecognizer
    pattern: Pattern
    first: str  # a character class, e.g. "[0-9]"
    body: str  # the pattern after its first character, groups renamed
    value_group: str | None


def _class_inner(first: str) -> str:
    if first.startswith("["):
        if first.startswith("[^"):
            raise ConfigError(f"a pattern may not start with a negated class ({first})")
        inner = first[1:-1]
        # A leading or trailing "-" is literal inside its own class, not once concatenated.
        if inner.startswith("-"):
            inner = "\\-" + inner[1:]
        if inner.endswith("-") and not inner.endswith("\\-"):
            inner = inner[:-1] + "\\-"
        return inner
    if first.startswith("\\"):
        return {"\\d": "0-9", "\\w": "0-9A-Za-z_"}.get(first, first)
    return re.escape(first)


class _Combined:
    """One compiled alternation over a list of branches, with the group → branch map."""

    def __init__(self, branches: Sequence[_Branch]) -> None:
        union = "".join(dict.fromkeys(_class_inner(b.first) for b in branches))
        alternatives = [
            f"(?P<b{i}>(?<=[{_class_inner(b.first)}]){b.body})" for i, b in enumerate(branches)
        ]
        # The left boundary is checked on the character before the one just consumed.
        source = f"[{union}](?<![0-9A-Za-z].)(?<![0-9]\\..)(?:{'|'.join(alternatives)})"
        self.regex = re.compile(source)
        index = self.regex.groupindex
        self.by_group: dict[int, tuple[_Branch, int]] = {
            index[f"b{i}"]: (b, i) for i, b in enumerate(branches)
        }
        self.value_group: dict[int, int] = {
            i: index[b.value_group] for i, b in enumerate(branches) if b.value_group is not None
        }


class Scanner:
    """Find personal information in text.

    ``entities`` / ``exclude_entities`` choose what is reported (DESIGN.md entity names);
    ``recognizers`` (an iterable or a :class:`RecognizerRegistry`) replaces the defaults
    (:func:`piguard.detect.recognizers.default_registry`, which includes plug-ins from the
    ``piguard.recognizers`` entry point group); ``tagger`` replaces the shipped name/address
    model; ``min_score`` drops weaker findings.

    >>> scanner = Scanner(exclude_entities=["PERSON_NAME", "ADDRESS"])
    >>> [(f.entity, f.preview) for f in scanner.scan_text("银行卡号6222029600133894。")]
    [('BANK_CARD', '6222********3894')]
    >>> f = scanner.scan_text("登录IP为150.3.94.220，手机13812345678")[1]
    >>> f.entity, f.start, f.end, f.score, f.sensitive
    ('CN_MOBILE', 20, 31, 0.9, False)
    """

    def __init__(
        self,
        *,
        entities: Iterable[str] | None = None,
        exclude_entities: Iterable[str] | None = None,
        recognizers: Iterable[Any] | None = None,
        tagger: Any = None,
        min_score: float = 0.5,
    ) -> None:
        from piguard.detect.recognizers import default_registry
        from piguard.detect.recognizers.model import ModelRecognizer

        if recognizers is None:
            registry = default_registry(tagger=tagger)
        elif isinstance(recognizers, RecognizerRegistry):
            registry = recognizers
        else:
            registry = RecognizerRegistry(recognizers)
        if tagger is not None:
            for r in list(registry):
                if isinstance(r, ModelRecognizer):
                    registry.add(ModelRecognizer(tagger=tagger), replace=True)
        known = set(taxonomy.ENTITIES) | set(registry.entities)
        wanted = set(known if entities is None else (_norm(e, known) for e in entities))
        wanted -= {_norm(e, known) for e in exclude_entities or ()}
        self.entities: frozenset[str] = frozenset(wanted & set(registry.entities))
        self.min_score = min_score
        # Every pattern recognizer runs, so that overlaps resolve the same way whatever is
        # requested (a phone inside an e-mail is never a phone), except those that shadow
        # nothing and report nothing requested.
        self._pattern_recognizers = sorted(
            (
                r
                for r in registry
                if isinstance(r, PatternRecognizer)
                and (r.shadows or self.entities.intersection(r.entities))
            ),
            key=lambda r: r.priority,
        )
        self._text_recognizers: list[TextRecognizer] = [
            r
            for r in registry
            if isinstance(r, TextRecognizer) and self.entities.intersection(r.entities)
        ]
        self._reportable = {
            e: (taxonomy.entity_category(e).key, taxonomy.entity_category(e).sensitive)
            if e in taxonomy.ENTITY_CATEGORIES
            else (f"custom.{e.lower()}", False)
            for e in self.entities
        }
        self._lock = threading.Lock()
        self._combined: list[_Combined] | None = None

    # ------------------------------------------------------------ compilation (lazy)
    def _compile(self) -> list[_Combined]:
        with self._lock:
            if self._combined is None:
                branches: list[_Branch] = []
                for r in self._pattern_recognizers:
                    for p in r.patterns:
                        first, rest = split_first(p.regex)
                        vg = None
                        if p.value_group is not None:
                            vg = f"b{len(branches)}_{p.value_group}"
                            rest = rest.replace(f"(?P<{p.value_group}>", f"(?P<{vg}>")
                        branches.append(_Branch(r, p, first, rest, vg))
                if not branches:
                    self._combined = []
                else:
                    # combined[k] holds branches k.. (k = 0 is the main pattern); the others
                    # are fallbacks built on first use.
                    self._branches = branches
                    self._fallbacks: dict[int, _Combined] = {}
                    self._combined = [_Combined(branches)]
            return self._combined

    def _fallback(self, k: int) -> _Combined | None:
        if k >= len(self._branches):
            return None
        fb = self._fallbacks.get(k)
        if fb is None:
            fb = self._fallbacks[k] = _Combined(self._branches[k:])
        return fb

    # ------------------------------------------------------------ scanning
    def _pattern_hits(self, text: str) -> list[Hit]:
        combined = self._combined if self._combined is not None else self._compile()
        if not combined:
            return []
        main = combined[0]
        search = main.regex.search
        hits: list[Hit] = []
        pos = 0
        n = len(text)
        while pos < n:
            m = search(text, pos)
            if m is None:
                break
            comb, offset = main, 0
            while True:
                branch, i = comb.by_group[m.lastindex]  # type: ignore[index]
                vg = comb.value_group.get(i)
                start, end = m.span(vg) if vg is not None else m.span()
                hit = branch.recognizer.judge(branch.pattern, text, start, end)
                if hit is not None:
                    hits.append(hit)
                    pos = m.end()
                    break
                nxt = self._fallback(offset + i + 1)
                m2 = None if nxt is None else nxt.regex.match(text, m.start())
                if m2 is None:
                    pos = m.start() + 1
                    break
                comb, offset, m = nxt, offset + i + 1, m2  # type: ignore[assignment]
        return hits

    def _block_findings(self, lines: Sequence[str], first: int, source: str) -> list[Finding]:
        """Findings of consecutive lines, scanned as one block joined by newlines.

        One regular-expression pass per block instead of per line; context windows stop at
        the start of the line (recognizers get text with newlines only between lines, and
        every default pattern matches within a line).
        """
        block = "\n".join(lines)
        text = block.translate(HALFWIDTH) if _NEEDS_HALFWIDTH.search(block) else block
        hits = self._pattern_hits(text)
        if self._text_recognizers:
            starts = [0]
            for line in lines[:-1]:
                starts.append(starts[-1] + len(line) + 1)
            for r in self._text_recognizers:
                if getattr(r, "multiline", False):
                    more = r.analyze(text)
                else:
                    more = [
                        h._replace(start=h.start + base, end=h.end + base)
                        for base, hs in zip(starts, r.analyze_batch(lines), strict=True)
                        for h in hs
                    ]
                more = [h for h in more if h.entity in self.entities]
                if more:
                    hits = _merge(hits, more)
        out: list[Finding] = []
        reportable = self._reportable
        min_score = self.min_score
        line_idx = 0
        line_start = 0
        line_end = len(lines[0]) if lines else 0
        for h in hits:
            info = reportable.get(h.entity)
            if info is None or h.score < min_score:
                continue
            while h.start > line_end:
                line_start = line_end + 1
                line_idx += 1
                line_end = line_start + len(lines[line_idx])
            if h.end > line_end:
                continue  # a plug-in pattern ran across a line break
            out.append(
                Finding(
                    source,
                    first + line_idx,
                    h.start - line_start,
                    h.end - line_start,
                    h.entity,
                    info[0],
                    info[1],
                    h.score,
                    h.explanation,
                    block[h.start : h.end],
                )
            )
        return out

    def scan_line(self, line: str, *, line_no: int = 1, source: str = "<text>") -> list[Finding]:
        """Findings in one line (no newline inside), offsets within the line."""
        return self._block_findings([line], line_no, source)

    def scan_lines(
        self, lines: Iterable[str], *, source: str = "<text>", start_line: int = 1, batch: int = 256
    ) -> Iterator[Finding]:
        """Stream findings from an iterable of lines (a file object works; newlines are
        stripped). Lines are processed in blocks of ``batch`` (one regex pass, one model
        batch per block)."""
        line_no = start_line
        buffer: list[str] = []
        for raw in lines:
            buffer.append(raw.rstrip("\r\n"))
            if len(buffer) >= batch:
                yield from self._block_findings(buffer, line_no, source)
                line_no += len(buffer)
                buffer = []
        if buffer:
            yield from self._block_findings(buffer, line_no, source)

    def scan_text(self, text: str, *, source: str = "<text>") -> list[Finding]:
        """Findings in ``text``; ``line`` counts the ``\\n``-separated lines from 1."""
        return list(self.scan_lines(text.split("\n"), source=source))

    def scan_batch(self, texts: Sequence[str], *, source: str = "<text>") -> list[list[Finding]]:
        """:meth:`scan_text` for many texts (their lines are scanned in shared blocks)."""
        flat: list[str] = []
        owner: list[tuple[int, int]] = []
        for t, text in enumerate(texts):
            for i, line in enumerate(text.split("\n")):
                flat.append(line.rstrip("\r"))
                owner.append((t, i + 1))
        out: list[list[Finding]] = [[] for _ in texts]
        for k in range(0, len(flat), 256):
            for f in self._block_findings(flat[k : k + 256], k, source):
                t, line_no = owner[f.line]
                out[t].append(f._replace(line=line_no))
        return out


def _norm(entity: str, known: set[str]) -> str:
    name = entity.strip().upper()
    if name not in known:
        raise UnknownKeyError(
            f"unknown entity {entity.strip()!r} (known: {', '.join(sorted(known))})"
        )
    return name


def _merge(accepted: list[Hit], extra: list[Hit]) -> list[Hit]:
    """Add line-level hits to ``accepted`` ones: a hit overlapping an accepted hit of the same
    entity is dropped; one overlapping another entity is trimmed to its longest free piece
    (identifiers win over the lexicon, and both over the model).

    ``accepted`` is sorted and non-overlapping, so its ends are sorted too and the hits a new
    span overlaps are found by bisection: linear in the number of hits, not quadratic.
    """
    if not accepted:
        return sorted(extra, key=lambda h: h.start)
    ends = [a.end for a in accepted]
    out = list(accepted)
    for h in extra:
        k = bisect.bisect_right(ends, h.start)
        overlapping = []
        while k < len(accepted) and accepted[k].start < h.end:
            overlapping.append(accepted[k])
            k += 1
        if not overlapping:
            out.append(h)
            continue
        if any(a.entity == h.entity for a in overlapping):
            continue
        pieces = []
        lo = h.start
        for a in overlapping:
            if a.start > lo:
                pieces.append((lo, a.start))
            lo = max(lo, a.end)
        if lo < h.end:
            pieces.append((lo, h.end))
        if not pieces:
            continue
        lo, hi = max(pieces, key=lambda p: p[1] - p[0])
        if hi - lo >= 2:
            out.append(Hit(lo, hi, h.entity, h.score, h.explanation))
    out.sort(key=lambda h: h.start)
    return out
