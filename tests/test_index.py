"""PLAN/index.json (SPEC T, "Index"): strict enoch-index/1, round trip, golden
bytes, and the ids reveal records equal the ids ord assigns."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from inscriptions.plans.index import INDEX_NAME, InscriptionIndex, inscription_id
from inscriptions.transactions.network import parse_address
from inscriptions.plans.plan import make_plan
from inscriptions.plans.planfile import load_plan
from inscriptions.plans.reveal import open_batch, parse_fundings, reveal_all
from tests import independent
from tests.batchkit import SIGNET_P2WPKH, make_batch, noise
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError

TXID = "ab" * 32
ROOT, SHA = bytes(range(32)), bytes(range(32, 64))


def sample() -> InscriptionIndex:
    return InscriptionIndex.empty("signet", ROOT, 3, SHA).with_ids(f"{'11' * 32}i0", {0: f"{'11' * 32}i1", 2: f"{'22' * 32}i10"})


def test_round_trip_and_golden_bytes() -> None:
    for index in (InscriptionIndex.empty("mainnet", ROOT, 1, SHA), sample()):
        assert InscriptionIndex.from_bytes(index.to_bytes()) == index
    data = sample().to_bytes()
    assert data.endswith(b"}\n") and json.loads(data)["leaves"][1] is None
    assert list(json.loads(data)) == ["format", "leaves", "manifest_id", "manifest_sha256", "network", "root", "tree_size"]
    # Golden: the canonical bytes of this index never change.
    assert hashlib.sha256(data).hexdigest() == "c380a0b8660b15af9a43231455b1bf7fc201b1a06999fbce39c336bb839853fb"


def _doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(sample().to_bytes())
    return doc


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(format="enoch-index/2"),
        lambda d: d.update(extra=1),
        lambda d: d.pop("manifest_id"),
        lambda d: d.update(network="moon"),
        lambda d: d.update(root="00" * 31),
        lambda d: d.update(root=("AB" * 32)),
        lambda d: d.update(tree_size=0),
        lambda d: d.update(tree_size=2**32 + 1),
        lambda d: d.update(tree_size=4),  # leaves no longer tree_size long
        lambda d: d["leaves"].append(None),
        lambda d: d.update(leaves="x"),
        lambda d: d.update(manifest_id=f"{'11' * 32}i01"),  # leading zero
        lambda d: d.update(manifest_id=f"{'11' * 32}i4294967296"),  # beyond 2**32 - 1
        lambda d: d.update(manifest_id=f"{'11' * 32}"),
        lambda d: d.update(manifest_id=f"{'1' * 63}i0"),
        lambda d: d.update(manifest_id=f"{'AB' * 32}i0"),
        lambda d: d.update(manifest_id=7),
        lambda d: d["leaves"].__setitem__(0, f"{'11' * 32}i-1"),
        lambda d: d["leaves"].__setitem__(0, False),
    ],
)
def test_refuses_malformed(change: Any) -> None:
    doc = _doc()
    change(doc)
    with pytest.raises(MalformedInputError):
        InscriptionIndex.from_bytes(canonical_dumps(doc) + b"\n")


def test_refuses_non_canonical_bytes_and_truncation() -> None:
    data = sample().to_bytes()
    for bad in (data[:-1], data + b"\n", data.replace(b",", b", ", 1), b" " + data, data[: len(data) // 2]):
        with pytest.raises(MalformedInputError):
            InscriptionIndex.from_bytes(bad)


def test_inscription_id_shape() -> None:
    assert inscription_id("ab" * 32, 0) == "ab" * 32 + "i0"
    for txid, n in (("AB" * 32, 0), ("ab" * 31, 0), ("ab" * 32, -1), ("ab" * 32, 2**32)):
        with pytest.raises(MalformedInputError):
            inscription_id(txid, n)


def _planned(tmp_path: Path) -> tuple[Any, bytes, Any]:
    path = make_batch(tmp_path, {"a.bin": noise(450_000, 3), "b.txt": b"x" * 50}, shard_size=120_000)
    from inscriptions.batch.verify import verify_batch

    make_plan(verify_batch(path), tmp_path / "plan", destination=parse_address(SIGNET_P2WPKH, "signet"), postage=10_000,
              relay="standard", fee_rate=Decimal(1), ceiling=Decimal(5))  # fmt: skip
    plan, secret = load_plan(tmp_path / "plan")
    assert len(plan.groups) >= 2 and len(plan.groups[0].items) >= 2  # pointers in play
    return plan, secret, open_batch(plan, None)


def test_reveal_ids_are_ords_and_index_merges(tmp_path: Path) -> None:
    plan, secret, batch = _planned(tmp_path)
    pdir = tmp_path / "plan"
    fund = {g.group: f"{g.group}={TXID}:{g.group}:{g.fund_sats}" for g in plan.groups}
    # Reveal the last group first, then the others in a second call: nothing is lost.
    later = plan.groups[-1].group
    [first] = reveal_all(pdir, plan, secret, parse_fundings([fund[later]], plan), batch)
    index = InscriptionIndex.from_bytes((pdir / INDEX_NAME).read_bytes())
    assert index.manifest_id is None and index.leaves.count(None) == plan.tree_size - len(plan.groups[-1].items)
    rest = reveal_all(pdir, plan, secret, parse_fundings([fund[g.group] for g in plan.groups[:-1]], plan), batch)
    index = InscriptionIndex.from_bytes((pdir / INDEX_NAME).read_bytes())
    assert None not in index.leaves and index.manifest_id is not None
    assert (index.network, index.root, index.tree_size) == ("signet", plan.root, plan.tree_size)
    # Every id is the one ord assigns to that envelope of that reveal.
    expected: dict[int | None, str] = {}
    for r, g in zip([*rest, first], [*plan.groups[:-1], plan.groups[-1]], strict=True):
        ord_ids = independent.ord_inscription_ids(r.tx.raw)
        assert len(ord_ids) == len(g.items)
        expected.update({item.shard: i for item, i in zip(g.items, ord_ids, strict=True)})
    assert index.manifest_id == expected[None] and expected[None].endswith("i0")
    assert list(index.leaves) == [expected[leaf] for leaf in range(plan.tree_size)]
    # A re-run changes nothing.
    before = (pdir / INDEX_NAME).read_bytes()
    reveal_all(pdir, plan, secret, parse_fundings(list(fund.values()), plan), batch)
    assert (pdir / INDEX_NAME).read_bytes() == before


def test_reveal_reports_ids_per_transaction(enoch: Any, tmp_path: Path) -> None:
    plan, _, _ = _planned(tmp_path)
    g = plan.groups[0]
    r = enoch("inscribe", "reveal", str(tmp_path / "plan"), "--funding", f"0={TXID}:0:{g.fund_sats}", "--json")
    assert r.exit_code == 0, r.stderr
    [tx] = r.json()["transactions"]
    ids = independent.ord_inscription_ids(bytes.fromhex(tx["hex"]))
    assert tx["inscriptions"] == [
        {"id": i, "kind": "manifest" if item.shard is None else "shard", "leaf": item.shard}
        for i, item in zip(ids, g.items, strict=True)
    ]
    assert r.json()["index"] == str(tmp_path / "plan" / INDEX_NAME)
    # decode numbers the envelopes the same way.
    decoded = enoch("inscribe", "decode", tx["hex"], "--json")
    assert [i["id"] for i in decoded.json()["inscriptions"]] == ids
    assert f"inscriptions {ids[0]}..i{len(ids) - 1} (manifest, shards 0..{len(ids) - 2})" in r.stderr


def test_index_of_another_batch_is_refused(tmp_path: Path) -> None:
    plan, secret, batch = _planned(tmp_path)
    other = InscriptionIndex.empty("signet", bytes(32), plan.tree_size, plan.manifest_sha256)
    (tmp_path / "plan" / INDEX_NAME).write_bytes(other.to_bytes())
    g = plan.groups[0]
    with pytest.raises(MalformedInputError, match="another batch"):
        reveal_all(tmp_path / "plan", plan, secret, parse_fundings([f"0={TXID}:0:{g.fund_sats}"], plan), batch)


def test_failure_half_way_keeps_the_ids_already_signed(tmp_path: Path) -> None:
    plan, secret, batch = _planned(tmp_path)
    last = plan.groups[-1]
    shard = next(i.shard for i in last.items if i.shard is not None)
    path = tmp_path / "batch" / "shards" / f"{shard:06d}.gz"
    path.write_bytes(bytes([path.read_bytes()[0] ^ 1]) + path.read_bytes()[1:])  # the batch changed since plan
    fund = [f"{g.group}={TXID}:{g.group}:{g.fund_sats}" for g in plan.groups]
    from toolkit.core.errors import VerificationError

    with pytest.raises(VerificationError):
        reveal_all(tmp_path / "plan", plan, secret, parse_fundings(fund, plan), batch)
    index = InscriptionIndex.from_bytes((tmp_path / "plan" / INDEX_NAME).read_bytes())
    signed = [i for i in index.leaves if i is not None]
    assert index.manifest_id is not None and signed and index.leaves[shard] is None
    assert len(list((tmp_path / "plan" / "reveals").iterdir())) == len(plan.groups) - 1
