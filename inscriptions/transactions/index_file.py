"""``PLAN/index.json`` (``"format": "enoch-index/1"``, SPEC T, Index): where a
batch's inscriptions are on chain.

RFC 8785 canonical JSON and one newline (as ``reveal`` writes it)::

    {"format": "enoch-index/1", "network": str, "root": hex, "tree_size": n,
     "manifest_sha256": hex, "manifest_id": id | null,
     "leaves": [id | null, ...]}      # by leaf index; null: not revealed yet

An id is ord's ``<txid, display hex>i<n>``.  ``reveal`` writes the file; the
loader page and ``enoch serve`` read it.  Parsing is strict (canonical bytes,
exactly these keys, one id per leaf).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inscriptions.schema import hex_field, int_field, load_versioned, str_field
from inscriptions.transactions.plandir import read_plan_file
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import InputMissingError, MalformedInputError

FORMAT = "enoch-index/1"
INDEX_NAME = "index.json"
#: index.json holds about 70 bytes per leaf (bounded read).
MAX_INDEX_FILE = 256 * 1024 * 1024
_ID = re.compile(r"[0-9a-f]{64}i(0|[1-9][0-9]{0,9})")


def check_inscription_id(value: Any, where: str) -> str:
    """An ord inscription id ``<64 lowercase hex>i<n>``."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise MalformedInputError(f"{where} is not an inscription id (<txid>i<n>)")
    return value


def _optional_id(value: Any, where: str) -> str | None:
    return None if value is None else check_inscription_id(value, where)


@dataclass(frozen=True)
class BatchIndex:
    """The inscription ids of one batch (``None`` where not revealed yet)."""

    network: str
    root: bytes
    tree_size: int
    manifest_sha256: bytes
    manifest_id: str | None
    leaves: tuple[str | None, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "network": self.network,
            "root": self.root.hex(),
            "tree_size": self.tree_size,
            "manifest_sha256": self.manifest_sha256.hex(),
            "manifest_id": self.manifest_id,
            "leaves": list(self.leaves),
        }

    def to_bytes(self) -> bytes:
        return canonical_dumps(self.to_json()) + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> BatchIndex:
        """Strict parse (``MalformedInputError``, exit 65, on any deviation)."""
        keys = {"format", "network", "root", "tree_size", "manifest_sha256", "manifest_id", "leaves"}
        o = load_versioned(data.removesuffix(b"\n"), INDEX_NAME, FORMAT, keys)
        leaves = o["leaves"]
        if not isinstance(leaves, list):
            raise MalformedInputError(f"{INDEX_NAME}: leaves must be a list")
        index = cls(
            network=str_field(o, "network"),
            root=hex_field(o, "root", 32),
            tree_size=int_field(o, "tree_size", minimum=1),
            manifest_sha256=hex_field(o, "manifest_sha256", 32),
            manifest_id=_optional_id(o["manifest_id"], f"{INDEX_NAME}: manifest_id"),
            leaves=tuple(_optional_id(v, f"{INDEX_NAME}: leaves[{i}]") for i, v in enumerate(leaves)),
        )
        if len(index.leaves) != index.tree_size:
            raise MalformedInputError(f"{INDEX_NAME}: {len(index.leaves)} leaves for a tree of size {index.tree_size}")
        if index.to_bytes() != data:
            raise MalformedInputError(f"{INDEX_NAME} is not in canonical form (RFC 8785 and one newline)")
        return index


def load_index(plan_dir: Path) -> BatchIndex:
    """``PLAN_DIR/index.json``, parsed strictly (exit 66 when absent)."""
    path = plan_dir / INDEX_NAME
    if not path.exists():
        raise InputMissingError(
            f"{path} does not exist: `enoch inscribe reveal` writes it; before any reveal, preview the batch itself"
            " (`enoch serve BATCH_DIR`, `enoch inscribe loader --preview BATCH_DIR`)"
        )
    return BatchIndex.from_bytes(read_plan_file(path, what=INDEX_NAME, limit=MAX_INDEX_FILE))
