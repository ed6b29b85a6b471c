"""``enoch fees`` and ``enoch inscribe plan | reveal | recover | decode`` (thin click layer)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from inscriptions.batch.verify import read_manifest, verify_batch
from inscriptions.transactions.decode import check_against_manifest, decode_tx, describe
from inscriptions.transactions.fees import fmt_rate, parse_rate
from inscriptions.transactions.groups import RELAY_BUDGETS, STANDARD_WEIGHT
from inscriptions.transactions.network import NETWORKS, parse_address
from inscriptions.transactions.plan import MAX_MONEY, SECRET_NAME, existing_plan_message, make_plan
from inscriptions.transactions.planfile import load_plan
from inscriptions.transactions.reveal import open_batch, parse_fundings, recover, reveal_all
from toolkit.cli.options import json_option
from toolkit.cli.batch import batch_progress
from toolkit.core.errors import InputMissingError, OutputExistsError
from toolkit.cli.fee_options import describe_rate, fee_options, gated_rate, pop_fee_options
from toolkit.core.fsio import read_input
from toolkit.core.hexutil import parse_hex
from toolkit.cli.render import SimpleResult, info


@click.command()
@fee_options
@json_option
def fees(json_mode: bool, **kwargs: Any) -> SimpleResult:
    """Show the fee rate and check it against the ceiling (exit 75 if above)."""
    rate, ceiling, source = gated_rate(pop_fee_options(kwargs))
    data = {"fee_rate": fmt_rate(rate), "ceiling": fmt_rate(ceiling), "source": source, "below_ceiling": True}
    return SimpleResult(data, f"fee rate {describe_rate(rate, ceiling)} from {source}: at or below the ceiling")


@click.group()
def inscribe() -> None:
    """Commit/reveal transactions that inscribe a packed batch."""


_PLAN_GROUP_KEYS = (
    "group", "commit_address", "fund_sats", "reveal_vsize", "reveal_weight", "fee_sats", "standard", "inscriptions"
)  # fmt: skip


@inscribe.command()
@click.argument("batch_dir", type=click.Path(path_type=Path))
@click.option("-o", "--output", "plan_dir", required=True, type=click.Path(path_type=Path), help="New plan dir.")
@click.option("--destination", required=True, metavar="ADDR", help="Address that receives the inscriptions.")
@click.option("--network", required=True, type=click.Choice(list(NETWORKS)))
@fee_options
@click.option(
    "--postage", type=click.IntRange(min=1, max=MAX_MONEY), default=10_000, show_default=True, help="Sats per inscription."
)
@click.option("--relay", type=click.Choice(list(RELAY_BUDGETS)), default="direct", show_default=True)
@json_option
def plan(
    batch_dir: Path, plan_dir: Path, destination: str, network: str, postage: int, relay: str, json_mode: bool, **kwargs: Any
) -> SimpleResult:
    """Verify BATCH_DIR and write a plan: commit addresses and amounts to fund."""
    fee_opts = pop_fee_options(kwargs)
    dest = parse_address(destination, network)
    if os.path.lexists(plan_dir):
        raise OutputExistsError(existing_plan_message(plan_dir))
    if not (batch_dir / "manifest.json").is_file():
        raise InputMissingError(f"{batch_dir} is not a batch directory (no manifest.json)")
    bar = batch_progress(batch_dir, "verifying")
    try:
        batch = verify_batch(batch_dir, progress=bar.advance)
    finally:
        bar.close()
    rate, ceiling, _source = gated_rate(fee_opts)
    made = make_plan(batch, plan_dir, destination=dest, postage=postage, relay=relay, fee_rate=rate, ceiling=ceiling)
    groups = [{k: g.to_json()[k] for k in _PLAN_GROUP_KEYS} for g in made.groups]
    data = {"fee_rate": fmt_rate(rate), "ceiling": fmt_rate(ceiling), "plan_dir": str(plan_dir), "groups": groups}
    lines = [
        f"plan written to {plan_dir}; back up the whole directory ({SECRET_NAME} is the key) before funding anything",
        f"fee rate {describe_rate(rate, ceiling)}",
    ]
    for g in made.groups:
        note = "" if g.is_standard() else "; NON-STANDARD (over 400,000 WU): submit the reveal directly to a miner"
        lines.append(
            f"group {g.group}: send exactly {g.fund_sats} sats to {g.commit_address} "
            f"({len(g.items)} inscriptions, reveal {g.reveal_vsize} vB, fee {g.fee_sats} sats{note})"
        )
    return SimpleResult(data, "\n".join(lines))


_funding_option = click.option(
    "--funding", "fundings", multiple=True, required=True, metavar="GROUP=TXID:VOUT:SATS", help="A funded commit output."
)


@inscribe.command()
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


@inscribe.command("recover")
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


@inscribe.command("decode")
@click.argument("tx")
@click.option(
    "--manifest", "manifest_path", type=click.Path(path_type=Path), help="Check bodies against this batch manifest."
)
@json_option
def decode_cmd(tx: str, manifest_path: Path | None, json_mode: bool) -> SimpleResult:
    """List the inscriptions in a transaction (TXHEX, or - for stdin)."""
    # read_input: a closed stdin is exit 66, and bytes that are not ASCII are
    # just "not hex" (65), never a decoding crash.
    text = read_input("-", what="transaction").decode("ascii", "replace") if tx == "-" else tx
    decoded = decode_tx(parse_hex("".join(text.split()), what="transaction"))
    items = [describe(e) for e in decoded.envelopes]
    data: dict[str, Any] = {"txid": decoded.tx.txid, "inscriptions": items}
    lines = [f"txid {decoded.tx.txid}: {len(items)} inscriptions"]
    roles: list[str] = []
    if manifest_path is not None:
        manifest, raw = read_manifest(manifest_path)
        roles = check_against_manifest(decoded, manifest, raw)
        data["batch"] = {"root": manifest.root.hex(), "roles": roles}
    for i, item in enumerate(items):
        role = f" = {roles[i]}" if roles else ""
        lines.append(
            f"{item['input']}:{item['offset']} {item['content_type']} encoding={item['content_encoding']} "
            f"size={item['size']} sha256={item['sha256']} pointer={item['pointer']} metadata={item['metadata']}{role}"
            + (f" flags={','.join(item['flags'])}" if item["flags"] else "")
        )
    if manifest_path is not None:
        lines.append(f"every inscription belongs to batch {data['batch']['root']}")
    return SimpleResult(data, "\n".join(lines))
