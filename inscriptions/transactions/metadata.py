"""CBOR metadata carried in every enoch inscription (envelope tag 5).

A CBOR map in RFC 8949 deterministic (canonical) encoding::

    {"format": "enoch-inscription/1", "root": h'<32-byte batch root>',
     "tree_size": n, "shard": i}          # a shard, 0 <= i < n
    {"format": "enoch-inscription/1", "root": h'..', "tree_size": n,
     "manifest": true}                     # the batch manifest

It names the batch (RFC 9162 root and tree size) and the shard's leaf index,
so each inscription can be tied to its batch on chain.  The encoding is at
most 520 bytes, i.e. one push.  Parsing is strict: canonical bytes only,
exactly these keys, no trailing data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cbor2

from inscriptions.transactions.tapscript import MAX_PUSH
from toolkit.core.errors import MalformedInputError

FORMAT = "enoch-inscription/1"


@dataclass(frozen=True)
class InscriptionMetadata:
    """Batch root and tree size, plus the shard index (``None`` for the manifest)."""

    root: bytes
    tree_size: int
    shard: int | None

    def __post_init__(self) -> None:
        if len(self.root) != 32:
            raise MalformedInputError("metadata root must be 32 bytes")
        if not 1 <= self.tree_size < 2**63:
            raise MalformedInputError("metadata tree_size out of range")
        if self.shard is not None and not 0 <= self.shard < self.tree_size:
            raise MalformedInputError(f"metadata shard {self.shard} outside tree of size {self.tree_size}")

    @property
    def is_manifest(self) -> bool:
        return self.shard is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": FORMAT, "root": self.root, "tree_size": self.tree_size}
        if self.shard is None:
            out["manifest"] = True
        else:
            out["shard"] = self.shard
        return out

    def to_bytes(self) -> bytes:
        data: bytes = cbor2.dumps(self.to_dict(), canonical=True)
        assert len(data) <= MAX_PUSH
        return data

    @classmethod
    def from_bytes(cls, data: bytes) -> InscriptionMetadata:
        """Strict parse; anything but our canonical map is malformed."""
        if len(data) > MAX_PUSH:
            raise MalformedInputError(f"metadata is {len(data)} bytes, more than {MAX_PUSH}")
        try:
            value = cbor2.loads(data, allow_indefinite=False, allow_duplicate_keys=False)
        except Exception as exc:  # cbor2 raises several types, all malformed input
            raise MalformedInputError(f"metadata is not valid CBOR: {exc}") from None
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            raise MalformedInputError(f"metadata is not an {FORMAT} map")
        keys = set(value)
        if keys not in ({"format", "root", "tree_size", "shard"}, {"format", "root", "tree_size", "manifest"}):
            raise MalformedInputError(f"metadata has unexpected keys {sorted(map(str, keys))}")
        root, size = value["root"], value["tree_size"]
        if not isinstance(root, bytes) or type(size) is not int:
            raise MalformedInputError("metadata root/tree_size have wrong types")
        if "manifest" in value:
            if value["manifest"] is not True:
                raise MalformedInputError("metadata manifest flag must be true")
            meta = cls(root, size, None)
        else:
            shard = value["shard"]
            if type(shard) is not int:
                raise MalformedInputError("metadata shard must be an integer")
            meta = cls(root, size, shard)
        if meta.to_bytes() != data:
            raise MalformedInputError("metadata is not in canonical CBOR encoding")
        return meta
