"""plan -> reveal -> broadcast under SIGKILL at random points (real
subprocesses against a fake node on 127.0.0.1): a rerun always finishes with
the same transactions, and no funding ever gets a second, different reveal
(issue 8, "state.json survives a kill at every step")."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from inscriptions.transactions.rawtx import parse_tx
from tests.batchkit import SIGNET_P2TR, make_batch, noise
from tests.broadcastkit import funding_tx, spend_policy
from tests.fakenode import FakeChain, fake_node
from tests.killkit import ENV, KILLS, killed_then_finished, reveal_files, run, timed


def test_flow_survives_sigkill_at_random_points(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("ENOCH_KILL_SEED", "8")))
    KILLS.clear()
    batch = make_batch(tmp_path, {"a.bin": noise(450_000, 1), "b.bin": noise(400_000, 2)}, shard_size=390_000)
    plan_dir = tmp_path / "plan"
    plan_args = ["inscribe", "plan", str(batch), "-o", str(plan_dir), "--destination", SIGNET_P2TR,
                 "--network", "signet", "--fee-rate", "1", "--relay", "standard", "--postage", "546"]  # fmt: skip
    plan_span = timed([*plan_args[:4], str(tmp_path / "plan-calib"), *plan_args[5:]])
    killed_then_finished(plan_args, rng, plan_span, done=plan_dir)
    plan = json.loads((plan_dir / "plan.json").read_text())
    chain = FakeChain()
    chain.refuse = spend_policy(chain)
    raw = funding_tx([(g["fund_sats"], bytes.fromhex(g["commit_script_pubkey"])) for g in plan["groups"]])
    funding = parse_tx(raw).txid
    chain.txs[funding] = raw
    chain.mempool.append(funding)
    chain.mine()
    fund_args = [a for g in plan["groups"] for a in ("--funding", f"{g['group']}={funding}:{g['group']}:{g['fund_sats']}")]
    # Calibrate: how long reveal and broadcast take here, on a copy against its own node.
    shutil.copytree(plan_dir, tmp_path / "calib")
    calib_chain = FakeChain(txs=dict(chain.txs), headers=list(chain.headers), block_txids=[list(b) for b in chain.block_txids])
    reveal_span = timed(["inscribe", "reveal", str(tmp_path / "calib"), *fund_args])
    with fake_node(calib_chain) as url:
        send_span = timed(["inscribe", "broadcast", str(tmp_path / "calib"), "--node", f"bitcoind:{url}"])
    expected = reveal_files(tmp_path / "calib")
    with fake_node(chain) as url:
        killed_then_finished(["inscribe", "reveal", str(plan_dir), *fund_args], rng, reveal_span)
        reveals = reveal_files(plan_dir)
        assert reveals == expected  # the same bytes as an uninterrupted run
        for _ in range(2):  # kill broadcast twice (the second run finds the first's sends in the mempool)
            killed_then_finished(["inscribe", "broadcast", str(plan_dir), "--node", f"bitcoind:{url}"], rng, send_span)
        for _ in range(2):  # reveal again under kills: never a different file
            killed_then_finished(["inscribe", "reveal", str(plan_dir), *fund_args], rng, reveal_span)
        assert reveal_files(plan_dir) == reveals
    # One reveal file per group, and the chain saw exactly those transactions.
    assert len(reveals) == len(plan["groups"])
    txids = sorted(parse_tx(bytes.fromhex(r.decode().strip())).txid for r in reveals.values())
    assert sorted(chain.mempool) == txids
    spends: dict[tuple[str, int], set[str]] = {}
    for txid, tx_raw in chain.txs.items():
        for txin in parse_tx(tx_raw).inputs:
            spends.setdefault((txin.txid, txin.vout), set()).add(txid)
    assert all(len(s) == 1 for s in spends.values())  # never two different spends of one funding
    state = json.loads((plan_dir / "state.json").read_bytes())
    assert {a["txid"] for a in state["attempts"]} <= set(txids)
    # Every reveal was finally accepted (a killed run may leave "sending" behind, never a different txid).
    assert {a["txid"] for a in state["attempts"] if a["result"] == "accepted" and a["step"] == "sendrawtransaction"} | {
        t for t in txids if t in chain.mempool
    } == set(txids)
    assert KILLS.count(True) >= 3, f"too few runs were killed ({KILLS}): the random points fell after the end"


def test_kill_between_sent_and_recorded(tmp_path: Path) -> None:
    """The worst moment: the node has the reveal, state.json still says
    "sending".  The rerun finds it at the node and sends nothing different."""
    batch = make_batch(tmp_path, {"a.bin": noise(300_000, 4)}, shard_size=390_000)
    plan_dir = tmp_path / "plan"
    run(["inscribe", "plan", str(batch), "-o", str(plan_dir), "--destination", SIGNET_P2TR,
         "--network", "signet", "--fee-rate", "1", "--relay", "standard", "--postage", "546"])  # fmt: skip
    plan = json.loads((plan_dir / "plan.json").read_text())
    chain = FakeChain()
    raw = funding_tx([(g["fund_sats"], bytes.fromhex(g["commit_script_pubkey"])) for g in plan["groups"]])
    funding = parse_tx(raw).txid
    chain.txs[funding] = raw
    chain.mempool.append(funding)
    chain.mine()
    run(["inscribe", "reveal", str(plan_dir), *[a for g in plan["groups"]
         for a in ("--funding", f"{g['group']}={funding}:{g['group']}:{g['fund_sats']}")]])  # fmt: skip
    (reveal,) = [parse_tx(bytes.fromhex(p.read_text().strip())).txid for p in (plan_dir / "reveals").glob("group-*.hex")]
    slow = threading.Event()

    def slow_accept(_raw: bytes) -> None | str:
        slow.set()
        time.sleep(1.0)  # the node holds the reveal while the client is killed
        return None

    chain.refuse = slow_accept
    state = plan_dir / "state.json"
    with fake_node(chain) as url:
        proc = subprocess.Popen([sys.executable, "-m", "toolkit", "inscribe", "broadcast", str(plan_dir), "--node",
                                 f"mempool:{url}"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        assert slow.wait(30)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        recorded = json.loads(state.read_bytes())["attempts"]
        assert [(a["txid"], a["step"], a["result"]) for a in recorded] == [(reveal, "POST /api/tx", "sending")]
        time.sleep(1.3)  # the node finishes accepting it
        assert chain.mempool == [reveal]
        chain.refuse = lambda _raw: None
        result = subprocess.run([sys.executable, "-m", "toolkit", "inscribe", "broadcast", str(plan_dir), "--node",
                                 f"mempool:{url}", "--json"], env=ENV, capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [(g["action"], g["txid"]) for g in json.loads(result.stdout)["groups"]] == [("in-mempool", reveal)]
    assert chain.mempool == [reveal] and list(chain.txs) == [funding, reveal]  # nothing else ever reached the node
