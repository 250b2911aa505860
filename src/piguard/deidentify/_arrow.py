"""Column work with Apache Arrow (the ``parquet`` extra): vectorised masks, pseudonym
columns built from digests without a Python string per value, and CSV text written the way
the standard library's ``csv`` module writes it.

Everything here is used only when ``pyarrow`` is installed; the core install takes the
standard-library paths, with the same results. ``pyarrow`` is imported inside functions.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "available",
    "csv_lines",
    "empty_cells",
    "hex_column",
    "hex_strings",
    "mask_column",
]

#: Rows made only of these characters are masked by slicing (letters, digits, common Han).
_PLAIN = r"^[0-9A-Za-z\x{4E00}-\x{9FFF}]+$"


@functools.cache
def available() -> bool:
    """Whether ``pyarrow`` (with its compute functions and CSV reader) can be imported."""
    try:
        import pyarrow.compute
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True


def empty_cells(arr: Any) -> tuple[int, Any]:
    """How many values of a string array (no nulls) are empty, and (if any) a boolean
    ``pyarrow`` mask of the non-empty ones; read from the offsets, not the strings."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    full = np.diff(offsets) > 0
    n_empty = len(arr) - int(np.count_nonzero(full))
    return n_empty, (pa.array(full) if n_empty else None)


def hex_strings(digests: Sequence[bytes], nhex: int) -> list[str]:
    """The first ``nhex`` hex digits of each digest, as Python strings, in bulk (NumPy).

    >>> hex_strings([bytes([1, 2, 3]), bytes([255, 0, 9])], 5)
    ['01020', 'ff000']
    """
    strings: list[str] = (
        _hex_matrix(digests, nhex).view(f"S{nhex}").ravel().astype(f"U{nhex}").tolist()
    )
    return strings


def _hex_matrix(digests: Sequence[bytes], nhex: int) -> Any:
    """``len(digests) x nhex`` uint8 matrix of lower-case hex digits (ASCII)."""
    n = len(digests)
    if n == 0:
        return np.zeros((0, nhex), dtype=np.uint8)
    size = len(digests[0])
    nbytes = (nhex + 1) // 2
    raw = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(n, size)[:, :nbytes]
    text = np.frombuffer(raw.tobytes().hex().encode("ascii"), dtype=np.uint8)
    return np.ascontiguousarray(text.reshape(n, 2 * nbytes)[:, :nhex])


def hex_column(digests: Sequence[bytes], nhex: int, prefix: str) -> Any:
    """A ``pyarrow`` string array ``prefix + hex(digest)[:nhex]``, built directly from one
    fixed-width byte matrix (no Python string per value)."""
    import pyarrow as pa

    head = np.frombuffer(prefix.encode("utf-8"), dtype=np.uint8)
    hexes = _hex_matrix(digests, nhex)
    n, width = len(digests), len(head) + nhex
    data = np.empty((n, width), dtype=np.uint8)
    data[:, : len(head)] = head
    data[:, len(head) :] = hexes
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    if offsets[-1] < 2**31:
        return pa.StringArray.from_buffers(
            n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)
        )
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data)).cast(
        pa.string()
    )


def mask_column(
    arr: Any,
    head: int,
    tail: int,
    char: str,
    slow: Callable[[str], str],
    *,
    exact_length: int | None = None,
) -> Any:
    """Mask a string array keeping ``head`` characters at the start and ``tail`` at the end:
    values made only of ASCII letters and digits or common Han characters, longer than
    ``head + tail`` (and of ``exact_length`` if given), are masked by Arrow kernels; the
    others (separators, too short) value by value with ``slow``, which defines the result."""
    import pyarrow as pa
    import pyarrow.compute as pc

    fixed = _mask_ascii_fixed(arr, head, tail, char, exact_length)
    if fixed is not None:
        return fixed
    lengths = pc.utf8_length(arr)
    fast = pc.and_(
        pc.match_substring_regex(arr, _PLAIN),
        pc.greater(lengths, head + tail)
        if exact_length is None
        else pc.equal(lengths, exact_length),
    )
    hidden = pc.max_element_wise(pc.subtract(lengths, head + tail), 0)
    parts = [pc.utf8_slice_codeunits(arr, 0, head), _repeat(char, hidden)]
    if tail:
        parts.append(pc.utf8_slice_codeunits(arr, -tail))
    masked = pc.binary_join_element_wise(*parts, "")
    fast_np = fast.to_numpy(zero_copy_only=False)
    if fast_np.all():
        return masked
    slow_rows = np.flatnonzero(~fast_np)
    values = arr.take(pa.array(slow_rows)).to_pylist()
    return pc.replace_with_mask(
        masked, pa.array(~fast_np), pa.array([slow(v) for v in values], type=pa.string())
    )


def _repeat(char: str, counts: Any) -> Any:
    """``char * count`` for each count of an Arrow integer array: one ``take`` from the
    strings ``"", char, char * 2 ...`` when the counts are small (Arrow's ``binary_repeat``
    costs far more per value), else ``binary_repeat``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    most = pc.max(counts).as_py() if len(counts) else 0
    if most is None or most > 256:
        return pc.binary_repeat(char, counts)
    table = pa.array([char * k for k in range(most + 1)], type=pa.string())
    return table.take(counts)


def _mask_ascii_fixed(
    arr: Any, head: int, tail: int, char: str, exact_length: int | None
) -> Any | None:
    """:func:`mask_column` for a column whose values all have the same length in bytes and
    are all ASCII letters and digits (phone numbers, IDs): one slice assignment on the byte
    matrix. None when the column is not like that (or ``char`` is not one ASCII byte)."""
    import pyarrow as pa

    n = len(arr)
    fill = char.encode("utf-8")
    if n == 0 or len(fill) != 1 or arr.null_count:
        return None
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    width = int(offsets[1] - offsets[0])
    if width <= head + tail or (exact_length is not None and width != exact_length):
        return None
    if int(offsets[-1] - offsets[0]) != n * width or not (np.diff(offsets) == width).all():
        return None
    start = int(offsets[0])
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[start : start + n * width]
    matrix = data.reshape(n, width)
    digit = (matrix >= 48) & (matrix <= 57)
    letter = ((matrix | 0x20) >= 97) & ((matrix | 0x20) <= 122)
    if not (digit | letter).all():
        return None
    out = matrix.copy()
    out[:, head : width - tail] = fill[0]
    new_offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(new_offsets), pa.py_buffer(out))


@functools.cache
def _quoted_chars() -> str:
    """The characters that make this Python's ``csv`` writer (``QUOTE_MINIMAL``, line
    terminator ``\\n``) quote a field: found by asking it."""
    chars = []
    for ch in ',"\n\r\t ':
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([f"a{ch}b", "z"])
        if buf.getvalue().startswith('"'):
            chars.append(ch)
    return "".join(chars)


def _quote_pattern() -> str:
    escaped = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"'}
    return "[" + "".join(escaped.get(c, c) for c in _quoted_chars()) + "]"


def _quote(arr: Any, needs: Any, single: bool) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if needs is not None:
        quoted = pc.binary_join_element_wise(
            pa.scalar('"'), pc.replace_substring(arr, '"', '""'), pa.scalar('"'), ""
        )
        arr = pc.if_else(needs, quoted, arr)
    if single:  # a row of one empty field is written as "" (else it would be a blank line)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar('""'), arr)
    return arr


def csv_lines(columns: Sequence[Any]) -> bytes:
    """The CSV text (UTF-8, ``\\n`` line ends, fields quoted only where needed) of string
    arrays of equal length, as ``csv.writer(fh, lineterminator="\\n")`` writes their rows.

    When no field needs quotes (the usual case), Arrow's CSV writer writes them unquoted (it
    refuses the batch otherwise); then the fields that need it are quoted here and the lines
    joined by Arrow kernels.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    if not columns or len(columns[0]) == 0:
        return b""
    single = len(columns) == 1
    if not (single and pc.any(pc.equal(columns[0], "")).as_py()):
        sink = pa.BufferOutputStream()
        table = pa.Table.from_arrays(list(columns), names=[f"f{j}" for j in range(len(columns))])
        try:  # unquoted: Arrow refuses any value with a comma, quote or line break
            pacsv.write_csv(
                table,
                sink,
                write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"),
            )
            return bytes(sink.getvalue())
        except pa.ArrowInvalid:
            pass
    pattern = _quote_pattern()
    needs = []
    for c in columns:
        hit = pc.match_substring_regex(c, pattern)
        needs.append(hit if pc.any(hit).as_py() else None)
    quoted = [_quote(c, n, single) for c, n in zip(columns, needs, strict=True)]
    line = quoted[0] if single else pc.binary_join_element_wise(*quoted, ",")
    line = pc.binary_join_element_wise(line, pa.scalar(""), "\n")
    if isinstance(line, pa.ChunkedArray):
        line = line.combine_chunks()
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int32)
    start, end = int(offsets[line.offset]), int(offsets[line.offset + len(line)])
    return bytes(line.buffers()[2].slice(start, end - start))
