"""Issue 12, minor items: one ASCII integer parser for every integer option,
a stored path over 4096 bytes is exit 65 (not ENAMETOOLONG's 66), paths with
bidirectional controls are refused like control characters, and a content
type longer than one envelope push is refused at pack time."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from inscriptions.batch.manifest import MAX_CONTENT_TYPE_BYTES, check_content_type
from inscriptions.batch.relpath import BIDI_CONTROLS, MAX_PATH_BYTES, check_relative_path
from inscriptions.transactions.tapscript import MAX_PUSH
from tests.batchutil import edit_manifest, write_files
from tests.conftest import CliResult
from toolkit.cli.options import DecimalInt
from toolkit.core.errors import MalformedInputError

Enoch = Callable[..., CliResult]
BAD_INTEGERS = ["\u0661\u0660\u0662\u0664", "1_024", " 4096", "4096 ", "4096.0", "0x1000", "\uff14\uff10\uff19\uff16", "4096\n", ""]


@pytest.fixture
def src(tmp_path: Path) -> Path:
    return write_files(tmp_path / "src", {"a.txt": b"hello\n"})


@pytest.mark.parametrize("bad", BAD_INTEGERS)
@pytest.mark.parametrize("option", ["--shard-size", "--jobs"])
def test_pack_integer_options_are_ascii_decimals(enoch: Enoch, src: Path, tmp_path: Path, option: str, bad: str) -> None:
    r = enoch("pack", src, "-o", tmp_path / "b", option, bad, "--json")
    assert r.exit_code == 2 and "is not a decimal integer" in r.json()["error"]["message"], r
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("bad", BAD_INTEGERS)
def test_postage_and_count_are_ascii_decimals(enoch: Enoch, bad: str) -> None:
    r = enoch("inscribe", "plan", "nobatch", "-o", "noplan", "--destination", "x", "--network", "signet", "--postage", bad)
    assert r.exit_code == 2 and "is not a decimal integer" in r.stderr
    block = "00" * 32
    r = enoch("random", "bytes", "4", "--block-hash", block, "--count", bad)
    assert r.exit_code == 2 and "is not a decimal integer" in r.stderr


def test_plain_decimals_and_ranges(enoch: Enoch, src: Path, tmp_path: Path) -> None:
    assert enoch("pack", src, "-o", tmp_path / "b", "--shard-size", "4096", "--jobs", "2").exit_code == 0
    r = enoch("pack", src, "-o", tmp_path / "c", "--jobs", "0")
    assert r.exit_code == 2 and "below the minimum 1" in r.stderr
    r = enoch("pack", src, "-o", tmp_path / "c", "--shard-size", "100")
    assert r.exit_code == 2 and "not in the range" in r.stderr


def _deep_file(root: Path, depth: int, name_len: int = 250) -> None:
    """A file ``depth`` directories of ``name_len`` characters deep, built with
    directory descriptors (its full path may exceed PATH_MAX)."""
    root.mkdir()
    fds = [os.open(root, os.O_RDONLY)]
    try:
        for i in range(depth):
            name = chr(ord("a") + i % 26) * name_len
            os.mkdir(name, dir_fd=fds[-1])
            fds.append(os.open(name, os.O_RDONLY, dir_fd=fds[-1]))
        fd = os.open("f.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fds[-1])
        os.write(fd, b"x")
        os.close(fd)
    finally:
        for fd in fds:
            os.close(fd)


def test_stored_path_over_4096_bytes_is_65(enoch: Enoch, tmp_path: Path) -> None:
    _deep_file(tmp_path / "deep", 17)  # 17 x 251 bytes: the stored path is over 4096
    r = enoch("pack", tmp_path / "deep", "-o", tmp_path / "b", "--json")
    assert r.exit_code == 65, r
    assert f"longer than {MAX_PATH_BYTES} bytes" in r.json()["error"]["message"]
    assert not (tmp_path / "b").exists()


def test_stored_path_of_4096_bytes_is_fine() -> None:
    assert check_relative_path("a/" * 2047 + "bb")
    with pytest.raises(MalformedInputError, match="longer than"):
        check_relative_path("a/" * 2048 + "b")


@pytest.mark.parametrize("ch", sorted(BIDI_CONTROLS))
def test_bidi_controls_are_refused(ch: str) -> None:
    with pytest.raises(MalformedInputError, match="bidirectional control"):
        check_relative_path(f"invoice{ch}fdp.exe")


def test_bidi_controls_cover_the_named_ranges() -> None:
    named = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
    assert named <= BIDI_CONTROLS


def test_bidi_path_refused_by_pack_and_verify(enoch: Enoch, tmp_path: Path) -> None:
    evil = "report\u202etxt.exe"
    r = enoch("pack", write_files(tmp_path / "s1", {evil: b"x"}), "-o", tmp_path / "b1", "--json")
    assert r.exit_code == 65 and "bidirectional control" in r.json()["error"]["message"]
    # A hand-edited manifest (the root does not cover paths) is refused by verify and unpack.
    assert enoch("pack", write_files(tmp_path / "s2", {"report.exe": b"x"}), "-o", tmp_path / "b2").exit_code == 0

    def rename(doc: dict[str, object]) -> None:
        for key, field in (("files", "path"), ("shards", "file")):
            for entry in doc[key]:  # type: ignore[attr-defined]
                entry[field] = evil

    edit_manifest(tmp_path / "b2", rename)
    for args in (("verify", tmp_path / "b2"), ("unpack", tmp_path / "b2", "-o", tmp_path / "out")):
        r = enoch(*args, "--json")
        assert r.exit_code == 65 and "bidirectional control" in r.json()["error"]["message"], r
    assert not (tmp_path / "out").exists()


def test_content_type_fits_one_envelope_push(enoch: Enoch, src: Path, tmp_path: Path) -> None:
    assert MAX_CONTENT_TYPE_BYTES == MAX_PUSH
    longest = "text/plain;a=" + "b" * (MAX_PUSH - len("text/plain;a="))
    assert check_content_type(longest) == longest
    r = enoch("pack", src, "-o", tmp_path / "b", "--content-type", f"*={longest}b", "--json")
    assert r.exit_code == 2 and "one envelope push holds at most 520" in r.json()["error"]["message"], r
    assert not (tmp_path / "b").exists()
    ok = enoch("pack", src, "-o", tmp_path / "c", "--content-type", f"*={longest}", "--json")
    assert ok.exit_code == 0, ok
    assert enoch("verify", tmp_path / "c").exit_code == 0


def _all_commands() -> list[tuple[str, click.Command]]:
    from toolkit.cli import cli

    found: list[tuple[str, click.Command]] = []

    def walk(cmd: click.Command, name: str) -> None:
        found.append((name, cmd))
        if isinstance(cmd, click.Group):
            ctx = click.Context(cmd)
            for sub in cmd.list_commands(ctx):
                child = cmd.get_command(ctx, sub)
                assert child is not None, f"{name} {sub}"
                walk(child, f"{name} {sub}")

    walk(cli, "enoch")
    return found


def test_every_integer_option_uses_the_one_parser() -> None:
    # click's INT (also inferred from an int default) and IntRange take
    # "1_024" and non-ASCII digits: no command may use them.
    commands = _all_commands()
    assert len(commands) > 20
    offenders = [
        f"{name} {param.name}"
        for name, cmd in commands
        for param in cmd.params
        if isinstance(param.type, click.types.IntParamType)
    ]
    assert offenders == []
    integer_options = {f"{name} {p.name}" for name, cmd in commands for p in cmd.params if isinstance(p.type, DecimalInt)}
    assert {"enoch pack shard_size", "enoch pack jobs", "enoch inscribe plan postage", "enoch draw commit height"} <= integer_options
