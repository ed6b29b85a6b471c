"""The batch API other areas build on (INTERFACES.md): verify_batch and
VerifiedBatch, used by ``inscribe`` to read shards it will put on chain."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from inscriptions.batch.verify import VerifiedBatch, verify_batch
from inscriptions.batch.inputs import collect_inputs
from inscriptions.batch.manifest import Manifest
from inscriptions.batch.pack import pack_files
from inscriptions.batch.rfc9162 import inclusion_proof, leaf_hash, verify_inclusion
from tests.batchutil import make_tree
from toolkit.core.errors import InputMissingError, VerificationError


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    out = tmp_path / "batch"
    pack_files(collect_inputs([make_tree(tmp_path / "src")]), out, shard_size=4096, jobs=1)
    return out


def test_verified_batch_exposes_exact_bytes(batch: Path) -> None:
    seen: list[int] = []
    vb = verify_batch(batch, progress=seen.append)
    assert vb.manifest_bytes == (batch / "manifest.json").read_bytes()
    assert vb.manifest == Manifest.from_bytes(vb.manifest_bytes)
    assert sum(seen) == sum(f.size for f in vb.manifest.files)
    leaves = [leaf_hash(vb.shard_bytes(i)) for i in range(vb.manifest.tree_size)]
    assert leaves == [s.leaf_hash for s in vb.manifest.shards]
    for i, leaf in enumerate(leaves):
        verify_inclusion(leaf, i, vb.manifest.tree_size, inclusion_proof(leaves, i), vb.manifest.root)
        assert vb.manifest.file_for_shard(i).path == vb.manifest.shards[i].file


def test_shard_bytes_rechecks_after_verification(batch: Path) -> None:
    vb = verify_batch(batch)
    (batch / "shards" / "000001.gz").write_bytes(b"swapped after verify")
    with pytest.raises(VerificationError, match="000001"):
        vb.shard_bytes(1)
    with pytest.raises(VerificationError):
        vb.shard_bytes(vb.manifest.tree_size)
    with pytest.raises(VerificationError):
        vb.shard_bytes(-1)


def test_pinned_batch_needs_the_pinned_manifest(batch: Path) -> None:
    raw = (batch / "manifest.json").read_bytes()
    vb = VerifiedBatch.pinned(batch, hashlib.sha256(raw).digest())
    assert vb.manifest_bytes == raw and vb.manifest == Manifest.from_bytes(raw)
    with pytest.raises(VerificationError, match="not the one"):
        VerifiedBatch.pinned(batch, hashlib.sha256(raw + b" ").digest())
    (batch / "shards" / "000000.gz").write_bytes(b"swapped")  # shards are checked as they are read
    with pytest.raises(VerificationError, match="000000"):
        vb.shard_bytes(0)


def test_not_a_batch(tmp_path: Path) -> None:
    with pytest.raises(InputMissingError):
        verify_batch(tmp_path / "missing")
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(InputMissingError):
        verify_batch(tmp_path / "file")


def test_shards_dir_replaced_by_a_file(batch: Path) -> None:
    import shutil

    shutil.rmtree(batch / "shards")
    (batch / "shards").write_bytes(b"")
    with pytest.raises(VerificationError, match="shards/"):
        verify_batch(batch)
