"""``enoch inscribe fund``: one payment that funds every group (thin click layer)."""

from __future__ import annotations

from pathlib import Path

import click

from inscriptions.plans.fundfmt import FORMATS, btc, fund_document, render_funding
from inscriptions.plans.plandir import plan_lock
from inscriptions.plans.planfile import load_plan
from inscriptions.plans.revealstore import recorded_fundings
from toolkit.cli.options import json_option
from toolkit.cli.render import SimpleResult, info


@click.command("fund")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="core", show_default=True,
              help="core: Bitcoin Core `send` outputs; bip21: URIs; csv: address,amount_sats; json.")  # fmt: skip
@click.option("--all", "everything", is_flag=True, help="Include groups the plan directory already has a funding for.")
@json_option
def fund_cmd(plan_dir: Path, fmt: str, everything: bool, json_mode: bool) -> SimpleResult:
    """Print the outputs of one payment that funds every group of PLAN_DIR."""
    with plan_lock(plan_dir):
        plan, _secret = load_plan(plan_dir)
        funded = {g for g, _ in recorded_fundings(plan_dir, plan)}
    groups = [g for g in plan.groups if everything or g.group not in funded]
    if funded and not everything:
        info(f"skipping groups already funded and revealed: {', '.join(map(str, sorted(funded)))} (--all lists them too)")
    if not groups:
        info("every group is funded; nothing to pay")
    else:
        total = sum(g.fund_sats for g in groups)
        info(f"{len(groups)} outputs, {total} sats ({btc(total)} BTC) in total; pay them in ONE transaction, then "
             f"`enoch inscribe reveal {plan_dir} --funding-tx FILE` with its raw hex")  # fmt: skip
    data = fund_document(plan, groups) | {"format": fmt, "text": render_funding(plan, groups, fmt) if groups else ""}
    return SimpleResult(data, data["text"])
