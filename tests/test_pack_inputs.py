"""What ``enoch pack`` accepts and refuses: symlinks, special files, empty
input, content types, existing outputs."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from inscriptions.batch.inputs import collect_inputs
from inscriptions.batch.pack import pack_files
from tests.batchutil import make_tree
from tests.conftest import CliResult

Enoch = Callable[..., CliResult]


def manifest(batch: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((batch / "manifest.json").read_bytes())
    return loaded


def paths(batch: Path) -> list[str]:
    return [f["path"] for f in manifest(batch)["files"]]  # type: ignore[attr-defined]


def test_symlink_leaving_source_refused(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    (tmp_path / "secret.txt").write_bytes(b"outside")
    (src / "link.txt").symlink_to(tmp_path / "secret.txt")
    r = enoch("pack", src, "-o", tmp_path / "b")
    assert r.exit_code == 2 and "outside the source" in r.stderr
    assert not (tmp_path / "b").exists()


def test_relative_symlink_escaping_refused(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    (tmp_path / "other").mkdir()
    (src / "img" / "up").symlink_to(Path("..") / ".." / "other")
    assert enoch("pack", src, "-o", tmp_path / "b").exit_code == 2


def test_symlink_inside_source_followed(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    (src / "alias.json").symlink_to(src / "a.json")
    r = enoch("pack", src, "-o", tmp_path / "b", "--shard-size", "4096")
    assert r.exit_code == 0, r.stderr
    assert "alias.json" in paths(tmp_path / "b")


def test_symlink_loop_refused(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    (src / "img" / "loop").symlink_to(src)
    r = enoch("pack", src, "-o", tmp_path / "b")
    assert r.exit_code == 2 and "loop" in r.stderr


def test_special_file_refused(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    os.mkfifo(src / "pipe")
    r = enoch("pack", src, "-o", tmp_path / "b")
    assert r.exit_code == 2 and "not a regular file" in r.stderr


def test_empty_input_refused(enoch: Enoch, tmp_path: Path) -> None:
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    r = enoch("pack", tmp_path / "empty", "-o", tmp_path / "b", "--json")
    assert r.exit_code == 66 and r.json()["error"]["code"] == "input_missing"
    assert not (tmp_path / "b").exists()


def test_missing_source(enoch: Enoch, tmp_path: Path) -> None:
    assert enoch("pack", tmp_path / "nope", "-o", tmp_path / "b").exit_code == 66


def test_existing_output_refused_without_overwrite(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    (tmp_path / "b").mkdir()
    assert enoch("pack", src, "-o", tmp_path / "b").exit_code == 2
    assert list((tmp_path / "b").iterdir()) == []
    assert enoch("pack", src, "-o", tmp_path / "b", "--overwrite").exit_code == 0


def test_files_and_directories_mixed(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    (tmp_path / "z.txt").write_bytes(b"z")
    r = enoch("pack", tmp_path / "z.txt", src / "img", "-o", tmp_path / "b")
    assert r.exit_code == 0, r.stderr
    assert paths(tmp_path / "b") == ["noise.bin", "z.txt"]


def test_duplicate_stored_path_refused(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    r = enoch("pack", src / "a.json", src / "a.json", "-o", tmp_path / "b")
    assert r.exit_code == 2 and "a.json" in r.stderr


def test_files_sorted_by_utf8_bytes(enoch: Enoch, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    names = ["b", "B", "\u00e9", "e", "\U0001f600", "\uff41", "a-b", "a/b", "a0"]
    for name in names:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(name.encode())
    assert enoch("pack", src, "-o", tmp_path / "b").exit_code == 0
    got = paths(tmp_path / "b")
    assert got == sorted(names, key=lambda n: n.encode("utf-8"))
    assert got.index("\uff41") < got.index("\U0001f600")  # UTF-16 order would differ


def test_undecodable_file_name_refused(enoch: Enoch, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (Path(os.fsdecode(bytes(src) + b"/bad\xff.txt"))).write_bytes(b"x")
    r = enoch("pack", src, "-o", tmp_path / "b")
    assert r.exit_code == 65 and "Traceback" not in r.stderr


def test_content_types(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    r = enoch("pack", src, "-o", tmp_path / "b", "--content-type", "img/*=image/webp", "--content-type", "*.json=text/plain;charset=utf-8")
    assert r.exit_code == 0, r.stderr
    types = {f["path"]: f["content_type"] for f in manifest(tmp_path / "b")["files"]}  # type: ignore[attr-defined]
    assert types == {
        "a.json": "text/plain;charset=utf-8",
        "empty.txt": "text/plain;charset=utf-8",
        "img/noise.bin": "image/webp",
        "\u00fcber/\u2713 caf\u00e9.html": "text/html;charset=utf-8",
    }


@pytest.mark.parametrize("args", [["--content-type", "nonsense"], ["--shard-size", "100"], ["--jobs", "0"]])
def test_bad_options(enoch: Enoch, tmp_path: Path, args: list[str]) -> None:
    src = make_tree(tmp_path / "src")
    r = enoch("pack", src, "-o", tmp_path / "b", *args)
    assert r.exit_code == 2
    assert not (tmp_path / "b").exists()


def test_output_inside_source_refused(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    r = enoch("pack", src, "-o", src / "batch")
    assert r.exit_code == 2 and "inside the source" in r.stderr
    assert not (src / "batch").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_reports_every_byte(tmp_path: Path, jobs: int) -> None:
    src = make_tree(tmp_path / "src")
    seen: list[int] = []
    summary = pack_files(collect_inputs([src]), tmp_path / "b", shard_size=4096, jobs=jobs, progress=seen.append)
    assert sum(seen) == summary.bytes_in and len(seen) >= summary.manifest.tree_size - 1


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    import pty
    import subprocess
    import sys

    from tests.fixtures import fixture_path

    root = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "toolkit", "pack", str(fixture_path("sample")), "-o"]
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([*cmd, str(tmp_path / "tty")], cwd=root, stdout=subprocess.PIPE, stderr=slave, check=True)
        os.close(slave)
        drawn = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(master)
    assert b"packing [" in drawn and b"100.0%" in drawn
    assert b"packing" not in proc.stdout
    piped = subprocess.run([*cmd, str(tmp_path / "pipe")], cwd=root, capture_output=True, check=True)
    assert piped.stderr == b""


def test_file_and_directory_conflict_refused_before_packing(enoch: Enoch, tmp_path: Path) -> None:
    # "a" from one argument, "a/b.txt" from another: not a verification
    # failure after compressing everything, but a usage error up front.
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a").write_bytes(b"1")
    (tmp_path / "y" / "a").mkdir(parents=True)
    (tmp_path / "y" / "a" / "b.txt").write_bytes(b"2")
    r = enoch("pack", tmp_path / "x" / "a", tmp_path / "y", "-o", tmp_path / "b", "--json")
    assert r.exit_code == 2, r.stderr
    assert r.json()["error"]["code"] == "usage_error" and "'a' is both a file and a directory of 'a/b.txt'" in r.stderr
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("where", ["parent", "same"])
def test_overwrite_never_deletes_the_source(enoch: Enoch, tmp_path: Path, where: str) -> None:
    outer = tmp_path / "outer"
    src = make_tree(outer / "src")
    before = sorted(p.relative_to(outer).as_posix() for p in outer.rglob("*"))
    out = outer if where == "parent" else src
    r = enoch("pack", src, "-o", out, "--overwrite")
    assert r.exit_code == 2 and "inside" in r.stderr, r.stderr
    assert sorted(p.relative_to(outer).as_posix() for p in outer.rglob("*")) == before
    assert (src / "a.json").stat().st_size > 0


def test_single_file_source_inside_output_refused(enoch: Enoch, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "f.txt").write_bytes(b"keep")
    r = enoch("pack", tmp_path / "out" / "f.txt", "-o", tmp_path / "out", "--overwrite")
    assert r.exit_code == 2 and (tmp_path / "out" / "f.txt").read_bytes() == b"keep"


@pytest.mark.parametrize("size", ["10", "19", "20", "21", "1023", str(2**53), "99999999999999999999"])
def test_shard_size_out_of_range_is_a_usage_error(enoch: Enoch, tmp_path: Path, size: str) -> None:
    src = make_tree(tmp_path / "src")
    r = enoch("pack", src, "-o", tmp_path / "b", "--shard-size", size, "--json")
    assert r.exit_code == 2 and r.json()["error"]["code"] == "usage_error" and "--shard-size" in r.stderr
    assert not (tmp_path / "b").exists() and list(tmp_path.iterdir()) == [src]


def test_largest_shard_size_accepted(enoch: Enoch, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    r = enoch("pack", src, "-o", tmp_path / "b", "--shard-size", str(2**53 - 1), "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["tree_size"] == 4 and manifest(tmp_path / "b")["shard_size"] == 2**53 - 1
    assert enoch("verify", tmp_path / "b").exit_code == 0


def test_names_colliding_elsewhere_warned(enoch: Enoch, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    nfc, nfd = "caf\u00e9.txt", "cafe\u0301.txt"
    (src / nfc).write_bytes(b"nfc")
    (src / nfd).write_bytes(b"nfd")
    (src / "README").write_bytes(b"upper")
    (src / "readme").write_bytes(b"lower")
    r = enoch("pack", src, "-o", tmp_path / "b", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.count("warning:") == 2 and "'README' and 'readme'" in r.stderr
    assert sorted(paths(tmp_path / "b")) == sorted(["README", "readme", nfc, nfd])  # both kept, distinct bytes
    r = enoch("unpack", tmp_path / "b", "-o", tmp_path / "out")
    assert r.exit_code == 0 and (tmp_path / "out" / nfd).read_bytes() == b"nfd"
