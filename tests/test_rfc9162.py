"""RFC 9162 Merkle Tree Hash and inclusion proofs: published vectors, negative
cases and property tests."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inscriptions.batch.proof_file import InclusionProof
from inscriptions.batch.rfc9162 import (
    all_inclusion_proofs,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    root_and_paths,
    verify_inclusion,
)
from tests.fixtures import load_json, params
from toolkit.core.errors import VerificationError

TREE = load_json("rfc9162", "ct_test_tree.json")
LEAVES = [leaf_hash(bytes.fromhex(x)) for x in TREE["leaf_inputs"]]
ROOTS = [bytes.fromhex(r) for r in TREE["roots"]]


def test_empty_tree_hash() -> None:
    assert merkle_root([]).hex() == TREE["empty_root"]


def test_leaf_and_node_prefixes() -> None:
    import hashlib

    assert leaf_hash(b"ab") == hashlib.sha256(b"\x00ab").digest()
    assert node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_published_roots(size: int) -> None:
    assert merkle_root(LEAVES[:size]) == ROOTS[size - 1]


def _vid(v: dict[str, Any]) -> str:
    return f"leaf{v['leaf_index']}-of-{v['tree_size']}"


INCLUSION = params(TREE["inclusion"], _vid)


@pytest.mark.parametrize("vector", INCLUSION)
def test_published_inclusion_proofs(vector: dict[str, Any]) -> None:
    index, size = vector["leaf_index"], vector["tree_size"]
    path = [bytes.fromhex(h) for h in vector["path"]]
    assert inclusion_proof(LEAVES[:size], index) == path
    verify_inclusion(LEAVES[index], index, size, path, ROOTS[size - 1])


def corruptions(index: int, size: int, path: list[bytes], root: bytes, leaf: bytes) -> list[tuple[str, Any]]:
    """Ways to break a valid (leaf, index, size, path, root); each must fail."""
    other = bytes(range(32))
    out: list[tuple[str, Any]] = [
        ("index+1", (leaf, index + 1, size, path, root)),
        ("index^2", (leaf, index ^ 2, size, path, root)),
        ("size*2", (leaf, index, size * 2, path, root)),
        ("size/2", (leaf, index, size // 2, path, root)),
        ("wrong leaf", (other, index, size, path, root)),
        ("wrong root", (leaf, index, size, path, other)),
        ("short leaf", (leaf[:31], index, size, path, root)),
        ("short root", (leaf, index, size, path, root[:31])),
        ("trailing element", (leaf, index, size, [*path, root], root)),
        ("preceding element", (leaf, index, size, [root, *path], root)),
        ("index=size", (leaf, size, size, path, root)),
        ("negative index", (leaf, -1, size, path, root)),
        ("size 0", (leaf, 0, 0, path, root)),
    ]
    if index > 0:
        out.append(("index-1", (leaf, index - 1, size, path, root)))
    if path:
        out.append(("removed element", (leaf, index, size, path[:-1], root)))
        out.append(("long element", (leaf, index, size, [path[0] + b"\x00", *path[1:]], root)))
    for i in range(len(path)):
        bad = list(path)
        bad[i] = bytes([bad[i][0] ^ 8]) + bad[i][1:]
        out.append((f"flipped path[{i}]", (leaf, index, size, bad, root)))
    return out


@pytest.mark.parametrize("vector", INCLUSION)
def test_published_proofs_reject_corruptions(vector: dict[str, Any]) -> None:
    index, size = vector["leaf_index"], vector["tree_size"]
    path = [bytes.fromhex(h) for h in vector["path"]]
    for desc, args in corruptions(index, size, path, ROOTS[size - 1], LEAVES[index]):
        with pytest.raises(VerificationError):
            verify_inclusion(*args)
            pytest.fail(f"accepted corruption {desc}")


def test_all_proofs_equal_single_proofs() -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(37)]
    assert all_inclusion_proofs(leaves) == [inclusion_proof(leaves, i) for i in range(37)]


def test_proof_index_out_of_range() -> None:
    with pytest.raises(ValueError):
        inclusion_proof(LEAVES, 8)
    with pytest.raises(ValueError):
        merkle_root([b"short"])


def flip(data: bytes, bit: int) -> bytes:
    b = bytearray(data)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 70), st.data())
def test_every_leaf_of_random_trees_proves(size: int, data: st.DataObject) -> None:
    seeds = data.draw(st.lists(st.binary(max_size=8), min_size=size, max_size=size))
    leaves = [leaf_hash(s) for s in seeds]
    root = merkle_root(leaves)
    for index, path in enumerate(all_inclusion_proofs(leaves)):
        verify_inclusion(leaves[index], index, size, path, root)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.data())
def test_every_one_bit_change_fails(size: int, data: st.DataObject) -> None:
    leaves = [leaf_hash(b"%d" % i) for i in range(size)]
    root = merkle_root(leaves)
    index = data.draw(st.integers(0, size - 1))
    path = inclusion_proof(leaves, index)
    leaf = leaves[index]
    cases: list[tuple[bytes, int, int, list[bytes], bytes]] = []
    for bit in range(256):
        cases.append((flip(leaf, bit), index, size, path, root))
        cases.append((leaf, index, size, path, flip(root, bit)))
        for i in range(len(path)):
            bad = list(path)
            bad[i] = flip(bad[i], bit)
            cases.append((leaf, index, size, bad, root))
    # One-bit changes of the index (every bit that can matter, and beyond).
    for bit in range(max(size, 2).bit_length() + 1):
        cases.append((leaf, index ^ (1 << bit), size, path, root))
    for case in cases:
        with pytest.raises(VerificationError):
            verify_inclusion(*case)
    # RFC 9162 verification binds the tree size only through the shape of the
    # path (index 0 of trees of 5 and 6 leaves have the same shape), which is
    # why the size is taken from the manifest: a proof file whose tree_size
    # differs from it in any bit is rejected before the path is even walked.
    for bit in range(size.bit_length() + 1):
        forged = InclusionProof(index, size ^ (1 << bit), leaf, tuple(path))
        with pytest.raises(VerificationError):
            forged.verify(leaf, index, size, root)
    InclusionProof(index, size, leaf, tuple(path)).verify(leaf, index, size, root)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=0, max_value=70), data=st.data())
def test_root_and_paths_equals_the_recursive_definition(size: int, data: st.DataObject) -> None:
    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(size)]
    indices = data.draw(st.lists(st.integers(min_value=0, max_value=size - 1), max_size=5)) if size else []
    root, paths = root_and_paths(leaves, indices)
    assert root == merkle_root(leaves)
    assert paths == [inclusion_proof(leaves, i) for i in indices]


def test_root_and_paths_published_vectors_and_bounds() -> None:
    for vector in TREE["inclusion"]:
        index, size = vector["leaf_index"], vector["tree_size"]
        root, [path] = root_and_paths(LEAVES[:size], [index])
        assert (root, [p.hex() for p in path]) == (ROOTS[size - 1], vector["path"])
    assert root_and_paths([], []) == (bytes.fromhex(TREE["empty_root"]), [])
    for bad in (-1, 3):
        with pytest.raises(ValueError, match="out of range"):
            root_and_paths(LEAVES[:3], [bad])
    with pytest.raises(ValueError, match="leaf_hashes"):
        root_and_paths([b"short"], [0])
