"""``PERSON_NAME`` and ``ADDRESS``: a recognizer around the shipped name/address tagger.

The tagger (:func:`piguard.detect.ner.get_tagger`, a character CRF shipped in the package)
is loaded on first use; any object with ``tag(text)`` and ``tag_batch(texts)`` returning
``(start, end, label)`` spans can be passed instead (tests, other models). Context words
before a span (收件人, 患者, 收货地址 …) raise its score.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from piguard.detect.recognizers.base import HIGH, MEDIUM, Hit
from piguard.errors import ConfigError

__all__ = ["ModelRecognizer", "Tagger"]


class Tagger(Protocol):
    """What the recognizer needs from a sequence tagger."""

    def tag(self, text: str) -> list[tuple[int, int, str]]: ...

    def tag_batch(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]: ...


_CONTEXT = {
    "PERSON_NAME": (
        "姓名",
        "名字",
        "收件人",
        "收货人",
        "寄件人",
        "联系人",
        "患者",
        "病人",
        "司机",
        "乘客",
        "客户",
        "用户",
        "先生",
        "女士",
        "医生",
        "持卡人",
        "户名",
        "开户名",
        "name",
        "mr",
        "ms",
    ),
    "ADDRESS": (
        "地址",
        "住址",
        "收货地址",
        "家庭住址",
        "居住地",
        "送至",
        "送到",
        "寄往",
        "上车点",
        "下车点",
        "目的地",
        "住在",
        "位于",
        "address",
        "addr",
    ),
}
_CONTEXT_RE = {
    entity: re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    for entity, words in _CONTEXT.items()
}


class ModelRecognizer:
    """Reports the tagger's ``PERSON_NAME`` and ``ADDRESS`` spans with scores and reasons."""

    name = "name_address_model"
    entities = ("PERSON_NAME", "ADDRESS")

    def __init__(self, tagger: Tagger | None = None, *, window: int = 12) -> None:
        self._tagger = tagger
        self._window = window
        self._lock = threading.Lock()

    @property
    def tagger(self) -> Tagger:
        """The tagger, loading the shipped model on first use."""
        if self._tagger is None:
            with self._lock:
                if self._tagger is None:
                    try:
                        from piguard.detect.ner import get_tagger
                    except ImportError as exc:  # pragma: no cover - the model ships with piguard
                        raise ConfigError(
                            "the name/address model is not available; "
                            "exclude PERSON_NAME and ADDRESS"
                        ) from exc
                    self._tagger = get_tagger()
        return self._tagger

    def _hits(self, text: str, spans: Sequence[tuple[int, int, str]]) -> list[Hit]:
        out = []
        for start, end, label in spans:
            if label not in _CONTEXT_RE or end <= start:
                continue
            window = text[max(0, start - self._window) : start].lower()
            found = _CONTEXT_RE[label].search(window)
            if found:
                why = f"model: char CRF tagged {label}; context '{found.group()}'"
                score = HIGH
            else:
                why = f"model: char CRF tagged {label}"
                score = MEDIUM + 0.1 if end - start >= 3 or label == "ADDRESS" else MEDIUM
            out.append(Hit(start, end, label, score, why))
        return out

    def analyze(self, text: str) -> list[Hit]:
        """Name and address hits in one line."""
        return self._hits(text, self.tagger.tag(text))

    def analyze_batch(self, texts: Sequence[str]) -> list[list[Hit]]:
        """Name and address hits for many lines (one model batch)."""
        spans: list[Any] = self.tagger.tag_batch(list(texts))
        return [self._hits(t, s) for t, s in zip(texts, spans, strict=True)]
