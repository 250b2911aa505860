"""Random and adversarial input to every recognizer and to the scanner: never an exception.

Linear time is checked in benchmarks/detect/linearity.py (operation-free ratio of times on
10 KB and 100 KB inputs), not here: unit tests make no timing assertions.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piguard.detect import Scanner
from piguard.detect.reader import iter_lines
from piguard.detect.recognizers import HealthRecognizer, PatternRecognizer, default_registry
from piguard.errors import EncodingError

ALL = Scanner(exclude_entities=["PERSON_NAME", "ADDRESS"], min_score=0.0)

_pieces = st.sampled_from(
    [
        "0",
        "1",
        "9",
        "X",
        "x",
        ".",
        ",",
        "，",
        ":",
        "：",
        "-",
        " ",
        "@",
        "+86",
        "身份证",
        "手机",
        "订单号",
        "QQ",
        "微信",
        "银行卡",
        "１",
        "８",
        "Ａ",
        "粤B",
        "E",
        "password=",
        "密码：",
        "eyJ",
        "-----BEGIN ",
        "\ud800",
        "\udfff",
        "\u3000",
        "\x00",
        "é",
        "🙂",
        "诊断",
        "高血压",
    ]
)
adversarial = st.lists(_pieces, max_size=80).map("".join) | st.text(max_size=300)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(adversarial)
def test_scanner_never_raises_and_spans_are_sane(text: str) -> None:
    for f in ALL.scan_text(text):
        line = text.split("\n")[f.line - 1].rstrip("\r")
        assert 0 <= f.start < f.end <= len(line)
        assert f.value == line[f.start : f.end]
        assert 0.0 <= f.score <= 1.0
        assert f.preview  # masking never fails


@settings(max_examples=150, deadline=None)
@given(adversarial)
def test_every_recognizer_alone_never_raises(text: str) -> None:
    for rec in default_registry():
        if isinstance(rec, PatternRecognizer):
            Scanner(recognizers=[rec], min_score=0.0).scan_text(text)
    HealthRecognizer().analyze(text)


@pytest.mark.parametrize(
    "text",
    [
        "1" * 100_000,
        "13800138000" * 9_000,
        "1." * 50_000,
        "a@" * 50_000,
        ("9" * 17 + "X ") * 5_000,
        "身份证" * 30_000,
        "-" * 100_000,
        "password=" * 10_000,
        "e" + "yJ" * 50_000,
        "1:" * 50_000,
        "粤B" * 50_000,
        "\ud800" * 10_000 + "13800138000",
    ],
)
def test_long_adversarial_lines(text: str) -> None:
    ALL.scan_text(text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_reading_random_bytes_raises_only_encoding_errors(data: bytes) -> None:
    message = ""
    try:
        for line in iter_lines(io.BytesIO(data), source="fuzz.bin"):
            ALL.scan_text(line)
    except EncodingError as exc:
        message = str(exc)
    assert message == "" or message.startswith("fuzz.bin")
