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

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

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


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal information found in a line of text.

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
    value: str = field(repr=False)

    @property
    def preview(self) -> str:
        """The masked value (``138****5678``)."""
        return _preview(self.entity, self.value)

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
        self._pattern_recognizers = sorted(
            (r for r in registry if isinstance(r, PatternRecognizer)),
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

    def _line_findings(
        self, line: str, line_no: int, source: str, extra: list[list[Hit]] | None
    ) -> list[Finding]:
        text = line.translate(HALFWIDTH) if _NEEDS_HALFWIDTH.search(line) else line
        hits = self._pattern_hits(text)
        for more in extra or ():
            if more:
                hits = _merge(hits, more)
        out = []
        reportable = self._reportable
        for h in hits:
            info = reportable.get(h.entity)
            if info is None or h.score < self.min_score:
                continue
            out.append(
                Finding(
                    source,
                    line_no,
                    h.start,
                    h.end,
                    h.entity,
                    info[0],
                    info[1],
                    h.score,
                    h.explanation,
                    line[h.start : h.end],
                )
            )
        return out

    def _text_hits(self, lines: Sequence[str]) -> list[list[list[Hit]]]:
        """Per line, the hits of each text recognizer in registry order (lexicon, model)."""
        result: list[list[list[Hit]]] = [[] for _ in lines]
        for r in self._text_recognizers:
            for i, hs in enumerate(r.analyze_batch(lines)):
                result[i].append([h for h in hs if h.entity in self.entities])
        return result

    def scan_line(self, line: str, *, line_no: int = 1, source: str = "<text>") -> list[Finding]:
        """Findings in one line (no newline inside), offsets within the line."""
        extra = self._text_hits([line])[0] if self._text_recognizers else None
        return self._line_findings(line, line_no, source, extra)

    def scan_lines(
        self, lines: Iterable[str], *, source: str = "<text>", start_line: int = 1, batch: int = 256
    ) -> Iterator[Finding]:
        """Stream findings from an iterable of lines (a file object works; newlines are
        stripped). Lines are processed in batches of ``batch`` so a model can batch too."""
        line_no = start_line
        buffer: list[str] = []
        for raw in lines:
            buffer.append(raw.rstrip("\r\n"))
            if len(buffer) >= batch:
                yield from self._scan_block(buffer, line_no, source)
                line_no += len(buffer)
                buffer = []
        if buffer:
            yield from self._scan_block(buffer, line_no, source)

    def _scan_block(self, lines: list[str], first: int, source: str) -> Iterator[Finding]:
        extras = self._text_hits(lines) if self._text_recognizers else None
        for i, line in enumerate(lines):
            yield from self._line_findings(line, first + i, source, extras[i] if extras else None)

    def scan_text(self, text: str, *, source: str = "<text>") -> list[Finding]:
        """Findings in ``text``; ``line`` counts the ``\\n``-separated lines from 1."""
        return list(self.scan_lines(text.split("\n"), source=source))

    def scan_batch(self, texts: Sequence[str], *, source: str = "<text>") -> list[list[Finding]]:
        """:meth:`scan_text` for many texts at once (one model batch for all their lines)."""
        split = [t.split("\n") for t in texts]
        flat = [line.rstrip("\r") for lines in split for line in lines]
        extras = self._text_hits(flat) if self._text_recognizers else None
        out: list[list[Finding]] = []
        k = 0
        for lines in split:
            found: list[Finding] = []
            for i in range(len(lines)):
                found.extend(
                    self._line_findings(flat[k], i + 1, source, extras[k] if extras else None)
                )
                k += 1
            out.append(found)
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
    (identifiers win over the lexicon, and both over the model)."""
    if not accepted:
        return sorted(extra, key=lambda h: h.start)
    out = list(accepted)
    for h in extra:
        if any(a.entity == h.entity and a.start < h.end and h.start < a.end for a in accepted):
            continue
        pieces = [(h.start, h.end)]
        for a in accepted:
            s, e = a.start, a.end
            nxt = []
            for lo, hi in pieces:
                if e <= lo or s >= hi:
                    nxt.append((lo, hi))
                    continue
                if lo < s:
                    nxt.append((lo, s))
                if e < hi:
                    nxt.append((e, hi))
            pieces = nxt
        if not pieces:
            continue
        lo, hi = max(pieces, key=lambda p: p[1] - p[0])
        if hi - lo >= 2:
            out.append(Hit(lo, hi, h.entity, h.score, h.explanation))
    out.sort(key=lambda h: h.start)
    return out
