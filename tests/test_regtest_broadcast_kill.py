"""The kill test on Bitcoin Core's consensus code: reveal and broadcast under
SIGKILL at random points (subprocesses) against the kernel-backed regtest
node; every rerun finishes, the reveals are byte-identical to an
uninterrupted signing, and the blocks the kernel accepts hold exactly one
spend of each commit output: those reveals."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest

from inscriptions.transactions.rawtx import parse_tx
from tests.batchkit import make_batch, noise
from tests.killkit import ENV, KILLS, killed_then_finished, reveal_files, run, timed
from tests.regtest.codec import address_to_script
from tests.regtest.fixtures import regtest_node  # noqa: F401 - the fixture
from tests.regtest.harness import Regtest
from tests.regtest.keys import TaprootKey
from tests.regtest_funding import pay_in_one_transaction

DESTINATION = TaprootKey(b"inscriptions")


def test_reveal_and_broadcast_survive_sigkill_on_the_kernel(
    tmp_path: Path, regtest_node: Regtest, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    rng = random.Random(int(os.environ.get("ENOCH_KILL_SEED", "12")))
    KILLS.clear()
    node = regtest_node
    monkeypatch.setitem(ENV, "ENOCH_BITCOIND_COOKIE", str(node.cookie_path))
    batch = make_batch(tmp_path, {"a.bin": noise(450_000, 5), "b.bin": noise(400_000, 6)}, shard_size=390_000)
    plan_dir = tmp_path / "plan"
    run(["inscribe", "plan", str(batch), "-o", str(plan_dir), "--destination", DESTINATION.address,
         "--network", "regtest", "--fee-rate", "2", "--relay", "standard"])  # fmt: skip
    plan = json.loads((plan_dir / "plan.json").read_text())
    # One funding transaction paying every group, signed by the harness wallet, mined.
    funding = pay_in_one_transaction(node, [(address_to_script(g["commit_address"]), g["fund_sats"]) for g in plan["groups"]])
    node.mine(1)
    (tmp_path / "funding.hex").write_text(funding.hex() + "\n")
    reveal_args = ["inscribe", "reveal", str(plan_dir), "--funding-tx", str(tmp_path / "funding.hex")]
    shutil.copytree(plan_dir, tmp_path / "calib")
    span = timed([*reveal_args[:2], str(tmp_path / "calib"), *reveal_args[3:]])
    expected = reveal_files(tmp_path / "calib")

    broadcast_args = ["inscribe", "broadcast", str(plan_dir), "--node", f"bitcoind:{node.url}"]
    for _ in range(2):
        killed_then_finished(reveal_args, rng, span)
        assert reveal_files(plan_dir) == expected
    for _ in range(2):
        killed_then_finished(broadcast_args, rng, span)
    assert KILLS.count(True) >= 2, f"too few runs were killed ({KILLS})"
    node.mine(1)
    reveals = {parse_tx(bytes.fromhex(r.decode().strip())).txid for r in expected.values()}
    assert len(reveals) == len(plan["groups"])
    for txid in reveals:  # every reveal is in the kernel's chain
        assert node.rpc("getrawtransaction", txid, True)["confirmations"] == 1
    funding_txid = parse_tx(funding).txid
    for g in plan["groups"]:  # every commit output spent, by its one reveal
        assert node.rpc("gettxout", funding_txid, g["group"]) is None
    state = json.loads((plan_dir / "state.json").read_bytes())
    assert {a["txid"] for a in state["attempts"]} == reveals
