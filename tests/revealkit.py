"""Plan and reveal a batch through the CLI with made-up funding outpoints:
the signed reveal transactions, as the chain would carry them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.batchkit import SIGNET_P2TR

Enoch = Callable[..., Any]


def plan_and_reveal(enoch: Enoch, batch: Path, plan: Path, *, salt: int = 0) -> list[str]:
    """``inscribe plan`` (signet, standard relay) then ``reveal`` of every group;
    returns the reveal transactions' hex in group order.  ``salt`` varies the
    made-up funding txids so two plans never share an outpoint."""
    planned = enoch(
        "inscribe", "plan", str(batch), "-o", str(plan), "--destination", SIGNET_P2TR,
        "--network", "signet", "--fee-rate", "1", "--relay", "standard", "--postage", "546", "--json",
    )  # fmt: skip
    assert planned.exit_code == 0, planned.stderr
    groups = planned.json()["groups"]
    fundings = [f"{g['group']}={salt * 1000 + g['group'] + 1:064x}:0:{g['fund_sats']}" for g in groups]
    revealed = enoch("inscribe", "reveal", str(plan), *[a for f in fundings for a in ("--funding", f)], "--json")
    assert revealed.exit_code == 0, revealed.stderr
    return [tx["hex"] for tx in revealed.json()["transactions"]]


def write_txs(path: Path, txs: list[str]) -> Path:
    """One transaction per line, as ``reveal`` prints them."""
    path.write_text("".join(t + "\n" for t in txs))
    return path


def read_json(path: Path) -> Any:
    return json.loads(path.read_bytes())
