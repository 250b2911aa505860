"""Read text files the way they come in China: UTF-8 (with or without BOM), GB18030/GBK and
UTF-16 (with a BOM, or detected from the NUL bytes of ASCII characters), line by line.

Decision on bad bytes: **strict**. A byte sequence that is not valid in the detected (or
given) encoding stops the read with :class:`~piguard.errors.EncodingError` naming the file
and the line, so a scan never silently skips text it could not read. Pass
``errors="replace"`` to read on with U+FFFD instead (the CLI's ``--encoding-errors replace``).

>>> import io
>>> list(iter_lines(io.BytesIO("手机13800138000\\r\\n第二行".encode("gb18030")), source="x.txt"))
['手机13800138000', '第二行']
>>> detect_encoding("身份证".encode("utf-16"))
'utf-16'
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from piguard.errors import EncodingError

__all__ = ["BinaryFileError", "detect_encoding", "iter_lines", "looks_binary"]

_CHUNK = 1 << 16


class BinaryFileError(EncodingError):
    """The file is not text (it has NUL bytes and is not UTF-16)."""


def _utf16_without_bom(sample: bytes) -> str | None:
    even, odd = sample[0::2], sample[1::2]
    if len(sample) < 4:
        return None
    zeros_even, zeros_odd = even.count(0), odd.count(0)
    # ASCII text in UTF-16 has a NUL in every other byte; CJK text has few NULs at all, so
    # accept when one side is clearly NUL-heavy and the other is not.
    if zeros_odd > 0.3 * len(odd) and zeros_even < 0.05 * len(even):
        return "utf-16-le"
    if zeros_even > 0.3 * len(even) and zeros_odd < 0.05 * len(odd):
        return "utf-16-be"
    return None


def looks_binary(sample: bytes) -> bool:
    """Whether ``sample`` (the start of a file) is binary rather than text in any encoding."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return False
    return b"\x00" in sample and _utf16_without_bom(sample) is None


def detect_encoding(sample: bytes) -> str:
    """The encoding of a file that starts with ``sample``: a BOM decides, then UTF-16 NUL
    patterns, then UTF-8 if it decodes, then GB18030 (a superset of GBK and GB2312).

    >>> detect_encoding("订单".encode("gbk")), detect_encoding("订单".encode("utf-8-sig"))
    ('gb18030', 'utf-8-sig')
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        guess = _utf16_without_bom(sample)
        if guess is None:
            raise BinaryFileError("the file is binary, not text")
        return guess
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")("strict").decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise EncodingError("the text is neither UTF-8, UTF-16 nor GB18030") from None


def iter_lines(
    stream: BinaryIO,
    *,
    source: str,
    encoding: str | None = None,
    errors: str = "strict",
) -> Iterator[str]:
    """Decode ``stream`` and yield its lines without line endings (``\\n``, ``\\r\\n``).

    ``encoding`` None detects it from the first 64 KB. Invalid bytes raise
    :class:`EncodingError` with the file and line (``errors="strict"``) or become U+FFFD.
    """
    first = stream.read(_CHUNK)
    if encoding is None:
        try:
            encoding = detect_encoding(first)
        except EncodingError as exc:
            raise type(exc)(exc.message, source=source) from None
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    line_no = 1
    pending = ""
    chunk = first
    while True:
        final = not chunk
        buffered = decoder.getstate()[0]
        try:
            text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            # exc.start counts from the bytes the decoder held back from the previous chunk.
            good = codecs.decode((buffered + chunk)[: max(exc.start, 0)], encoding, "ignore")
            bad_line = line_no + (pending + good).count("\n")
            raise EncodingError(
                f"bytes that are not valid {encoding} (use --encoding or "
                "--encoding-errors replace)",
                source=source,
                line=bad_line,
            ) from None
        if text:
            pending += text
            if "\n" in pending:
                lines = pending.split("\n")
                pending = lines.pop()
                line_no += len(lines)
                for line in lines:
                    yield line[:-1] if line.endswith("\r") else line
        if final:
            break
        chunk = stream.read(_CHUNK)
    if pending:
        yield pending[:-1] if pending.endswith("\r") else pending
