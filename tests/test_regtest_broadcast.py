"""Issue 8 end to end on Bitcoin Core's consensus code (libbitcoinkernel via
the tests/regtest harness, served over JSON-RPC on 127.0.0.1): pack, plan,
fund every group, reveal, broadcast, mine, status (confirmations, funding
amounts read from the chain, inscription ids), recover a held-back group, and
a broadcast of a reveal whose commit output was swept is refused by the node.
(A tampered reveal refused by the kernel: tests/test_regtest_inscribe.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import fixture_path
from tests.regtest.codec import internal_bytes
from tests.regtest.fixtures import regtest_node  # noqa: F401 - the fixture
from tests.regtest.harness import Regtest
from tests.regtest.keys import TaprootKey

Enoch = Callable[..., Any]
DESTINATION = TaprootKey(b"inscriptions")
SWEEP = TaprootKey(b"sweep")


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
        "--destination", DESTINATION.address, "--relay", "standard", "--json",
    )  # fmt: skip
    assert planned.exit_code == 0, planned.stderr
    groups = planned.json()["groups"]
    assert len(groups) >= 3

    # Fund every group (until `enoch inscribe fund` and `reveal --funding-tx` are on main: one
    # harness payment per group), mined.
    fundings = {g["group"]: (*node.fund(g["commit_address"], g["fund_sats"]), g["fund_sats"]) for g in groups}
    args = [a for g, f in fundings.items() for a in ("--funding", "{0}={1}:{2}:{3}".format(g, *f))]
    revealed = enoch("inscribe", "reveal", str(plan), *args, "--json")
    assert revealed.exit_code == 0, revealed.stderr
    reveals = {t["group"]: t for t in revealed.json()["transactions"]}
    assert sorted(reveals) == [g["group"] for g in groups]

    # Broadcast all groups but the last (held back for recover), mine, status.
    *sent_groups, held = [g["group"] for g in groups]
    group_args = [a for g in sent_groups for a in ("--group", str(g))]
    sent = enoch("inscribe", "broadcast", str(plan), "--node", src, *group_args, "--json")
    assert sent.exit_code == 0, sent.stderr
    assert [(g["group"], g["action"], g["txid"]) for g in sent.json()["groups"]] == [
        (g, "sent", reveals[g]["txid"]) for g in sent_groups
    ]
    height = node.rpc("getblockcount")
    node.mine(1)
    assert node.rpc("getblockcount") == height + 1
    for g in sent_groups:  # in the kernel's tip, not just accepted by the mempool
        assert node.rpc("getrawtransaction", reveals[g]["txid"], True)["confirmations"] == 1
    node.mine(2)
    status = enoch("inscribe", "status", str(plan), "--node", src, "--json")
    assert status.exit_code == 0, status.stderr
    by_group = {g["group"]: g for g in status.json()["groups"]}
    ids: list[str] = []
    for g in sent_groups:
        s = by_group[g]
        assert s["confirmed_txid"] == reveals[g]["txid"]
        assert s["reveals"][0]["confirmations"] == 3 and s["reveals"][0]["block_height"] == height + 1
        assert s["funding"] == {"txid": fundings[g][0], "vout": fundings[g][1], "amount_sats": groups[g]["fund_sats"], "amount_from": "node"}
        assert s["inscription_ids"] == [f"{reveals[g]['txid']}i{n}" for n in range(len(groups[g]["inscriptions"]))]
        ids += s["inscription_ids"]
    assert len(ids) == sum(len(groups[g]["inscriptions"]) for g in sent_groups)

    # Recover the held-back group: its sweep confirms; its reveal can no longer be broadcast.
    f = dict(zip(("txid", "vout", "sats"), fundings[held]))
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
    assert internal_bytes(reveals[0]["txid"])  # display-order txids throughout

