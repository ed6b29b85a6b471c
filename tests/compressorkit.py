"""Helpers for the compressor tests: rewrite one shard of a batch and reseal
everything that depends on it (gz_size, leaf hash, root, every proof), so a
test can build self-consistent hostile batches."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

from inscriptions.batch.gzip_member import HEADER, new_compressor
from inscriptions.batch.proof_file import InclusionProof
from inscriptions.batch.rfc9162 import all_inclusion_proofs, leaf_hash, merkle_root
from toolkit.core.canonical_json import canonical_dumps


def shard_path(batch: Path, index: int) -> Path:
    found = sorted((batch / "shards").glob(f"{index:06d}.*"))
    assert len(found) == 1, found
    return found[0]


def reseal(batch: Path, index: int, member: bytes, **entry: Any) -> None:
    """Put ``member`` in place of shard ``index``; ``entry`` overrides manifest
    fields of that shard (and its file's ``size`` follows ``length``)."""
    shard_path(batch, index).write_bytes(member)
    doc = json.loads((batch / "manifest.json").read_bytes())
    shard = doc["shards"][index]
    old_length = shard["length"]
    shard.update(gz_size=len(member), leaf_hash=leaf_hash(member).hex(), **entry)
    for f in doc["files"]:
        if f["path"] == shard["file"]:
            f["size"] += shard["length"] - old_length
    leaves = [bytes.fromhex(s["leaf_hash"]) for s in doc["shards"]]
    doc["root"] = merkle_root(leaves).hex()
    (batch / "manifest.json").write_bytes(canonical_dumps(doc))
    for i, path in enumerate(all_inclusion_proofs(leaves)):
        (batch / "proofs" / f"{i:06d}.json").write_bytes(InclusionProof(i, len(leaves), leaves[i], tuple(path)).to_bytes())


def zeros_member(mib: int) -> bytes:
    """A valid gzip member of ``mib`` MiB of zeros, built in milliseconds:
    the deflate block for 1 MiB of zeros after zeros is repeated."""
    block = bytes(1 << 20)
    comp = new_compressor()
    first = comp.compress(block) + comp.flush(zlib.Z_SYNC_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_SYNC_FLUSH)
    end = comp.flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    size = (mib << 20) & 0xFFFFFFFF
    return HEADER + first + again * (mib - 1) + end + crc.to_bytes(4, "little") + size.to_bytes(4, "little")
