"""The recognizer model: declarative pattern recognizers, text recognizers and the registry.

A :class:`PatternRecognizer` is data (presidio ``PatternRecognizer`` style): the entity it
finds, its :class:`Pattern` s, Chinese and English context words, words that argue *against*
it (``订单号`` before an 18-digit number), the validator from
:mod:`piguard.detect.identifiers` that it wraps, and its scores. The engine compiles the
patterns of every enabled recognizer into one regular expression and calls :meth:`judge` for
each candidate. A :class:`TextRecognizer` (lexicon, model) looks at a whole line itself.

Scores: a candidate whose validator passes gets the pattern's score (medium, about 0.6) plus
any bonus the validator gives; context words raise it by :attr:`context_boost` (high). A
failed validator drops the candidate, except for recognizers that report a *low* score when
strong context is present (a resident ID with a wrong check digit right after 身份证号).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, runtime_checkable

from piguard.errors import ConfigError, UnknownKeyError

__all__ = [
    "END",
    "NUM_END",
    "Hit",
    "Pattern",
    "PatternRecognizer",
    "Recognizer",
    "RecognizerRegistry",
    "TextRecognizer",
    "Verdict",
    "split_first",
    "trie_regex",
]

#: Right boundary for alphanumeric tokens: CJK-safe, never ``\b`` (a Han character next to a
#: number must not hide it, as ``\b`` does in ``银行卡号6222…``).
END = r"(?![0-9A-Za-z])"
#: Right boundary for numbers: also not followed by a decimal part (``12345.67``).
NUM_END = r"(?![0-9A-Za-z])(?!\.[0-9])"

#: Score levels (documented in docs/detection.md).
LOW, MEDIUM, HIGH = 0.3, 0.6, 0.9


class Verdict(NamedTuple):
    """What a validator says about one candidate.

    ``ok``: the identifier is valid; ``reason``: a short English phrase for the explanation
    (never the value itself); ``bonus``: extra evidence (a county code that exists today);
    ``keep_with_context``: report at a low score when context words are present although the
    check failed (a mistyped ID next to 身份证号 is still an ID).
    """

    ok: bool
    reason: str
    bonus: float = 0.0
    keep_with_context: bool = False


@dataclass(frozen=True, slots=True)
class Pattern:
    """One regular expression of a recognizer.

    ``regex`` must start with a single character class, escape or literal character (the
    engine hoists it into the one leading class that lets ``re`` skip ahead fast) and must
    be linear-time: no nested quantifiers, every repetition bounded. ``value_group`` names a
    group that holds the value when the pattern includes its context (``QQ：(?P<v>…)``).
    ``needs_context``: the candidate counts only when a context word is near.
    """

    name: str
    regex: str
    score: float = MEDIUM
    value_group: str | None = None
    needs_context: bool = False

    def __post_init__(self) -> None:
        split_first(self.regex)  # raises ConfigError when the pattern cannot be combined
        try:
            compiled = re.compile(self.regex)
        except re.error as exc:
            raise ConfigError(f"pattern {self.name!r} does not compile: {exc}") from None
        if self.value_group is not None and self.value_group not in compiled.groupindex:
            raise ConfigError(f"pattern {self.name!r} has no group {self.value_group!r}")


def trie_regex(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, longest first, shaped as a trie
    (alternation only, no repetition: linear, and fast because each position tests one
    character class).

    >>> trie_regex(["订单", "订单号", "运单号"])
    '(?:订单(?:号)?|运单号)'
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie) if trie else "(?!)"


def split_first(regex: str) -> tuple[str, str]:
    """Split a pattern into its first character class and the rest.

    >>> split_first(r"[0-9]{5}"), split_first(r"\\+86"), split_first("QQ")
    (('[0-9]', '[0-9]{4}'), ('\\\\+', '86'), ('Q', 'Q'))
    >>> split_first(r"[a-z]{1,3}x")
    ('[a-z]', '[a-z]{0,2}x')
    """
    if not regex:
        raise ConfigError("empty pattern")
    head = regex[0]
    if head == "[":
        i = 1
        if i < len(regex) and regex[i] == "^":
            i += 1
        if i < len(regex) and regex[i] == "]":
            i += 1
        while i < len(regex) and regex[i] != "]":
            i += 2 if regex[i] == "\\" else 1
        if i >= len(regex):
            raise ConfigError(f"unterminated character class in {regex!r}")
        first, rest = regex[: i + 1], regex[i + 1 :]
    elif head == "\\":
        if len(regex) < 2 or regex[1] in "bBAZ0123456789":
            raise ConfigError(f"pattern {regex!r} must start with a character")
        first, rest = regex[:2], regex[2:]
    elif head in "()|.^$*+?{":
        raise ConfigError(f"pattern {regex!r} must start with a character or a character class")
    else:
        first, rest = head, regex[1:]
    if rest[:1] in ("*", "?"):
        raise ConfigError(f"pattern {regex!r}: the first character may not be optional")
    if rest[:1] == "+":
        return first, first + "*" + rest[1:]
    if rest[:1] == "{":
        m = re.match(r"\{(\d+)(?:(,)(\d*))?\}", rest)
        if m is None or int(m.group(1)) == 0:
            raise ConfigError(f"pattern {regex!r}: the first character may not be optional")
        low = int(m.group(1)) - 1
        if m.group(2) is None:
            quant = f"{{{low}}}"
        elif m.group(3):
            quant = f"{{{low},{int(m.group(3)) - 1}}}"
        else:
            quant = f"{{{low},}}"
        return first, first + quant + rest[m.end() :]
    return first, rest


class Hit(NamedTuple):
    """A span a recognizer accepted, before the engine turns it into a finding."""

    start: int
    end: int
    entity: str
    score: float
    explanation: str


@runtime_checkable
class Recognizer(Protocol):
    """What every recognizer has: a name and the entities it can report."""

    @property
    def name(self) -> str: ...

    @property
    def entities(self) -> tuple[str, ...]: ...


@runtime_checkable
class TextRecognizer(Recognizer, Protocol):
    """A recognizer that looks at whole lines (lexicons, models)."""

    def analyze(self, text: str) -> list[Hit]: ...

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Hit]]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class PatternRecognizer:
    """A declarative recognizer: patterns, context words, a validator and scores.

    ``validator`` receives the candidate's text (half-width) and returns a :class:`Verdict`;
    ``None`` means the pattern is evidence enough. Context words are matched
    case-insensitively in the :attr:`window` characters before the candidate; when the nearest
    one is a ``negative_context`` word (``订单号``) the candidate is dropped, unless a
    positive word is nearer.
    """

    name: str
    entity: str
    patterns: tuple[Pattern, ...]
    context: tuple[str, ...] = ()
    negative_context: tuple[str, ...] = ()
    validator: Callable[[str], Verdict] | None = None
    context_boost: float = HIGH - MEDIUM
    window: int = 24
    priority: int = 50
    report: bool = True
    #: Whether its matches hide other candidates (an e-mail hides the QQ number inside it).
    #: A recognizer that cannot overlap identifiers (labelled names) sets False and is then
    #: skipped entirely when its entity is not requested.
    shadows: bool = True
    _context_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _context_kind: dict[str, bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.patterns:
            raise ConfigError(f"recognizer {self.name!r} has no patterns")
        kinds = {w.lower(): True for w in self.context}
        kinds.update({w.lower(): False for w in self.negative_context if w.lower() not in kinds})
        compiled = re.compile(trie_regex(list(kinds))) if kinds else None
        object.__setattr__(self, "_context_re", compiled)
        object.__setattr__(self, "_context_kind", kinds)

    @property
    def entities(self) -> tuple[str, ...]:
        return (self.entity,)

    def context_near(self, text: str, start: int) -> tuple[str | None, str | None]:
        """The nearest context word before ``start``: ``(positive, negative)``, one is None."""
        rx = self._context_re
        if rx is None:
            return None, None
        lo = max(0, start - self.window)
        nl = text.rfind("\n", lo, start)  # the window stops at the start of the line
        found = rx.findall(text[lo if nl < 0 else nl + 1 : start].lower())
        if not found:
            return None, None
        word = found[-1]
        return (word, None) if self._context_kind[word] else (None, word)

    def judge(self, pattern: Pattern, text: str, start: int, end: int) -> Hit | None:
        """Decide about one candidate ``text[start:end]``; None drops it."""
        positive = None
        rx = self._context_re
        if rx is not None:  # the nearest context word before the candidate, in its line
            lo = start - self.window
            if lo < 0:
                lo = 0
            nl = text.rfind("\n", lo, start)
            found = rx.findall(text[lo if nl < 0 else nl + 1 : start].lower())
            if found:
                word = found[-1]
                if not self._context_kind[word]:
                    return None  # a negative word (订单号 …) is nearest
                positive = word
        if positive is None and pattern.needs_context:
            return None
        validator = self.validator
        if validator is None:
            why = f"pattern {self.name}.{pattern.name}"
            score = pattern.score
        else:
            verdict = validator(text[start:end])
            why = f"pattern {self.name}.{pattern.name}; validator: {verdict.reason}"
            if not verdict.ok:
                if not (verdict.keep_with_context and positive is not None):
                    return None
                return Hit(start, end, self.entity, LOW, f"{why}; context '{positive}'")
            score = pattern.score + verdict.bonus
        if positive is not None:
            score += self.context_boost
            why = f"{why}; context '{positive}'"
        return Hit(start, end, self.entity, round(score if score < 1.0 else 1.0, 2), why)

    def with_changes(self, **changes: object) -> PatternRecognizer:
        """A copy with some fields replaced (for tuning context words or scores)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


AnyRecognizer = PatternRecognizer | TextRecognizer


class RecognizerRegistry:
    """An ordered set of recognizers, passed to the :class:`~piguard.detect.Scanner`.

    >>> from piguard.detect.recognizers import default_registry
    >>> reg = default_registry()
    >>> "CN_RESIDENT_ID" in reg.entities
    True
    >>> [r.name for r in reg.for_entities({"EMAIL"})]  # plus the suppressors
    ['email', 'org_credit_code']
    """

    def __init__(self, recognizers: Iterable[AnyRecognizer] = ()) -> None:
        self._items: dict[str, AnyRecognizer] = {}
        for recognizer in recognizers:
            self.add(recognizer)

    def add(self, recognizer: AnyRecognizer, *, replace: bool = False) -> None:
        """Register a recognizer; its name must be new unless ``replace``."""
        if not isinstance(recognizer, PatternRecognizer | TextRecognizer):
            raise ConfigError(f"{recognizer!r} is not a PatternRecognizer or TextRecognizer")
        if recognizer.name in self._items and not replace:
            raise ConfigError(f"a recognizer named {recognizer.name!r} is already registered")
        self._items[recognizer.name] = recognizer

    def remove(self, name: str) -> None:
        """Unregister the recognizer called ``name``."""
        try:
            del self._items[name]
        except KeyError:
            raise UnknownKeyError(f"no recognizer named {name!r}") from None

    def __iter__(self) -> Iterator[AnyRecognizer]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def get(self, name: str) -> AnyRecognizer:
        """The recognizer called ``name``."""
        try:
            return self._items[name]
        except KeyError:
            raise UnknownKeyError(f"no recognizer named {name!r}") from None

    @property
    def entities(self) -> frozenset[str]:
        """Every entity some registered recognizer reports."""
        return frozenset(
            e for r in self._items.values() for e in r.entities if getattr(r, "report", True)
        )

    def for_entities(self, entities: Iterable[str]) -> list[AnyRecognizer]:
        """The recognizers that report at least one of ``entities`` (plus suppressors)."""
        wanted = set(entities)
        return [
            r
            for r in self._items.values()
            if wanted.intersection(r.entities) or not getattr(r, "report", True)
        ]
