"""RFC 9162 Merkle Tree Hash (section 2.1.1) and inclusion proofs (section 2.1.3).

SHA-256 throughout.  Leaves are given to the tree functions as *leaf hashes*
(``leaf_hash(data)``), so a batch never needs all shard bytes in memory at once.

* ``MTH({}) = SHA-256()``; ``MTH({d0}) = SHA-256(0x00 || d0)``;
  ``MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`` with ``k`` the
  largest power of two smaller than ``n``.
* ``PATH(m, D[n])`` is the audit path of leaf ``m`` (section 2.1.3.1).
* :func:`verify_inclusion` is the verification algorithm of section 2.1.3.2,
  with the length checks it implies (every hash exactly 32 bytes, the path
  exactly as long as the tree shape requires).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from toolkit.core.errors import VerificationError

HASH_SIZE = 32


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of one leaf."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_hashes(hashes: Sequence[bytes], what: str) -> None:
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise ValueError(f"{what}[{i}] is {len(h)} bytes, expected {HASH_SIZE}")


class _Subtrees:
    """MTH of the subtrees ``D[lo:hi]`` the RFC 9162 recursion visits, memoised
    so that all proofs of a tree cost O(n log n) hashes in total, not O(n^2)."""

    def __init__(self, hashes: Sequence[bytes]) -> None:
        self.hashes = hashes
        self.cache: dict[tuple[int, int], bytes] = {}

    def mth(self, lo: int, hi: int) -> bytes:
        if hi - lo == 1:
            return self.hashes[lo]
        got = self.cache.get((lo, hi))
        if got is None:
            k = _split(hi - lo)
            got = node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))
            self.cache[(lo, hi)] = got
        return got

    def path(self, index: int) -> list[bytes]:
        path: list[bytes] = []
        lo, hi, m = 0, len(self.hashes), index
        # Walk down from the root; siblings are collected root-first, then reversed.
        while hi - lo > 1:
            k = _split(hi - lo)
            if m < k:
                path.append(self.mth(lo + k, hi))
                hi = lo + k
            else:
                path.append(self.mth(lo, lo + k))
                lo, m = lo + k, m - k
        path.reverse()
        return path


def merkle_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of the leaves whose leaf hashes are given."""
    _check_hashes(leaf_hashes, "leaf_hashes")
    if not leaf_hashes:
        return hashlib.sha256(b"").digest()
    return _Subtrees(leaf_hashes).mth(0, len(leaf_hashes))


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path ``PATH(index, D[n])`` (RFC 9162 section 2.1.3.1), leaf first."""
    _check_hashes(leaf_hashes, "leaf_hashes")
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} out of range for a tree of size {n}")
    return _Subtrees(leaf_hashes).path(index)


def all_inclusion_proofs(leaf_hashes: Sequence[bytes]) -> list[list[bytes]]:
    """``inclusion_proof(leaf_hashes, i)`` for every ``i``, sharing the work."""
    _check_hashes(leaf_hashes, "leaf_hashes")
    tree = _Subtrees(leaf_hashes)
    return [tree.path(i) for i in range(len(leaf_hashes))]


def root_and_paths(leaf_hashes: Sequence[bytes], indices: Sequence[int]) -> tuple[bytes, list[list[bytes]]]:
    """The Merkle Tree Hash and the audit paths of the leaves at ``indices``,
    computed level by level (for trees of millions of leaves, e.g. draw entrants).

    The RFC 9162 recursion (split at the largest power of two below n) builds
    the same tree as pairing each level left to right and carrying an odd last
    node up unchanged; an audit path then holds the sibling at every level
    where the node has one.  tests/test_rfc9162.py checks both against each other.
    """
    _check_hashes(leaf_hashes, "leaf_hashes")
    n = len(leaf_hashes)
    for index in indices:
        if not 0 <= index < n:
            raise ValueError(f"leaf index {index} out of range for a tree of size {n}")
    if not n:
        return hashlib.sha256(b"").digest(), []
    sha256 = hashlib.sha256
    levels = [list(leaf_hashes)]
    level = levels[0]
    while len(level) > 1:
        up = [sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) & 1:
            up.append(level[-1])
        levels.append(up)
        level = up
    paths: list[list[bytes]] = []
    for index in indices:
        path: list[bytes] = []
        m = index
        for lvl in levels[:-1]:
            sibling = m ^ 1
            if sibling < len(lvl):  # the last node of an odd level has none: it is carried up
                path.append(lvl[sibling])
            m >>= 1
        paths.append(path)
    return level[0], paths


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` (a leaf *hash*) is leaf ``index`` of the tree of
    ``tree_size`` leaves with head ``root``; raise ``VerificationError`` if not.

    ``root`` and ``tree_size`` must come from a trusted source (the manifest),
    never from the proof itself.
    """
    if len(leaf) != HASH_SIZE:
        raise VerificationError(f"leaf hash is {len(leaf)} bytes, expected {HASH_SIZE}")
    if len(root) != HASH_SIZE:
        raise VerificationError(f"root is {len(root)} bytes, expected {HASH_SIZE}")
    for i, p in enumerate(proof):
        if len(p) != HASH_SIZE:
            raise VerificationError(f"inclusion proof element {i} is {len(p)} bytes, expected {HASH_SIZE}")
    # Step 1: the index must lie inside the tree.
    if tree_size < 1 or not 0 <= index < tree_size:
        raise VerificationError(f"leaf index {index} is not inside a tree of size {tree_size}")
    # Step 2.
    fn, sn = index, tree_size - 1
    # Step 3.
    r = leaf
    # Step 4.
    for p in proof:
        # 4a: a path longer than the tree is deep.
        if sn == 0:
            raise VerificationError("inclusion proof is longer than the tree requires")
        # 4b.
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        # 4c.
        fn >>= 1
        sn >>= 1
    # Step 5: the path must have reached the root, and the hash must match.
    if sn != 0:
        raise VerificationError("inclusion proof is shorter than the tree requires")
    if r != root:
        raise VerificationError("inclusion proof does not lead to the root")
