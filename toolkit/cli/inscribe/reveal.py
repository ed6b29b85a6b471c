"""``enoch inscribe reveal`` and ``recover``: sign spends of funded commit outputs (thin click layer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from inscriptions.transactions.fees import parse_rate
from inscriptions.transactions.groups import STANDARD_WEIGHT
from inscriptions.transactions.network import parse_address
from inscriptions.transactions.planfile import load_plan
from inscriptions.transactions.reveal import open_batch, parse_fundings, recover, reveal_all
from toolkit.cli.options import json_option
from toolkit.cli.render import SimpleResult, info

_funding_option = click.option(
    "--funding", "fundings", multiple=True, required=True, metavar="GROUP=TXID:VOUT:SATS", help="A funded commit output."
)


@click.command()
@click.argument("plan_dir", type=click.Path(path_type=Path))
@_funding_option
@click.option("--batch", "batch_dir", type=click.Path(path_type=Path), help="Batch directory, if it moved since plan.")
@json_option
def reveal(plan_dir: Path, fundings: tuple[str, ...], batch_dir: Path | None, json_mode: bool) -> SimpleResult:
    """Sign the reveal transaction of each funded group (written into PLAN_DIR)."""
    loaded, secret = load_plan(plan_dir)
    pairs = parse_fundings(fundings, loaded)
    reveals = reveal_all(plan_dir, loaded, secret, pairs, open_batch(loaded, batch_dir))
    txs: list[dict[str, Any]] = []
    for r in reveals:
        standard = r.tx.weight <= STANDARD_WEIGHT
        txs.append(
            {"group": r.group, "txid": r.tx.txid, "hex": r.tx.hex, "vsize": r.tx.vsize,
             "fee_sats": r.fee_sats, "change_sats": r.change_sats, "standard": standard}
        )  # fmt: skip
        info(
            f"group {r.group}: txid {r.tx.txid}, {r.tx.vsize} vB, fee {r.fee_sats} sats"
            + (f", change {r.change_sats} sats" if r.change_sats else "")
            + ("" if standard else "; non-standard: submit directly to a miner")
        )
    return SimpleResult({"transactions": txs}, "\n".join(t["hex"] for t in txs))


@click.command("recover")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@_funding_option
@click.option("--to", "to", required=True, metavar="ADDR", help="Address that receives the swept funds.")
@click.option("--fee-rate", required=True, metavar="R", help="Fee rate in sat/vB.")
@json_option
def recover_cmd(plan_dir: Path, fundings: tuple[str, ...], to: str, fee_rate: str, json_mode: bool) -> SimpleResult:
    """Sweep commit outputs back by key path (no batch needed)."""
    rate = parse_rate(fee_rate, what="--fee-rate")
    loaded, secret = load_plan(plan_dir)
    dest = parse_address(to, loaded.network)
    sweep = recover(plan_dir, loaded, secret, parse_fundings(fundings, loaded), dest, rate)
    info(f"sweep txid {sweep.tx.txid}: {sweep.amount_sats} sats to {to}, fee {sweep.fee_sats} sats, {sweep.tx.vsize} vB")
    data = {
        "txid": sweep.tx.txid, "hex": sweep.tx.hex, "fee_sats": sweep.fee_sats,
        "amount_sats": sweep.amount_sats, "vsize": sweep.tx.vsize,
    }  # fmt: skip
    return SimpleResult(data, sweep.tx.hex)
