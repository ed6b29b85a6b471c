"""The batch id (issue 12): the manifest's SHA-256 covers paths and content
types, which the Merkle root does not.  Printed wherever the root is, and
checked by ``verify --expect`` / ``unpack --expect`` (exit 1 on mismatch,
exit 2 for a malformed id) through one library function."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from inscriptions.batch.batch_id import batch_id, check_batch_id, parse_batch_id
from tests.batchkit import SIGNET_P2WPKH, make_batch
from tests.batchutil import edit_manifest
from tests.conftest import CliResult
from toolkit.core.errors import UsageError, VerificationError

Enoch = Callable[..., CliResult]


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    return make_batch(tmp_path, {"a.txt": b"hello\n" * 50, "b/c.html": b"<p>c</p>\n"})


def _id(batch: Path) -> str:
    return hashlib.sha256((batch / "manifest.json").read_bytes()).hexdigest()


def _rename(batch: Path) -> None:
    """A hand edit the root cannot see: a file renamed (still sorted, still consistent)."""

    def change(doc: dict[str, object]) -> None:
        for key, field in (("files", "path"), ("shards", "file")):
            for entry in doc[key]:  # type: ignore[attr-defined]
                if entry[field] == "a.txt":
                    entry[field] = "a.exe"

    edit_manifest(batch, change)


def test_library() -> None:
    raw = b'{"format":"enoch-batch/1"}'
    bid = hashlib.sha256(raw).hexdigest()
    assert batch_id(raw) == bid
    assert check_batch_id(raw, bid) == bid
    assert check_batch_id(raw, f"  {bid.upper()}\n") == bid  # case and blanks as pasted
    other = ("1" if bid[0] == "0" else "0") + bid[1:]
    with pytest.raises(VerificationError, match=f"batch id is {bid}, expected {other}"):
        check_batch_id(raw, other)
    for bad in ("", bid[:63], bid + "0", "g" * 64, bid[:62] + " 0", "0x" + bid[:62], "\u0660" * 64):
        with pytest.raises(UsageError, match="is not a batch id"):
            parse_batch_id(bad)
        with pytest.raises(UsageError):
            check_batch_id(raw, bad)


def test_printed_wherever_the_root_is(enoch: Enoch, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "x.txt").write_bytes(b"x" * 5000)
    packed = enoch("pack", src, "-o", tmp_path / "b", "--shard-size", "4096", "--json")
    b = tmp_path / "b"
    bid = _id(b)
    assert packed.json()["batch_id"] == bid
    assert f"batch id {bid}" in enoch("pack", src, "-o", tmp_path / "b2", "--shard-size", "4096").stdout
    v = enoch("verify", b, "--json").json()
    assert v["batch_id"] == v["manifest_sha256"] == bid
    assert f"batch id {bid}" in enoch("verify", b).stdout
    shard = ("--manifest", b / "manifest.json", "--shard", b / "shards/000000.gz", "--proof", b / "proofs/000000.json")
    assert enoch("verify-shard", *shard, "--json").json()["batch_id"] == bid
    assert f"batch id {bid}" in enoch("verify-shard", *shard).stdout
    u = enoch("unpack", b, "-o", tmp_path / "out", "--json").json()
    assert u["batch_id"] == bid and u["root"] == v["root"]
    assert f"batch id {bid}" in enoch("unpack", b, "-o", tmp_path / "out2").stdout
    args = ("inscribe", "plan", b, "--destination", SIGNET_P2WPKH, "--network", "signet", "--fee-rate", "1")
    p = enoch(*args, "-o", tmp_path / "plan", "--json")
    assert p.exit_code == 0 and p.json()["batch_id"] == bid and p.json()["root"] == v["root"]
    assert f"batch id {bid}" in enoch(*args, "-o", tmp_path / "plan2").stdout


def test_verify_expect(enoch: Enoch, batch: Path) -> None:
    bid = _id(batch)
    r = enoch("verify", batch, "--expect", bid, "--json")
    assert r.exit_code == 0 and r.json()["expected"] is True
    assert "(as expected)" in enoch("verify", batch, "--expect", bid.upper()).stdout
    root = r.json()["root"]
    _rename(batch)
    # The edited batch is self-consistent: it verifies, with the same root ...
    r2 = enoch("verify", batch, "--json")
    assert r2.exit_code == 0 and r2.json()["root"] == root and r2.json()["batch_id"] != bid
    # ... but not as the published batch id.
    r3 = enoch("verify", batch, "--expect", bid, "--json")
    assert r3.exit_code == 1 and r3.json()["error"]["code"] == "verification_failed"
    assert f"expected {bid}" in r3.json()["error"]["message"]


def test_unpack_expect_writes_nothing_on_mismatch(enoch: Enoch, batch: Path, tmp_path: Path) -> None:
    bid = _id(batch)
    _rename(batch)
    r = enoch("unpack", batch, "-o", tmp_path / "out", "--expect", bid)
    assert r.exit_code == 1 and "batch id is" in r.stderr
    assert not (tmp_path / "out").exists()
    assert enoch("unpack", batch, "-o", tmp_path / "out", "--expect", _id(batch)).exit_code == 0
    assert (tmp_path / "out" / "a.exe").exists()


@pytest.mark.parametrize("bad", ["", "abc", "z" * 64, "0" * 65])
def test_malformed_expect_is_usage_before_any_work(enoch: Enoch, tmp_path: Path, bad: str) -> None:
    for args in (
        ("verify", tmp_path / "missing"),
        ("unpack", tmp_path / "missing", "-o", tmp_path / "out"),
        ("inscribe", "extract", tmp_path / "missing", "-o", tmp_path / "out"),
    ):
        r = enoch(*args, "--expect", bad, "--json")
        assert r.exit_code == 2 and "is not a batch id" in r.json()["error"]["message"], r
