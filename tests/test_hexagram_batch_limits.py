"""Issue 12, defect 5 and a minor item: ``hexagram --batch`` takes linear
time whatever the line lengths, refuses a line longer than MAX_LINE_BYTES
(exit 65) as soon as it has seen that much of it, so ``/dev/zero`` ends at
once; and with ``--json`` the error object is the last line of the stream."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from toolkit.cli.hexagram_batch import MAX_LINE_BYTES, hexagram_jsonl
from toolkit.core.errors import MalformedInputError

Enoch = Callable[..., CliResult]
ROOT = Path(__file__).resolve().parent.parent
H = "00000000000000000005b9a0e3b0c0dd7b8ab4ea9a1c6b0c56e0b9b0bbb1c6f2"


def _endless(chunk: bytes, consumed: list[int], stop_after: int = 64) -> Iterator[bytes]:
    """``chunk`` forever (an input like /dev/zero); fails the test if read too far."""
    while True:
        if consumed[0] >= stop_after:
            raise AssertionError(f"read {consumed[0]} chunks of one line: no line length cap")
        consumed[0] += 1
        yield chunk


@pytest.mark.parametrize("chunk", [b"\0" * 65536, b"0" * 65536, b" " * 65536, b"a" * 100])
def test_endless_line_is_refused_after_the_cap(chunk: bytes) -> None:
    consumed = [0]
    with pytest.raises(MalformedInputError, match=f"line 1: longer than {MAX_LINE_BYTES} bytes"):
        list(hexagram_jsonl(_endless(chunk, consumed), context="", method="yarrow"))
    assert consumed[0] * len(chunk) <= MAX_LINE_BYTES + len(chunk)


def test_long_line_split_into_small_chunks_is_refused_in_linear_time() -> None:
    # Before: the carry was re-copied for every chunk (quadratic).  Now at
    # most MAX_LINE_BYTES + one chunk are looked at.
    consumed = [0]
    gen = hexagram_jsonl(_endless(b"f" * 7, consumed, stop_after=10_000), context="", method="yarrow")
    with pytest.raises(MalformedInputError, match="line 1"):
        list(gen)
    assert consumed[0] == MAX_LINE_BYTES // 7 + 1


def test_the_cap_counts_whitespace_and_names_the_line() -> None:
    ok = (H + " " * (MAX_LINE_BYTES - 64)).encode()
    assert len(ok) == MAX_LINE_BYTES
    out = b"".join(hexagram_jsonl([ok + b"\n", ok], context="", method="coins"))
    assert out.count(b"\n") == 2
    too_long = ok + b" "
    for chunks in ([ok + b"\n" + too_long + b"\n"], [ok + b"\n" + too_long], [ok + b"\n", too_long[:500], too_long[500:], b"\n"]):
        gen = hexagram_jsonl(chunks, context="", method="coins")
        assert next(gen).count(b"\n") == 1  # the first record came out first
        with pytest.raises(MalformedInputError, match=f"line 2: longer than {MAX_LINE_BYTES} bytes"):
            next(gen)
    blank_but_long = b"\n" + b" " * (MAX_LINE_BYTES + 1) + b"\n"
    with pytest.raises(MalformedInputError, match="line 2: longer"):
        list(hexagram_jsonl([blank_but_long], context="", method="coins"))


def test_dev_zero_ends_quickly_with_65() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "toolkit", "hexagram", "--batch", "/dev/zero"],
        capture_output=True, cwd=ROOT, timeout=30, check=False,
    )
    assert p.returncode == 65, p.stderr
    assert p.stderr.decode() == f"enoch: error: --batch line 1: longer than {MAX_LINE_BYTES} bytes (one block hash per line)\n"
    assert p.stdout == b""


def test_json_error_object_is_the_last_line_of_the_stream(enoch: Enoch, tmp_path: Path) -> None:
    path = tmp_path / "hashes.txt"
    path.write_text(f"{H}\n{H.upper()}\n  \nnot-a-hash\n{H}\n")
    r = enoch("hexagram", "--batch", str(path), "--json")
    assert r.exit_code == 65
    lines = [json.loads(line) for line in r.stdout.splitlines()]  # every line is one JSON object
    assert len(lines) == 3
    assert all("error" not in rec and rec["source"]["block_hash"] == H for rec in lines[:2])
    assert lines[-1] == {"ok": False, "error": {"code": "malformed_input", "message": "--batch line 4: expected a 64-hex-digit block hash, got 10 characters"}}
