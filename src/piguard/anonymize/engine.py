"""Full-domain generalisation: encoding, the lattice, and the globally optimal search.

The table is encoded once: each quasi-identifier becomes integer codes (its row in the
hierarchy), each hierarchy level becomes a lookup table from codes to level codes, and the
records are collapsed into the classes of the untransformed data (the "bottom" of the
lattice). A *transformation* (lattice node) is one level per quasi-identifier. Checking a
node groups the classes of an already checked, less generalised node (a snapshot) through
the lookup tables — a roll-up, so later checks work on hundreds of classes, not on every
record — with numpy (combined integer keys, then a dense bincount or ``np.unique``).

The optimal search (:func:`search`) is in the style of ARX's Flash (Kohlmayer et al. 2012):

1. Every node gets a lower bound of its quality score (for ARX's Loss: the loss without
   suppression, which only depends on the levels and is precomputed per attribute).
2. Phase 1 (privacy models monotonic under generalisation, e.g. k-anonymity): walk the
   lattice level by level; from each node whose anonymity is unknown, build a path upwards
   and binary-search it for the lowest anonymous node. A node found anonymous tags all its
   generalisations anonymous; a node found not anonymous tags all its specialisations not
   anonymous (predictive tagging). Nodes whose lower bound cannot beat the best score so far
   are skipped together with their generalisations.
3. Phase 2: the anonymous nodes are evaluated in order of their lower bound until the next
   bound cannot beat the best score (branch and bound). Without suppression the score of an
   anonymous node equals its bound, so nothing more is grouped.

Without monotonicity (entropy l-diversity or t-closeness together with suppression) phase 1
is skipped and phase 2 checks every node in bound order. Ties are broken by the lower
lattice level, then the lower node number, so the answer does not depend on the order.

A time-bounded heuristic (:func:`search` with ``strategy="heuristic"``) does a best-first
walk up from the bottom for lattices too large to enumerate.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from piguard.anonymize.hierarchy import Hierarchy
from piguard.anonymize.metrics import Loss, QualityModel
from piguard.anonymize.models import KAnonymity, PrivacyModel, SensitiveDomain
from piguard.errors import ConfigError, InfeasibleError, InputError

__all__ = ["ClassTable", "EncodedData", "SearchResult", "encode", "search"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: Lattices larger than this are searched heuristically (ARX's Flash refuses > 100,000).
MAX_OPTIMAL_NODES = 200_000


@dataclass
class ClassTable:
    """The equivalence classes of one transformation."""

    codes: I64  # (classes, dims): level codes of each class
    counts: I64  # (classes,)
    dists: dict[str, I64]  # sensitive column -> (classes, values) counts
    bottom_inv: I64  # bottom class -> class


@dataclass
class EncodedData:
    """A table encoded for the search. Built by :func:`encode`."""

    names: list[str]
    hierarchies: list[Hierarchy]
    n: int
    maps: list[list[I64]]  # maps[d][level][leaf] -> code at level
    cards: list[list[int]]  # number of codes per level
    labels: list[list[list[str]]]  # labels[d][level][code]
    up: list[dict[tuple[int, int], I64]]  # up[d][(a, b)][code at a] -> code at b
    record_inv: I64  # record -> bottom class
    bottom: ClassTable
    domains: dict[str, SensitiveDomain]
    sensitive_codes: dict[str, I64]

    @property
    def heights(self) -> list[int]:
        return [len(m) for m in self.maps]


def _dense_codes(values: Sequence[str]) -> tuple[I64, list[str]]:
    distinct = list(dict.fromkeys(values))
    index = {v: i for i, v in enumerate(distinct)}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    return codes, distinct


def encode(
    columns: Mapping[str, Sequence[str]],
    quasi: Sequence[str],
    hierarchies: Mapping[str, Hierarchy],
    *,
    sensitive: Sequence[str] = (),
    source: str | None = None,
    first_line: int = 2,
) -> EncodedData:
    """Encode the quasi-identifiers (and sensitive columns) of a table given as columns.

    ``first_line`` is the file line of the first record, for error messages (2 after a
    header). A value missing from its hierarchy is reported by line and column, never by
    its content (it may be personal information).
    """
    if not quasi:
        raise ConfigError("at least one quasi-identifier (准标识符) is needed")
    n = None
    for name in [*quasi, *sensitive]:
        if name not in columns:
            raise InputError(f"column {name!r} does not exist", source=source)
        if n is None:
            n = len(columns[name])
    assert n is not None
    if n == 0:
        raise InputError("the table has no records", source=source)
    maps: list[list[I64]] = []
    cards: list[list[int]] = []
    labels: list[list[list[str]]] = []
    up: list[dict[tuple[int, int], I64]] = []
    leaves = np.empty((n, len(quasi)), dtype=np.int64)
    hs: list[Hierarchy] = []
    for d, name in enumerate(quasi):
        h = hierarchies.get(name)
        if h is None:
            raise ConfigError(f"no hierarchy for quasi-identifier {name!r}", source=source)
        hs.append(h)
        values = columns[name]
        codes, distinct = _dense_codes(values)
        lookup = np.empty(len(distinct), dtype=np.int64)
        for i, v in enumerate(distinct):
            row = h.index_of(v)
            if row is None:
                where = int(np.argmax(codes == i))
                raise InputError(
                    f"value in column {name!r} is not in its hierarchy"
                    f" ({h.source or 'hierarchy of ' + repr(name)})",
                    source=source,
                    line=first_line + where,
                )
            lookup[i] = row
        leaves[:, d] = lookup[codes]
        maps_d, cards_d, labels_d = [], [], []
        for level in range(h.height):
            level_codes, level_labels = _dense_codes([row[level] for row in h.rows])
            maps_d.append(level_codes)
            cards_d.append(len(level_labels))
            labels_d.append(level_labels)
        maps.append(maps_d)
        cards.append(cards_d)
        labels.append(labels_d)
        _check_tree(h, maps_d, source)
        up_d: dict[tuple[int, int], I64] = {}
        for a in range(h.height):
            for b in range(a, h.height):
                table = np.full(cards_d[a], -1, dtype=np.int64)
                table[maps_d[a]] = maps_d[b]
                up_d[(a, b)] = maps_d[b] if a == 0 else table
        up.append(up_d)
    # Sensitive columns: dense codes in natural order (numeric when all are numbers).
    domains: dict[str, SensitiveDomain] = {}
    sens_codes: dict[str, I64] = {}
    for name in sensitive:
        values = columns[name]
        codes, distinct = _dense_codes(values)
        freq = np.bincount(codes, minlength=len(distinct)).astype(np.float64)
        try:
            keys: list[float] | list[str] = [float(v) for v in distinct]
        except ValueError:
            keys = list(distinct)
        order = np.array(sorted(range(len(distinct)), key=lambda i: keys[i]), dtype=np.int64)
        domains[name] = SensitiveDomain(tuple(distinct), freq / freq.sum(), order)
        sens_codes[name] = codes
    inv, rep, groups = _group([leaves[:, d] for d in range(len(quasi))], [len(h.rows) for h in hs])
    counts: I64 = np.bincount(inv, minlength=groups).astype(np.int64)
    dists = {
        name: np.bincount(
            inv * len(domains[name].values) + codes, minlength=groups * len(domains[name].values)
        )
        .reshape(groups, len(domains[name].values))
        .astype(np.int64)
        for name, codes in sens_codes.items()
    }
    bottom = ClassTable(leaves[rep], counts, dists, np.arange(groups, dtype=np.int64))
    return EncodedData(
        names=list(quasi),
        hierarchies=hs,
        n=n,
        maps=maps,
        cards=cards,
        labels=labels,
        up=up,
        record_inv=inv,
        bottom=bottom,
        domains=domains,
        sensitive_codes=sens_codes,
    )


def _check_tree(h: Hierarchy, maps: Sequence[I64], source: str | None) -> None:
    """Each level must coarsen the one below it, as in ARX: values that share a label at one
    level share their label at the next. Otherwise generalising could split a class and the
    search's pruning (and k-anonymity's monotonicity) would not hold."""
    for level in range(len(maps) - 1):
        parent = np.full(int(maps[level].max()) + 1, -1, dtype=np.int64)
        for row, (a, b) in enumerate(
            zip(maps[level].tolist(), maps[level + 1].tolist(), strict=True)
        ):
            if parent[a] == -1:
                parent[a] = row
            elif maps[level + 1][parent[a]] != b:
                raise ConfigError(
                    f"hierarchy for {h.name!r} is not a tree: rows {int(parent[a]) + 1} and"
                    f" {row + 1} share their level-{level} label but differ at level {level + 1}",
                    source=h.source or source,
                )


def _group(cols: Sequence[I64], cards: Sequence[int]) -> tuple[I64, I64, int]:
    """Group rows by the combination of ``cols``: (row -> group, one row per group, groups)."""
    m = len(cols[0])
    key = np.zeros(m, dtype=np.int64)
    radix = 1
    for col, card in zip(cols, cards, strict=True):
        if radix * card >= 2**62:
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64)
            radix = int(key.max()) + 1
        key = key * card + col
        radix *= card
    if radix <= max(4 * m, 1 << 16):
        present = np.zeros(radix, dtype=np.int64)
        present[key] = 1
        rank = np.cumsum(present) - 1
        inv = rank[key]
        groups = int(rank[-1]) + 1
    else:
        _, inv = np.unique(key, return_inverse=True)
        inv = inv.astype(np.int64).ravel()
        groups = int(inv.max()) + 1 if m else 0
    rep = np.empty(groups, dtype=np.int64)
    rep[inv] = np.arange(m, dtype=np.int64)
    return inv, rep, groups


def rollup(
    data: EncodedData, source: ClassTable, src: tuple[int, ...], dst: tuple[int, ...]
) -> ClassTable:
    """The classes of ``dst`` computed from those of ``src`` (a specialisation of ``dst``)."""
    cols = []
    for d, (a, b) in enumerate(zip(src, dst, strict=True)):
        col = source.codes[:, d]
        cols.append(col if a == b else data.up[d][(a, b)][col])
    inv, rep, groups = _group(cols, [data.cards[d][b] for d, b in enumerate(dst)])
    counts = np.bincount(inv, weights=source.counts, minlength=groups).astype(np.int64)
    codes = np.empty((groups, len(cols)), dtype=np.int64)
    for d, col in enumerate(cols):
        codes[:, d] = col[rep]
    dists = {}
    for name, dist in source.dists.items():
        s = dist.shape[1]
        idx = (inv[:, None] * s + np.arange(s)[None, :]).ravel()
        dists[name] = (
            np.bincount(idx, weights=dist.ravel(), minlength=groups * s)
            .reshape(groups, s)
            .astype(np.int64)
        )
    return ClassTable(codes, counts, dists, inv[source.bottom_inv])


@dataclass
class SearchResult:
    """The chosen transformation and what the search did to find it."""

    levels: tuple[int, ...]
    score: float
    score_parts: list[float]
    table: ClassTable
    suppressed_classes: npt.NDArray[np.bool_]
    suppressed_records: int
    nodes_total: int
    nodes_checked: int
    optimal: bool
    elapsed_s: float
    lattice_levels: list[int] = field(default_factory=list)


class _Checker:
    """Checks nodes against the privacy models, with a cache of snapshots for roll-ups."""

    def __init__(
        self,
        data: EncodedData,
        models: Sequence[PrivacyModel],
        limit: int,
        cache_size: int = 256,
    ) -> None:
        self.data = data
        self.models = list(models)
        self.limit = limit
        # Without suppression every model is monotonic; with it, only some are (ARX).
        self.monotonic = [m for m in models if limit == 0 or m.monotonic_with_suppression]
        self.others = [m for m in models if m not in self.monotonic]
        self.checked = 0
        dims = len(data.names)
        self.cache_levels = np.full((cache_size, dims), np.iinfo(np.int32).max, dtype=np.int64)
        self.cache_sizes = np.full(cache_size, np.iinfo(np.int64).max, dtype=np.int64)
        self.cache: list[tuple[tuple[int, ...], ClassTable] | None] = [None] * cache_size
        self.next_slot = 0
        self.bottom_levels = tuple([0] * dims)

    def _source(self, node: tuple[int, ...]) -> tuple[tuple[int, ...], ClassTable]:
        arr = np.array(node, dtype=np.int64)
        ok: npt.NDArray[np.bool_] = np.all(self.cache_levels <= arr[None, :], axis=1)
        sizes = np.where(ok, self.cache_sizes, np.iinfo(np.int64).max)
        slot = int(np.argmin(sizes))
        entry = self.cache[slot]
        if ok[slot] and entry is not None:
            return entry
        return self.bottom_levels, self.data.bottom

    def classes(self, node: tuple[int, ...]) -> ClassTable:
        src, table = self._source(node)
        if src == node:
            return table
        result = rollup(self.data, table, src, node)
        slot = self.next_slot
        self.next_slot = (slot + 1) % len(self.cache)
        self.cache[slot] = (node, result)
        self.cache_levels[slot] = node
        self.cache_sizes[slot] = len(result.counts)
        return result

    def check(self, node: tuple[int, ...]) -> tuple[bool, ClassTable, npt.NDArray[np.bool_], int]:
        """(anonymous?, classes, suppressed class mask, suppressed records)."""
        anonymous, _, table, bad, suppressed = self.check_both(node)
        return anonymous, table, bad, suppressed

    def check_both(
        self, node: tuple[int, ...]
    ) -> tuple[bool, bool, ClassTable, npt.NDArray[np.bool_], int]:
        """Like :meth:`check`, plus whether the monotonic models alone hold (with the same
        suppression limit): if they do not, no generalisation satisfies all models either."""
        self.checked += 1
        table = self.classes(node)
        ok = np.ones(len(table.counts), dtype=bool)
        for model in self.monotonic:
            ok &= model.check(table.counts, table.dists)
        monotonic_ok = int(table.counts[~ok].sum()) <= self.limit
        for model in self.others:
            ok &= model.check(table.counts, table.dists)
        bad = ~ok
        suppressed = int(table.counts[bad].sum())
        return suppressed <= self.limit, monotonic_ok, table, bad, suppressed


def _comparators(
    levels: I64, heights: Sequence[int]
) -> tuple[Callable[[int], npt.NDArray[np.bool_]], Callable[[int], npt.NDArray[np.bool_]]]:
    """Functions giving all generalisations / specialisations of a node as a mask.

    When the levels fit, each node is packed into one integer with a guard bit above each
    field, and a field-wise comparison of all nodes costs three vector operations (SWAR).
    """
    widths = [max(1, (h - 1).bit_length()) + 1 for h in heights]
    if sum(widths) <= 62:
        packed = np.zeros(len(levels), dtype=np.int64)
        guard = 0
        shift = 0
        for d, w in enumerate(widths):
            packed |= levels[:, d] << shift
            guard |= 1 << (shift + w - 1)
            shift += w
        g = np.int64(guard)

        def above(node: int) -> npt.NDArray[np.bool_]:
            result: npt.NDArray[np.bool_] = (((packed | g) - packed[node]) & g) == g
            return result

        def below(node: int) -> npt.NDArray[np.bool_]:
            result: npt.NDArray[np.bool_] = (((packed[node] | g) - packed) & g) == g
            return result

        return above, below

    def above_slow(node: int) -> npt.NDArray[np.bool_]:
        result: npt.NDArray[np.bool_] = (levels >= levels[node]).all(axis=1)
        return result

    def below_slow(node: int) -> npt.NDArray[np.bool_]:
        result: npt.NDArray[np.bool_] = (levels <= levels[node]).all(axis=1)
        return result

    return above_slow, below_slow


def _lattice(heights: Sequence[int]) -> I64:
    grids = np.meshgrid(*[np.arange(h) for h in heights], indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1).astype(np.int64)


def search(
    data: EncodedData,
    models: Sequence[PrivacyModel],
    *,
    max_suppression: float = 0.0,
    quality: QualityModel | None = None,
    strategy: Literal["optimal", "heuristic", "auto"] = "auto",
    time_limit_s: float = 10.0,
    clock: Callable[[], float] = time.perf_counter,
) -> SearchResult:
    """Find the transformation with the lowest score that satisfies all ``models`` with at
    most ``max_suppression`` (a fraction of the records) suppressed.

    Raises :class:`InfeasibleError` if no transformation qualifies.
    """
    start = clock()
    if not 0.0 <= max_suppression <= 1.0:
        raise ConfigError("the suppression limit must be a fraction between 0 and 1")
    if not models:
        models = [KAnonymity(1)]
    for model in models:
        model.prepare(data.domains)
    quality = quality if quality is not None else Loss()
    quality.prepare(data)
    # ARX: the absolute limit is floor(fraction × records).
    limit = math.floor(max_suppression * data.n + 1e-9)
    checker = _Checker(data, models, limit)
    heights = data.heights
    total = math.prod(heights)
    if strategy == "auto":
        strategy = "optimal" if total <= MAX_OPTIMAL_NODES else "heuristic"
    if strategy == "optimal":
        if total > MAX_OPTIMAL_NODES:
            raise ConfigError(
                f"the lattice has {total:,} transformations; the optimal search handles up to"
                f" {MAX_OPTIMAL_NODES:,}: use the heuristic search"
            )
        found = _optimal(data, checker, quality, limit)
        optimal = True
    else:
        found = _heuristic(data, checker, quality, deadline=start + time_limit_s, clock=clock)
        optimal = False
    if found is None:
        raise InfeasibleError(
            "no transformation satisfies the privacy models within the suppression limit"
            f" ({limit} of {data.n} records); allow more suppression or coarser hierarchies"
        )
    levels, _, _ = found
    anonymous, table, bad, suppressed = checker.check(levels)
    checker.checked -= 1  # re-materialising the answer is not a search step
    assert anonymous
    score, parts = quality.evaluate(levels, table, bad)
    return SearchResult(
        levels=levels,
        score=score,
        score_parts=parts,
        table=table,
        suppressed_classes=bad,
        suppressed_records=suppressed,
        nodes_total=total,
        nodes_checked=checker.checked,
        optimal=optimal,
        elapsed_s=clock() - start,
        lattice_levels=heights,
    )


def _optimal(
    data: EncodedData, checker: _Checker, quality: QualityModel, limit: int
) -> tuple[tuple[int, ...], float, list[float]] | None:
    heights = data.heights
    dims = len(heights)
    levels = _lattice(heights)
    total = len(levels)
    strides = np.array([math.prod(heights[d + 1 :]) for d in range(dims)], dtype=np.int64)
    height = levels.sum(axis=1)
    computed = quality.lower_bounds(levels)
    bounds = computed if computed is not None else np.zeros(total)
    # Without static bounds (discernibility, AECS) every grouping gives one: the score without
    # suppression never decreases with generalisation and never exceeds the score with it.
    dynamic = computed is None
    # For the monotonic models (all of them without suppression; k-anonymity and distinct
    # l-diversity with it): 1 they hold, -1 they do not, 0 unknown.
    state = np.zeros(total, dtype=np.int8)
    evaluated = np.zeros(total, dtype=bool)
    best: list[tuple[float, int, int]] = []  # (score, height, id)
    monotonic = bool(checker.monotonic)
    everything_monotonic = not checker.others
    # Loss and entropy: without suppression the score of a node equals its lower bound.
    bounds_exact = computed is not None and limit == 0

    def better(value: float, node: int) -> bool:
        return not best or (value, int(height[node]), node) < best[0]

    def hopeless(node: int) -> bool:
        # Lower bound strictly above the best score: neither it nor its generalisations win.
        return bool(best) and bounds[node] > best[0][0]

    def evaluate(node: int) -> bool:
        """Check a node against all models; returns whether the monotonic ones hold."""
        key = tuple(levels[node].tolist())
        anonymous, monotonic_ok, table, bad, _ = checker.check_both(key)
        evaluated[node] = True
        if anonymous and bounds_exact:
            # No suppression: the score is the precomputed bound, no need to evaluate.
            if better(float(bounds[node]), node):
                best[:] = [(float(bounds[node]), int(height[node]), node)]
            return monotonic_ok
        if dynamic:
            floor, _ = quality.evaluate(key, table, np.zeros(len(table.counts), dtype=bool))
            mask = above(node)
            bounds[mask] = np.maximum(bounds[mask], floor)
        if anonymous:
            value, _ = quality.evaluate(key, table, bad)
            if better(value, node):
                best[:] = [(value, int(height[node]), node)]
        return monotonic_ok

    def tag(node: int, anonymous: bool) -> None:
        if not monotonic:
            return
        if anonymous:
            state[above(node)] = 1
        else:
            state[below(node)] = -1

    above, below = _comparators(levels, heights)

    def successors(node: int) -> list[int]:
        lv = levels[node]
        return [node + int(strides[d]) for d in range(dims) if lv[d] + 1 < heights[d]]

    # Pruning by bound in phase 1 breaks the upward paths into more pieces; when the bound
    # is the exact score (no suppression) phase 2 needs no grouping, so classify plainly.
    prune = not bounds_exact
    if monotonic:
        # Phase 1: classify the monotonic models by binary search on upward paths (Flash
        # style); the other models are checked on the same groupings.
        # Node order: lower lattice level first, then lower bound of the score.
        order = np.lexsort((np.arange(total), bounds, height))
        rank = np.empty(total, dtype=np.int64)
        rank[order] = np.arange(total)
        for start in order.tolist():
            if state[start] != 0 or (prune and hopeless(start)):
                continue
            path = [start]
            current = start
            while True:
                nxt = [
                    s for s in successors(current) if state[s] == 0 and not (prune and hopeless(s))
                ]
                if not nxt:
                    break
                current = min(nxt, key=lambda s: rank[s])
                path.append(current)
            low, high = 0, len(path) - 1
            while low <= high:
                mid = (low + high) // 2
                node = path[mid]
                if state[node] != 0:
                    if state[node] == 1:
                        high = mid - 1
                    else:
                        low = mid + 1
                    continue
                anonymous = evaluate(node)
                tag(node, anonymous)
                if anonymous:
                    high = mid - 1
                else:
                    low = mid + 1
        candidates = np.flatnonzero(state == 1)
    else:
        candidates = np.arange(total)
    candidates = candidates[~evaluated[candidates]]
    # Phase 2: evaluate in order of the lower bound until it cannot beat the best score
    # (bottom-up when the bounds are learnt on the way).
    if dynamic:
        candidates = candidates[np.lexsort((candidates, height[candidates]))]
    else:
        candidates = candidates[np.lexsort((candidates, height[candidates], bounds[candidates]))]
    for node in candidates.tolist():
        if hopeless(node):
            if dynamic:
                continue
            break
        if evaluated[node] or state[node] == -1:
            continue
        if bounds_exact and everything_monotonic:
            # Anonymous without any suppression: the score is the bound itself.
            value = float(bounds[node])
            if better(value, node):
                best[:] = [(value, int(height[node]), node)]
            continue
        tag(node, evaluate(node))
    if not best:
        return None
    value, _, node = best[0]
    return tuple(int(x) for x in levels[node]), value, []


def _heuristic(
    data: EncodedData,
    checker: _Checker,
    quality: QualityModel,
    *,
    deadline: float,
    clock: Callable[[], float],
) -> tuple[tuple[int, ...], float, list[float]] | None:
    """Time-bounded search for lattices too large to enumerate.

    First a greedy dive from the bottom: check every successor of the current node and move
    to the anonymous one with the lowest score, or else to the one that leaves the fewest
    records in failing classes. Then, until the deadline, a best-first walk up from the
    bottom in order of the lower bound, skipping nodes that cannot beat the best so far.
    """
    heights = data.heights
    dims = len(heights)
    seen: dict[tuple[int, ...], tuple[bool, float, int]] = {}
    best: list[tuple[float, tuple[int, ...]]] = []

    def bound(node: tuple[int, ...]) -> float:
        b = quality.lower_bounds(np.array([node], dtype=np.int64))
        return float(b[0]) if b is not None else 0.0

    def visit(node: tuple[int, ...]) -> tuple[bool, float, int]:
        if node not in seen:
            anonymous, table, bad, suppressed = checker.check(node)
            value = quality.evaluate(node, table, bad)[0] if anonymous else math.inf
            seen[node] = (anonymous, value, suppressed)
            if anonymous and (
                not best or (value, sum(node), node) < (best[0][0], sum(best[0][1]), best[0][1])
            ):
                best[:] = [(value, node)]
        return seen[node]

    def successors(node: tuple[int, ...]) -> list[tuple[int, ...]]:
        return [
            (*node[:d], node[d] + 1, *node[d + 1 :])
            for d in range(dims)
            if node[d] + 1 < heights[d]
        ]

    node = tuple([0] * dims)
    anonymous, _, _ = visit(node)
    while not anonymous and clock() < deadline:
        ups = successors(node)
        if not ups:
            break
        results = [(visit(s), s) for s in ups]
        good = [(r[1], s) for r, s in results if r[0]]
        if good:
            node = min(good)[1]
            anonymous = True
        else:
            node = min(results, key=lambda rs: (rs[0][2], bound(rs[1]), rs[1]))[1]
    bottom = tuple([0] * dims)
    queue: list[tuple[float, int, tuple[int, ...]]] = [(bound(bottom), 0, bottom)]
    queued = {bottom}
    while queue and clock() < deadline:
        b, _, node = heapq.heappop(queue)
        if best and b > best[0][0]:
            break
        anonymous, _, _ = visit(node)
        if anonymous:
            continue
        for nxt in successors(node):
            if nxt not in queued:
                queued.add(nxt)
                heapq.heappush(queue, (bound(nxt), sum(nxt), nxt))
    if not best:
        top = tuple(h - 1 for h in heights)
        if not visit(top)[0]:
            return None
    value, node = best[0]
    return node, value, []
