"""The Merkle tree of RFC 9162 §2.1: hashes, proofs and their verification (pure functions).

* Leaf hash ``H(0x00 || d)``, node hash ``H(0x01 || left || right)``, empty tree ``H()``
  (RFC 9162 §2.1.1). ``H`` is SHA-256 (the RFC's hash) or SM3 (GB/T 32905-2016) as an option.
* Inclusion proofs follow ``PATH(m, D[n])`` (§2.1.3.1) and are verified by the algorithm of
  §2.1.3.2; consistency proofs follow ``SUBPROOF(m, D[n], true)`` (§2.1.4.1) and are verified
  by §2.1.4.2.

Proof *generation* is split in two so that storage can read all the hashes a proof needs in
one query: :func:`inclusion_ranges` / :func:`consistency_ranges` give the leaf ranges whose
subtree hashes make up the proof, and :func:`complete_subtrees` breaks each range into the
complete, aligned subtrees that a store keeps (at most ``2 log2 n`` rows per proof).

>>> h = TreeHasher("sha256")
>>> h.empty().hex()[:16]  # SHA-256 of the empty string
'e3b0c44298fc1c14'
>>> leaves = [h.leaf(bytes([i])) for i in range(5)]
>>> root = root_of(h, leaves)
>>> path = [root_of(h, leaves[a:b]) for a, b in inclusion_ranges(3, 5)]
>>> verify_inclusion(h, leaves[3], 3, 5, path, root)
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

from piguard.errors import ConfigError

__all__ = [
    "HASH_ALGORITHMS",
    "CompactRange",
    "TreeHasher",
    "complete_subtrees",
    "consistency_ranges",
    "inclusion_ranges",
    "node_id",
    "root_of",
    "sm3_available",
    "verify_consistency",
    "verify_inclusion",
]

HashName = Literal["sha256", "sm3"]
HASH_ALGORITHMS: tuple[str, ...] = ("sha256", "sm3")


def _sm3_factory() -> Callable[[bytes], bytes] | None:
    """SM3 from hashlib (when OpenSSL provides it), else from ``cryptography``, else None."""
    try:
        hashlib.new("sm3")
    except ValueError:
        pass
    else:
        return lambda data: hashlib.new("sm3", data).digest()
    try:
        from cryptography.hazmat.primitives import hashes

        probe = hashes.Hash(hashes.SM3())
        probe.update(b"")
        probe.finalize()
    except Exception:  # UnsupportedAlgorithm or an OpenSSL built without SM3
        return None

    def digest(data: bytes) -> bytes:
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()

    return digest


_SM3 = _sm3_factory()


def sm3_available() -> bool:
    """Whether this Python/OpenSSL can compute SM3."""
    return _SM3 is not None


class TreeHasher:
    """The hash function of a tree with RFC 9162's domain separation.

    >>> TreeHasher("sm3").empty().hex()[:16]  # SM3 of the empty string
    '1ab21d8355cfa17f'
    """

    def __init__(self, name: str = "sha256"):
        if name == "sha256":
            sha256 = hashlib.sha256
            self._digest: Callable[[bytes], bytes] = lambda data: sha256(data).digest()
        elif name == "sm3":
            if _SM3 is None:
                raise ConfigError("SM3 is not available in this OpenSSL build; use sha256")
            self._digest = _SM3
        else:
            raise ConfigError(f"unknown hash algorithm {name!r}: use sha256 or sm3")
        self.name = name
        self.size = 32

    def digest(self, data: bytes) -> bytes:
        """``H(data)`` without a domain prefix."""
        return self._digest(data)

    def empty(self) -> bytes:
        """The root of the empty tree, ``H()`` (RFC 9162 §2.1.1)."""
        return self._digest(b"")

    def leaf(self, data: bytes) -> bytes:
        """``H(0x00 || data)``."""
        return self._digest(b"\x00" + data)

    def node(self, left: bytes, right: bytes) -> bytes:
        """``H(0x01 || left || right)``."""
        return self._digest(b"\x01" + left + right)

    def __repr__(self) -> str:
        return f"TreeHasher({self.name!r})"


def _split(width: int) -> int:
    """The largest power of two strictly smaller than ``width`` (``width >= 2``)."""
    return 1 << ((width - 1).bit_length() - 1)


def root_of(hasher: TreeHasher, leaf_hashes: Sequence[bytes]) -> bytes:
    """``MTH(D[n])`` from the leaf hashes (in memory; for tests and small trees)."""
    rng = CompactRange(hasher)
    for leaf in leaf_hashes:
        rng.append(leaf)
    return rng.root()


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges ``[start, end)`` whose hashes form ``PATH(index, D[size])``, leaf first.

    >>> inclusion_ranges(3, 7)  # RFC 9162 §2.1.5's example tree: PATH(3, D7) = [c, g, l]
    [(2, 3), (0, 2), (4, 7)]
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    lo, hi = 0, size
    out: list[tuple[int, int]] = []
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
    out.reverse()
    return out


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose hashes form ``PROOF(old_size, D[new_size])`` (RFC 9162 §2.1.4.1).

    >>> consistency_ranges(3, 7)  # the RFC's example: PROOF(3, D7) = [c, d, g, l]
    [(2, 3), (3, 4), (0, 2), (4, 7)]
    >>> consistency_ranges(4, 7)  # PROOF(4, D7) = [l]
    [(4, 7)]
    """
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    out: list[tuple[int, int]] = []
    lo, hi, m, whole = 0, new_size, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
            m -= k
            whole = False
    if not whole:
        out.append((lo, hi))
    out.reverse()
    return out


def complete_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """Split ``[start, end)`` into complete aligned subtrees ``(level, index)``, left to right.

    ``start`` must be a multiple of the largest power of two not above ``end - start`` (true
    for every range of an RFC 9162 tree). The range's hash folds them from the right:
    ``node(h1, node(h2, ... node(h_{j-1}, h_j)))``.

    >>> complete_subtrees(4, 7)
    [(1, 2), (0, 6)]
    """
    out: list[tuple[int, int]] = []
    lo = start
    while lo < end:
        width = end - lo
        level = width.bit_length() - 1
        size = 1 << level
        if lo % size:
            raise ValueError(f"range [{start}, {end}) is not a subtree of an RFC 9162 tree")
        out.append((level, lo >> level))
        lo += size
    return out


def node_id(level: int, index: int) -> int:
    """Storage key of the complete subtree ``(level, index)``: its post-order position.

    Nodes complete in strictly increasing id order as leaves are appended, so a store's
    inserts always go to the end of its index. Leaf ``i`` is ``(0, i)``.

    >>> [
    ...     node_id(0, 0),
    ...     node_id(0, 1),
    ...     node_id(1, 0),
    ...     node_id(0, 2),
    ...     node_id(0, 3),
    ...     node_id(1, 1),
    ...     node_id(2, 0),
    ... ]
    [0, 1, 2, 3, 4, 5, 6]
    """
    n = (index + 1) << level  # the subtree is complete once n leaves exist
    return 2 * (n - 1) - (n - 1).bit_count() + level


def fold_right(hasher: TreeHasher, hashes: Sequence[bytes]) -> bytes:
    """``node(h1, node(h2, ... h_j))``: the hash of a range from its complete subtrees."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = hasher.node(h, acc)
    return acc


class CompactRange:
    """The hashes of the complete subtrees covering ``[0, size)``: enough to append and to
    compute the root in ``O(log n)`` memory. :meth:`append` returns the subtrees it completed.
    """

    def __init__(self, hasher: TreeHasher, size: int = 0, hashes: Iterable[bytes] = ()):
        self.hasher = hasher
        self.size = size
        self.hashes = list(hashes)
        if len(self.hashes) != size.bit_count():
            raise ValueError("a compact range of size n has popcount(n) hashes")

    def copy(self) -> CompactRange:
        return CompactRange(self.hasher, self.size, self.hashes)

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf; return the ``(level, index, hash)`` of each subtree that completes
        above it (level >= 1), lowest first."""
        hashes = self.hashes
        node = self.hasher.node
        n = self.size
        acc = leaf_hash
        level = 0
        made: list[tuple[int, int, bytes]] = []
        while n & 1:
            acc = node(hashes.pop(), acc)
            n >>= 1
            level += 1
            made.append((level, n, acc))
        hashes.append(acc)
        self.size += 1
        return made

    def root(self) -> bytes:
        """``MTH(D[size])``; the empty-tree hash when the range is empty."""
        if not self.hashes:
            return self.hasher.empty()
        return fold_right(self.hasher, self.hashes)


def verify_inclusion(
    hasher: TreeHasher,
    leaf_hash: bytes,
    index: int,
    size: int,
    path: Sequence[bytes],
    root: bytes,
) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` prove leaf ``index`` of a tree of ``size`` under
    ``root``?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hasher.node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hasher.node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    hasher: TreeHasher,
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    path: Sequence[bytes],
) -> bool:
    """RFC 9162 §2.1.4.2: does ``path`` prove that the tree of ``new_size`` under
    ``new_root`` extends the tree of ``old_size`` under ``old_root``?

    Equal sizes need an empty path and equal roots (the RFC leaves this case to the caller).
    """
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if not path:
        return False
    nodes = list(path)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a subtree
        nodes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = hasher.node(c, fr)
            sr = hasher.node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hasher.node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
