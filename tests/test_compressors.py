"""SPEC K: ``pack --compressor gzip|zopfli|brotli`` — golden shards and roots,
the round trip through every reader, manifests naming compressors, and
strict, bounded decompression (issue 12 defect 6)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import brotli
import pytest

from inscriptions.batch.brotli_stream import brotli_stream, inflate_stream
from inscriptions.batch.compressors import MAX_CHUNK, max_chunk_length
from inscriptions.batch.gzip_member import inflate_member
from inscriptions.batch.zopfli_member import zopfli_member
from tests.batchkit import SIGNET_P2TR
from tests.batchutil import edit_manifest, make_tree, tree_bytes, write_files
from tests.compressorkit import reseal, shard_path, zeros_member
from toolkit.core.errors import MalformedInputError

Enoch = Callable[..., Any]

# Golden values for tests.batchutil.make_tree at --shard-size 4096, computed
# once (zlib 1.2.13, PyPI zopfli 0.4.3, PyPI brotli 1.2.1) and hard-coded:
# root, SHA-256 of all shards concatenated in leaf order, shard sizes.
GOLDEN = {
    "gzip": (
        "68b721b1d688214fc6dec83e2b8a396d2e16e67e440dc90a65f97b00cef84026",
        "efc741b535b2cc0b848b3fa2cc4db0cb9e89aaf28410ca175afa1ae8af4a4f5f",
        [4074, 4067, 1583, 20, 4079, 4079, 911, 37],
    ),
    "zopfli": (
        "5549249762085d302c7f35dcad2fbfd1f91663ea746aaa1797d885b1dc27aa55",
        "be0da091cacd0ed3e8f38b0779c43ccbb75d2aebee842fc1890ca3af536f73f5",
        [4072, 4073, 332, 20, 4088, 4076, 905, 37],
    ),
    "brotli": (
        "9b4260d1ec3d33b7805a7842077337dad49ef0e9199a35f49882bb0845b66c06",
        "1e373f068b6896dbbf0e1c6af810fc7ced5487ff404fd124f11154d822089448",
        [4084, 2836, 1, 4078, 4076, 858, 21],
    ),
}
COMPRESSORS = list(GOLDEN)


def pack(enoch: Enoch, src: Path, out: Path, compressor: str, shard_size: int = 4096) -> Any:
    r = enoch("pack", src, "-o", out, "--shard-size", str(shard_size), "--compressor", compressor, "--jobs", "1", "--json")
    assert r.exit_code == 0, r.stderr
    return r.json()


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from toolkit.cli import run

    root = tmp_path_factory.mktemp("compressors")
    src = make_tree(root / "src")
    out = {}
    for name in COMPRESSORS:
        out[name] = root / name
        assert run(["pack", str(src), "-o", str(out[name]), "--shard-size", "4096", "--compressor", name, "--jobs", "1"]) == 0
    return out


@pytest.mark.parametrize("name", COMPRESSORS)
def test_golden_roots_and_shards(batches: dict[str, Path], name: str) -> None:
    manifest = json.loads((batches[name] / "manifest.json").read_bytes())
    shards = sorted((batches[name] / "shards").iterdir())
    root, digest, sizes = GOLDEN[name]
    assert manifest["root"] == root
    assert hashlib.sha256(b"".join(p.read_bytes() for p in shards)).hexdigest() == digest
    assert [p.stat().st_size for p in shards] == sizes == [s["gz_size"] for s in manifest["shards"]]
    assert {p.suffix for p in shards} == {".br" if name == "brotli" else ".gz"}


def test_golden_streams() -> None:
    assert brotli_stream(b"").hex() == "3f"
    assert brotli_stream(b"hello, chain\n").hex() == "1f0c00f825146a10456a978b744a05"
    assert zopfli_member(b"").hex() == "1f8b08000000000002ff03000000000000000000"
    text = b"".join(b'{"id":%d,"name":"enoch %d"}\n' % (i, i * i % 977) for i in range(1000))
    zop, bro = zopfli_member(text), brotli_stream(text)
    assert (len(zop), hashlib.sha256(zop).hexdigest()) == (3889, "14d33521dfd59d7e7b9f98aded6424530e33ed031dc5a164c980cfbff4490202")
    assert (len(bro), hashlib.sha256(bro).hexdigest()) == (2685, "842de56df6a8ac70299409eeb3c5beaf5d574bb4ee655ce0fa5817f55896b670")
    assert b"".join(inflate_member(zop, max_size=len(text))) == text  # gzip's own strict parser reads it


def test_manifest_records_compressor(batches: dict[str, Path]) -> None:
    docs = {n: json.loads((batches[n] / "manifest.json").read_bytes()) for n in COMPRESSORS}
    assert docs["gzip"]["format"] == "enoch-batch/1" and docs["gzip"]["compressor"]["name"] == "zlib"
    assert docs["zopfli"]["format"] == docs["brotli"]["format"] == "enoch-batch/2"
    assert docs["zopfli"]["compressor"] == {
        "name": "zopfli", "content_encoding": "gzip", "version": docs["zopfli"]["compressor"]["version"],
        "iterations": 15, "block_splitting": 1, "block_splitting_last": 0, "block_splitting_max": 15,
    }  # fmt: skip
    assert docs["brotli"]["compressor"] == {
        "name": "brotli", "content_encoding": "br", "version": brotli.__version__,
        "quality": 11, "lgwin": 24, "lgblock": 0, "mode": "generic",
    }  # fmt: skip


@pytest.mark.parametrize("name", ["zopfli", "brotli"])
def test_round_trip_through_every_reader(enoch: Enoch, batches: dict[str, Path], tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = batches[name]
    r = enoch("verify", batch, "--reproduce", "--json")
    assert r.exit_code == 0 and r.json()["reproduced"] and r.json()["compressor"] == name, r.stderr
    assert enoch("unpack", batch, "-o", tmp_path / "out").exit_code == 0
    assert tree_bytes(tmp_path / "out") == tree_bytes(make_tree(tmp_path / "src"))
    shard = shard_path(batch, 1)
    r = enoch("verify-shard", "--manifest", batch / "manifest.json", "--shard", shard, "--proof", batch / "proofs" / "000001.json")
    assert r.exit_code == 0, r.stderr
    planned = enoch(
        "inscribe", "plan", batch, "-o", tmp_path / "plan", "--destination", SIGNET_P2TR, "--network", "signet",
        "--fee-rate", "1", "--relay", "standard", "--postage", "546", "--json",
    )  # fmt: skip
    assert planned.exit_code == 0, planned.stderr
    funding = [a for g in planned.json()["groups"] for a in ("--funding", f"{g['group']}={g['group'] + 1:064x}:0:{g['fund_sats']}")]
    revealed = enoch("inscribe", "reveal", tmp_path / "plan", *funding, "--json")
    assert revealed.exit_code == 0, revealed.stderr
    want = "br" if name == "brotli" else "gzip"
    for tx in revealed.json()["transactions"]:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(tx["hex"].encode())))
        decoded = enoch("inscribe", "decode", "-", "--manifest", batch / "manifest.json", "--json")
        assert decoded.exit_code == 0, decoded.stderr
        encodings = {e["content_encoding"] for e in decoded.json()["inscriptions"] if e["metadata"].get("shard") is not None}
        assert encodings <= {want}
    # Back from the chain: extract rebuilds the same batch directory, byte for byte.
    txs = sorted((tmp_path / "plan" / "reveals").glob("*.hex"))
    extracted = enoch("inscribe", "extract", *txs, "-o", tmp_path / "extracted")
    assert extracted.exit_code == 0, extracted.stderr
    assert tree_bytes(tmp_path / "extracted") == tree_bytes(batch)


def test_unknown_compressor_refused(enoch: Enoch, batches: dict[str, Path], tmp_path: Path) -> None:
    for name, change in {
        "brotli": lambda d: d["compressor"].update(name="xz"),
        "zopfli": lambda d: d.update(format="enoch-batch/1"),  # a zopfli record in a format-1 manifest
    }.items():
        batch = tmp_path / name
        write_files(batch, tree_bytes(batches[name]))
        edit_manifest(batch, change)
        for args in (("verify", batch), ("unpack", batch, "-o", tmp_path / f"{name}-out")):
            r = enoch(*args)
            assert r.exit_code == 65 and "compressor" in r.stderr, r.stderr
    batch = tmp_path / "future"
    write_files(batch, tree_bytes(batches["brotli"]))
    edit_manifest(batch, lambda d: d.update(format="enoch-batch/3"))
    r = enoch("verify", batch)
    assert r.exit_code == 65 and "enoch-batch/3" in r.stderr


@pytest.mark.parametrize(
    ("name", "key", "value"),
    [("brotli", "quality", 12), ("brotli", "lgwin", 25), ("brotli", "mode", "font"), ("brotli", "content_encoding", "gzip"),
     ("brotli", "lgblock", 16), ("zopfli", "iterations", 0), ("zopfli", "content_encoding", "br"), ("zopfli", "block_splitting", 0),
     ("brotli", "version", ""), ("brotli", "version", "x"), ("zopfli", "version", "0.4.3 (local)")],
)  # fmt: skip
def test_compressor_record_is_strict(enoch: Enoch, batches: dict[str, Path], tmp_path: Path, name: str, key: str, value: object) -> None:
    batch = tmp_path / "b"
    write_files(batch, tree_bytes(batches[name]))
    edit_manifest(batch, lambda d: d["compressor"].update({key: value}))
    r = enoch("verify", batch)
    assert r.exit_code == 65 and key in r.stderr, r.stderr


# --- tampering and strict decoding ----------------------------------------------


@pytest.mark.parametrize("name", ["zopfli", "brotli"])
@pytest.mark.parametrize("damage", ["flip", "truncate", "trailing"])
def test_tampered_shards_rejected(enoch: Enoch, batches: dict[str, Path], tmp_path: Path, name: str, damage: str) -> None:
    batch = tmp_path / "b"
    write_files(batch, tree_bytes(batches[name]))
    r = enoch("verify", batch)
    assert r.exit_code == 0
    member = bytearray(shard_path(batch, 0).read_bytes())
    if damage == "flip":
        member[len(member) // 2] ^= 0x10
    elif damage == "truncate":
        del member[-3:]
    else:
        member += b"\x00"
    shard_path(batch, 0).write_bytes(bytes(member))
    r = enoch("verify", batch)
    assert r.exit_code == 1 and "shard 000000" in r.stderr  # the leaf hash catches it first
    # Resealed (leaf hash, root and proofs follow the damage): the decoder
    # catches it, or (brotli has no checksum: a flipped byte may still
    # decode, to other bytes of the same length) the file's SHA-256 does.
    reseal(batch, 0, bytes(member))
    for args in (("verify", batch), ("unpack", batch, "-o", tmp_path / "out")):
        r = enoch(*args)
        named = "shard 000000" in r.stderr or (damage == "flip" and name == "brotli" and "'a.json'" in r.stderr)
        assert r.exit_code == 1 and named, r.stderr
    assert not (tmp_path / "out").exists()


def test_brotli_stream_strictness() -> None:
    data = b"enoch brotli " * 5000
    stream = brotli_stream(data)
    assert b"".join(inflate_stream(stream, max_size=len(data))) == data
    cases = {
        "truncated": stream[:-1],
        "trailing": stream + b"\x00",
        "damaged": stream[:5] + bytes([stream[5] ^ 0xFF]) + stream[6:],
        "empty": b"",
    }
    for label, bad in cases.items():
        with pytest.raises(MalformedInputError):
            b"".join(inflate_stream(bad, max_size=len(data)))
        assert label
    with pytest.raises(MalformedInputError, match="past its recorded length"):
        b"".join(inflate_stream(stream, max_size=len(data) - 1))


@pytest.mark.parametrize("kind", ["gzip", "brotli"])
def test_decompression_is_bounded_in_pieces(kind: str) -> None:
    n = 40 << 20
    if kind == "gzip":
        pieces = inflate_member(zeros_member(40), max_size=n)
    else:
        pieces = inflate_stream(brotli.compress(bytes(n), quality=5), max_size=n)
    sizes = [len(p) for p in pieces]
    assert sum(sizes) == n and max(sizes) <= 2 << 20


# --- issue 12 defect 6: a declared length beyond what a shard can hold -------------


def test_max_chunk_length() -> None:
    assert max_chunk_length(1024) == 1032 * 1024
    assert max_chunk_length(1_000_000) == 1_032_000_000 < MAX_CHUNK
    assert max_chunk_length(4_000_000) == MAX_CHUNK == 1 << 30


def test_hostile_gzip_member_over_a_gib_fails_fast(enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Self-consistent: a valid member of 1100 MiB of zeros (1.1 MB), with the
    # length, file size and SHA-256 declared truthfully, and leaf hash, root
    # and proofs resealed.  Only the bound on a shard's content refuses it,
    # from the manifest, before anything is inflated.
    src = write_files(tmp_path / "src", {"z.bin": b"\x00"})
    batch = tmp_path / "b"
    assert enoch("pack", src, "-o", batch, "--shard-size", "2000000").exit_code == 0
    member = zeros_member(1100)
    digest = hashlib.sha256()
    block = bytes(1 << 20)
    for _ in range(1100):
        digest.update(block)
    edit_manifest(batch, lambda d: d["files"][0].update(sha256=digest.hexdigest()))
    reseal(batch, 0, member, length=1100 << 20)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a shard was inflated")

    monkeypatch.setattr("inscriptions.batch.compressors.inflate_member", never)
    for args in (
        ("verify", batch),
        ("unpack", batch, "-o", tmp_path / "out"),
        ("inscribe", "plan", batch, "-o", tmp_path / "plan", "--destination", SIGNET_P2TR, "--network", "signet", "--fee-rate", "1"),
    ):
        r = enoch(*args)
        assert r.exit_code == 1 and "may hold" in r.stderr, r.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "plan").exists()


def test_hostile_brotli_shard_over_the_bound(enoch: Enoch, tmp_path: Path) -> None:
    # 40 bytes of brotli claiming 8 MiB of zeros in a batch of 4096-byte shards
    # (bound 1032 x 4096 = 4,227,072 bytes).
    src = write_files(tmp_path / "src", {"z.bin": b"\x00"})
    batch = tmp_path / "b"
    assert enoch("pack", src, "-o", batch, "--shard-size", "4096", "--compressor", "brotli").exit_code == 0
    data = bytes(8 << 20)
    edit_manifest(batch, lambda d: d["files"][0].update(sha256=hashlib.sha256(data).hexdigest()))
    reseal(batch, 0, brotli_stream(data), length=len(data))
    r = enoch("verify", batch)
    assert r.exit_code == 1 and "4227072" in r.stderr, r.stderr


def test_pack_stops_a_shard_at_the_bound(enoch: Enoch, tmp_path: Path) -> None:
    # Zeros compress far beyond 1032:1 with brotli: each shard ends at the
    # bound, under 99% full, and the batch still verifies and reproduces.
    data = bytes(3 * 1032 * 1024 + 5)
    src = write_files(tmp_path / "src", {"z.bin": data})
    out = pack(enoch, src, tmp_path / "b", "brotli", 1024)
    assert out["tree_size"] == 4
    doc = json.loads((tmp_path / "b" / "manifest.json").read_bytes())
    assert [s["length"] for s in doc["shards"]] == [1032 * 1024] * 3 + [5]
    assert enoch("verify", tmp_path / "b", "--reproduce").exit_code == 0
