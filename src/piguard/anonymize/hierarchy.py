"""Generalisation hierarchies (泛化层级): read ARX's CSV files as they are, or build them.

A hierarchy maps every original value of one column to a label per level: level 0 is the
value itself, the last level is usually ``*`` (fully suppressed). ARX's file format is one
row per value and one column per level, separated by ``;`` or ``,``, without a header::

    39;35-39;30-39;20-39;*

Generalisation (泛化) is one of the de-identification techniques of GB/T 37964-2019
Appendix A (rounding, top and bottom coding); this module only describes *how* a value is
generalised, the search in :mod:`piguard.anonymize.engine` decides *how far*.

>>> h = Hierarchy.from_rows("sex", [["Male", "*"], ["Female", "*"]])
>>> h.height, h.generalize("Female", 1)
(2, '*')
>>> interval_hierarchy("age", [3, 17, 42], widths=[10, 20]).rows[1]
('17', '[10, 20)', '[0, 20)', '*')
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from piguard.errors import ConfigError, InputError

__all__ = [
    "Hierarchy",
    "date_hierarchy",
    "discover_hierarchies",
    "division_hierarchy",
    "interval_hierarchy",
    "mapping_hierarchy",
    "read_hierarchy",
    "redaction_hierarchy",
]

#: The label ARX and piguard use for a fully generalised (suppressed) value.
TOP = "*"


@dataclass(frozen=True)
class Hierarchy:
    """A generalisation hierarchy for one column: ``rows[i][level]`` is the label of value
    ``rows[i][0]`` at ``level``. All rows have the same number of levels."""

    name: str
    rows: tuple[tuple[str, ...], ...]
    source: str | None = None
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.rows:
            raise ConfigError(f"hierarchy for column {self.name!r} is empty", source=self.source)
        height = len(self.rows[0])
        index = self._index
        for number, row in enumerate(self.rows, start=1):
            if len(row) != height:
                raise ConfigError(
                    f"hierarchy row has {len(row)} levels, expected {height} like row 1",
                    source=self.source or self.name,
                    line=number,
                )
            if row[0] in index:
                raise ConfigError(
                    f"hierarchy lists a value twice (first on row {index[row[0]] + 1})",
                    source=self.source or self.name,
                    line=number,
                )
            index[row[0]] = number - 1

    @classmethod
    def from_rows(
        cls, name: str, rows: Iterable[Sequence[str]], *, source: str | None = None
    ) -> Hierarchy:
        """A hierarchy from rows of labels (value first, then one label per level)."""
        return cls(name=name, rows=tuple(tuple(str(c) for c in row) for row in rows), source=source)

    @property
    def height(self) -> int:
        """Number of levels including level 0 (the original values)."""
        return len(self.rows[0])

    @property
    def values(self) -> list[str]:
        """The original values (level 0), in file order."""
        return [row[0] for row in self.rows]

    def index_of(self, value: str) -> int | None:
        """Row number (from 0) of ``value``, or None when the hierarchy lacks it."""
        return self._index.get(value)

    def generalize(self, value: str, level: int) -> str:
        """The label of ``value`` at ``level``.

        >>> Hierarchy.from_rows("x", [["a", "ab", "*"]]).generalize("a", 1)
        'ab'
        """
        row = self._index.get(value)
        if row is None:
            raise InputError(f"value is not in the hierarchy for column {self.name!r}")
        return self.rows[row][level]

    def to_csv(self, delimiter: str = ";") -> str:
        """The hierarchy in ARX's CSV format."""
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
        writer.writerows(self.rows)
        return buf.getvalue()


# ---------------------------------------------------------------- reading ARX files

_FILE_PATTERN = re.compile(r"_hierarchy_(?P<column>.+)\.csv$", re.IGNORECASE)


def read_hierarchy(path: str | Path, name: str | None = None) -> Hierarchy:
    """Read an ARX hierarchy file (``;`` or ``,`` separated, no header, UTF-8 or GB18030).

    The column name defaults to the part after ``_hierarchy_`` in the file name.
    """
    p = Path(path)
    if name is None:
        match = _FILE_PATTERN.search(p.name)
        name = match.group("column") if match else p.stem
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read hierarchy file ({exc.strerror})", source=str(p)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError("hierarchy file is neither UTF-8 nor GB18030", source=str(p)) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
    rows: list[list[str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if any(cell == "" for cell in row):
            raise ConfigError("hierarchy row has an empty level", source=str(p), line=number)
        rows.append(row)
    if not rows:
        raise ConfigError("hierarchy file has no rows", source=str(p))
    return Hierarchy.from_rows(name, rows, source=str(p))


def discover_hierarchies(directory: str | Path) -> dict[str, Hierarchy]:
    """Every ``*_hierarchy_<column>.csv`` file in ``directory``, keyed by column name."""
    d = Path(directory)
    if not d.is_dir():
        raise InputError("hierarchy directory does not exist", source=str(d))
    found: dict[str, Hierarchy] = {}
    for p in sorted(d.iterdir()):
        match = _FILE_PATTERN.search(p.name)
        if match and p.is_file():
            found[match.group("column")] = read_hierarchy(p, match.group("column"))
    return found


# ---------------------------------------------------------------- builders


def _number(value: str) -> float | None:
    try:
        x = float(value)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def interval_hierarchy(
    name: str,
    values: Iterable[str | int | float],
    *,
    widths: Sequence[float],
    origin: float = 0.0,
) -> Hierarchy:
    """Numbers generalised to intervals ``[lo, hi)`` of growing width, then ``*``.

    Each width must be a multiple of the previous one so that intervals nest (a tree).

    >>> interval_hierarchy("age", ["39"], widths=[5, 10]).rows
    (('39', '[35, 40)', '[30, 40)', '*'),)
    """
    if not widths or any(w <= 0 for w in widths):
        raise ConfigError("interval widths must be positive numbers")
    for a, b in itertools.pairwise(widths):
        if abs(b / a - round(b / a)) > 1e-9:
            raise ConfigError(
                f"interval width {b} is not a multiple of {a}: intervals would not nest"
            )
    rows = []
    for v in dict.fromkeys(str(v) for v in values):
        x = _number(v)
        if x is None:
            raise ConfigError(f"interval hierarchy for {name!r} needs numbers")
        row = [v]
        for w in widths:
            lo = origin + math.floor((x - origin) / w) * w
            row.append(f"[{_fmt(lo)}, {_fmt(lo + w)})")
        row.append(TOP)
        rows.append(row)
    return Hierarchy.from_rows(name, rows)


def date_hierarchy(name: str, values: Iterable[str | _dt.date]) -> Hierarchy:
    """Dates (ISO ``YYYY-MM-DD``) generalised day → month → year → ``*``.

    >>> date_hierarchy("visit", ["2024-03-09"]).rows
    (('2024-03-09', '2024-03', '2024', '*'),)
    """
    rows = []
    for v in dict.fromkeys(str(v) for v in values):
        try:
            d = _dt.date.fromisoformat(v[:10])
        except ValueError:
            raise ConfigError(f"date hierarchy for {name!r} needs ISO dates (YYYY-MM-DD)") from None
        rows.append([v, f"{d.year:04d}-{d.month:02d}", f"{d.year:04d}", TOP])
    return Hierarchy.from_rows(name, rows)


def redaction_hierarchy(
    name: str, values: Iterable[str], *, char: str = "*", pad_to: int | None = None
) -> Hierarchy:
    """Codes (postcodes, ID-number region prefixes) redacted one character at a time from
    the right: ``100871`` → ``10087*`` → … → ``******``. Shorter codes are right-padded to
    ``pad_to`` (default: the longest) so that all rows have the same number of levels.

    >>> redaction_hierarchy("zip", ["100871"]).rows[0][:3]
    ('100871', '10087*', '1008**')
    """
    vals = list(dict.fromkeys(str(v) for v in values))
    if not vals:
        raise ConfigError(f"redaction hierarchy for {name!r} needs at least one value")
    width = pad_to or max(len(v) for v in vals)
    rows = []
    for v in vals:
        padded = v.ljust(width, char)
        row = [v] + [padded[: width - i] + char * i for i in range(1, width + 1)]
        rows.append(row)
    return Hierarchy.from_rows(name, rows)


def mapping_hierarchy(
    name: str, mapping: Mapping[str, Sequence[str]], *, add_top: bool = True
) -> Hierarchy:
    """A custom hierarchy from ``value -> [level-1 label, level-2 label, ...]``.

    >>> mapping_hierarchy("drink", {"tea": ["hot"], "cola": ["cold"]}).rows
    (('tea', 'hot', '*'), ('cola', 'cold', '*'))
    """
    rows = []
    for value, labels in mapping.items():
        row = [str(value), *(str(x) for x in labels)]
        if add_top and row[-1] != TOP:
            row.append(TOP)
        rows.append(row)
    return Hierarchy.from_rows(name, rows)


def division_hierarchy(
    name: str,
    codes: Iterable[str],
    *,
    path: Callable[[str], Sequence[object]] | None = None,
) -> Hierarchy:
    """Chinese administrative divisions (行政区划): district → city → province → ``*``.

    ``codes`` are six-digit GB/T 2260 codes. ``path(code)`` returns the chain of divisions
    from province down to the code itself; by default :func:`piguard.geo.path`.
    Levels: the code, its city (地级) code, its province (省级) code, ``*``; a code that
    is itself a city or province repeats its own code on the lower levels.
    """
    if path is None:
        try:
            from piguard import geo
        except ImportError:  # pragma: no cover - geo ships with piguard
            raise ConfigError(
                "administrative-division data (piguard.geo) is not available"
            ) from None
        path = geo.path
    rows = []
    for code in dict.fromkeys(str(c) for c in codes):
        try:
            chain = list(path(code))
        except Exception as exc:
            raise ConfigError(f"unknown administrative-division code in column {name!r}") from exc
        if not chain:
            raise ConfigError(f"unknown administrative-division code in column {name!r}")
        labels = [_division_code(x) for x in chain]
        province = labels[0]
        city = labels[1] if len(labels) > 1 else province
        rows.append([code, city, province, TOP])
    return Hierarchy.from_rows(name, rows)


def _division_code(item: object) -> str:
    code = getattr(item, "code", item)
    return str(code)
