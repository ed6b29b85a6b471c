"""Small batches for inscription tests, built with the pipeline's pack API."""

from __future__ import annotations

import random
from pathlib import Path

from inscriptions.batch.verify import VerifiedBatch, verify_batch
from inscriptions.batch.inputs import collect_inputs
from inscriptions.batch.compressors import new_codec
from inscriptions.batch.pack import pack_files
from tests.batchutil import write_files

# Addresses whose keys nobody needs: BIP 341 vector output keys, BIP 173 examples.
SIGNET_P2TR = "tb1p2wsldez5mud2yam29q22wgfh9439spgduvct83k3pm50fcxa5dpsrdp6cm"
SIGNET_P2WPKH = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
MAINNET_P2TR = "bc1p2wsldez5mud2yam29q22wgfh9439spgduvct83k3pm50fcxa5dps59h4z5"


def make_batch(tmp: Path, files: dict[str, bytes], *, shard_size: int = 4096, name: str = "batch", compressor: str = "gzip") -> Path:
    out = tmp / name
    pack_files(collect_inputs([write_files(tmp / f"{name}-src", files)]), out, shard_size=shard_size, codec=new_codec(compressor))
    return out


def noise(n: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(n)


def small_batch(tmp: Path, *, shard_size: int = 4096) -> VerifiedBatch:
    """Three files, several shards each: incompressible noise, text, empty."""
    path = make_batch(
        tmp,
        {"art/noise.bin": noise(10_000), "index.html": b"<h1>enoch</h1>\n" * 300, "empty.txt": b""},
        shard_size=shard_size,
    )
    return verify_batch(path)
