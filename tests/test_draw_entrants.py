"""SPEC D entrants files: split on LF only, a final LF ends the last line, one
trailing CR stripped per line, UTF-8, no empty lines, no duplicates (exit 65);
K > n is a usage error (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inscriptions.batch.rfc9162 import leaf_hash, merkle_root
from tests.drawkit import Enoch
from toolkit.core.errors import MalformedInputError
from toolkit.draws.entrants import parse_entrants


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a\nb\nc\n", [b"a", b"b", b"c"]),
        (b"a\nb\nc", [b"a", b"b", b"c"]),  # no final LF: same entrants
        (b"a\r\nb\r\n", [b"a", b"b"]),  # CRLF files
        (b"a\r\r\nb", [b"a\r", b"b"]),  # one CR stripped, not all
        (b"a\rb\n", [b"a\rb"]),  # a CR inside a line is part of it
        (b" a \n\tb\n", [b" a ", b"\tb"]),  # no other whitespace is touched
        ("zoë\n李雷\n".encode(), ["zoë".encode(), "李雷".encode()]),
        (b"A\na\n", [b"A", b"a"]),  # same letters, different bytes: not duplicates
    ],
)
def test_entrants_parsing(data: bytes, expected: list[bytes]) -> None:
    got = parse_entrants(data)
    assert list(got.raw) == expected and got.count == len(expected)
    assert got.root() == merkle_root([leaf_hash(e) for e in expected])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no entrants"),
        (b"\n", "line 1 is empty"),
        (b"\r\n", "line 1 is empty"),
        (b"a\n\nb\n", "line 2 is empty"),
        (b"a\nb\n\n", "line 3 is empty"),  # a second final LF starts an empty line
        (b"a\nb\na\n", "line 3 repeats line 1"),
        (b"a\r\nb\na\n", "line 3 repeats line 1"),  # the same bytes once CR is stripped
        (b"a\nb\xff\n", "line 2 is not valid UTF-8"),
        (b"a\n\xc3\n", "line 2 is not valid UTF-8"),  # truncated multi-byte sequence
        (b"\xed\xa0\x80\n", "line 1 is not valid UTF-8"),  # an encoded surrogate
    ],
)
def test_malformed_entrants(data: bytes, message: str) -> None:
    with pytest.raises(MalformedInputError, match=message):
        parse_entrants(data)


@pytest.mark.parametrize("data", [b"a\n\nb\n", b"a\na\n", b"a\n\xff\n", b""])
def test_commit_refuses_malformed_entrants_with_65(enoch: Enoch, tmp_path: Path, data: bytes) -> None:
    entrants = tmp_path / "entrants.txt"
    entrants.write_bytes(data)
    out = tmp_path / "request.json"
    got = enoch("draw", "commit", "--network", "mainnet", "--height", "900000", "--context", "c",
                "--entrants", entrants, "--winners", "1", "-o", out)
    assert got.exit_code == 65, got.stderr
    assert got.stderr.startswith("enoch: error: entrants file") and got.stderr.count("\n") == 1
    assert not out.exists()


def test_more_winners_than_entrants_is_a_usage_error(enoch: Enoch, tmp_path: Path) -> None:
    entrants = tmp_path / "entrants.txt"
    entrants.write_bytes(b"a\nb\nc\n")
    out = tmp_path / "request.json"
    args = ["draw", "commit", "--network", "mainnet", "--height", "900000", "--context", "c", "--entrants", entrants]
    got = enoch(*args, "--winners", "4", "-o", out)
    assert got.exit_code == 2 and "cannot draw 4 winners from 3 entrants" in got.stderr
    assert not out.exists()
    assert enoch(*args, "--winners", "3", "-o", out).exit_code == 0  # K = n is a full ordering


def test_commit_warns_about_a_byte_order_mark_and_a_past_height(enoch: Enoch, tmp_path: Path) -> None:
    entrants = tmp_path / "entrants.txt"
    entrants.write_bytes(b"\xef\xbb\xbfa\nb\n")
    args = ["draw", "commit", "--network", "mainnet", "--context", "c", "--entrants", entrants, "--winners", "1"]
    got = enoch(*args, "--height", "900000", "-o", tmp_path / "r1.json")
    assert got.exit_code == 0
    assert "byte-order mark" in got.stderr and "already exists" in got.stderr
    assert parse_entrants(entrants.read_bytes()).raw[0] == b"\xef\xbb\xbfa"  # kept: SPEC D trims nothing else
    entrants.write_bytes(b"a\nb\n")
    got = enoch(*args, "--height", "5000000", "-o", tmp_path / "r2.json")
    assert got.exit_code == 0 and got.stderr == ""
