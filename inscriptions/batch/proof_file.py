"""Per-shard inclusion proof files, ``proofs/NNNNNN.json``
(``"format": "enoch-inclusion-proof/1"``, RFC 8785 canonical JSON).

A proof file carries the leaf index, the tree size it was made for, the leaf
hash and the RFC 9162 audit path.  It deliberately carries no root: the root
and tree size are taken from the manifest, and a proof whose ``tree_size``
differs from the manifest's is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inscriptions.batch.rfc9162 import HASH_SIZE, verify_inclusion
from inscriptions.schema import hex_field, int_field, load_versioned, parse_lower_hex
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError, VerificationError

FORMAT = "enoch-inclusion-proof/1"
#: A tree of 2^63 leaves has 63 levels; anything longer is garbage.
MAX_PATH = 64
#: A proof file holds at most 64 hashes: a few KB.  Anything bigger is not one
#: (bounded read).
MAX_PROOF_BYTES = 16_384


@dataclass(frozen=True)
class InclusionProof:
    """The inclusion proof of one shard's leaf."""

    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    audit_path: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "hash": "sha256",
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
            "audit_path": [h.hex() for h in self.audit_path],
        }

    def to_bytes(self) -> bytes:
        return canonical_dumps(self.to_json())

    @classmethod
    def from_bytes(cls, data: bytes) -> InclusionProof:
        """Parse a proof file strictly (``MalformedInputError`` on any deviation)."""
        keys = {"format", "hash", "leaf_index", "tree_size", "leaf_hash", "audit_path"}
        o = load_versioned(data, "inclusion proof", FORMAT, keys)
        if o["hash"] != "sha256":
            raise MalformedInputError(f"inclusion proof hash is {o['hash']!r}, expected 'sha256'")
        path = o["audit_path"]
        if not isinstance(path, list) or len(path) > MAX_PATH:
            raise MalformedInputError(f"audit_path must be a list of at most {MAX_PATH} hashes")
        proof = cls(
            leaf_index=int_field(o, "leaf_index"),
            tree_size=int_field(o, "tree_size", minimum=1),
            leaf_hash=hex_field(o, "leaf_hash", HASH_SIZE),
            audit_path=tuple(parse_lower_hex(h, f"audit_path[{i}]", HASH_SIZE) for i, h in enumerate(path)),
        )
        if proof.to_bytes() != data:
            raise MalformedInputError("inclusion proof is not in canonical form (RFC 8785)")
        return proof

    def verify(self, leaf_hash: bytes, index: int, tree_size: int, root: bytes) -> None:
        """Check this proof for the leaf hash computed from the shard bytes,
        against the trusted ``index``, ``tree_size`` and ``root`` of a manifest."""
        if self.leaf_index != index:
            raise VerificationError(f"proof is for leaf {self.leaf_index}, not shard {index}")
        if self.tree_size != tree_size:
            raise VerificationError(f"proof is for a tree of size {self.tree_size}, the manifest says {tree_size}")
        if self.leaf_hash != leaf_hash:
            raise VerificationError("proof names a different leaf hash than the shard's")
        verify_inclusion(leaf_hash, index, tree_size, self.audit_path, root)
