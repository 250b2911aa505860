"""``HEALTH_CONDITION``: diseases, diagnoses, medicines, test results and procedures.

Terms come from the lexicon shipped in ``piguard/detect/data/health_lexicon.tsv`` (its header
names the sources). They are matched with an Aho-Corasick automaton (ahocorasick-rs,
leftmost-longest, linear time; about eight times faster than a trie-shaped regular
expression here), built on first use. Context words before a term
(诊断, 确诊, 患有, 服用, 处方 …) raise the score; bare symptoms (感冒, 咳嗽) count only with
context, since they are used figuratively too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from importlib import resources

import ahocorasick_rs

from piguard.detect.recognizers.base import HIGH, MEDIUM, Hit, trie_regex

__all__ = ["HealthRecognizer", "load_lexicon"]

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTEXT = (
    "诊断",
    "确诊",
    "诊断为",
    "患有",
    "患者",
    "病人",
    "病史",
    "既往史",
    "家族史",
    "服用",
    "口服",
    "处方",
    "用药",
    "开药",
    "检查",
    "化验",
    "检验",
    "结果",
    "报告",
    "主诉",
    "病情",
    "治疗",
    "住院",
    "复查",
    "就诊",
    "门诊",
    "症状",
    "医嘱",
    "过敏史",
    "diagnosis",
    "diagnosed",
    "history of",
    "prescribed",
    "medication",
    "patient",
)


def load_lexicon() -> dict[str, str]:
    """The shipped lexicon as ``{term: kind}``.

    >>> load_lexicon()["二甲双胍"]
    'medication'
    """
    text = resources.files("piguard.detect").joinpath("data/health_lexicon.tsv").read_text("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            term, _, kind = line.partition("\t")
            out[term.strip()] = kind.strip()
    return out


class HealthRecognizer:
    """Finds lexicon terms; longest match wins (the trie is greedy)."""

    name = "health_lexicon"
    entities = ("HEALTH_CONDITION",)
    #: analyze() accepts several lines joined by newlines (the engine passes whole blocks).
    multiline = True

    def __init__(self, lexicon: dict[str, str] | None = None, *, window: int = 16) -> None:
        self._lexicon = lexicon
        self._window = window
        self._automaton: ahocorasick_rs.AhoCorasick | None = None
        self._terms: list[str] = []
        self._lock = threading.Lock()
        self._context = re.compile(trie_regex(w.lower() for w in _CONTEXT))

    def _compiled(self) -> tuple[ahocorasick_rs.AhoCorasick, dict[str, str]]:
        with self._lock:
            if self._lexicon is None:
                self._lexicon = load_lexicon()
            if self._automaton is None:
                self._terms = list(self._lexicon)
                self._automaton = ahocorasick_rs.AhoCorasick(
                    self._terms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
                )
            return self._automaton, self._lexicon

    def analyze(self, text: str) -> list[Hit]:
        """Health terms in ``text`` (one line, or several joined by newlines)."""
        automaton, lexicon = self._compiled()
        terms = self._terms
        out = []
        try:
            matches = automaton.find_matches_as_indexes(text)
        except UnicodeEncodeError:  # lone surrogates: match on a same-length cleaned copy
            matches = automaton.find_matches_as_indexes(_SURROGATES.sub("\ufffd", text))
        for index, start, end in matches:
            term = terms[index]
            if (
                term[:1].isascii()
                and start > 0
                and text[start - 1].isascii()
                and text[start - 1].isalnum()
            ):
                continue
            kind = lexicon.get(term, "disease")
            lo = max(0, start - self._window)
            nl = text.rfind("\n", lo, start)  # context stays within the line
            ctx = self._context.findall(text[lo if nl < 0 else nl + 1 : start].lower())
            if not ctx and kind == "symptom":
                continue
            why = f"lexicon: {kind}"
            if ctx:
                why += f"; context '{ctx[-1]}'"
            out.append(Hit(start, end, "HEALTH_CONDITION", HIGH if ctx else MEDIUM, why))
        return out

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Hit]]:
        """:meth:`analyze` for many lines."""
        return [self.analyze(t) for t in texts]
