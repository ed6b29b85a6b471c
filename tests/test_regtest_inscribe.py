"""enoch's real transactions on Bitcoin Core's consensus engine: pack the
sample, plan for regtest, fund every commit address from the harness, sign
the reveals, and get each one through bitcoind's RPC checks into a block
libbitcoinkernel accepts; a recover sweep confirms too, and a tampered
reveal is refused by the kernel and by sendrawtransaction.  The fee source
is the harness's own ``estimatesmartfee`` over JSON-RPC."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import fixture_path
from tests.regtest.client import RpcFailure
from tests.regtest.fixtures import regtest_node  # noqa: F401 - the fixture
from tests.regtest.harness import Regtest
from tests.regtest.kernel import BlockRejected
from tests.regtest.keys import TaprootKey

Enoch = Callable[..., Any]
DESTINATION = TaprootKey(b"inscriptions")
SWEEP = TaprootKey(b"sweep")


def _broadcast_and_mine(node: Regtest, raw_hex: str) -> str:
    """testmempoolaccept, sendrawtransaction, mine: the block hash, after
    checking the transaction is in the kernel's new tip."""
    (verdict,) = node.rpc("testmempoolaccept", [raw_hex])
    assert verdict["allowed"] is True, verdict
    txid = node.rpc("sendrawtransaction", raw_hex)
    height = node.rpc("getblockcount")
    (block,) = node.mine(1)
    assert node.rpc("getblockcount") == height + 1 and node.rpc("getbestblockhash") == block
    found = node.rpc("getrawtransaction", txid, True)
    assert (found["blockhash"], found["confirmations"], found["hex"]) == (block, 1, raw_hex)
    return block


def _tamper_body(raw_hex: str) -> str:
    """Flip one byte inside the reveal script's inscription bodies."""
    raw = bytearray.fromhex(raw_hex)
    middle = len(raw) // 2  # deep inside the witness: a body push
    raw[middle] ^= 0x01
    return raw.hex()


def test_enoch_reveals_and_recover_are_accepted_by_the_kernel(
    enoch: Enoch, tmp_path: Path, regtest_node: Regtest, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    node = regtest_node
    node.fee_rate = 2
    monkeypatch.setenv("ENOCH_BITCOIND_COOKIE", str(node.cookie_path))
    fees = enoch("fees", "--fee-source", f"bitcoind:{node.url}", "--json")
    assert fees.exit_code == 0, fees.stderr
    assert fees.json()["fee_rate"] == "2"

    batch, plan = tmp_path / "batch", tmp_path / "plan"
    packed = enoch("pack", str(fixture_path("sample")), "-o", str(batch), "--shard-size", "131072", "--jobs", "1", "--json")
    assert packed.exit_code == 0, packed.stderr
    planned = enoch(
        "inscribe", "plan", str(batch), "-o", str(plan), "--network", "regtest", "--fee-rate", "2",
        "--destination", DESTINATION.address, "--relay", "standard", "--json",
    )  # fmt: skip
    assert planned.exit_code == 0, planned.stderr
    groups = planned.json()["groups"]
    assert len(groups) >= 3 and all(g["commit_address"].startswith("bcrt1p") for g in groups)
    fundings = {g["group"]: (*node.fund(g["commit_address"], g["fund_sats"]), g["fund_sats"]) for g in groups}
    *to_reveal, held = groups
    args = [a for g in to_reveal for a in ("--funding", "{0}={1}:{2}:{3}".format(g["group"], *fundings[g["group"]]))]
    revealed = enoch("inscribe", "reveal", str(plan), *args, "--json")
    assert revealed.exit_code == 0, revealed.stderr
    reveals = revealed.json()["transactions"]
    assert [t["group"] for t in reveals] == [g["group"] for g in to_reveal]

    # A reveal with one flipped body byte: refused by mempool policy and, in a block, by the kernel.
    bad = _tamper_body(reveals[0]["hex"])
    with pytest.raises(RpcFailure) as refused:
        node.rpc("sendrawtransaction", bad)
    assert refused.value.code == -26 and "script-verify-flag-failed" in refused.value.message
    tip = node.rpc("getbestblockhash")
    with pytest.raises(BlockRejected) as rejected:
        node.mine_txs([bad])
    assert "script-verify-flag-failed" in rejected.value.reason
    assert node.rpc("getbestblockhash") == tip

    for tx in reveals:
        _broadcast_and_mine(node, tx["hex"])
        for n in range(len(node.rpc("getrawtransaction", tx["txid"], True)["vout"])):
            out = node.rpc("gettxout", tx["txid"], n)
            assert out["scriptPubKey"]["address"] == DESTINATION.address
    for g in to_reveal:  # every commit output is spent
        assert node.rpc("gettxout", fundings[g["group"]][0], fundings[g["group"]][1]) is None

    recovered = enoch(
        "inscribe", "recover", str(plan), "--funding", "{0}={1}:{2}:{3}".format(held["group"], *fundings[held["group"]]),
        "--to", SWEEP.address, "--fee-rate", "2", "--json",
    )  # fmt: skip
    assert recovered.exit_code == 0, recovered.stderr
    sweep = recovered.json()
    _broadcast_and_mine(node, sweep["hex"])
    out = node.rpc("gettxout", sweep["txid"], 0)
    assert out["scriptPubKey"]["address"] == SWEEP.address and round(out["value"] * 100_000_000) == sweep["amount_sats"]


def test_enochs_node_client_reads_and_submits_through_the_kernel_node(regtest_node: Regtest) -> None:  # noqa: F811
    from toolkit.sources.nodes import TxRejected, open_node

    from tests.regtest.codec import internal_bytes
    from tests.regtest.keys import build_spend

    node = regtest_node
    client = open_node(f"bitcoind:{node.url}", environ={"ENOCH_BITCOIND_COOKIE": str(node.cookie_path)})
    txid, vout = node.fund(SWEEP.address, 50_000)
    assert client.tip_height() == node.node.kernel.height() == 102
    tip = client.block_hash_internal_at(102)
    assert tip == node.node.kernel.tip_hash() and len(client.header(tip)) == 80
    status = client.tx_status(txid)
    assert status is not None and (status.confirmations, status.block_height, status.block_hash_internal) == (1, 102, tip)
    good = build_spend(SWEEP, [(internal_bytes(txid), vout, 50_000)], [(DESTINATION.script_pubkey, 49_000)])
    bad = bytes.fromhex(_tamper_body(good.hex()))
    verdict = client.test_accept(bad)
    assert verdict is not None and not verdict[0] and verdict[1].startswith("mandatory-script-verify-flag-failed")
    with pytest.raises(TxRejected) as refused:
        client.send_tx(bad)
    assert refused.value.rpc_code == -26
    assert client.test_accept(good) == (True, "")
    sent = client.send_tx(good)
    pending = client.tx_status(sent)
    assert pending is not None and pending.confirmations == 0 and client.raw_tx(sent) == good
    node.mine(1)
    mined = client.tx_status(sent)
    assert mined is not None and mined.confirmations == 1 and mined.block_height == 103
