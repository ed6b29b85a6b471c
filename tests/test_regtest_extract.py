"""The whole round trip on Bitcoin Core's consensus engine (tests/regtest):
pack -> plan -> fund -> reveal -> broadcast and mine -> ``extract --node
bitcoind:URL --txid ...`` from the node -> verify -> unpack gives back the
original files byte for byte, and the ids extract reads are those reveal
wrote to index.json."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inscriptions.plans.index import INDEX_NAME, InscriptionIndex
from tests.batchkit import noise
from tests.batchutil import tree_bytes, write_files
from tests.regtest.fixtures import regtest_node  # noqa: F401 - the fixture
from tests.regtest.harness import Regtest
from tests.regtest.keys import TaprootKey

Enoch = Callable[..., Any]
FILES = {"art/noise.bin": noise(450_000), "index.html": b"<h1>regtest</h1>\n", "empty.txt": b""}


def test_extract_from_the_node_after_mining(
    enoch: Enoch, tmp_path: Path, regtest_node: Regtest, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    node = regtest_node
    monkeypatch.setenv("ENOCH_BITCOIND_COOKIE", str(node.cookie_path))
    src, batch, plan = write_files(tmp_path / "src", FILES), tmp_path / "batch", tmp_path / "plan"
    assert enoch("pack", str(src), "-o", str(batch), "--shard-size", "65536", "--jobs", "1").exit_code == 0
    planned = enoch(
        "inscribe", "plan", str(batch), "-o", str(plan), "--network", "regtest", "--fee-rate", "2",
        "--destination", TaprootKey(b"inscriptions").address, "--relay", "standard", "--json",
    )  # fmt: skip
    assert planned.exit_code == 0, planned.stderr
    groups = planned.json()["groups"]
    assert len(groups) >= 2
    args = []
    for g in groups:
        txid, vout = node.fund(g["commit_address"], g["fund_sats"])
        args += ["--funding", f"{g['group']}={txid}:{vout}:{g['fund_sats']}"]
    revealed = enoch("inscribe", "reveal", str(plan), *args, "--json")
    assert revealed.exit_code == 0, revealed.stderr
    txids = [node.rpc("sendrawtransaction", tx["hex"]) for tx in revealed.json()["transactions"]]
    node.mine(1)

    out = tmp_path / "from-chain"
    extracted = enoch("inscribe", "extract", "--node", f"bitcoind:{node.url}", *[a for t in txids for a in ("--txid", t)], "-o", str(out), "--json")
    assert extracted.exit_code == 0, extracted.stderr
    assert tree_bytes(out) == tree_bytes(batch)
    index = InscriptionIndex.from_bytes((plan / INDEX_NAME).read_bytes())
    data = extracted.json()
    assert (data["manifest_id"], tuple(data["leaves"])) == (index.manifest_id, index.leaves)
    assert enoch("verify", str(out)).exit_code == 0
    assert enoch("unpack", str(out), "-o", str(tmp_path / "files")).exit_code == 0
    assert tree_bytes(tmp_path / "files") == FILES
