"""A plan with several groups, a funding transaction paying all of them, and
a fake chain whose "mempool" refuses spends of unknown or spent outputs --
enough to drive broadcast and status end to end through the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inscriptions.transactions.rawtx import compact_size, parse_tx
from tests.batchkit import SIGNET_P2TR, make_batch, noise
from tests.fakenode import FakeChain

Enoch = Callable[..., Any]


def funding_tx(outputs: list[tuple[int, bytes]], tag: int = 1) -> bytes:
    """A legacy-serialized transaction paying ``outputs`` (value, scriptPubKey)."""
    tx = (2).to_bytes(4, "little") + b"\x01" + tag.to_bytes(32, "little") + bytes(4) + b"\x00" + b"\xff" * 4
    tx += compact_size(len(outputs)) + b"".join(v.to_bytes(8, "little") + compact_size(len(s)) + s for v, s in outputs)
    return tx + bytes(4)


def spend_policy(chain: FakeChain) -> Callable[[bytes], str | None]:
    """Refuse a transaction spending an output that does not exist or is spent in a block."""

    def refuse(raw: bytes) -> str | None:
        confirmed = {t for block in chain.block_txids for t in block}
        spent = {(i.txid, i.vout) for t in confirmed for i in parse_tx(chain.txs[t]).inputs}
        for txin in parse_tx(raw).inputs:
            parent = chain.txs.get(txin.txid)
            if parent is None or txin.vout >= len(parse_tx(parent).outputs) or (txin.txid, txin.vout) in spent:
                return "bad-txns-inputs-missingorspent"
        return None

    return refuse


def make_plan(enoch: Enoch, tmp: Path, *extra: str, files: dict[str, bytes] | None = None, shard_size: int = 390_000,
              relay: str = "standard") -> tuple[Path, list[dict[str, Any]]]:  # fmt: skip
    """Pack ``files`` (default: ~850 kB of noise, three groups) and plan it at 1 sat/vB."""
    batch = make_batch(tmp, files or {"a.bin": noise(450_000, 1), "b.bin": noise(400_000, 2)}, shard_size=shard_size)
    planned = enoch(
        "inscribe", "plan", str(batch), "-o", str(tmp / "plan"), "--destination", SIGNET_P2TR,
        "--network", "signet", "--fee-rate", "1", "--relay", relay, "--postage", "546", "--json", *extra,
    )  # fmt: skip
    assert planned.exit_code == 0, planned.stderr
    return tmp / "plan", planned.json()["groups"]


def fund_all(chain: FakeChain, groups: list[dict[str, Any]], plan_dir: Path, extra: int = 0) -> str:
    """Mine one funding transaction paying every group (``extra`` sats more each); its txid."""
    plan = json.loads((plan_dir / "plan.json").read_text())
    outputs = [(g["fund_sats"] + extra, bytes.fromhex(p["commit_script_pubkey"])) for g, p in zip(groups, plan["groups"])]
    raw = funding_tx(outputs)
    txid = parse_tx(raw).txid
    chain.txs[txid] = raw
    chain.mempool.append(txid)
    chain.mine()
    return txid


def funding_args(groups: list[dict[str, Any]], txid: str, extra: int = 0, only: list[int] | None = None) -> list[str]:
    """``--funding G=TXID:G:SATS`` for each group (output G pays group G)."""
    return [a for g in groups if only is None or g["group"] in only
            for a in ("--funding", f"{g['group']}={txid}:{g['group']}:{g['fund_sats'] + extra}")]  # fmt: skip
