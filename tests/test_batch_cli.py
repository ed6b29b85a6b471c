"""``enoch pack`` / ``verify`` / ``verify-shard`` / ``unpack`` end to end:
determinism, tampering, malformed input, refusals."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.batchutil import edit_manifest, flip_hex, make_tree, tree_bytes
from tests.conftest import CliResult
from tests.fixtures import fixture_path

Enoch = Callable[..., CliResult]
SAMPLE = fixture_path("sample")

# Golden values for fixtures/sample at the default shard size, computed once
# (zlib 1.2.13) and hard-coded: they pin determinism.  Same content -> same
# shard bytes -> same Merkle root, on every machine with stock zlib.
SAMPLE_ROOT = "021e8d57b9136364d1ad75a8dd33623a93437ed6ad5b925465f4a0196cdb67cb"
SAMPLE_SHARDS = [
    ("55b47a26cf657cda2c00c2f16c8f478164f686835253d230674ae5dcc1834f6d", 995303),  # art/noise.bin
    ("5009f08701b1496d8f52b65380946cc72bb9b84d50ee57c3d8651d452111409f", 605223),  # art/noise.bin
    ("3cab4e53ecba1173b0735efa84b2151c23138965bd6d30af12e1c3aa83ab627d", 454098),  # data/levels.json
    ("9ceffb7310338057cfe71a4ae1e2c98d2c485d81cdef906532a801f457a38d64", 20),  # empty.txt
    ("d5d933532e4421ea9bd6c7e423bdda83bee84ff58b3da7a9e1decef095be0608", 97),  # index.html
    ("1fe210d38f821fb2ec08a20686185a6fe38c05615e8a6e8435d4879d6fdcb5b0", 63),  # texte/énochien ✓.txt
]
# SHA-256 of manifest.json with the recorded zlib version set to "1.2.13"
# (the one field that legitimately depends on the machine).
SAMPLE_MANIFEST = "5dd16a6d5d162792097d6d004b4e1132b03c7ea759647e3c803bfe2da3560782"


@pytest.fixture(scope="module")
def sample_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from toolkit.cli import run

    out = tmp_path_factory.mktemp("sample") / "batch"
    assert run(["pack", str(SAMPLE), "-o", str(out)]) == 0
    return out


@pytest.fixture
def src(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "src")


@pytest.fixture
def batch(enoch: Enoch, src: Path, tmp_path: Path) -> Path:
    out = tmp_path / "batch"
    assert enoch("pack", src, "-o", out, "--shard-size", "4096").exit_code == 0
    return out


def dir_bytes(root: Path) -> dict[str, bytes]:
    return tree_bytes(root)


def leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


# --- determinism -------------------------------------------------------------


def test_sample_golden_root_and_shards(sample_batch: Path) -> None:
    manifest = json.loads((sample_batch / "manifest.json").read_bytes())
    assert manifest["root"] == SAMPLE_ROOT
    got = [
        (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size)
        for p in sorted((sample_batch / "shards").iterdir())
    ]
    assert got == SAMPLE_SHARDS
    normalised = (sample_batch / "manifest.json").read_bytes().replace(
        f'"version":"{manifest["compressor"]["version"]}"'.encode(), b'"version":"1.2.13"'
    )
    assert hashlib.sha256(normalised).hexdigest() == SAMPLE_MANIFEST


def test_pack_json_shape(enoch: Enoch, tmp_path: Path) -> None:
    r = enoch("pack", SAMPLE, "-o", tmp_path / "b", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json() == {
        "batch_id": SAMPLE_MANIFEST, "root": SAMPLE_ROOT, "tree_size": 6, "files": 5, "bytes_in": 3833502, "bytes_out": 2054804,
        "compressor": "gzip", "content_encoding": "gzip",
    }  # fmt: skip


def test_two_packs_byte_identical(enoch: Enoch, src: Path, tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert enoch("pack", src, "-o", tmp_path / name, "--shard-size", "4096").exit_code == 0
    assert dir_bytes(tmp_path / "one") == dir_bytes(tmp_path / "two")


def test_serial_and_parallel_packs_identical(enoch: Enoch, src: Path, tmp_path: Path) -> None:
    (src / "more").mkdir()
    for i in range(6):
        (src / "more" / f"{i}.txt").write_bytes(b"line %d\n" % i * (500 * i + 1))
    runs = {"serial": "1", "parallel": "2", "wide": "5"}
    for name, jobs in runs.items():
        r = enoch("pack", src, "-o", tmp_path / name, "--shard-size", "4096", "--jobs", jobs)
        assert r.exit_code == 0, r.stderr
    assert dir_bytes(tmp_path / "serial") == dir_bytes(tmp_path / "parallel") == dir_bytes(tmp_path / "wide")
    assert len(list((tmp_path / "serial" / "shards").iterdir())) > 10


def concatenated_shards(batch: Path, path: str) -> bytes:
    manifest = json.loads((batch / "manifest.json").read_bytes())
    entry = next(f for f in manifest["files"] if f["path"] == path)
    indices = range(entry["first_shard"], entry["first_shard"] + entry["shard_count"])
    return b"".join((batch / "shards" / f"{i:06d}.gz").read_bytes() for i in indices)


@pytest.mark.parametrize("path", ["a.json", "img/noise.bin", "empty.txt", "\u00fcber/\u2713 caf\u00e9.html"])
def test_concatenated_shards_are_the_file(batch: Path, src: Path, path: str) -> None:
    stream = concatenated_shards(batch, path)
    expected = (src / path).read_bytes()
    assert gzip.decompress(stream) == expected
    if shutil.which("gzip"):
        assert subprocess.run(["gzip", "-dc"], input=stream, capture_output=True, check=True).stdout == expected


# --- verify / verify-shard / unpack -------------------------------------------


def test_verify_and_unpack_round_trip(enoch: Enoch, batch: Path, src: Path, tmp_path: Path) -> None:
    r = enoch("verify", batch, "--json")
    assert r.exit_code == 0 and r.json()["valid"] is True
    r = enoch("unpack", batch, "-o", tmp_path / "out")
    assert r.exit_code == 0, r.stderr
    assert dir_bytes(tmp_path / "out") == dir_bytes(src)  # unicode names and the empty file included


def test_verify_reproduce(enoch: Enoch, batch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = enoch("verify", batch, "--reproduce", "--json")
    assert r.exit_code == 0 and r.json()["reproduced"] is True
    import zlib

    monkeypatch.setattr(zlib, "ZLIB_RUNTIME_VERSION", "1.3.0.zlib-ng")
    r = enoch("verify", batch, "--reproduce")
    assert r.exit_code == 2 and "zlib-ng" in r.stderr


def test_verify_shard(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    m, shards, proofs = batch / "manifest.json", batch / "shards", batch / "proofs"
    r = enoch("verify-shard", "--manifest", m, "--shard", shards / "000002.gz", "--proof", proofs / "000002.json", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["index"] == 2 and r.json()["valid"] is True
    # A valid shard with another shard's proof, and a proof for another shard.
    r = enoch("verify-shard", "--manifest", m, "--shard", shards / "000002.gz", "--proof", proofs / "000001.json")
    assert r.exit_code == 1 and "shard 000001 is " in r.stderr and "the manifest says" in r.stderr
    r = enoch("verify-shard", "--manifest", m, "--shard", shards / "000001.gz", "--proof", proofs / "000002.json")
    assert r.exit_code == 1 and "shard 000002 is " in r.stderr and "the manifest says" in r.stderr
    # Same size, one bit different: the leaf hash check names it.
    forged = tmp_path / "forged.gz"
    data = bytearray((shards / "000002.gz").read_bytes())
    data[30] ^= 1
    forged.write_bytes(bytes(data))
    r = enoch("verify-shard", "--manifest", m, "--shard", forged, "--proof", proofs / "000002.json")
    assert r.exit_code == 1 and "shard 000002: leaf hash does not match" in r.stderr
    r = enoch("verify-shard", "--manifest", m, "--shard", batch / "nope.gz", "--proof", proofs / "000002.json")
    assert r.exit_code == 66


def flip_byte(path: Path, pos: int) -> None:
    data = bytearray(path.read_bytes())
    data[pos] ^= 0x01
    path.write_bytes(bytes(data))


def tamper_proof(batch: Path) -> None:
    p = batch / "proofs" / "000003.json"
    d = json.loads(p.read_bytes())
    d["audit_path"][0] = flip_hex(d["audit_path"][0])
    p.write_bytes(json.dumps(d, separators=(",", ":"), sort_keys=True).encode())


TAMPER: dict[str, tuple[Callable[[Path], Any], str]] = {
    "shard byte": (lambda b: flip_byte(b / "shards" / "000001.gz", 40), "shard 000001"),
    "shard truncated": (lambda b: (b / "shards" / "000001.gz").write_bytes((b / "shards" / "000001.gz").read_bytes()[:-1]), "shard 000001"),
    "shard missing": (lambda b: (b / "shards" / "000004.gz").unlink(), "000004"),
    "shard extra": (lambda b: (b / "shards" / "999999.gz").write_bytes(b"x"), "999999"),
    "shards swapped": (lambda b: swap(b / "shards" / "000000.gz", b / "shards" / "000001.gz"), "shard 000000"),
    "proof path": (tamper_proof, "proof"),
    "proof garbage": (lambda b: (b / "proofs" / "000002.json").write_bytes(b"{"), "proof 000002"),
    "root": (lambda b: edit_manifest(b, lambda d: d.update(root=flip_hex(d["root"]))), "root"),
    "manifest file hash": (lambda b: edit_manifest(b, lambda d: d["files"][0].update(sha256=flip_hex(d["files"][0]["sha256"]))), "a.json"),
    "manifest leaf": (lambda b: edit_manifest(b, lambda d: d["shards"][2].update(leaf_hash=flip_hex(d["shards"][2]["leaf_hash"]))), "root is not the Merkle tree hash"),
    "manifest length": (lambda b: edit_manifest(b, lambda d: d["shards"][0].update(length=d["shards"][0]["length"] - 1)), "shard 000001: offset"),
}


def swap(a: Path, b: Path) -> None:
    da, db = a.read_bytes(), b.read_bytes()
    a.write_bytes(db)
    b.write_bytes(da)


@pytest.mark.parametrize("name", sorted(TAMPER))
def test_tampering_detected(enoch: Enoch, batch: Path, tmp_path: Path, name: str) -> None:
    change, named = TAMPER[name]
    change(batch)
    r = enoch("verify", batch, "--json")
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert r.json()["ok"] is False and r.json()["error"]["code"] == "verification_failed"
    assert named and named in r.json()["error"]["message"] and "Traceback" not in r.stderr
    # unpack of a bad batch writes nothing at all
    r = enoch("unpack", batch, "-o", tmp_path / "out")
    assert r.exit_code == 1
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b'{"format":"enoch-batch/2"}', b"\xff\xfe", b"[1,2]"],
    ids=["syntax", "empty", "version", "encoding", "array"],
)
def test_malformed_manifest_exit_65(enoch: Enoch, batch: Path, tmp_path: Path, raw: bytes) -> None:
    (batch / "manifest.json").write_bytes(raw)
    for args in (("verify", batch), ("unpack", batch, "-o", tmp_path / "out")):
        r = enoch(*args)
        assert r.exit_code == 65, r.stderr
        assert r.stderr.startswith("enoch: error:") and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("evil", ["../escape.txt", "/tmp/abs.txt", "a/../../up.txt", "x/./y", "..\\win.txt"])
def test_path_traversal_in_manifest_refused(enoch: Enoch, batch: Path, tmp_path: Path, evil: str) -> None:
    def rename(d: dict[str, Any]) -> None:
        old = d["files"][0]["path"]
        d["files"][0]["path"] = evil
        for s in d["shards"]:
            if s["file"] == old:
                s["file"] = evil

    edit_manifest(batch, rename)
    out = tmp_path / "deep" / "out"
    out.parent.mkdir()
    r = enoch("unpack", batch, "-o", out)
    assert r.exit_code == 65, r.stderr
    assert evil.replace("\\", "\\\\") in r.stderr and "Traceback" not in r.stderr
    assert enoch("verify", batch).exit_code == 65
    assert list(out.parent.iterdir()) == []
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "deep" / "up.txt").exists()


def test_unpack_refuses_existing_output(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep").write_bytes(b"mine")
    r = enoch("unpack", batch, "-o", out)
    assert r.exit_code == 2 and (out / "keep").read_bytes() == b"mine"
    assert enoch("unpack", batch, "-o", out, "--overwrite").exit_code == 0
    assert not (out / "keep").exists()


def test_missing_batch(enoch: Enoch, tmp_path: Path) -> None:
    assert enoch("verify", tmp_path / "none").exit_code == 66
    (tmp_path / "empty").mkdir()
    assert enoch("verify", tmp_path / "empty").exit_code == 66


def test_unpack_unwritable_name_writes_nothing(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    # A valid stored path (still sorted first), but over NAME_MAX on common filesystems.
    long_name = "a" + "x" * 300 + ".json"

    def rename(d: dict[str, Any]) -> None:
        d["files"][0]["path"] = long_name
        for s in d["shards"]:
            if s["file"] == "a.json":
                s["file"] = long_name

    edit_manifest(batch, rename)
    assert enoch("verify", batch).exit_code == 0
    r = enoch("unpack", batch, "-o", tmp_path / "out")
    assert r.exit_code == 65 and "cannot create" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []
