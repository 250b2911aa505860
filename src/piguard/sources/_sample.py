"""Sample rows of a large line-oriented file without parsing it (默认抽样读取).

A file is read once in binary to count its line breaks per block (the **line index**:
memory bounded by at most ~1,000,000 block counts, no parsing, no decoding), which gives
the exact number of lines. Row numbers are then drawn uniformly without replacement
(:func:`random.Random.sample`, seeded) and each drawn line is read at its offset: the
block holding it is found from the cumulative counts and the line located inside it.
Every line has the same chance whatever its length (no length bias, unlike picking byte
offsets), and the same seed draws the same rows.

Only encodings in which byte 0x0A is always a line break qualify (UTF-8, GB18030/GBK:
their multi-byte sequences never contain it); UTF-16 files are streamed instead.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["LINE_SAFE_ENCODINGS", "LineIndex", "draw_order", "line_index", "read_lines"]

#: Encodings in which every 0x0A byte is a line break.
LINE_SAFE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "gb18030"})
_CHUNK = 1 << 23  # bytes read per call while counting
_MIN_BLOCK = 1 << 15  # bytes per index entry (grows so that the index stays <= ~1M entries)


@dataclass(frozen=True, slots=True)
class LineIndex:
    """Line breaks counted per block of ``block`` bytes.

    ``cum[b]`` is the number of ``\\n`` bytes in blocks ``0..b``; ``lines`` counts lines
    (the last one may lack its line break); ``size`` is the file size that was indexed.
    """

    size: int
    block: int
    cum: Any  # numpy int64 array
    lines: int


def line_index(fd: int, size: int) -> LineIndex:
    """Count the line breaks of the open file ``fd`` (``size`` bytes) block by block."""
    import numpy as np

    block = max(_MIN_BLOCK, -(-size // (1 << 20)))
    chunk = max(_CHUNK // block, 1) * block
    buf = bytearray(chunk)
    view = np.frombuffer(buf, dtype=np.uint8)
    eq = np.empty(chunk, dtype=bool)
    counts = np.zeros(-(-size // block) if size else 0, dtype=np.int64)
    count_nonzero = np.count_nonzero
    pos = 0
    last = b""
    with os.fdopen(os.dup(fd), "rb", buffering=0) as fh:
        fh.seek(0)
        while pos < size:
            got = _fill(fh, buf)
            if not got:
                break
            got = min(got, size - pos)
            hits = eq[:got]
            np.equal(view[:got], 10, out=hits)
            first = pos // block
            counts[first : first + -(-got // block)] = [
                count_nonzero(hits[s : s + block]) for s in range(0, got, block)
            ]
            last = bytes(buf[got - 1 : got])
            pos += got
    cum = np.cumsum(counts)
    breaks = int(cum[-1]) if cum.size else 0
    lines = breaks + (1 if pos and last != b"\n" else 0)
    return LineIndex(size=pos, block=block, cum=cum, lines=lines)


def _fill(fh: Any, buf: bytearray) -> int:
    """Read into ``buf`` until it is full or the file ends (keeps blocks aligned)."""
    view = memoryview(buf)
    got = 0
    while got < len(buf):
        n = fh.readinto(view[got:])
        if not n:
            break
        got += n
    return got


def draw_order(population: int, limit: int, seed: str) -> list[int]:
    """``min(population, limit)`` distinct numbers in ``range(population)`` in a uniformly
    random order: every prefix is a uniform sample without replacement (seeded).

    >>> draw_order(10, 3, "s") == draw_order(10, 3, "s"), sorted(draw_order(5, 9, "s"))
    (True, [0, 1, 2, 3, 4])
    """
    return random.Random(seed).sample(range(population), min(population, limit))


def read_lines(fd: int, index: LineIndex, lines: Sequence[int]) -> Iterator[tuple[int, bytes]]:
    """``(line, bytes)`` for each requested line (0-based), without its line break; in the
    order of the file (each block is read once, however many lines it holds)."""
    import numpy as np

    wanted = sorted(set(lines))
    if not wanted:
        return
    cum = index.cum
    blocks = np.searchsorted(cum, np.asarray(wanted, dtype=np.int64), side="left").tolist()
    i = 0
    while i < len(wanted):
        b = blocks[i]
        j = i
        while j < len(wanted) and blocks[j] == b:
            j += 1
        start = b * index.block
        before = int(cum[b - 1]) if b > 0 else 0
        data = os.pread(fd, index.block, start)
        # parts[0] ends the line begun in an earlier block; the last part runs on.
        parts = data.split(b"\n")
        for line in wanted[i:j]:
            k = line - before  # parts[k] starts after the block's k-th break
            if k < len(parts) - 1:
                yield line, parts[k]
            else:  # the block's last line runs on into the next block(s)
                offset = start + len(data) - len(parts[-1])
                yield line, _rest_of_line(fd, offset, index.size)
        i = j


def _rest_of_line(fd: int, offset: int, size: int) -> bytes:
    parts = []
    while offset < size:
        data = os.pread(fd, 1 << 16, offset)
        if not data:
            break
        cut = data.find(b"\n")
        if cut >= 0:
            parts.append(data[:cut])
            break
        parts.append(data)
        offset += len(data)
    return b"".join(parts)
