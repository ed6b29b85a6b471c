"""``PLAN/index.json``: the inscription id of every leaf and of the manifest (SPEC T, "Index").

Format ``enoch-index/1``, RFC 8785 canonical JSON plus one newline::

    {"format": "enoch-index/1", "network": str, "root": hex, "tree_size": n,
     "manifest_sha256": hex, "manifest_id": id | null, "leaves": [id | null, ...]}

``leaves`` has exactly ``tree_size`` entries, by leaf index; ``null`` while
the leaf's group is not revealed.  An inscription id is ord's
``<reveal txid, display hex>i<n>``, where ``n`` counts the envelopes of the
reveal in input order (ord's ``id_counter``: every envelope gets the next
number, whatever its pointer tag; an enoch reveal has one input, so ``n`` is
the envelope's position in the group).  Reading is strict: unknown or
missing keys, non-canonical bytes, a list of the wrong length or a malformed
id are refused (exit 65).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from inscriptions.schema import hex_field, int_field, load_versioned, str_field
from inscriptions.transactions.network import NETWORKS
from inscriptions.plans.plandir import read_plan_file
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import InputMissingError, MalformedInputError

INDEX_FORMAT = "enoch-index/1"
INDEX_NAME = "index.json"
_KEYS = {"format", "network", "root", "tree_size", "manifest_sha256", "manifest_id", "leaves"}
#: txid (lowercase display hex), "i", a decimal index without leading zeros below 2**32.
_ID = re.compile(r"[0-9a-f]{64}i(?:0|[1-9][0-9]{0,9})")
#: The largest index: 4 GB of tree is far beyond any batch, and keeps hostile files small to check.
MAX_TREE_SIZE = 2**32
#: index.json holds about 70 bytes per leaf (bounded read).
MAX_INDEX_FILE = 256 * 1024 * 1024


def inscription_id(txid: str, n: int) -> str:
    """ord's id of the ``n``-th envelope (counted over all inputs) of ``txid``."""
    text = f"{txid}i{n}"
    if not 0 <= n < 2**32 or not _ID.fullmatch(text):
        raise MalformedInputError(f"not an inscription id: {text!r}")
    return text


def check_inscription_id(value: Any, where: str) -> str:
    """An ord inscription id ``<64 lowercase hex>i<n>`` (never ``None``)."""
    if value is None:
        raise MalformedInputError(f"{where} is not an inscription id (<txid>i<n>)")
    checked = parse_inscription_id(value, where)
    assert checked is not None
    return checked


def parse_inscription_id(value: object, where: str) -> str | None:
    """An id or ``None`` (JSON null); anything else is refused."""
    if value is None:
        return None
    if not isinstance(value, str) or not _ID.fullmatch(value) or int(value[65:]) >= 2**32:
        raise MalformedInputError(f"{where} is not an inscription id (<txid>i<n>: 64 lowercase hex, i, a number)")
    return value


@dataclass(frozen=True)
class InscriptionIndex:
    """The contents of ``index.json``."""

    network: str
    root: bytes
    tree_size: int
    manifest_sha256: bytes
    manifest_id: str | None
    leaves: tuple[str | None, ...]

    @classmethod
    def empty(cls, network: str, root: bytes, tree_size: int, manifest_sha256: bytes) -> InscriptionIndex:
        """An index of a batch before any reveal (every id ``null``)."""
        return cls(network, root, tree_size, manifest_sha256, None, (None,) * tree_size)

    def with_ids(self, manifest_id: str | None, leaves: Mapping[int, str]) -> InscriptionIndex:
        """This index with the given ids set (``manifest_id`` ``None``: unchanged)."""
        ids = list(self.leaves)
        for leaf, value in leaves.items():
            if not 0 <= leaf < self.tree_size:
                raise MalformedInputError(f"leaf {leaf} is outside the tree (size {self.tree_size})")
            ids[leaf] = parse_inscription_id(value, f"leaf {leaf}")
        manifest = self.manifest_id if manifest_id is None else parse_inscription_id(manifest_id, "manifest id")
        return replace(self, manifest_id=manifest, leaves=tuple(ids))

    def to_bytes(self) -> bytes:
        """Canonical bytes (RFC 8785 and a newline)."""
        return canonical_dumps(self.to_json()) + b"\n"

    def to_json(self) -> dict[str, Any]:
        """The JSON document (what :meth:`to_bytes` canonicalises)."""
        return {
            "format": INDEX_FORMAT,
            "network": self.network,
            "root": self.root.hex(),
            "tree_size": self.tree_size,
            "manifest_sha256": self.manifest_sha256.hex(),
            "manifest_id": self.manifest_id,
            "leaves": list(self.leaves),
        }

    @classmethod
    def from_bytes(cls, data: bytes) -> InscriptionIndex:
        """Parse ``index.json`` strictly (exit 65 on anything but what :meth:`to_bytes` writes)."""
        o = load_versioned(data, INDEX_NAME, INDEX_FORMAT, _KEYS)
        network = str_field(o, "network")
        if network not in NETWORKS:
            raise MalformedInputError(f"{INDEX_NAME}: unknown network {network!r}")
        tree_size = int_field(o, "tree_size", minimum=1)
        if tree_size > MAX_TREE_SIZE:
            raise MalformedInputError(f"{INDEX_NAME}: tree_size {tree_size} is out of range")
        leaves = o["leaves"]
        if not isinstance(leaves, list) or len(leaves) != tree_size:
            raise MalformedInputError(f"{INDEX_NAME}: leaves must be a list of tree_size ({tree_size}) entries")
        index = cls(
            network=network,
            root=hex_field(o, "root", 32),
            tree_size=tree_size,
            manifest_sha256=hex_field(o, "manifest_sha256", 32),
            manifest_id=parse_inscription_id(o["manifest_id"], "manifest_id"),
            leaves=tuple(parse_inscription_id(v, f"leaves[{i}]") for i, v in enumerate(leaves)),
        )
        if index.to_bytes() != data:
            raise MalformedInputError(f"{INDEX_NAME} is not in canonical form (RFC 8785 and one newline)")
        return index


def load_index(plan_dir: Path) -> InscriptionIndex:
    """``PLAN_DIR/index.json``, parsed strictly (exit 66 when absent)."""
    path = plan_dir / INDEX_NAME
    if not path.exists():
        raise InputMissingError(
            f"{path} does not exist: `enoch inscribe reveal` writes it; before any reveal, preview the batch itself"
            " (`enoch serve BATCH_DIR`, `enoch inscribe loader --preview BATCH_DIR`)"
        )
    return InscriptionIndex.from_bytes(read_plan_file(path, what=INDEX_NAME, limit=MAX_INDEX_FILE))
