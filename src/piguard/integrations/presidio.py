"""piguard's Chinese recognizers as Presidio ``EntityRecognizer`` s (language ``"zh"``).

Presidio has no China recognizers, its ``\\b``-anchored patterns miss numbers written right
after Han characters, and a Chinese spaCy model has to be downloaded. This adapter gives a
Presidio user piguard's entities (``CN_RESIDENT_ID``, ``CN_MOBILE``, ``BANK_CARD`` …) inside
their own ``AnalyzerEngine``, fully offline:

>>> from piguard.integrations.presidio import create_analyzer
>>> analyzer = create_analyzer()
>>> [
...     (r.entity_type, r.start, r.end)
...     for r in analyzer.analyze("银行卡号6222029600133894。", language="zh")
... ]
[('BANK_CARD', 4, 20)]

Or add the recognizer to an engine you already have (its NLP engine must support "zh")::

    analyzer.registry.add_recognizer(PiguardRecognizer())

``offline_nlp_engine()`` is a spaCy ``blank("zh")`` pipeline (character tokens, no model
download) and ``pin_tldextract_offline()`` makes Presidio's e-mail recognizer use the
public-suffix list bundled with tldextract instead of fetching it from the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import spacy
import tldextract
from presidio_analyzer import (
    AnalysisExplanation,
    AnalyzerEngine,
    EntityRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

from piguard.detect import Scanner

__all__ = [
    "PiguardRecognizer",
    "create_analyzer",
    "offline_nlp_engine",
    "pin_tldextract_offline",
]


def pin_tldextract_offline() -> None:
    """Make ``tldextract.extract`` use its bundled suffix list (no network, no cache dir)."""
    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    tldextract.extract = extractor  # type: ignore[assignment]
    tldextract.tldextract.extract = extractor  # type: ignore[assignment]


class _BlankSpacyNlpEngine(SpacyNlpEngine):
    """A spaCy NLP engine built from ``spacy.blank(lang)``: tokens only, nothing to download."""

    def __init__(self, languages: Sequence[str]) -> None:
        super().__init__(
            models=[{"lang_code": lang, "model_name": f"blank:{lang}"} for lang in languages]
        )
        self._languages = tuple(languages)

    def load(self) -> None:
        self.nlp = {lang: spacy.blank(lang) for lang in self._languages}  # type: ignore[assignment]


def offline_nlp_engine(languages: Sequence[str] = ("zh",)) -> SpacyNlpEngine:
    """A loaded Presidio NLP engine over blank spaCy pipelines (``zh`` segments characters)."""
    engine = _BlankSpacyNlpEngine(languages)
    engine.load()
    return engine


class PiguardRecognizer(EntityRecognizer):
    """All of piguard's recognizers as one Presidio recognizer (one pass over the text).

    ``entities`` limits what it reports (piguard's entity names); ``scanner`` passes a
    configured :class:`piguard.detect.Scanner` (custom registry, tagger, threshold).
    Explanations carry piguard's reason (pattern, validator verdict, context word).
    """

    def __init__(
        self,
        entities: Iterable[str] | None = None,
        *,
        scanner: Scanner | None = None,
        supported_language: str = "zh",
        name: str = "PiguardRecognizer",
    ) -> None:
        self._scanner = scanner or Scanner(entities=entities, exclude_entities=None)
        self._name = name
        super().__init__(
            supported_entities=sorted(self._scanner.entities),
            name=name,
            supported_language=supported_language,
            version="1",
            context=[],
        )

    def load(self) -> None:
        """Nothing to load: piguard compiles its patterns on first use."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Presidio's entry point: findings of the requested entities as RecognizerResults."""
        wanted = set(entities) if entities else set(self.supported_entities)
        results: list[RecognizerResult] = []
        offset = 0
        for line in text.split("\n"):
            for f in self._scanner.scan_line(line):
                if f.entity not in wanted:
                    continue
                explanation = AnalysisExplanation(
                    recognizer=self._name,
                    original_score=f.score,
                    textual_explanation=f.explanation,
                )
                results.append(
                    RecognizerResult(
                        entity_type=f.entity,
                        start=offset + f.start,
                        end=offset + f.end,
                        score=f.score,
                        analysis_explanation=explanation,
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self._name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                            "piguard_category": f.category,
                            "piguard_sensitive": f.sensitive,
                        },
                    )
                )
            offset += len(line) + 1
        return results


def create_analyzer(
    entities: Iterable[str] | None = None,
    *,
    scanner: Scanner | None = None,
    extra_recognizers: Iterable[Any] = (),
) -> AnalyzerEngine:
    """A Presidio ``AnalyzerEngine`` for ``"zh"`` with piguard's recognizer, fully offline."""
    pin_tldextract_offline()
    registry = RecognizerRegistry(supported_languages=["zh"])
    registry.add_recognizer(PiguardRecognizer(entities, scanner=scanner))
    for recognizer in extra_recognizers:
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=offline_nlp_engine(("zh",)),
        supported_languages=["zh"],
    )
