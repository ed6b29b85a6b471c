"""Issue 8 end to end on Bitcoin Core's consensus code (libbitcoinkernel via
the tests/regtest harness, served over JSON-RPC on 127.0.0.1): pack, plan,
fund every group in ONE transaction the harness signs from `enoch inscribe
fund` output, reveal --funding-tx, broadcast, bump a broadcast reveal and
broadcast the bump (it replaces the first in the mempool) and mine it, status (confirmations, the version that confirmed, funding
amounts read from the chain, inscription ids equal to index.json), recover a
held-back group, and a broadcast of a reveal whose commit output was swept is
refused by the node; a stored reveal with a flipped signature bit is refused
by the kernel's script check through `broadcast` (testmempoolaccept)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inscriptions.transactions.rawtx import parse_tx
from tests.fixtures import fixture_path
from tests.regtest.fixtures import regtest_node  # noqa: F401 - the fixture
from tests.regtest.harness import Regtest
from tests.regtest.kernel import BlockRejected
from tests.regtest.keys import TaprootKey
from tests.regtest_funding import core_outputs, pay_in_one_transaction

Enoch = Callable[..., Any]
DESTINATION = TaprootKey(b"inscriptions")
SWEEP = TaprootKey(b"sweep")
CHANGE = TaprootKey(b"change")


def test_pack_to_confirmed_inscriptions_on_the_kernel(
    enoch: Enoch, tmp_path: Path, regtest_node: Regtest, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    node = regtest_node
    node.fee_rate = 2
    monkeypatch.setenv("ENOCH_BITCOIND_COOKIE", str(node.cookie_path))
    src = f"bitcoind:{node.url}"
    batch, plan = tmp_path / "batch", tmp_path / "plan"
    packed = enoch("pack", str(fixture_path("sample")), "-o", str(batch), "--shard-size", "131072", "--jobs", "1", "--json")
    assert packed.exit_code == 0, packed.stderr
    planned = enoch(
        "inscribe", "plan", str(batch), "-o", str(plan), "--network", "regtest", "--fee-source", src,
        "--destination", DESTINATION.address, "--relay", "standard", "--bump-headroom", "4",
        "--change", CHANGE.address, "--json",
    )  # fmt: skip
    assert planned.exit_code == 0, planned.stderr
    groups = planned.json()["groups"]
    assert len(groups) >= 3

    # Fund: one payment from the printed outputs; mined.
    fund = enoch("inscribe", "fund", str(plan), "--format", "core")
    assert fund.exit_code == 0, fund.stderr
    funding = pay_in_one_transaction(node, core_outputs(fund.stdout))
    node.mine(1)
    (tmp_path / "funding.hex").write_text(funding.hex() + "\n")
    revealed = enoch("inscribe", "reveal", str(plan), "--funding-tx", str(tmp_path / "funding.hex"), "--json")
    assert revealed.exit_code == 0, revealed.stderr
    reveals = {t["group"]: t for t in revealed.json()["transactions"]}
    assert sorted(reveals) == [g["group"] for g in groups]

    # Broadcast all groups but the last (held back for recover).
    *sent_groups, held = [g["group"] for g in groups]
    group_args = [a for g in sent_groups for a in ("--group", str(g))]
    sent = enoch("inscribe", "broadcast", str(plan), "--node", src, *group_args, "--json")
    assert sent.exit_code == 0, sent.stderr
    assert [(g["group"], g["action"], g["txid"]) for g in sent.json()["groups"]] == [
        (g, "sent", reveals[g]["txid"]) for g in sent_groups
    ]
    # Bump one of them while it waits in the mempool, broadcast the bump: it replaces the first
    # reveal there (BIP 125, Core's rules in the harness), and that is what gets mined.
    bumped = sent_groups[-1]
    bump = enoch("inscribe", "bump", str(plan), "--group", str(bumped), "--fee-rate", "4", "--json")
    assert bump.exit_code == 0, bump.stderr
    (v2,) = bump.json()["transactions"]
    assert v2["version"] == 2 and v2["fee_sats"] > reveals[bumped]["fee_sats"]
    replaced = enoch("inscribe", "broadcast", str(plan), "--node", src, "--group", str(bumped), "--json")
    assert replaced.exit_code == 0, replaced.stderr
    assert [(g["group"], g["action"], g["txid"]) for g in replaced.json()["groups"]] == [(bumped, "sent", v2["txid"])]
    final_txid = {g: reveals[g]["txid"] for g in sent_groups} | {bumped: v2["txid"]}
    assert sorted(node.rpc("getrawmempool")) == sorted(final_txid.values())  # the first version evicted
    height = node.rpc("getblockcount")
    node.mine(1)
    assert node.rpc("getblockcount") == height + 1
    for g in sent_groups:  # in the kernel's chain, not just accepted by a mempool
        assert node.rpc("getrawtransaction", final_txid[g], True)["confirmations"] == 1
    with pytest.raises(BlockRejected):  # the replaced reveal can never be mined now
        node.mine_txs([reveals[bumped]["hex"]])
    node.mine(2)
    status = enoch("inscribe", "status", str(plan), "--node", src, "--json")
    assert status.exit_code == 0, status.stderr
    index = json.loads((plan / "index.json").read_text())
    by_group = {g["group"]: g for g in status.json()["groups"]}
    ids: list[str] = []
    for g in sent_groups:
        s = by_group[g]
        assert s["confirmed_txid"] == final_txid[g]
        confirmed = next(v for v in s["reveals"] if v["txid"] == final_txid[g])
        assert (confirmed["confirmations"], confirmed["block_height"]) == (3, height + 1)
        assert s["funding"]["amount_from"] == "node" and s["funding"]["amount_sats"] == groups[g]["fund_sats"]
        assert s["inscription_ids"] == [f"{final_txid[g]}i{n}" for n in range(len(groups[g]["inscriptions"]))]
        ids += s["inscription_ids"]
    # Both signed versions of the bumped group are shown; the first never confirmed.
    assert [(v["version"], v["confirmations"]) for v in by_group[bumped]["reveals"]] == [(1, None), (2, 3)]
    assert [i["id"] for i in v2["inscriptions"]] == by_group[bumped]["inscription_ids"]
    # index.json (written by reveal and bump) holds the ids of what confirmed.
    assert index["manifest_id"] == by_group[0]["inscription_ids"][0]
    assert set(ids) - {index["manifest_id"]} == {i for i in index["leaves"] if i is not None} - set(
        by_group[held]["inscription_ids"]
    )
    again = enoch("inscribe", "broadcast", str(plan), "--node", src, *group_args, "--json")
    assert [g["action"] for g in again.json()["groups"]] == ["confirmed"] * len(sent_groups)

    # The held-back reveal with one signature bit flipped (same txid: the witness is not
    # part of it; the script still matches the plan, so enoch's own check passes): the
    # kernel's script check refuses it through testmempoolaccept, and nothing is sent.
    stored = Path(reveals[held]["file"])
    good = stored.read_text()
    raw = bytearray.fromhex(good.strip())
    signature = parse_tx(bytes(raw)).witnesses[0][0]
    assert len(signature) == 64
    raw[raw.index(signature)] ^= 0x01
    stored.write_text(raw.hex() + "\n")
    tampered = enoch("inscribe", "broadcast", str(plan), "--node", src, "--group", str(held), "--json")
    assert tampered.exit_code == 69 and "script-verify-flag-failed" in tampered.json()["error"]["message"]
    stored.write_text(good)

    # Recover the held-back group: its sweep confirms; its reveal can no longer be broadcast.
    f = reveals[held]["funding"]
    recovered = enoch(
        "inscribe", "recover", str(plan), "--funding", f"{held}={f['txid']}:{f['vout']}:{f['sats']}",
        "--to", SWEEP.address, "--fee-rate", "2", "--json",
    )  # fmt: skip
    assert recovered.exit_code == 0, recovered.stderr
    node.rpc("sendrawtransaction", recovered.json()["hex"])
    node.mine(1)
    assert node.rpc("gettxout", f["txid"], f["vout"]) is None
    again = enoch("inscribe", "broadcast", str(plan), "--node", src, "--json")
    assert again.exit_code == 69 and again.json()["error"]["code"] == "tx_rejected"
    assert "missing-inputs" in again.json()["error"]["message"]  # Core's testmempoolaccept reason
    final = enoch("inscribe", "status", str(plan), "--node", src, "--json").json()
    assert [g["confirmed_txid"] is not None for g in final["groups"]] == [g != held for g in range(len(groups))]
    assert final["groups"][held]["reveals"][0]["attempts"][-1]["result"] == "rejected"

