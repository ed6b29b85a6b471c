"""``enoch inscribe plan``: from a verified batch to a plan directory (thin click layer)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from inscriptions.transactions.fees import fmt_rate, parse_rate
from inscriptions.transactions.groups import RELAY_BUDGETS
from inscriptions.transactions.network import NETWORKS, parse_address
from inscriptions.plans.plan import MAX_MONEY, SECRET_NAME, existing_plan_message, make_plan
from toolkit.cli.batch import verified_batch
from toolkit.cli.fee_options import describe_rate, fee_options, gated_rate, pop_fee_options
from toolkit.cli.options import DecimalInt, json_option
from toolkit.cli.render import SimpleResult
from inscriptions.plans.plandir import parent_lock
from toolkit.core.errors import OutputExistsError, UsageError

_PLAN_GROUP_KEYS = (
    "group", "commit_address", "fund_sats", "reveal_vsize", "reveal_weight", "fee_sats", "standard", "inscriptions"
)  # fmt: skip


@click.command()
@click.argument("batch_dir", type=click.Path(path_type=Path))
@click.option("-o", "--output", "plan_dir", required=True, type=click.Path(path_type=Path), help="New plan dir.")
@click.option("--destination", required=True, metavar="ADDR", help="Address that receives the inscriptions.")
@click.option("--network", required=True, type=click.Choice(list(NETWORKS)))
@fee_options
@click.option(
    "--postage", type=DecimalInt(1, MAX_MONEY), default=10_000, show_default=True, help="Sats per inscription."
)
@click.option("--bump-headroom", metavar="R", help="Fund each group for rate R (<= ceiling) so reveals can be bumped.")
@click.option("--change", "change", metavar="ADDR", help="Where surplus and unused bump headroom return.")
@click.option("--relay", type=click.Choice(list(RELAY_BUDGETS)), default="standard", show_default=True,
    help="standard: every reveal <= 400,000 WU (relayed by nodes); direct: up to the block limit, submit to a miner.",
)
@json_option
def plan(
    batch_dir: Path,
    plan_dir: Path,
    destination: str,
    network: str,
    postage: int,
    bump_headroom: str | None,
    change: str | None,
    relay: str,
    json_mode: bool,
    **kwargs: Any,
) -> SimpleResult:
    """Verify BATCH_DIR and write a plan: commit addresses and amounts to fund."""
    fee_opts = pop_fee_options(kwargs)
    dest = parse_address(destination, network)
    change_to = None if change is None else parse_address(change, network)
    headroom = None if bump_headroom is None else parse_rate(bump_headroom, what="--bump-headroom")
    if headroom is not None and change_to is None:
        raise UsageError("--bump-headroom needs --change ADDR (where the unused headroom returns)")
    if os.path.lexists(plan_dir):
        raise OutputExistsError(existing_plan_message(plan_dir))
    batch = verified_batch(batch_dir)
    rate, ceiling, _source = gated_rate(fee_opts)
    with parent_lock(plan_dir):  # two plans racing for one name: the loser is told it exists
        made = make_plan(
            batch, plan_dir, destination=dest, postage=postage, relay=relay, fee_rate=rate, ceiling=ceiling,
            change=change_to, bump_headroom=headroom,
        )  # fmt: skip
    groups = [{k: g.to_json()[k] for k in _PLAN_GROUP_KEYS} for g in made.groups]
    data: dict[str, Any] = {
        "batch_id": batch.batch_id,
        "root": batch.manifest.root.hex(),
        "fee_rate": fmt_rate(rate),
        "ceiling": fmt_rate(ceiling),
        "plan_dir": str(plan_dir),
        "groups": groups,
    }
    if change_to is not None:
        data |= {"change": change_to.address, "bump_headroom": None if headroom is None else fmt_rate(headroom)}
    lines = [
        f"plan written to {plan_dir}; back up the whole directory ({SECRET_NAME} is the key) before funding anything",
        f"batch id {batch.batch_id}, root {batch.manifest.root.hex()}",
        f"fee rate {describe_rate(rate, ceiling)}",
    ]
    if headroom is not None:
        lines.append(f"funded for bumps up to {fmt_rate(headroom)} sat/vB; unused headroom returns to {change}")
    for g in made.groups:
        note = "" if g.is_standard() else "; NON-STANDARD (over 400,000 WU): submit the reveal directly to a miner"
        lines.append(
            f"group {g.group}: send exactly {g.fund_sats} sats to {g.commit_address} "
            f"({len(g.items)} inscriptions, reveal {g.reveal_vsize} vB, fee {g.fee_sats} sats{note})"
        )
    return SimpleResult(data, "\n".join(lines))
