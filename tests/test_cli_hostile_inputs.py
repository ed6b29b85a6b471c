"""Regression tests for hostile command lines of ``random``, ``hexagram``,
``header verify`` and ``vrf``: every one is a one-line error with the SPEC C
exit code (and one JSON error object with ``--json``), never a traceback or
exit 70.  Found in the randomness/VRF audit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.fixtures import load_json
from toolkit.core.errors import InputMissingError, UsageError
from toolkit.core.fsio import atomic_write, read_input
from vrf.keys import KeyPair, write_key_file
from vrf.suites import suite_by_name

Enoch = Callable[..., CliResult]
B = load_json("spec-r", "vectors.json")["stream"]["block_hash"]
RFC = load_json("rfc9381", "rfc9381.json")["vectors"]
ROOT = Path(__file__).resolve().parent.parent


def _json_error(r: CliResult, exit_code: int, code: str) -> str:
    assert r.exit_code == exit_code, r
    assert r.stdout.count("\n") == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    obj = r.json()
    assert obj["ok"] is False and obj["error"]["code"] == code
    message: str = obj["error"]["message"]
    return message


@pytest.mark.parametrize("bad", ["1_0", "\u0661", " 1", "1 ", "1.5", "0x10", "--", "+-1", ""])
def test_int_bounds_are_plain_ascii_decimals(enoch: Enoch, bad: str) -> None:
    # Python's int() takes "1_0", Arabic-Indic digits and blanks; a replayed
    # command line must mean the same to every reimplementation.
    r = enoch("random", "int", "--block-hash", B, "--json", "--", bad, "6")
    assert "not a decimal integer" in _json_error(r, 2, "usage_error")


@pytest.mark.parametrize("bad", ["1_6", " 4", "\u0664", "4.0"])
def test_byte_counts_and_count_are_plain_decimals(enoch: Enoch, bad: str) -> None:
    r = enoch("random", "bytes", bad, "--block-hash", B, "--json")
    assert "not a decimal integer" in _json_error(r, 2, "usage_error")
    r = enoch("random", "bytes", "4", "--count", bad, "--block-hash", B, "--json")
    assert "not a decimal integer" in _json_error(r, 2, "usage_error")


@pytest.mark.parametrize(("args", "limit"), [(("bytes", "0"), "1..1048576"), (("bytes", "1048577"), "1..1048576"),
                                             (("int", "1", "6", "--count", "0"), "1..1000000"),
                                             (("int", "1", "6", "--count", "1000001"), "1..1000000")])
def test_out_of_range_counts(enoch: Enoch, args: tuple[str, ...], limit: str) -> None:
    assert limit in _json_error(enoch("random", *args, "--block-hash", B, "--json"), 2, "usage_error")


def test_huge_int_bounds(enoch: Enoch) -> None:
    msg = _json_error(enoch("random", "int", "0", "9" * 5000, "--block-hash", B, "--json"), 2, "usage_error")
    assert len(msg) < 200  # the number is not echoed in full
    wide = "9" * 4000  # 1,661 bytes per candidate
    ok = enoch("random", "int", "0", wide, "--block-hash", B, "--json")
    assert ok.exit_code == 0 and 0 <= ok.json()["values"][0] <= int(wide)
    r = enoch("random", "int", "0", wide, "--count", "100000", "--block-hash", B, "--json")
    assert "bytes per draw x --count" in _json_error(r, 2, "usage_error")


def test_shuffle_output_is_bounded(enoch: Enoch) -> None:
    items = [str(i) for i in range(1000)]
    r = enoch("random", "shuffle", *items, "--count", "20000", "--block-hash", B, "--json")
    assert "ITEMs x --count" in _json_error(r, 2, "usage_error")


@pytest.mark.parametrize("command", ["choice", "shuffle"])
def test_undecodable_items_are_malformed(enoch: Enoch, command: str) -> None:
    # "\udcff" is how Python hands over an argv byte 0xff that is not UTF-8.
    r = enoch("random", command, "ok", "\udcff", "--block-hash", B, "--json")
    assert _json_error(r, 65, "malformed_input") == "ITEM 2 is not valid UTF-8 text"


def _strict_run(*args: bytes) -> subprocess.CompletedProcess[bytes]:
    """The real console: a strict UTF-8 stdout, as on a user's en_US.UTF-8 terminal."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    return subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, env=env, cwd=ROOT, check=False)


@pytest.mark.parametrize(
    ("args", "exit_code", "shown"),
    [
        ((b"hexagram", b"--vrf-proof", b"/nonexistent/\xff.json", b"--json"), 66, "/nonexistent/\\udcff.json"),
        ((b"header", b"verify", b"--file", b"/nonexistent/\xff", b"--json"), 66, "/nonexistent/\\udcff"),
        ((b"vrf", b"verify", b"/nonexistent/\xff.json", b"--json"), 66, "/nonexistent/\\udcff.json"),
        ((b"random", b"choice", b"\xff", b"--block-hash", B.encode(), b"--json"), 65, "ITEM 1"),
    ],
)
def test_undecodable_arguments_never_crash_a_strict_stdout(args: tuple[bytes, ...], exit_code: int, shown: str) -> None:
    p = _strict_run(*args)
    assert p.returncode == exit_code, p.stderr
    assert b"Traceback" not in p.stderr and p.stderr.count(b"\n") == 1
    obj = json.loads(p.stdout.decode("utf-8"))  # valid UTF-8 JSON, exactly one object
    assert obj["ok"] is False and shown in obj["error"]["message"]


def test_key_file_with_undecodable_name_is_reported(tmp_path: Path) -> None:
    p = _strict_run(b"vrf", b"keygen", b"-o", os.fsencode(tmp_path) + b"/k\xff", b"--json")
    assert p.returncode == 0, p.stderr
    # a JSON \\u escape: the output stays valid UTF-8 and names the file exactly
    assert json.loads(p.stdout.decode("utf-8"))["key_file"] == os.fsdecode(os.fsencode(tmp_path) + b"/k\xff")
    assert (Path(os.fsdecode(os.fsencode(tmp_path) + b"/k\xff"))).stat().st_mode & 0o777 == 0o600


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "key.json"
    vec = RFC[6]
    write_key_file(path, KeyPair.from_secret(suite_by_name(vec["suite"]), bytes.fromhex(vec["sk"])))
    return path


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_prove_into_a_directory_is_a_usage_error(enoch: Enoch, key: Path, tmp_path: Path, overwrite: list[str]) -> None:
    out = tmp_path / "dir"
    out.mkdir()
    r = enoch("vrf", "prove", "--key", key, "--block-hash", B, "-o", out, *overwrite, "--json")
    assert "is a directory" in _json_error(r, 2, "usage_error")
    assert out.is_dir() and list(out.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


@pytest.mark.parametrize("prove", [False, True])
def test_empty_output_name(enoch: Enoch, key: Path, prove: bool) -> None:
    command = ["vrf", "prove", "--key", str(key), "--alpha", "00"] if prove else ["vrf", "keygen"]
    r = enoch(*command, "-o", "", "--json")
    assert _json_error(r, 2, "usage_error") == "no output file name given"


@pytest.mark.parametrize(
    "args",
    [
        ("hexagram", "--vrf-proof", ""),
        ("header", "verify", "--file", ""),
        ("vrf", "verify", ""),
        ("vrf", "prove", "--alpha", "00", "--key", ""),
    ],
)
def test_empty_input_name_is_named_as_such(enoch: Enoch, args: tuple[str, ...]) -> None:
    assert "empty file name" in _json_error(enoch(*args, "--json"), 66, "input_missing")


def test_atomic_write_refusals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        atomic_write(tmp_path, b"x", overwrite=True)
    with pytest.raises(UsageError, match="no output file name"):
        atomic_write("", b"x", overwrite=True)

    def refuse(*_a: object, **_k: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("toolkit.core.fsio.tempfile.mkstemp", refuse)
    with pytest.raises(InputMissingError, match="cannot write .*: Permission denied"):
        atomic_write(tmp_path / "out", b"x")
    assert not (tmp_path / "out").exists()


def test_read_input_empty_name() -> None:
    with pytest.raises(InputMissingError, match="no proof file given"):
        read_input("", what="proof file", limit=10)


HOSTILE_JSON = {
    "deep-array": "[" * 100_000 + "]" * 100_000,
    "deep-object": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "long-int": '{"format": "enoch-vrf-proof/1", "x": ' + "1" * 5000 + "}",
}


@pytest.mark.parametrize("doc", list(HOSTILE_JSON), ids=list(HOSTILE_JSON))
@pytest.mark.parametrize("command", [("vrf", "verify"), ("hexagram", "--vrf-proof"), ("vrf", "prove", "--alpha", "00", "--key")])
def test_hostile_json_is_malformed_not_internal(enoch: Enoch, tmp_path: Path, doc: str, command: tuple[str, ...]) -> None:
    # json.loads raises RecursionError / a bare ValueError (int digit limit) here: both were exit 70.
    path = tmp_path / "hostile.json"
    path.write_text(HOSTILE_JSON[doc])
    msg = _json_error(enoch(*command, path, "--json"), 65, "malformed_input")
    # (the key file is bounded to 4 KiB, so it is refused as too large first)
    assert "nested too deeply" in msg or "too long" in msg or "too large" in msg


def test_batch_into_a_closed_pipe_is_not_a_failure(tmp_path: Path) -> None:
    # `enoch hexagram --batch FILE | head -1`: click maps EPIPE to exit 1
    # ("verification failed"); the reader leaving early is not an error.
    hashes = tmp_path / "hashes.txt"
    hashes.write_text("\n".join(f"{i:064x}" for i in range(5000)) + "\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "hexagram", "--batch", str(hashes)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert json.loads(proc.stdout.readline())["source"]["block_hash"] == f"{0:064x}"
    proc.stdout.close()
    err = proc.stderr.read()
    assert (proc.wait(timeout=60), err) == (0, b"")


@pytest.mark.parametrize(
    "args",
    [
        ("vrf", "verify", "-"),
        ("hexagram", "--batch", "-"),
        ("hexagram", "--vrf-proof", "-"),
        ("header", "verify", "--file", "-"),
        ("vrf", "prove", "--alpha", "00", "--key", "-"),
    ],
)
def test_stdin_closed(enoch: Enoch, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    # started with `<&-`: sys.stdin is None (was an AttributeError, exit 70)
    monkeypatch.setattr(sys, "stdin", None)
    assert "stdin is closed" in _json_error(enoch(*args, "--json"), 66, "input_missing")


def _run_with_stdout(stdout: int | None, *args: str, close_stdout: bool = False) -> subprocess.CompletedProcess[bytes]:
    def close() -> None:
        os.close(1)

    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args], stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, check=False,
        preexec_fn=close if close_stdout else None,
    )


NEEDS_DEV_FULL = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")


@NEEDS_DEV_FULL
@pytest.mark.parametrize(
    "args",
    [("random", "int", "1", "6", "--block-hash", B), ("random", "bytes", "4", "--block-hash", B, "--json")],
    ids=["text", "json"],
)
def test_stdout_on_a_full_disk(args: tuple[str, ...]) -> None:
    # was a traceback and exit 1 ("verification failed")
    with open("/dev/full", "wb") as full:
        p = _run_with_stdout(full.fileno(), *args)
    assert (p.returncode, p.stderr) == (66, b"enoch: error: cannot write the output: No space left on device\n")


@NEEDS_DEV_FULL
def test_batch_output_on_a_full_disk(tmp_path: Path) -> None:
    hashes = tmp_path / "h.txt"
    hashes.write_text(f"{0:064x}\n" * 10)
    with open("/dev/full", "wb") as full:
        p = _run_with_stdout(full.fileno(), "hexagram", "--batch", str(hashes))
    assert (p.returncode, p.stderr) == (66, b"enoch: error: cannot write the output: No space left on device\n")


def test_stdout_closed() -> None:
    p = _run_with_stdout(None, "random", "int", "1", "6", "--block-hash", B, close_stdout=True)
    assert (p.returncode, p.stderr) == (66, b"enoch: error: cannot write the output: stdout is closed\n")


def test_batch_stdout_closed(tmp_path: Path) -> None:
    # was an AttributeError on sys.stdout.buffer: exit 70
    hashes = tmp_path / "h.txt"
    hashes.write_text(f"{0:064x}\n")
    p = _run_with_stdout(None, "hexagram", "--batch", str(hashes), close_stdout=True)
    assert (p.returncode, p.stderr) == (66, b"enoch: error: cannot write the output: stdout is closed\n")
