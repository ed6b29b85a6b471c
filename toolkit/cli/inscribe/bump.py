"""``enoch inscribe bump``: re-sign one group's reveal at a higher fee rate (thin click layer)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from inscriptions.plans.bump import bump
from inscriptions.transactions.fees import parse_rate
from inscriptions.plans.plandir import plan_lock
from inscriptions.plans.planfile import load_plan
from inscriptions.plans.reveal import open_batch
from toolkit.cli.inscribe.reveal import report_line, streamed
from toolkit.cli.options import DecimalInt, json_option
from toolkit.cli.render import StreamedResult, info
from toolkit.core.errors import UsageError

_OUTPOINT = re.compile(r"([0-9a-fA-F]{64}):([0-9]{1,10})")


@click.command("bump")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option("--group", "group", required=True, type=DecimalInt(0, 2**32 - 1), help="Group to bump.")
@click.option("--fee-rate", required=True, metavar="R", help="New fee rate in sat/vB (at most the plan's ceiling).")
@click.option("--outpoint", metavar="TXID:VOUT", help="Which funding, if the group was funded more than once.")
@click.option("--batch", "batch_dir", type=click.Path(path_type=Path), help="Batch directory, if it moved since plan.")
@json_option
def bump_cmd(
    plan_dir: Path, group: int, fee_rate: str, outpoint: str | None, batch_dir: Path | None, json_mode: bool
) -> StreamedResult:
    """Re-sign GROUP's reveal at a higher rate, from the same commit output (every version is kept)."""
    rate = parse_rate(fee_rate, what="--fee-rate")
    chosen = None
    if outpoint is not None:
        m = _OUTPOINT.fullmatch(outpoint.strip())
        if not m or int(m[2]) >= 2**32:
            raise UsageError(f"--outpoint {outpoint!r} must look like TXID:VOUT")
        chosen = (m[1].lower(), int(m[2]))
    with plan_lock(plan_dir):
        plan, secret = load_plan(plan_dir)
        result = bump(plan_dir, plan, secret, open_batch(plan, batch_dir), group, rate, chosen)
    r = result.reveal
    if result.new:
        info(f"version {r.version} replaces version {result.replaces.version} (txid {result.replaces.txid})")
    else:
        info(f"already signed at this rate as version {r.version}")
    if result.dust_to_fee_sats:
        info(f"the change output would have been dust: {result.dust_to_fee_sats} sats more go to the fee")
    if result.new and r.fee_sats - result.replaces.fee_sats < r.vsize:
        info("note: the fee rises by less than 1 sat/vB x size; nodes with the old incremental relay fee may refuse it")
    info(report_line(r))
    data = {"new": result.new, "replaces": result.replaces.txid, "dust_to_fee_sats": result.dust_to_fee_sats}
    return streamed(data, [r])
