"""enoch inscribe broadcast / status through the CLI against a fake node on
127.0.0.1 (both bitcoind JSON-RPC and Esplora REST): state.json written
before each send, over-400,000 WU reveals never sent, status per group."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from inscriptions.transactions.rawtx import parse_tx
from tests.batchkit import SIGNET_P2WPKH, noise
from tests.broadcastkit import Enoch, fund_all, funding_args, make_plan, spend_policy
from tests.fakenode import FakeChain, fake_node


@pytest.mark.parametrize("kind", ["bitcoind", "mempool"])
def test_broadcast_mine_status(enoch: Enoch, tmp_path: Path, kind: str) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path)
    assert len(groups) >= 2
    chain = FakeChain()
    chain.refuse = spend_policy(chain)
    funding = fund_all(chain, groups, plan_dir)
    revealed = enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, funding), "--json")
    assert revealed.exit_code == 0, revealed.stderr
    txids = [t["txid"] for t in revealed.json()["transactions"]]
    with fake_node(chain) as url:
        node = f"{kind}:{url}"
        before = enoch("inscribe", "status", str(plan_dir), "--node", node, "--json")
        assert before.exit_code == 0, before.stderr
        assert [g["reveals"][0]["confirmations"] for g in before.json()["groups"]] == [None] * len(groups)
        sent = enoch("inscribe", "broadcast", str(plan_dir), "--node", node, "--json")
        assert sent.exit_code == 0, sent.stderr
        assert [(g["action"], g["txid"]) for g in sent.json()["groups"]] == [("sent", t) for t in txids]
        assert chain.mempool == txids
        if kind == "bitcoind":  # testmempoolaccept first, then sendrawtransaction, per reveal
            sends = [c for c in chain.calls if c in ("testmempoolaccept", "sendrawtransaction")]
            assert sends == ["testmempoolaccept", "sendrawtransaction"] * len(txids)
        else:
            assert sum(c == "POST /api/tx" for c in chain.calls) == len(txids)
        again = enoch("inscribe", "broadcast", str(plan_dir), "--node", node, "--json")
        assert [g["action"] for g in again.json()["groups"]] == ["in-mempool"] * len(txids)
        chain.mine()
        chain.mine()
        after = enoch("inscribe", "status", str(plan_dir), "--node", node, "--json")
        assert after.exit_code == 0, after.stderr
        third = enoch("inscribe", "broadcast", str(plan_dir), "--node", node, "--json")
        assert [g["action"] for g in third.json()["groups"]] == ["confirmed"] * len(txids)
    for g, plan_group, txid in zip(after.json()["groups"], groups, txids):
        assert g["confirmed_txid"] == txid
        assert g["reveals"][0]["confirmations"] == 2 and g["reveals"][0]["block_height"] == 2
        assert g["funding"] == {"txid": funding, "vout": g["group"], "amount_sats": plan_group["fund_sats"], "amount_from": "node"}
        assert g["reveals"][0]["fee_sats"] == plan_group["fee_sats"]
        assert g["inscription_ids"] == [f"{txid}i{n}" for n in range(len(plan_group["inscriptions"]))]
        steps = [(a["step"], a["result"]) for a in g["reveals"][0]["attempts"]]
        assert steps == ([("testmempoolaccept", "accepted")] if kind == "bitcoind" else []) + [
            ("sendrawtransaction" if kind == "bitcoind" else "POST /api/tx", "accepted")
        ]
    offline = enoch("inscribe", "status", str(plan_dir), "--json").json()
    assert [g["funding"]["amount_from"] for g in offline["groups"]] == ["plan directory"] * len(txids)
    assert [g["funding"]["amount_sats"] for g in offline["groups"]] == [g["fund_sats"] for g in groups]
    text = enoch("inscribe", "status", str(plan_dir))
    assert text.exit_code == 0 and f"inscription {txids[0]}i0" in text.stdout


def test_state_is_written_before_the_send(enoch: Enoch, tmp_path: Path) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path)
    chain = FakeChain()
    funding = fund_all(chain, groups, plan_dir)
    enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, funding, only=[0]))
    seen: list[dict[str, object]] = []

    def refuse(raw: bytes) -> str | None:  # runs inside the node, while the send is in flight
        if chain.calls[-1] == "sendrawtransaction":
            seen.extend(json.loads((plan_dir / "state.json").read_bytes())["attempts"])
        return None

    chain.refuse = refuse
    with fake_node(chain) as url:
        assert enoch("inscribe", "broadcast", str(plan_dir), "--node", f"bitcoind:{url}").exit_code == 0
    assert seen[-1]["step"] == "sendrawtransaction" and seen[-1]["result"] == "sending"
    final = json.loads((plan_dir / "state.json").read_bytes())
    assert final["format"] == "enoch-state/1" and final["attempts"][-1]["result"] == "accepted"


def test_refused_reveal_is_recorded_and_exits_69(enoch: Enoch, tmp_path: Path) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path)
    chain = FakeChain()
    chain.refuse = spend_policy(chain)
    # Reveals signed for an outpoint the node has never seen: refused by testmempoolaccept.
    missing = "ab" * 32
    assert enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, missing)).exit_code == 0
    with fake_node(chain) as url:
        result = enoch("inscribe", "broadcast", str(plan_dir), "--node", f"bitcoind:{url}", "--group", "1", "--json")
        assert result.exit_code == 69
        assert result.json()["error"]["code"] == "tx_rejected" and "missingorspent" in result.json()["error"]["message"]
        assert "sendrawtransaction" not in chain.calls and chain.mempool == []
        status = enoch("inscribe", "status", str(plan_dir), "--json").json()
    attempts = status["groups"][1]["reveals"][0]["attempts"]
    assert [(a["step"], a["result"], a["answer"]) for a in attempts] == [
        ("testmempoolaccept", "rejected", "bad-txns-inputs-missingorspent")
    ]
    assert all(not g["reveals"][0]["attempts"] for i, g in enumerate(status["groups"]) if i != 1)


def test_mempool_refusal_is_recorded(enoch: Enoch, tmp_path: Path) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path)
    chain = FakeChain()
    chain.refuse = lambda _raw: "min relay fee not met"
    assert enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, "cd" * 32, only=[0])).exit_code == 0
    with fake_node(chain) as url:
        result = enoch("inscribe", "broadcast", str(plan_dir), "--node", f"mempool:{url}")
    assert result.exit_code == 69 and "min relay fee not met" in result.stderr
    state = json.loads((plan_dir / "state.json").read_bytes())
    assert [(a["step"], a["result"]) for a in state["attempts"]] == [("POST /api/tx", "rejected")]
    assert "no signed reveal" in result.stderr  # the unsigned groups are listed


def test_reveal_over_400k_wu_is_never_sent(enoch: Enoch, tmp_path: Path) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path, files={"big.bin": noise(420_000, 3)}, shard_size=1_000_000, relay="direct")
    assert len(groups) == 1 and not groups[0]["standard"]
    chain = FakeChain()
    assert enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, "ef" * 32)).exit_code == 0
    with fake_node(chain) as url:
        result = enoch("inscribe", "broadcast", str(plan_dir), "--node", f"bitcoind:{url}", "--json")
    assert result.exit_code == 0, result.stderr
    (g,) = result.json()["groups"]
    assert g["action"] == "miner" and g["file"].endswith(".hex") and Path(g["file"]).is_file()
    assert "submit" in result.stderr and "miner" in result.stderr
    assert not any(c in ("testmempoolaccept", "sendrawtransaction") for c in chain.calls)
    raw = bytes.fromhex(Path(g["file"]).read_text().strip())
    assert parse_tx(raw).weight > 400_000
    # Submitted to a miner and mined: broadcast then reports it confirmed.
    chain.txs[parse_tx(raw).txid] = raw
    chain.mempool.append(parse_tx(raw).txid)
    chain.mine()
    with fake_node(chain) as url:
        again = enoch("inscribe", "broadcast", str(plan_dir), "--node", f"mempool:{url}", "--json")
    assert again.exit_code == 0 and again.json()["groups"][0]["action"] == "confirmed"
    assert not any(c == "POST /api/tx" for c in chain.calls)


def test_bad_group_and_node_are_usage_errors(enoch: Enoch, tmp_path: Path) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path)
    assert enoch("inscribe", "broadcast", str(plan_dir), "--node", "bitcoind:http://127.0.0.1:1", "--group", "99").exit_code == 2
    assert enoch("inscribe", "broadcast", str(plan_dir), "--node", "electrum:x").exit_code == 2
    assert enoch("inscribe", "status", str(plan_dir), "--node", "bitcoind:http://u:p@127.0.0.1:1").exit_code == 2


def test_unreachable_node_is_69_and_recorded(enoch: Enoch, tmp_path: Path) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path)
    assert enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, "ab" * 32, only=[0])).exit_code == 0
    with fake_node(FakeChain()) as url:
        pass
    result = enoch("inscribe", "status", str(plan_dir), "--node", f"mempool:{url}")
    assert result.exit_code == 69


@pytest.mark.parametrize("kind", ["bitcoind", "mempool"])
def test_lying_node_is_refused_by_status_and_broadcast(enoch: Enoch, tmp_path: Path, kind: str) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path)
    chain = FakeChain()
    funding = fund_all(chain, groups, plan_dir)
    assert enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, funding, only=[0])).exit_code == 0
    other = fund_all(chain, groups, plan_dir, extra=1)  # a real transaction, but not the one asked for
    chain.lie_tx[funding] = chain.txs[other]
    with fake_node(chain) as url:
        status = enoch("inscribe", "status", str(plan_dir), "--node", f"{kind}:{url}", "--json")
        assert status.exit_code == 69 and "gave garbage" in status.json()["error"]["message"]
        chain.lie_send_txid = "00" * 32
        sent = enoch("inscribe", "broadcast", str(plan_dir), "--node", f"{kind}:{url}")
    assert sent.exit_code == 69 and "gave garbage" in sent.stderr
    state = json.loads((plan_dir / "state.json").read_bytes())
    assert state["attempts"][-1]["result"] == "unavailable" and "garbage" in state["attempts"][-1]["answer"]


def test_edited_reveal_files_are_refused(enoch: Enoch, tmp_path: Path) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path)
    shutil.copytree(plan_dir, tmp_path / "other")
    assert enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, "ab" * 32)).exit_code == 0
    files = sorted((plan_dir / "reveals").glob("group-*.hex"))
    original = files[0].read_bytes()
    # Group 1's reveal, signed for group 0's outpoint, under group 0's name: never sent.
    other = enoch("inscribe", "reveal", str(tmp_path / "other"), "--funding", f"1={'ab' * 32}:0:{groups[1]['fund_sats']}")
    assert other.exit_code == 0, other.stderr
    files[0].write_bytes(next((tmp_path / "other" / "reveals").glob("group-*.hex")).read_bytes())
    chain = FakeChain()
    with fake_node(chain) as url:
        result = enoch("inscribe", "broadcast", str(plan_dir), "--node", f"bitcoind:{url}", "--group", "0")
    assert result.exit_code == 65 and "is not a reveal of its group" in result.stderr
    assert not any(c in ("testmempoolaccept", "sendrawtransaction") for c in chain.calls)
    files[0].write_bytes(files[1].read_bytes())  # spends another outpoint
    assert enoch("inscribe", "status", str(plan_dir)).exit_code == 65
    files[0].write_bytes(original[:-3] + b"\n")  # truncated
    assert enoch("inscribe", "status", str(plan_dir)).exit_code == 65
    files[0].write_bytes(b"zz\n")
    assert enoch("inscribe", "broadcast", str(plan_dir), "--node", "bitcoind:http://127.0.0.1:1").exit_code == 65



@pytest.mark.parametrize("kind,reason", [("bitcoind", "txn-already-known"), ("mempool", 'sendrawtransaction RPC error: {"code":-27,"message":"Transaction already in block chain"}')])
def test_already_known_is_not_a_refusal(enoch: Enoch, tmp_path: Path, kind: str, reason: str) -> None:
    # A node without -txindex cannot say a confirmed reveal is confirmed; its
    # refusal "I have it already" is reported as such, exit 0.
    plan_dir, groups = make_plan(enoch, tmp_path)
    chain = FakeChain()
    chain.refuse = lambda _raw: reason
    assert enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, "ab" * 32, only=[0])).exit_code == 0
    with fake_node(chain) as url:
        result = enoch("inscribe", "broadcast", str(plan_dir), "--node", f"{kind}:{url}", "--group", "0", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["groups"][0]["action"] == "known"


def test_a_group_revealed_from_two_outpoints_is_not_sent_twice(enoch: Enoch, tmp_path: Path) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path)
    for txid in ("ab" * 32, "cd" * 32):
        assert enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, txid, only=[0])).exit_code == 0
    chain = FakeChain()
    with fake_node(chain) as url:
        result = enoch("inscribe", "broadcast", str(plan_dir), "--node", f"bitcoind:{url}")
    assert result.exit_code == 2 and "inscribe it twice" in result.stderr
    assert chain.calls == [] and not (plan_dir / "state.json").exists()


@pytest.mark.parametrize("kind", ["bitcoind", "mempool"])
def test_bumped_reveal_replaces_and_status_shows_which_confirmed(enoch: Enoch, tmp_path: Path, kind: str) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path, "--bump-headroom", "3", "--change", SIGNET_P2WPKH)
    chain = FakeChain()
    chain.refuse = spend_policy(chain)
    funding = fund_all(chain, groups, plan_dir)
    assert enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, funding, only=[1])).exit_code == 0
    with fake_node(chain) as url:
        node = f"{kind}:{url}"
        first = enoch("inscribe", "broadcast", str(plan_dir), "--node", node, "--group", "1", "--json").json()
        v1 = first["groups"][0]["txid"]
        bumped = enoch("inscribe", "bump", str(plan_dir), "--group", "1", "--fee-rate", "2.5", "--json")
        assert bumped.exit_code == 0, bumped.stderr
        v2 = bumped.json()["transactions"][0]["txid"]
        second = enoch("inscribe", "broadcast", str(plan_dir), "--node", node, "--group", "1", "--json")
        assert second.exit_code == 0, second.stderr
        assert [(g["action"], g["txid"]) for g in second.json()["groups"]] == [("sent", v2)]
        assert chain.mempool == [v2]  # replaced
        chain.mine()
        status = enoch("inscribe", "status", str(plan_dir), "--node", node, "--json").json()["groups"][1]
    assert [(v["version"], v["txid"], v["confirmations"]) for v in status["reveals"]] == [(1, v1, None), (2, v2, 1)]
    assert status["confirmed_txid"] == v2 and status["inscription_ids"] == [f"{v2}i0"]
    assert status["reveals"][1]["fee_sats"] > status["reveals"][0]["fee_sats"]
    assert [a["result"] for a in status["reveals"][0]["attempts"]] == (["accepted"] * (2 if kind == "bitcoind" else 1))


def test_status_with_bitcoind_without_txindex(enoch: Enoch, tmp_path: Path) -> None:
    plan_dir, groups = make_plan(enoch, tmp_path)
    chain = FakeChain(txindex=False)
    funding = fund_all(chain, groups, plan_dir)
    assert enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, funding, only=[0])).exit_code == 0
    with fake_node(chain) as url:
        assert enoch("inscribe", "broadcast", str(plan_dir), "--node", f"bitcoind:{url}", "--group", "0").exit_code == 0
        chain.mine()
        status = enoch("inscribe", "status", str(plan_dir), "--node", f"bitcoind:{url}", "--json")
    assert status.exit_code == 0, status.stderr
    g = status.json()["groups"][0]
    assert g["funding"]["amount_from"].startswith("plan directory") and g["funding"]["amount_sats"] == groups[0]["fund_sats"]
    assert g["reveals"][0]["confirmations"] == 1 and g["confirmed_txid"] == g["reveals"][0]["txid"]
