"""Hostile batch directories: planted special files, oversize parts, manifest
edits the Merkle root cannot see, and conflicting stdin use.  Each case must
end in a one-line error with the documented exit code and write nothing."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.batchutil import edit_manifest, make_tree
from tests.conftest import CliResult

Enoch = Callable[..., CliResult]


@pytest.fixture
def batch(enoch: Enoch, tmp_path: Path) -> Path:
    out = tmp_path / "batch"
    assert enoch("pack", make_tree(tmp_path / "src"), "-o", out, "--shard-size", "4096").exit_code == 0
    return out


def check_rejected(enoch: Enoch, batch: Path, tmp_path: Path, code: int, named: str) -> None:
    for args in (("verify", batch), ("unpack", batch, "-o", tmp_path / "out")):
        r = enoch(*args, "--json")
        assert r.exit_code == code, (args[0], r.stderr)
        assert named in r.json()["error"]["message"]
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def replace_part(batch: Path, rel: str, make: Callable[[Path], None]) -> None:
    (batch / rel).unlink()
    make(batch / rel)


# Reading these used to block forever (FIFO: no writer) or never end (/dev/zero).
PLANTED: dict[str, Callable[[Path], None]] = {
    "fifo": lambda p: os.mkfifo(p),
    "dev-zero": lambda p: p.symlink_to("/dev/zero"),
    "directory": lambda p: p.mkdir(),
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
@pytest.mark.parametrize(("rel", "named"), [("shards/000001.gz", "shard 000001"), ("proofs/000002.json", "proof 000002")])
def test_special_file_in_place_of_a_part(enoch: Enoch, batch: Path, tmp_path: Path, kind: str, rel: str, named: str) -> None:
    replace_part(batch, rel, PLANTED[kind])
    check_rejected(enoch, batch, tmp_path, 1, named)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_special_file_as_manifest(enoch: Enoch, batch: Path, tmp_path: Path, kind: str) -> None:
    replace_part(batch, "manifest.json", PLANTED[kind])
    check_rejected(enoch, batch, tmp_path, 66, "is not a regular file")


def test_oversize_shard_is_read_bounded(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    shard = batch / "shards" / "000001.gz"
    with open(shard, "ab") as fh:
        fh.truncate(1 << 36)  # a sparse 64 GiB file: reading it whole would never finish
    check_rejected(enoch, batch, tmp_path, 1, "shard 000001 is 4")


def test_oversize_proof_rejected(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    proof = batch / "proofs" / "000000.json"
    with open(proof, "ab") as fh:
        fh.truncate(1 << 36)
    check_rejected(enoch, batch, tmp_path, 1, "proof 000000")


def test_manifest_claiming_a_larger_shard_size(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    # gz_size <= limit still holds, but the 99% fill rule of SPEC I does not:
    # the manifest misstates how the batch was made.
    edit_manifest(batch, lambda d: d.update(shard_size=1_000_000))
    check_rejected(enoch, batch, tmp_path, 1, "under 99% of the shard size limit 1000000")


@pytest.mark.parametrize(
    ("key", "value"),
    [("name", "gzip"), ("level", 8), ("wbits", -14), ("mem_level", 9), ("strategy", "rle"), ("version", "")],
)
def test_manifest_compressor_record_is_fixed(enoch: Enoch, batch: Path, tmp_path: Path, key: str, value: object) -> None:
    edit_manifest(batch, lambda d: d["compressor"].update({key: value}))
    check_rejected(enoch, batch, tmp_path, 65, "compressor")


def test_verify_reports_manifest_hash(enoch: Enoch, batch: Path) -> None:
    # The root commits to shard bytes only; a renamed file or a changed content
    # type keeps the root, so verify also reports the manifest's own hash.
    r = enoch("verify", batch, "--json")
    digest = hashlib.sha256((batch / "manifest.json").read_bytes()).hexdigest()
    assert r.exit_code == 0 and r.json()["manifest_sha256"] == digest
    root = r.json()["root"]

    def retype(d: dict[str, object]) -> None:
        d["files"][0]["content_type"] = "text/html;charset=utf-8"  # type: ignore[index]

    edit_manifest(batch, retype)
    r2 = enoch("verify", batch, "--json")
    assert r2.exit_code == 0 and r2.json()["root"] == root
    assert r2.json()["manifest_sha256"] != digest
    assert f"batch id {r2.json()['manifest_sha256']}" in enoch("verify", batch).stdout


def test_verify_shard_refuses_two_stdin_inputs(enoch: Enoch, batch: Path) -> None:
    r = enoch("verify-shard", "--manifest", "-", "--shard", "-", "--proof", batch / "proofs" / "000000.json", "--json")
    assert r.exit_code == 2 and "stdin" in r.json()["error"]["message"]


def test_batch_argument_is_a_file(enoch: Enoch, batch: Path) -> None:
    r = enoch("verify", batch / "manifest.json")
    assert r.exit_code == 66 and "is not a directory" in r.stderr


def test_unpack_never_deletes_the_batch(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in (batch / "shards").iterdir())
    r = enoch("unpack", batch, "-o", tmp_path, "--overwrite")
    assert r.exit_code == 2 and "--overwrite would delete it" in r.stderr
    r = enoch("unpack", batch, "-o", batch / "inside")
    assert r.exit_code == 2 and not (batch / "inside").exists()
    assert sorted(p.name for p in (batch / "shards").iterdir()) == before
    assert enoch("verify", batch).exit_code == 0


def test_renamed_shards_with_their_proofs_detected(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    # Swap two shards together with their proofs: each proof still matches its
    # shard, but neither sits at the leaf index the manifest gives it.
    for part, ext in (("shards", "gz"), ("proofs", "json")):
        a, b = batch / part / f"000000.{ext}", batch / part / f"000001.{ext}"
        da, db = a.read_bytes(), b.read_bytes()
        a.write_bytes(db)
        b.write_bytes(da)
    assert json.loads((batch / "proofs" / "000000.json").read_bytes())["leaf_index"] == 1
    check_rejected(enoch, batch, tmp_path, 1, "shard 000000")


def test_reproduce_with_a_shard_size_pack_never_uses(enoch: Enoch, tmp_path: Path) -> None:
    src = tmp_path / "small"
    src.mkdir()
    (src / "a.txt").write_bytes(b"tiny")
    out = tmp_path / "b"
    assert enoch("pack", src, "-o", out).exit_code == 0
    edit_manifest(out, lambda d: d.update(shard_size=500))  # consistent: one 24-byte shard
    assert enoch("verify", out).exit_code == 0
    r = enoch("verify", out, "--reproduce", "--json")
    assert r.exit_code == 1 and "not made by enoch pack" in r.json()["error"]["message"]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc (a directory nobody can create files in)")
def test_unwritable_output_is_a_clean_error(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    for args in (("pack", tmp_path / "src", "-o", "/proc/enoch-out"), ("unpack", batch, "-o", "/proc/enoch-out")):
        r = enoch(*args, "--json")
        assert r.exit_code == 66, r.stderr
        assert r.json()["error"]["message"].startswith("cannot write the output /proc/enoch-out")


def test_disk_full_while_packing_leaves_nothing(enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    src = make_tree(tmp_path / "src")
    real = Path.write_bytes

    def full(self: Path, data: bytes) -> int:  # type: ignore[override]
        if self.name == "manifest.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    r = enoch("pack", src, "-o", tmp_path / "b", "--jobs", "1")
    assert r.exit_code == 66 and "No space left on device" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_pack_never_writes_an_unverifiable_batch(enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # If the boundary search ever left a shard under 99% (its documented
    # fallback), pack must stop as an internal error, not publish a batch
    # that verify rejects.
    from inscriptions.batch.gzip_member import gzip_member
    from inscriptions.batch.sharding import Shard, shard_file

    def underfilled(source: Any, shard_size: int, progress: object = None, codec: object = None) -> list[Shard]:
        data = bytes(source[0 : len(source)])
        if len(data) <= 100:
            return list(shard_file(data, shard_size))
        cut = len(data) // 3  # a first shard far under 99% of 4096
        return [Shard(0, cut, gzip_member(data[:cut])), *shard_file(data[cut:], shard_size)]

    monkeypatch.setattr("inscriptions.batch.pack.shard_file", underfilled)
    r = enoch("pack", make_tree(tmp_path / "src"), "-o", tmp_path / "b", "--shard-size", "4096", "--jobs", "1")
    assert r.exit_code == 70 and "under 99%" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_pack_refuses_a_compressor_version_it_could_not_load(enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zlib

    monkeypatch.setattr(zlib, "ZLIB_RUNTIME_VERSION", "1.2.13\ncustom")
    r = enoch("pack", make_tree(tmp_path / "src"), "-o", tmp_path / "b", "--jobs", "1")
    assert r.exit_code == 70 and "compressor version" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]


def test_proof_from_a_tree_of_another_size(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    # Same files plus one more sorting last: the first leaves are identical,
    # but their proofs are for a bigger tree and must not be accepted here.
    src = tmp_path / "src"
    (src / "zz.txt").write_bytes(b"one more leaf")
    bigger = tmp_path / "bigger"
    assert enoch("pack", src, "-o", bigger, "--shard-size", "4096").exit_code == 0
    assert (bigger / "shards" / "000000.gz").read_bytes() == (batch / "shards" / "000000.gz").read_bytes()
    proof = bigger / "proofs" / "000000.json"
    r = enoch("verify-shard", "--manifest", batch / "manifest.json", "--shard", batch / "shards" / "000000.gz", "--proof", proof)
    assert r.exit_code == 1 and "proof is for a tree of size" in r.stderr
    (batch / "proofs" / "000000.json").write_bytes(proof.read_bytes())
    check_rejected(enoch, batch, tmp_path, 1, "shard 000000: proof is for a tree of size")
