"""RFC 9162 hashing and proofs: published vectors, pymerkle (independent implementation), and
property tests that mangled proofs are rejected."""

from __future__ import annotations

import hashlib
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piguard.audit.merkle import (
    CompactRange,
    TreeHasher,
    complete_subtrees,
    consistency_ranges,
    fold_right,
    inclusion_ranges,
    node_id,
    root_of,
    sm3_available,
    verify_consistency,
    verify_inclusion,
)

H = TreeHasher("sha256")

# Certificate Transparency / transparency-dev/merkle reference leaves and roots (sizes 0..8),
# as published in its testonly/constants.go; used as data only.
CT_LEAVES = [
    bytes.fromhex(x)
    for x in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CT_CONSISTENCY = {
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
}


def _path(leaves: list[bytes], ranges: list[tuple[int, int]]) -> list[bytes]:
    return [root_of(H, leaves[a:b]) for a, b in ranges]


def test_empty_tree_is_sha256_of_nothing() -> None:
    assert H.empty() == hashlib.sha256(b"").digest()
    assert CompactRange(H).root().hex() == CT_ROOTS[0]


def test_ct_reference_roots() -> None:
    leaves = [H.leaf(d) for d in CT_LEAVES]
    for n in range(9):
        assert root_of(H, leaves[:n]).hex() == CT_ROOTS[n]


def test_ct_reference_proofs() -> None:
    leaves = [H.leaf(d) for d in CT_LEAVES]
    for (index, size), want in CT_INCLUSION.items():
        path = _path(leaves[:size], inclusion_ranges(index, size))
        assert [p.hex() for p in path] == want
        root = bytes.fromhex(CT_ROOTS[size])
        assert verify_inclusion(H, leaves[index], index, size, path, root)
    for (old, new), want in CT_CONSISTENCY.items():
        path = _path(leaves[:new], consistency_ranges(old, new))
        assert [p.hex() for p in path] == want
        old_root, new_root = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
        assert verify_consistency(H, old, new, old_root, new_root, path)


def test_rfc_9162_example_proof_shapes() -> None:
    # RFC 9162 §2.1.5, tree of 7 leaves a..g: PATH(0) = [b, h, l], PATH(3) = [c, g, l],
    # PATH(4) = [f, j, k], PATH(6) = [i, k]; PROOF(3) = [c, d, g, l], PROOF(4) = [l],
    # PROOF(6) = [i, j, k].
    assert inclusion_ranges(0, 7) == [(1, 2), (2, 4), (4, 7)]
    assert inclusion_ranges(3, 7) == [(2, 3), (0, 2), (4, 7)]
    assert inclusion_ranges(4, 7) == [(5, 6), (6, 7), (0, 4)]
    assert inclusion_ranges(6, 7) == [(4, 6), (0, 4)]
    assert consistency_ranges(3, 7) == [(2, 3), (3, 4), (0, 2), (4, 7)]
    assert consistency_ranges(4, 7) == [(4, 7)]
    assert consistency_ranges(6, 7) == [(4, 6), (6, 7), (0, 4)]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 31, 32, 33, 70])
def test_roots_and_proofs_equal_pymerkle(n: int) -> None:
    from pymerkle import InmemoryTree
    from pymerkle import verify_consistency as pm_verify_consistency

    data = [f"event-{i}".encode() for i in range(n)]
    leaves = [H.leaf(d) for d in data]
    tree = InmemoryTree(algorithm="sha256")  # RFC 9162 prefixes (security mode, the default)
    for d in data:
        tree.append_entry(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for size in range(1, n + 1):
            root = root_of(H, leaves[:size])
            assert tree.get_root(size) == root
            for index in range(size):
                ours = _path(leaves[:size], inclusion_ranges(index, size))
                theirs = tree.prove_inclusion(index + 1, size)
                # pymerkle's path starts with the leaf itself, then the RFC audit path.
                assert theirs.path[0] == leaves[index]
                assert theirs.path[1:] == ours
                assert verify_inclusion(H, leaves[index], index, size, ours, root)
            for old in range(1, size + 1):
                old_root = root_of(H, leaves[:old])
                ours = _path(leaves[:size], consistency_ranges(old, size)) if old < size else []
                assert verify_consistency(H, old, size, old_root, root, ours)
                # pymerkle lays out consistency proofs its own way (it always sends the base
                # and splits m == k to the right), so compare meaning, not bytes: its proof
                # must verify between the same two roots that ours does.
                pm_verify_consistency(old_root, root, tree.prove_consistency(old, size))


@settings(max_examples=150, deadline=None)
@given(size=st.integers(1, 80), data=st.data())
def test_mangled_inclusion_proofs_fail(size: int, data: st.DataObject) -> None:
    leaves = [H.leaf(i.to_bytes(2, "big")) for i in range(size)]
    root = root_of(H, leaves)
    index = data.draw(st.integers(0, size - 1))
    path = _path(leaves, inclusion_ranges(index, size))
    assert verify_inclusion(H, leaves[index], index, size, path, root)
    if size > 1:
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
        assert not verify_inclusion(H, leaves[other], index, size, path, root)
    if path:
        k = data.draw(st.integers(0, len(path) - 1))
        bad = list(path)
        bad[k] = bytes([bad[k][0] ^ 1]) + bad[k][1:]
        assert not verify_inclusion(H, leaves[index], index, size, bad, root)
        assert not verify_inclusion(H, leaves[index], index, size, path[:-1], root)
    assert not verify_inclusion(H, leaves[index], index, size, [*path, root], root)


@settings(max_examples=150, deadline=None)
@given(new=st.integers(2, 80), data=st.data())
def test_mangled_consistency_proofs_fail(new: int, data: st.DataObject) -> None:
    leaves = [H.leaf(i.to_bytes(2, "big")) for i in range(new)]
    old = data.draw(st.integers(1, new - 1))
    old_root, new_root = root_of(H, leaves[:old]), root_of(H, leaves)
    path = _path(leaves, consistency_ranges(old, new))
    assert verify_consistency(H, old, new, old_root, new_root, path)
    k = data.draw(st.integers(0, len(path) - 1))
    bad = list(path)
    bad[k] = bytes([bad[k][0] ^ 0x80]) + bad[k][1:]
    assert not verify_consistency(H, old, new, old_root, new_root, bad)
    assert not verify_consistency(H, old, new, old_root, new_root, path[:-1])
    assert not verify_consistency(H, old, new, old_root, new_root, [*path, new_root])
    wrong_old = root_of(H, leaves[: old - 1]) if old > 1 else H.leaf(b"x")
    assert not verify_consistency(H, old, new, wrong_old, new_root, path)
    assert not verify_consistency(H, new, old, new_root, old_root, path)


def test_equal_sizes_need_equal_roots_and_an_empty_path() -> None:
    leaves = [H.leaf(bytes([i])) for i in range(4)]
    r4 = root_of(H, leaves)
    assert verify_consistency(H, 4, 4, r4, r4, [])
    assert not verify_consistency(H, 4, 4, r4, H.leaf(b"x"), [])
    assert not verify_consistency(H, 4, 4, r4, r4, [r4])


@given(st.integers(0, 5000))
def test_node_ids_grow_in_completion_order(n: int) -> None:
    # Appending leaf n completes (0, n) and then the subtrees above it: their ids come next.
    rng = CompactRange(H, 0, [])
    ids = []
    for i in range(n + 1):
        made = rng.append(H.leaf(i.to_bytes(4, "big")))
        ids.append(node_id(0, i))
        ids.extend(node_id(level, index) for level, index, _ in made)
    assert ids == list(range(len(ids)))


@given(st.integers(1, 300), st.data())
def test_subtree_decomposition_folds_to_the_range_hash(size: int, data: st.DataObject) -> None:
    leaves = [H.leaf(i.to_bytes(2, "big")) for i in range(size)]
    index = data.draw(st.integers(0, size - 1))
    for a, b in inclusion_ranges(index, size):
        parts = complete_subtrees(a, b)
        hashes = [root_of(H, leaves[i << lv : (i + 1) << lv]) for lv, i in parts]
        assert fold_right(H, hashes) == root_of(H, leaves[a:b])


@pytest.mark.skipif(not sm3_available(), reason="this OpenSSL has no SM3")
def test_sm3_tree_uses_sm3_with_rfc_prefixes() -> None:
    sm3 = TreeHasher("sm3")
    # SM3("abc"), the first example of the SM3 standard (GB/T 32905-2016, GM/T 0004-2012).
    assert sm3.digest(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    leaves = [sm3.leaf(bytes([i])) for i in range(5)]
    assert leaves[0] == sm3.digest(b"\x00\x00")
    root = root_of(sm3, leaves)
    assert root != root_of(H, [H.leaf(bytes([i])) for i in range(5)])
    path = [root_of(sm3, leaves[a:b]) for a, b in inclusion_ranges(2, 5)]
    assert verify_inclusion(sm3, leaves[2], 2, 5, path, root)
