from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from toolkit.core.errors import InputMissingError, OutputExistsError
from toolkit.core.fsio import atomic_directory, atomic_write, read_input


def test_atomic_write_creates_with_mode(tmp_path: Path) -> None:
    p = tmp_path / "secret.json"
    atomic_write(p, b"s", mode=0o600)
    assert p.read_bytes() == b"s"
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["secret.json"]


def test_atomic_write_refuses_overwrite(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"old")
    with pytest.raises(OutputExistsError):
        atomic_write(p, b"new")
    assert p.read_bytes() == b"old"
    atomic_write(p, b"new", overwrite=True)
    assert p.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["f"]


def test_atomic_directory_rolls_back(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_directory(target) as d:
        (d / "partial").write_bytes(b"x")
        raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


def test_atomic_directory_replaces_only_with_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old").write_bytes(b"o")
    with pytest.raises(OutputExistsError), atomic_directory(target):
        pass
    with atomic_directory(target, overwrite=True) as d:
        (d / "new").write_bytes(b"n")
    assert os.listdir(target) == ["new"]
    assert os.listdir(tmp_path) == ["out"]


def test_read_input_missing(tmp_path: Path) -> None:
    with pytest.raises(InputMissingError):
        read_input(tmp_path / "nope", limit=10)
    with pytest.raises(InputMissingError):
        read_input(tmp_path, limit=10)


def test_atomic_directory_mode_follows_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_directory(tmp_path / "pub") as d:
            (d / "f").write_bytes(b"x")
        with atomic_directory(tmp_path / "priv", mode=0o700):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "pub").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "priv").stat().st_mode) == 0o700


def test_atomic_directory_overwrites_a_symlink_without_following_it(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep").write_bytes(b"k")
    link = tmp_path / "out"
    link.symlink_to(elsewhere)
    with atomic_directory(link, overwrite=True) as d:
        (d / "new").write_bytes(b"n")
    assert not link.is_symlink() and os.listdir(link) == ["new"]
    assert (elsewhere / "keep").read_bytes() == b"k"
    assert sorted(os.listdir(tmp_path)) == ["elsewhere", "out"]
