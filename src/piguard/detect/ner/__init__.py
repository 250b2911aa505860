"""Offline Chinese PERSON_NAME and ADDRESS tagger (人名 / 地址识别).

A character-level linear-chain CRF (python-crfsuite) with n-gram, surname, gazetteer
(administrative divisions) and address-grammar features, followed by a small rule
layer (:mod:`piguard.detect.ner._rules`). The model ships inside the package
(``data/model.crfsuite``); nothing is downloaded. ``tools/ner/train.py`` rebuilds it
and ``benchmarks/ner/evaluate.py`` measures it (see ``docs/ner.md``).

>>> tagger = get_tagger()
>>> text = "张伟在北京市朝阳区建国路88号住了三年。"
>>> [(text[s:e], label) for s, e, label in tagger.tag(text)]
[('张伟', 'PERSON_NAME'), ('北京市朝阳区建国路88号', 'ADDRESS')]

Spans are ``(start, end, label)`` code-point offsets into the input, end exclusive,
sorted and non-overlapping. Lines without any Han character return ``[]`` at once.
"""

from __future__ import annotations

import importlib.resources
import re
import threading
from collections.abc import Sequence
from typing import Any, Final

import pycrfsuite

from piguard.detect.ner._features import Featurizer, load_default_featurizer
from piguard.detect.ner._rules import clean_spans

__all__ = ["LABELS", "MODEL_RESOURCE", "Tagger", "get_tagger"]

LABELS: Final = ("PERSON_NAME", "ADDRESS")
MODEL_RESOURCE: Final = "model.crfsuite"

# CRF label suffix -> public label.
_LABEL_OF = {"N": "PERSON_NAME", "A": "ADDRESS"}

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Window boundaries: a window ends after a sentence terminator or a line break.
_SENTENCE_END = re.compile(r"[。！？!?；;\n\r]+")
_SOFT_BREAK = re.compile(r"[，,、：:\s]")
MAX_WINDOW: Final = 200
# A character inside a place word (gazetteer, or lexicon type S) is ADDRESS when the CRF's
# marginal probability of an address label there is at least this (Viterbi alone is
# stricter); tuned on a held-out part of CLUENER2020 train (benchmarks/ner/RESULTS.md).
ADDRESS_THRESHOLD: Final = 0.4


def _windows(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into windows of at most MAX_WINDOW code points.

    Windows end at sentence terminators; longer sentences are cut at the last comma or
    space inside the limit, else hard at the limit. Total work stays linear.

    >>> _windows("你好。再见！")
    [(0, 3), (3, 6)]
    """
    out: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for m in _SENTENCE_END.finditer(text):
        _split_long(text, start, m.end(), out)
        start = m.end()
    if start < n:
        _split_long(text, start, n, out)
    return out


def _split_long(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while end - start > MAX_WINDOW:
        cut = start + MAX_WINDOW
        # Last soft break in the second half of the window, if any.
        lo = start + MAX_WINDOW // 2
        best = -1
        for m in _SOFT_BREAK.finditer(text, lo, cut):
            best = m.end()
        if best > start:
            cut = best
        out.append((start, cut))
        start = cut
    if end > start:
        out.append((start, end))


def _decode(labels: Sequence[str], offset: int) -> list[tuple[int, int, str]]:
    """BIO labels ("B-N", "I-A", "O") -> spans shifted by ``offset``."""
    spans: list[tuple[int, int, str]] = []
    cur_start = -1
    cur_type = ""
    for i, lab in enumerate(labels):
        if lab == "O":
            if cur_start >= 0:
                spans.append((offset + cur_start, offset + i, _LABEL_OF[cur_type]))
                cur_start = -1
            continue
        kind, typ = lab[0], lab[2:]
        if kind == "B" or typ != cur_type or cur_start < 0:
            if cur_start >= 0:
                spans.append((offset + cur_start, offset + i, _LABEL_OF[cur_type]))
            cur_start, cur_type = i, typ
    if cur_start >= 0:
        spans.append((offset + cur_start, offset + len(labels), _LABEL_OF[cur_type]))
    return spans


def load_model_bytes() -> bytes:
    """The shipped model file's content."""
    res = importlib.resources.files("piguard.detect.ner").joinpath("data", MODEL_RESOURCE)
    return res.read_bytes()


class Tagger:
    """Tags PERSON_NAME and ADDRESS spans in Chinese text.

    Safe to share between threads (each thread gets its own CRF handle) and to pickle
    into worker processes (the model is reloaded there from the package).
    """

    def __init__(
        self,
        model: bytes | None = None,
        *,
        featurizer: Featurizer | None = None,
        rules: bool = True,
        address_threshold: float | None = ADDRESS_THRESHOLD,
    ) -> None:
        if address_threshold is not None and not 0.0 < address_threshold < 1.0:
            raise ValueError("address_threshold must be between 0 and 1")
        self._model = load_model_bytes() if model is None else model
        self._featurizer = featurizer or load_default_featurizer()
        self._rules = rules
        self._threshold = address_threshold
        self._local = threading.local()
        self._handle()  # fail early on a broken model

    def __getstate__(self) -> dict[str, Any]:
        return {"model": self._model, "rules": self._rules, "threshold": self._threshold}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._model = state["model"]
        self._featurizer = load_default_featurizer()
        self._rules = state["rules"]
        self._threshold = state["threshold"]
        self._local = threading.local()

    def _handle(self) -> pycrfsuite.Tagger:
        h: pycrfsuite.Tagger | None = getattr(self._local, "crf", None)
        if h is None:
            h = pycrfsuite.Tagger()
            h.open_inmemory(self._model)
            self._local.crf = h
        return h

    def tag(self, text: str) -> list[tuple[int, int, str]]:
        """Spans ``(start, end, label)`` found in ``text``; code points, end exclusive."""
        if not text or _HAN.search(text) is None:
            return []
        crf = self._handle()
        feats = self._featurizer.features
        spans: list[tuple[int, int, str]] = []
        for s, e in _windows(text):
            window = text[s:e]
            if _HAN.search(window) is None:
                continue
            rows = feats(window)
            labels = crf.tag(rows)
            if self._threshold is not None:
                labels = self._lean_to_places(crf, rows, labels)
            spans.extend(_decode(labels, s))
        if self._rules:
            spans = clean_spans(spans, text)
        return spans

    def _lean_to_places(
        self, crf: pycrfsuite.Tagger, rows: list[tuple[str, ...]], labels: list[str]
    ) -> list[str]:
        """Characters of a place word (administrative division, or a lexicon word typed as a
        place) that Viterbi left outside any span become ADDRESS when their address
        marginal probability reaches the threshold."""
        dense = self._featurizer.n_dense
        threshold = self._threshold
        out = labels
        for i in [i for i, r in enumerate(rows) if len(r) > dense and labels[i] == "O"]:
            # gazetteer attributes start with "g", lexicon ones carry "S" for a place
            if not any(x[0] == "g" or "S" in x for x in rows[i][dense:]):
                continue
            if crf.marginal("B-A", i) + crf.marginal("I-A", i) >= threshold:
                if out is labels:
                    out = list(labels)
                out[i] = "I-A" if i > 0 and out[i - 1].endswith("-A") else "B-A"
        return out

    def tag_batch(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """:meth:`tag` for each text, in order."""
        return [self.tag(t) for t in texts]


_LOCK = threading.Lock()
_TAGGER: Tagger | None = None


def get_tagger() -> Tagger:
    """The process-wide tagger with the shipped model (loaded on first use)."""
    global _TAGGER
    if _TAGGER is None:
        with _LOCK:
            if _TAGGER is None:
                _TAGGER = Tagger()
    return _TAGGER
