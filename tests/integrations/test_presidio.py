"""The Presidio adapter: piguard's recognizers inside Presidio's AnalyzerEngine, offline."""

from __future__ import annotations

import socket

import pytest

pytest.importorskip("presidio_analyzer")

from presidio_analyzer import AnalyzerEngine

from piguard.integrations.presidio import (
    PiguardRecognizer,
    create_analyzer,
    offline_nlp_engine,
    pin_tldextract_offline,
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_analyzer_finds_what_presidio_misses() -> None:
    analyzer = create_analyzer(entities=["BANK_CARD", "IP_ADDRESS", "CN_RESIDENT_ID", "CN_MOBILE"])
    text = (
        "银行卡号6222029600133894。登录IP为150.3.94.220。\n"
        "身份证号：360426199101010071，手机13800138000"
    )
    results = sorted(
        analyzer.analyze(text, language="zh", return_decision_process=True),
        key=lambda r: r.start,
    )
    assert [(r.entity_type, text[r.start : r.end]) for r in results] == [
        ("BANK_CARD", "6222029600133894"),
        ("IP_ADDRESS", "150.3.94.220"),
        ("CN_RESIDENT_ID", "360426199101010071"),
        ("CN_MOBILE", "13800138000"),
    ]
    assert results[2].score == 1.0
    assert "MOD 11-2" in results[2].analysis_explanation.textual_explanation


def test_entity_filter_of_analyze_call() -> None:
    analyzer = create_analyzer(entities=["CN_MOBILE", "EMAIL"])
    results = analyzer.analyze("手机13800138000 邮箱 a@b.cn", language="zh", entities=["EMAIL"])
    assert [r.entity_type for r in results] == ["EMAIL"]


def test_recognizer_added_to_an_existing_engine_with_presidio_defaults() -> None:
    from presidio_analyzer import RecognizerRegistry
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    pin_tldextract_offline()
    registry = RecognizerRegistry(supported_languages=["zh"])
    registry.add_recognizer(EmailRecognizer(supported_language="zh"))
    engine = AnalyzerEngine(
        registry=registry, nlp_engine=offline_nlp_engine(), supported_languages=["zh"]
    )
    engine.registry.add_recognizer(PiguardRecognizer(entities=["CN_MOBILE"]))
    results = engine.analyze("邮箱 zhang@example.com 手机13800138000", language="zh")
    assert {r.entity_type for r in results} == {"EMAIL_ADDRESS", "CN_MOBILE"}


def test_supported_entities_are_piguards() -> None:
    rec = PiguardRecognizer(entities=["CN_MOBILE", "CN_PASSPORT"])
    assert rec.supported_entities == ["CN_MOBILE", "CN_PASSPORT"]
    assert rec.supported_language == "zh"
