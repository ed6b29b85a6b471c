"""Packing reads files by ranges and unpack verifies in one pass (issue 11):
the bytes do not depend on how content is read, and each shard is read once."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inscriptions.batch import source, verify
from inscriptions.batch.source import FileSource
from tests.batchutil import make_tree, tree_bytes
from toolkit.core.errors import InputMissingError

Enoch = Callable[..., Any]


@pytest.mark.parametrize("compressor", ["gzip", "brotli"])
def test_piece_size_does_not_change_the_batch(enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compressor: str) -> None:
    src = make_tree(tmp_path / "src")
    args = ("--shard-size", "4096", "--compressor", compressor, "--jobs", "1")
    assert enoch("pack", src, "-o", tmp_path / "a", *args).exit_code == 0
    monkeypatch.setattr(source, "PIECE", 7)  # odd, tiny pieces: every read and compress() call split
    assert enoch("pack", src, "-o", tmp_path / "b", *args).exit_code == 0
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_file_source_refuses_a_shrunken_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 1000)
    fd = os.open(path, os.O_RDONLY)
    try:
        data = FileSource(fd, 1000, "f")
        assert data[10:20] == b"x" * 10 and data[990:2000] == b"x" * 10
        os.truncate(path, 500)
        with pytest.raises(InputMissingError, match="changed size"):
            data[400:600]
    finally:
        os.close(fd)


def test_unpack_reads_each_shard_once(enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = make_tree(tmp_path / "src")
    assert enoch("pack", src, "-o", tmp_path / "b", "--shard-size", "4096").exit_code == 0
    reads: list[str] = []
    real = verify._read_part

    def counting(path: Path, what: str, limit: int) -> bytes:
        reads.append(what)
        return real(path, what, limit)

    monkeypatch.setattr(verify, "_read_part", counting)
    assert enoch("unpack", tmp_path / "b", "-o", tmp_path / "out").exit_code == 0
    shard_reads = [w for w in reads if w.startswith("shard")]
    assert len(shard_reads) == len(set(shard_reads)) == 8
    assert tree_bytes(tmp_path / "out") == tree_bytes(src)


def test_unpack_failing_late_leaves_nothing(enoch: Enoch, tmp_path: Path) -> None:
    # The last shard is bad: earlier files were already written into the
    # private temporary directory, which must vanish with the error.
    src = make_tree(tmp_path / "src")
    assert enoch("pack", src, "-o", tmp_path / "b", "--shard-size", "4096").exit_code == 0
    last = sorted((tmp_path / "b" / "shards").iterdir())[-1]
    data = last.read_bytes()
    last.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    r = enoch("unpack", tmp_path / "b", "-o", tmp_path / "out")
    assert r.exit_code == 1 and "shard 000007" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "src"]


def test_unpack_write_error_on_the_writer_thread(enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A full disk shows up when a file is flushed on the writer thread: the
    # same clean exit 66 as any unwritable output, and nothing left behind.
    import errno

    from inscriptions.batch import writer

    src = make_tree(tmp_path / "src")
    assert enoch("pack", src, "-o", tmp_path / "b", "--shard-size", "4096").exit_code == 0

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer.os, "fsync", full)
    r = enoch("unpack", tmp_path / "b", "-o", tmp_path / "out")
    assert r.exit_code == 66 and "No space left" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "src"]
