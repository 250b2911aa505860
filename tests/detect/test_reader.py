"""Reading text in the encodings seen in China, and bad bytes."""

from __future__ import annotations

import io

import pytest

from piguard.detect.reader import BinaryFileError, detect_encoding, iter_lines, looks_binary
from piguard.errors import EncodingError

TEXT = "第一行 手机13800138000\r\n第二行 身份证360426199101010071\n第三行"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"]
)
def test_encodings_round_trip(encoding: str) -> None:
    data = TEXT.encode(encoding)
    assert list(iter_lines(io.BytesIO(data), source="t")) == [
        "第一行 手机13800138000",
        "第二行 身份证360426199101010071",
        "第三行",
    ]


def test_detection() -> None:
    assert detect_encoding(TEXT.encode("utf-8")) == "utf-8"
    assert detect_encoding(TEXT.encode("gbk")) == "gb18030"
    assert detect_encoding("abc 123".encode("utf-16-le")) == "utf-16-le"
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01")


def test_invalid_bytes_name_file_and_line() -> None:
    data = ("好\n" * 5).encode("utf-8") + b"bad \xff\xfe\xfd here\n" + b"ok\n"
    with pytest.raises(EncodingError) as info:
        list(iter_lines(io.BytesIO(data), source="orders.log", encoding="utf-8"))
    assert str(info.value).startswith("orders.log:6: ")


def test_invalid_bytes_far_into_a_big_file_get_the_right_line() -> None:
    data = ("一行文字\n" * 30000).encode("utf-8") + b"\xff\n"
    with pytest.raises(EncodingError) as info:
        list(iter_lines(io.BytesIO(data), source="big.log", encoding="utf-8"))
    assert info.value.line == 30001


def test_replace_mode_reads_on() -> None:
    data = b"a\xffb\n13800138000\n"
    assert list(iter_lines(io.BytesIO(data), source="x", encoding="utf-8", errors="replace")) == [
        "a\ufffdb",
        "13800138000",
    ]


def test_binary_is_refused() -> None:
    with pytest.raises(BinaryFileError):
        list(iter_lines(io.BytesIO(b"\x00\x01\x02\xff\x00\x10\x00\x00\xfe"), source="x.bin"))


def test_empty_input() -> None:
    assert list(iter_lines(io.BytesIO(b""), source="e")) == []
