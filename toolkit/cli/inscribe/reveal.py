"""``enoch inscribe reveal`` and ``recover``: sign spends of funded commit outputs (thin click layer)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from inscriptions.transactions.fees import parse_rate
from inscriptions.plans.funding import FundingMatch, match_funding_tx, parse_funding_tx_text, parse_fundings
from inscriptions.transactions.groups import STANDARD_WEIGHT
from inscriptions.plans.index import INDEX_NAME
from inscriptions.transactions.network import address_from_script, parse_address
from inscriptions.plans.plan import Plan, PlannedGroup
from inscriptions.plans.plandir import plan_lock
from inscriptions.plans.planfile import load_plan
from inscriptions.plans.recover import recover
from inscriptions.plans.reveal import iter_reveals, open_batch
from inscriptions.transactions.rawtx import MAX_TX_HEX_TEXT
from inscriptions.plans.revealstore import MAX_TX_FILE, StoredReveal
from inscriptions.transactions.txbuild import Funding
from toolkit.cli.options import json_option
from toolkit.cli.render import SimpleResult, StreamedResult, info
from toolkit.core.errors import UsageError
from toolkit.core.fsio import read_input

_funding_option = click.option(
    "--funding", "fundings", multiple=True, metavar="GROUP=TXID:VOUT:SATS", help="A funded commit output."
)


def _funding_tx(source: str, plan: Plan) -> FundingMatch:
    # A transaction is at most 4 MB: its hex (with some whitespace) is bounded too.
    text = read_input(source, what="funding transaction", limit=MAX_TX_HEX_TEXT)
    return match_funding_tx(parse_funding_tx_text(text), plan)


def stored_hex(path: Path) -> str:
    """A stored transaction's hex, read back for printing (plain I/O: render
    reports an OSError as a failed output)."""
    with open(path, "rb") as fh:
        return fh.read(MAX_TX_FILE + 1).decode("ascii").strip()


def describe_stored(r: StoredReveal) -> dict[str, Any]:
    """The JSON of one signed reveal (without its hex)."""
    return {
        "group": r.group, "txid": r.txid, "version": r.version, "file": str(r.path), "vsize": r.vsize,
        "weight": r.weight, "fee_sats": r.fee_sats, "change_sats": r.change_sats,
        "standard": r.weight <= STANDARD_WEIGHT,
        "funding": {"txid": r.funding.txid, "vout": r.funding.vout, "sats": r.funding.sats},
        "inscriptions": [i.to_json() for i in r.inscriptions],
    }  # fmt: skip


def report_line(r: StoredReveal) -> str:
    """One stderr line per reveal: txid, size, fee and the ids it gives."""
    shards = [i.leaf for i in r.inscriptions if i.leaf is not None]
    what = (["manifest"] if any(i.leaf is None for i in r.inscriptions) else []) + (
        [f"shards {shards[0]}..{shards[-1]}" if len(shards) > 1 else f"shard {shards[0]}"] if shards else []
    )
    ids = r.inscriptions[0].id + (f"..i{len(r.inscriptions) - 1}" if len(r.inscriptions) > 1 else "")
    return (
        f"group {r.group}: txid {r.txid}" + (f" (version {r.version})" if r.version > 1 else "")
        + f", {r.vsize} vB, fee {r.fee_sats} sats" + (f", change {r.change_sats} sats" if r.change_sats else "")
        + ("" if r.weight <= STANDARD_WEIGHT else "; non-standard: submit directly to a miner")
        + f"; inscriptions {ids} ({', '.join(what)})"
    )  # fmt: skip


def streamed(data: dict[str, Any], reveals: Sequence[StoredReveal]) -> StreamedResult:
    """The result of reveal/bump: hex lines (text) or the JSON object, built
    one transaction at a time from the files just written."""

    def items() -> Iterator[dict[str, Any]]:
        for r in reveals:
            yield describe_stored(r) | {"hex": stored_hex(r.path)}

    def lines() -> Iterator[str]:
        for r in reveals:
            yield stored_hex(r.path)

    return StreamedResult(data, "transactions", items, lines)


@click.command()
@click.argument("plan_dir", type=click.Path(path_type=Path))
@_funding_option
@click.option("--funding-tx", "funding_tx", metavar="FILE|-", help="Raw funding transaction (hex) paying commit addresses.")
@click.option("--batch", "batch_dir", type=click.Path(path_type=Path), help="Batch directory, if it moved since plan.")
@json_option
def reveal(
    plan_dir: Path, fundings: tuple[str, ...], funding_tx: str | None, batch_dir: Path | None, json_mode: bool
) -> StreamedResult:
    """Sign the reveal transaction of each funded group (written into PLAN_DIR)."""
    if not fundings and funding_tx is None:
        raise UsageError("give --funding-tx FILE or at least one --funding GROUP=TXID:VOUT:SATS")
    data: dict[str, Any] = {}
    with plan_lock(plan_dir):
        loaded, secret = load_plan(plan_dir)
        pairs: list[tuple[PlannedGroup, Funding]] = parse_fundings(fundings, loaded)
        if funding_tx is not None:
            match = _funding_tx(funding_tx, loaded)
            both = {g.group for g, _ in pairs} & {g.group for g, _ in match.pairs}
            if both:
                raise UsageError(f"group {min(both)} is given by --funding and paid by --funding-tx; give one")
            pairs += match.pairs
            ignored = [
                {"vout": u.vout, "sats": u.sats, "script_pubkey": u.script_pubkey.hex(), "address": _address(u.script_pubkey, loaded)}
                for u in match.unrelated
            ]  # fmt: skip
            data["funding_tx"] = {"txid": match.txid, "ignored_outputs": ignored}
            for u in ignored:
                info(f"funding tx output {u['vout']} ({u['sats']} sats to {u['address'] or u['script_pubkey']}) pays no group: ignored")
        batch = open_batch(loaded, batch_dir)
        done: list[StoredReveal] = []
        for r in iter_reveals(plan_dir, loaded, secret, pairs, batch):
            done.append(r)
            info(report_line(r))
    data["index"] = str(plan_dir / INDEX_NAME)
    return streamed(data, done)


def _address(spk: bytes, plan: Plan) -> str | None:
    try:
        return address_from_script(spk, plan.network)
    except Exception:  # noqa: BLE001 - any script without an address form (OP_RETURN, bare multisig)
        return None


@click.command("recover")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@_funding_option
@click.option("--to", "to", required=True, metavar="ADDR", help="Address that receives the swept funds.")
@click.option("--fee-rate", required=True, metavar="R", help="Fee rate in sat/vB.")
@json_option
def recover_cmd(plan_dir: Path, fundings: tuple[str, ...], to: str, fee_rate: str, json_mode: bool) -> SimpleResult:
    """Sweep commit outputs back by key path (no batch needed)."""
    rate = parse_rate(fee_rate, what="--fee-rate")
    if not fundings:
        raise UsageError("give at least one --funding GROUP=TXID:VOUT:SATS")
    with plan_lock(plan_dir):
        loaded, secret = load_plan(plan_dir)
        dest = parse_address(to, loaded.network)
        sweep = recover(plan_dir, loaded, secret, parse_fundings(fundings, loaded), dest, rate)
    info(f"sweep txid {sweep.tx.txid}: {sweep.amount_sats} sats to {to}, fee {sweep.fee_sats} sats, {sweep.tx.vsize} vB")
    data = {
        "txid": sweep.tx.txid, "hex": sweep.tx.hex, "fee_sats": sweep.fee_sats,
        "amount_sats": sweep.amount_sats, "vsize": sweep.tx.vsize,
    }  # fmt: skip
    return SimpleResult(data, sweep.tx.hex)
