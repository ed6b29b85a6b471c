"""``enoch inscribe extract`` (SPEC T, Extract): pack -> plan -> reveal ->
extract -> verify -> unpack returns the original files byte for byte, and the
rebuilt directory is byte-identical to what ``pack`` wrote; every way a set
of transactions can fall short is exit 1 (or 2 when the user must choose),
and nothing is written then."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inscriptions.batch.gzip_member import gzip_member
from inscriptions.transactions.envelope import Inscription, build_envelope
from inscriptions.readback.extract import Found, Scan, rebuild, write_batch
from inscriptions.transactions.metadata import InscriptionMetadata
from inscriptions.transactions.rawtx import compact_size, parse_tx
from tests.batchkit import make_batch, noise, small_batch
from tests.batchutil import tree_bytes
from tests.fakenode import FakeChain, fake_node
from tests.revealkit import plan_and_reveal, write_txs
from toolkit.core.errors import VerificationError

Enoch = Callable[..., Any]
FILES = {"a/noise.bin": noise(450_000), "index.html": b"<h1>enoch</h1>\n" * 400, "empty.txt": b"", "z.txt": b"zed\n"}


@pytest.fixture
def revealed(enoch: Enoch, tmp_path: Path) -> tuple[Path, list[str]]:
    batch = make_batch(tmp_path, FILES, shard_size=65536)
    return batch, plan_and_reveal(enoch, batch, tmp_path / "plan")


def item(b: bytes) -> bytes:
    return compact_size(len(b)) + b


def witness_tx(script: bytes, salt: int = 0) -> str:
    """A one-input segwit transaction whose witness is a script-path spend of ``script``."""
    witness = compact_size(3) + item(bytes(64)) + item(script) + item(b"\xc0" + bytes(32))
    body = (
        (2).to_bytes(4, "little") + b"\x00\x01" + b"\x01" + salt.to_bytes(32, "little") + bytes(4) + b"\x00" + b"\xff" * 4
        + b"\x01" + (546).to_bytes(8, "little") + item(b"\x51\x20" + bytes(32)) + witness + bytes(4)
    )  # fmt: skip
    return body.hex()


def test_round_trip_is_byte_identical(enoch: Enoch, tmp_path: Path, revealed: tuple[Path, list[str]]) -> None:
    batch, txs = revealed
    assert len(txs) >= 2
    out = tmp_path / "extracted"
    # Reveals in any order, split over files: the batch comes back the same.
    res = enoch("inscribe", "extract", str(write_txs(tmp_path / "a.hex", txs[::-2])), str(write_txs(tmp_path / "b.hex", txs[-2::-2])), "-o", str(out), "--json")
    assert res.exit_code == 0, res.stderr
    assert tree_bytes(out) == tree_bytes(batch)
    data = res.json()
    assert data["manifest_sha256"] == hashlib.sha256((batch / "manifest.json").read_bytes()).hexdigest()
    assert len(data["leaves"]) == data["tree_size"] and data["ignored"] == []
    assert data["manifest_id"].split("i")[0] in data["transactions"]
    verified = enoch("verify", str(out), "--json")
    assert verified.exit_code == 0 and verified.json()["manifest_sha256"] == data["manifest_sha256"]
    assert enoch("unpack", str(out), "-o", str(tmp_path / "files")).exit_code == 0
    assert tree_bytes(tmp_path / "files") == FILES | {"empty.txt": b""}


def test_stdin_and_expect(enoch: Enoch, tmp_path: Path, revealed: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    batch, txs = revealed
    batch_id = hashlib.sha256((batch / "manifest.json").read_bytes()).hexdigest()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("\n".join(txs).encode())))
    res = enoch("inscribe", "extract", "-", "-o", str(tmp_path / "x"), "--expect", batch_id.upper(), "--root", batch_id_root(batch), "--json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["batch_id"] == res.json()["manifest_sha256"] == batch_id  # printed next to the root
    wrong = ("0" if batch_id[0] != "0" else "1") + batch_id[1:]
    res = enoch("inscribe", "extract", str(write_txs(tmp_path / "t.hex", txs)), "-o", str(tmp_path / "y"), "--expect", wrong)
    assert res.exit_code == 1 and wrong in res.stderr
    assert not (tmp_path / "y").exists()


def batch_id_root(batch: Path) -> str:
    import json

    root: str = json.loads((batch / "manifest.json").read_bytes())["root"]
    return root


def test_missing_shards_are_named(enoch: Enoch, tmp_path: Path, revealed: tuple[Path, list[str]]) -> None:
    _, txs = revealed
    res = enoch("inscribe", "extract", str(write_txs(tmp_path / "t.hex", txs[:1] + txs[2:])), "-o", str(tmp_path / "x"), "--json")
    assert res.exit_code == 1
    message = res.json()["error"]["message"]
    assert "missing (leaf indices" in message
    assert not (tmp_path / "x").exists()
    # Without the first reveal (it carries the manifest) there is no manifest.
    res = enoch("inscribe", "extract", str(write_txs(tmp_path / "u.hex", txs[1:])), "-o", str(tmp_path / "x"))
    assert res.exit_code == 1 and "manifest inscription" in res.stderr


def test_tampered_body_fails_verification_and_writes_nothing(enoch: Enoch, tmp_path: Path, revealed: tuple[Path, list[str]]) -> None:
    batch, txs = revealed
    shard = (batch / "shards" / "000001.gz").read_bytes()
    needle = shard[100:140].hex()
    hit = [i for i, t in enumerate(txs) if needle in t]
    assert len(hit) == 1
    i = hit[0]
    pos = txs[i].index(needle) + 10
    flipped = txs[i][:pos] + ("0" if txs[i][pos] != "0" else "1") + txs[i][pos + 1 :]
    bad = txs[:i] + [flipped] + txs[i + 1 :]
    res = enoch("inscribe", "extract", str(write_txs(tmp_path / "t.hex", bad)), "-o", str(tmp_path / "x"))
    assert res.exit_code == 1 and "shard 000001" in res.stderr
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob(".x*"))


def test_other_inscriptions_and_several_batches(enoch: Enoch, tmp_path: Path, revealed: tuple[Path, list[str]]) -> None:
    batch, txs = revealed
    other = make_batch(tmp_path, {"o.txt": b"other batch\n"}, name="other")
    other_txs = plan_and_reveal(enoch, other, tmp_path / "plan2", salt=7)
    stranger = witness_tx(bytes(33) + b"\xac" + build_envelope(Inscription(body=b"hi", content_type=b"text/plain")))
    files = [str(write_txs(tmp_path / "t.hex", txs + other_txs + [stranger]))]
    res = enoch("inscribe", "extract", *files, "-o", str(tmp_path / "x"), "--json")
    assert res.exit_code == 2
    message = res.json()["error"]["message"]
    assert batch_id_root(batch) in message and batch_id_root(other) in message
    res = enoch("inscribe", "extract", *files, "-o", str(tmp_path / "x"), "--root", batch_id_root(other), "--json")
    assert res.exit_code == 0, res.stderr
    reasons = {i["reason"] for i in res.json()["ignored"]}
    assert "no metadata" in reasons and f"batch {batch_id_root(batch)}" in reasons
    assert tree_bytes(tmp_path / "x") == tree_bytes(other)
    res = enoch("inscribe", "extract", *files, "-o", str(tmp_path / "y"), "--root", "ab" * 32)
    assert res.exit_code == 1 and "ab" * 32 in res.stderr


@pytest.mark.parametrize(
    ("content", "code"),
    [("", 2), ("zz", 65), ("00", 65), (witness_tx(b"\x51"), 1)],
    ids=["empty", "not-hex", "truncated", "no-inscriptions"],
)
def test_bad_input(enoch: Enoch, tmp_path: Path, content: str, code: int) -> None:
    (tmp_path / "t.hex").write_text(content)
    res = enoch("inscribe", "extract", str(tmp_path / "t.hex"), "-o", str(tmp_path / "x"))
    assert res.exit_code == code, res.stderr
    assert not (tmp_path / "x").exists()


def test_usage(enoch: Enoch, tmp_path: Path) -> None:
    assert enoch("inscribe", "extract", "-o", str(tmp_path / "x")).exit_code == 2
    assert enoch("inscribe", "extract", "-", "-", "-o", str(tmp_path / "x")).exit_code == 2
    assert enoch("inscribe", "extract", str(tmp_path / "nope.hex"), "-o", str(tmp_path / "x")).exit_code == 66
    assert enoch("inscribe", "extract", "-", "-o", str(tmp_path / "x"), "--root", "abc").exit_code == 65
    assert enoch("inscribe", "extract", "-", "-o", str(tmp_path / "x"), "--expect", "abc").exit_code == 2  # as verify --expect


@pytest.mark.parametrize("kind", ["bitcoind", "mempool"])
def test_from_a_node(enoch: Enoch, tmp_path: Path, revealed: tuple[Path, list[str]], kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    batch, txs = revealed
    monkeypatch.setenv("ENOCH_BITCOIND_AUTH", "user:pass")
    chain = FakeChain()
    txids = [parse_tx(bytes.fromhex(t)).txid for t in txs]
    chain.txs.update({txid: bytes.fromhex(t) for txid, t in zip(txids, txs, strict=True)})
    chain.mempool.extend(txids)
    chain.mine()
    with fake_node(chain) as url:
        res = enoch("inscribe", "extract", "--node", f"{kind}:{url}", *[a for t in txids for a in ("--txid", t)], "-o", str(tmp_path / "x"))
        assert res.exit_code == 0, res.stderr
        assert tree_bytes(tmp_path / "x") == tree_bytes(batch)
        # A node answering other bytes than the txid asked for is never believed.
        chain.lie_tx[txids[0]] = bytes.fromhex(txs[1])
        res = enoch("inscribe", "extract", "--node", f"{kind}:{url}", "--txid", txids[0], "-o", str(tmp_path / "y"))
        assert res.exit_code == 69 and not (tmp_path / "y").exists()


def test_node_usage(enoch: Enoch, tmp_path: Path) -> None:
    out = ["-o", str(tmp_path / "x")]
    assert enoch("inscribe", "extract", "--txid", "00" * 32, *out).exit_code == 2
    assert enoch("inscribe", "extract", "--node", "mempool:http://127.0.0.1:9", *out).exit_code == 2
    assert enoch("inscribe", "extract", "t.hex", "--node", "mempool:http://127.0.0.1:9", "--txid", "00" * 32, *out).exit_code == 2
    assert enoch("inscribe", "extract", "--node", "mempool:http://127.0.0.1:9", "--txid", "xyz", *out).exit_code == 65


def test_a_forged_claim_to_a_leaf_loses_to_the_real_shard(tmp_path: Path) -> None:
    """Anyone can inscribe a body with our metadata: when two inscriptions
    claim one leaf, the body whose leaf hash the manifest lists is used,
    whichever came first; with only the forgery, verification names the shard."""
    batch = small_batch(tmp_path)
    m = batch.manifest

    def meta(shard: int | None) -> InscriptionMetadata:
        return InscriptionMetadata(m.root, m.tree_size, shard)

    real = [Found(f"{i:064x}i0", meta(i), batch.shard_bytes(i)) for i in range(m.tree_size)]
    manifest = Found("ff" * 32 + "i0", meta(None), batch.manifest_bytes)
    forged = Found("ee" * 32 + "i0", meta(1), gzip_member(b"forged"))
    for order in ([forged] + real, real + [forged]):
        got = rebuild(Scan(found=[manifest] + order), m.root)
        assert got.shards[1] == batch.shard_bytes(1) and got.ids[1] == real[1].id
    got = rebuild(Scan(found=[manifest, forged] + real[:1] + real[2:]), m.root)
    assert got.ids[1] == forged.id
    with pytest.raises(VerificationError, match="shard 000001"):
        write_batch(got, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_two_different_manifests_for_one_root_need_expect(tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    m = batch.manifest
    meta = InscriptionMetadata(m.root, m.tree_size, None)
    shards = [Found(f"{i:064x}i0", InscriptionMetadata(m.root, m.tree_size, i), batch.shard_bytes(i)) for i in range(m.tree_size)]
    odd = Found("ee" * 32 + "i0", meta, b"{}")
    scan_ = Scan(found=[Found("ff" * 32 + "i0", meta, batch.manifest_bytes), odd] + shards)
    with pytest.raises(VerificationError, match="--expect"):
        rebuild(scan_, m.root)
    got = rebuild(scan_, m.root, hashlib.sha256(batch.manifest_bytes).digest())
    assert got.manifest_bytes == batch.manifest_bytes


@pytest.mark.parametrize("compressor", ["zopfli", "brotli"])
def test_round_trip_with_other_compressors(enoch: Enoch, tmp_path: Path, compressor: str) -> None:
    files = {"a.json": b'{"k": 1}\n' * 5000, "b.bin": noise(20_000)}
    batch = make_batch(tmp_path, files, shard_size=8192, compressor=compressor)
    txs = plan_and_reveal(enoch, batch, tmp_path / "plan")
    res = enoch("inscribe", "extract", str(write_txs(tmp_path / "t.hex", txs)), "-o", str(tmp_path / "x"))
    assert res.exit_code == 0, res.stderr
    assert tree_bytes(tmp_path / "x") == tree_bytes(batch)
    assert enoch("unpack", str(tmp_path / "x"), "-o", str(tmp_path / "files")).exit_code == 0
    assert tree_bytes(tmp_path / "files") == files
