"""CBOR inscription metadata: canonical round trip and strict parsing."""

from __future__ import annotations

import cbor2
import pytest

from inscriptions.transactions.metadata import FORMAT, InscriptionMetadata
from toolkit.core.errors import MalformedInputError

ROOT = bytes(range(32))


def test_round_trip_and_golden_bytes() -> None:
    meta = InscriptionMetadata(ROOT, 100, 7)
    data = meta.to_bytes()
    assert InscriptionMetadata.from_bytes(data) == meta
    assert len(data) <= 520
    assert data.hex() == (
        "a4"
        + "64726f6f74" + "5820" + ROOT.hex()
        + "6573686172640" + "7"
        + "66666f726d6174" + "73" + FORMAT.encode().hex()
        + "6974726565" + "5f73697a65" + "1864"
    )


def test_manifest_metadata() -> None:
    meta = InscriptionMetadata(ROOT, 3, None)
    assert meta.is_manifest
    assert InscriptionMetadata.from_bytes(meta.to_bytes()) == meta


@pytest.mark.parametrize(
    "value",
    [
        {"format": FORMAT, "root": ROOT, "tree_size": 3, "shard": 1, "extra": 1},
        {"format": "other/1", "root": ROOT, "tree_size": 3, "shard": 1},
        {"format": FORMAT, "root": ROOT[:31], "tree_size": 3, "shard": 1},
        {"format": FORMAT, "root": ROOT, "tree_size": 3, "shard": 3},
        {"format": FORMAT, "root": ROOT, "tree_size": 0, "shard": 0},
        {"format": FORMAT, "root": ROOT, "tree_size": 3, "shard": -1},
        {"format": FORMAT, "root": ROOT, "tree_size": 3, "shard": True},
        {"format": FORMAT, "root": ROOT, "tree_size": 3, "manifest": False},
        {"format": FORMAT, "root": ROOT.hex(), "tree_size": 3, "shard": 1},
        [1, 2],
    ],
)
def test_rejects_bad_maps(value: object) -> None:
    with pytest.raises(MalformedInputError):
        InscriptionMetadata.from_bytes(cbor2.dumps(value, canonical=True))


def test_rejects_non_canonical_and_trailing() -> None:
    good = InscriptionMetadata(ROOT, 3, 1).to_bytes()
    with pytest.raises(MalformedInputError):
        InscriptionMetadata.from_bytes(good + b"\x00")
    with pytest.raises(MalformedInputError):
        InscriptionMetadata.from_bytes(good[:-1])
    unsorted = cbor2.dumps({"tree_size": 3, "shard": 1, "root": ROOT, "format": FORMAT})
    assert unsorted != good
    with pytest.raises(MalformedInputError, match="canonical"):
        InscriptionMetadata.from_bytes(unsorted)
    with pytest.raises(MalformedInputError):
        InscriptionMetadata.from_bytes(bytes(521))
