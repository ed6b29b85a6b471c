"""Issue 12, defect 4: every whole-file (or stdin) read is bounded by its
format's maximum, and a larger input is exit 65 "too large" after reading at
most one byte past the maximum: ``/dev/zero`` or a 6 GiB sparse file ends at
once instead of reading until memory runs out.

The command-line cases run in a subprocess under a 1 GiB address-space limit
and a timeout, so that before the fix they failed (MemoryError exit 70, or
the timeout) instead of exhausting the test machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from inscriptions.batch.manifest import MAX_MANIFEST_BYTES
from tests.batchkit import make_batch
from tests.fixtures import load_json
from toolkit.core.errors import MalformedInputError, UsageError
from toolkit.core.fsio import read_at_most, read_input

ROOT = Path(__file__).resolve().parent.parent
B = load_json("spec-r", "vectors.json")["stream"]["block_hash"]
ZERO = "/dev/zero"


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _run(*args: str | Path, stdin_path: str | None = None) -> tuple[int, dict[str, object]]:
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        p = subprocess.run(
            [sys.executable, "-m", "toolkit", *map(str, args), "--json"],
            stdin=stdin, capture_output=True, cwd=ROOT, timeout=60, preexec_fn=_limit_memory, check=False,
        )
    finally:
        if stdin_path:
            stdin.close()  # type: ignore[union-attr]
    assert b"Traceback" not in p.stderr and p.stderr.count(b"\n") == 1, p.stderr
    return p.returncode, json.loads(p.stdout)


def _too_large(*args: str | Path, stdin_path: str | None = None) -> str:
    code, obj = _run(*args, stdin_path=stdin_path)
    assert code == 65, obj
    error = obj["error"]
    assert isinstance(error, dict) and error["code"] == "malformed_input"
    message = error["message"]
    assert isinstance(message, str) and "too large" in message
    return message


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_batch(tmp_path_factory.mktemp("bounded"), {"a.txt": b"hello\n" * 100})


@pytest.mark.parametrize(
    "args",
    [
        ("vrf", "verify", ZERO),
        ("vrf", "prove", "--alpha", "00", "--key", ZERO),
        ("random", "bytes", "4", "--vrf-proof", ZERO),
        ("hexagram", "--vrf-proof", ZERO),
    ],
    ids=["vrf-verify", "vrf-prove-key", "random-vrf-proof", "hexagram-vrf-proof"],
)
def test_dev_zero_is_too_large(args: tuple[str, ...]) -> None:
    assert ZERO in _too_large(*args)


def test_verify_shard_manifest_dev_zero(batch: Path) -> None:
    _too_large("verify-shard", "--manifest", ZERO, "--shard", batch / "shards/000000.gz", "--proof", batch / "proofs/000000.json")


def test_verify_shard_proof_dev_zero(batch: Path) -> None:
    _too_large("verify-shard", "--manifest", batch / "manifest.json", "--shard", batch / "shards/000000.gz", "--proof", ZERO)


def test_verify_shard_shard_dev_zero_is_a_size_mismatch(batch: Path) -> None:
    # A shard longer than its manifest entry is a tampered shard (exit 1),
    # found after reading one byte more than the entry's gz_size.
    code, obj = _run("verify-shard", "--manifest", batch / "manifest.json", "--shard", ZERO, "--proof", batch / "proofs/000000.json")
    assert code == 1 and "the manifest says" in str(obj["error"])


def test_decode_stdin_dev_zero() -> None:
    assert "stdin" in _too_large("inscribe", "decode", "-", stdin_path=ZERO)


def test_huge_sparse_manifest(batch: Path, tmp_path: Path) -> None:
    copy = tmp_path / "batch"
    copy.mkdir()
    for part in ("shards", "proofs"):
        (copy / part).symlink_to(batch / part)
    with open(copy / "manifest.json", "wb") as fh:
        fh.truncate(6 << 30)  # sparse: no disk space used
    for command in (("verify", copy), ("unpack", copy, "-o", tmp_path / "out")):
        _too_large(*command)
    assert not (tmp_path / "out").exists()


# --- the reader itself -------------------------------------------------------


def test_read_stops_one_byte_past_the_limit() -> None:
    r, w = os.pipe()
    try:
        os.write(w, b"x" * 3000)
        os.close(w)
        w = -1
        assert len(read_at_most(f"/dev/fd/{r}", what="input", limit=1000)) == 1001
        # The rest was never read: it is still in the pipe.
        assert len(os.read(r, 10_000)) == 3000 - 1001
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


def test_read_input_limits(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"x" * 100)
    assert read_input(p, what="input", limit=100) == b"x" * 100
    with pytest.raises(MalformedInputError, match=r"too large \(more than 99 bytes\)"):
        read_input(p, what="input", limit=99)
    assert read_at_most(p, what="input", limit=10) == b"x" * 11
    assert read_input(p, what="input", limit=1 << 30) == b"x" * 100  # no limit-sized buffer needed
    with pytest.raises(MalformedInputError, match="too large"):
        read_input(ZERO, what="input", limit=5 << 20)  # several chunks


def test_header_file_is_streamed(tmp_path: Path) -> None:
    # Header files are read as a stream (toolkit.chain.headerfile): /dev/zero
    # is raw records whose first fails proof of work (exit 1) at once, and a
    # text line without end is refused after 4096 bytes (exit 65).
    code, obj = _run("header", "verify", "--file", ZERO)
    assert code == 1 and "header 1 of the chain" in str(obj["error"])
    line = tmp_path / "line.txt"
    with open(line, "wb") as fh:
        fh.write(b"0" * (64 << 20))
    code, obj = _run("header", "verify", "--file", line)
    assert code == 65 and "longer than 4096 bytes" in str(obj["error"])


def test_pack_refuses_a_manifest_verify_could_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import inscriptions.batch.pack as pack

    monkeypatch.setattr(pack, "MAX_MANIFEST_BYTES", 500)
    with pytest.raises(UsageError, match="manifest would be"):
        make_batch(tmp_path, {"a.txt": b"a", "b.txt": b"b", "c.txt": b"c"})
    assert not (tmp_path / "batch").exists()
    assert MAX_MANIFEST_BYTES == 1 << 26


def test_bitcoind_cookie_file_is_bounded() -> None:
    from toolkit.sources.http import MAX_COOKIE_BYTES, bitcoind_auth

    with pytest.raises(MalformedInputError, match=f"bitcoind cookie file {ZERO} is too large"):
        bitcoind_auth({"ENOCH_BITCOIND_COOKIE": ZERO})
    assert MAX_COOKIE_BYTES == 4096
