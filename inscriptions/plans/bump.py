"""``enoch inscribe bump``: re-sign a group's reveal at a higher fee rate (SPEC T, "Fee bump").

The new version spends the same commit output (so it replaces the earlier
one under BIP 125: every reveal signals replaceability with sequence
0xfffffffd) and pays the same postage; the higher fee comes out of the
change output.  Rules, in order:

1. a rate above the plan's ceiling is refused (exit 75) before anything is signed;
2. the reveal is rebuilt from the batch and checked against the plan, as for ``reveal``;
3. the change output is kept if what is left for it is at least its dust
   limit; otherwise it is dropped and those few sats go to the fee (reported);
   if even that does not pay ``ceil(rate x vsize)`` the bump is refused, naming
   the highest rate the funding allows;
4. signing is deterministic: the same rate gives the same bytes, and an
   identical earlier version is returned instead of a new one;
5. a new version must pay a higher fee than the latest one (BIP 125 rule 3);
   it is written as ``reveals/group-GGGG-TXID-VOUT.vK.hex`` (every version is
   kept) and its ids replace the group's ids in ``index.json``.

The caller holds :func:`~inscriptions.plans.plandir.plan_lock`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from inscriptions.batch.verify import VerifiedBatch
from inscriptions.transactions.fees import fee_for, fmt_rate
from inscriptions.plans.plan import Plan, PlannedGroup
from inscriptions.plans.plandir import read_plan_file
from inscriptions.plans.reveal import Outputs, rebuild_script, relay_limit, sign_outputs
from inscriptions.plans.revealstore import (
    MAX_TX_FILE,
    StoredReveal,
    describe,
    load_stored,
    recorded_fundings,
    reveal_path,
    store_once,
    update_index,
    versions,
)
from inscriptions.transactions.txbuild import Funding, reveal_weight
from toolkit.core.errors import FeeAboveCeilingError, InternalError, UsageError


def highest_rate(available: int, weight: int) -> Decimal:
    """The highest rate (sat/vB, two decimals, rounded down) whose fee for a
    ``weight`` WU transaction is at most ``available`` sats."""
    return (Decimal(available) / ((weight + 3) // 4)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def bump_outputs(plan: Plan, group: PlannedGroup, script_size: int, funded: int, rate: Decimal) -> tuple[Outputs, int, int]:
    """Outputs, fee and change of a reveal of ``group`` at ``rate`` from ``funded`` sats (rule 3)."""
    outputs = [(plan.destination.script_pubkey, plan.postage)] * len(group.items)
    spks = [spk for spk, _ in outputs]
    change_to = plan.change_to
    available = funded - group.postage_sats
    with_change = reveal_weight(script_size, spks + [change_to.script_pubkey])
    fee = fee_for(rate, (with_change + 3) // 4)
    if available - fee >= change_to.dust_limit and with_change <= relay_limit(plan, group):
        return outputs + [(change_to.script_pubkey, available - fee)], fee, available - fee
    without = reveal_weight(script_size, spks)
    if available >= fee_for(rate, (without + 3) // 4):
        return outputs, available, 0  # the change would be dust: it goes to the fee
    top = highest_rate(available, without)
    raise UsageError(
        f"group {group.group}: its funding of {funded} sats cannot pay {fmt_rate(rate)} sat/vB; the highest rate "
        f"possible is {fmt_rate(top)} sat/vB (a plan made with --bump-headroom leaves room for bumps); nothing was signed"
    )


@dataclass(frozen=True)
class Bumped:
    """The result of a bump: the version now current, whether it is new, and what it replaces."""

    reveal: StoredReveal
    new: bool
    replaces: StoredReveal
    dust_to_fee_sats: int


def _funding_of(plan_dir: Path, plan: Plan, group: int, outpoint: tuple[str, int] | None) -> Funding:
    signed = [f for _, f in recorded_fundings(plan_dir, plan, group) if versions(plan_dir, group, f)]
    if outpoint is not None:
        signed = [f for f in signed if (f.txid, f.vout) == outpoint]
    if not signed:
        what = "" if outpoint is None else f" from {outpoint[0]}:{outpoint[1]}"
        raise UsageError(f"group {group} has no signed reveal{what} in {plan_dir}; run `enoch inscribe reveal` first")
    if len(signed) > 1:
        listed = ", ".join(f"{f.txid}:{f.vout}" for f in signed)
        raise UsageError(f"group {group} has reveals from several outputs ({listed}); choose one with --outpoint TXID:VOUT")
    return signed[0]


def bump(
    plan_dir: Path,
    plan: Plan,
    secret: bytes,
    batch: VerifiedBatch,
    group_no: int,
    rate: Decimal,
    outpoint: tuple[str, int] | None = None,
) -> Bumped:
    """Re-sign group ``group_no``'s reveal at ``rate`` (see the module docstring)."""
    if rate > plan.ceiling:
        raise FeeAboveCeilingError(
            f"--fee-rate {fmt_rate(rate)} sat/vB is above the plan's ceiling {fmt_rate(plan.ceiling)} sat/vB; "
            "nothing was signed"
        )
    if not 0 <= group_no < len(plan.groups):
        raise UsageError(f"--group {group_no}: the plan has groups 0..{len(plan.groups) - 1}")
    group = plan.groups[group_no]
    funding = _funding_of(plan_dir, plan, group_no, outpoint)
    found = versions(plan_dir, group_no, funding)
    latest = load_stored(plan_dir, plan, group_no, funding, found[-1])
    script = rebuild_script(plan, batch, group)
    outputs, fee, change = bump_outputs(plan, group, len(script), funding.sats, rate)
    tx = sign_outputs(secret, group, script, funding, outputs)
    if funding.sats - sum(v for _, v in outputs) != fee or fee < fee_for(rate, tx.vsize):
        raise InternalError(f"group {group_no}: bump fee arithmetic does not add up")
    data = tx.hex_bytes + b"\n"
    for v in found:  # deterministic: the same rate was signed before
        if read_plan_file(reveal_path(plan_dir, group_no, funding, v), what="stored reveal", limit=MAX_TX_FILE) == data:
            return Bumped(load_stored(plan_dir, plan, group_no, funding, v), False, latest, 0)
    if fee <= latest.fee_sats:
        raise UsageError(
            f"group {group_no}: {fmt_rate(rate)} sat/vB gives a fee of {fee} sats, not more than the {latest.fee_sats} "
            f"sats of version {latest.version} (txid {latest.txid}); a replacement must pay more; nothing was signed"
        )
    path = reveal_path(plan_dir, group_no, funding, found[-1] + 1)
    store_once(path, data)
    stored = describe(plan, group, funding, found[-1] + 1, path, tx)
    update_index(plan_dir, plan, [stored])
    dust = fee - fee_for(rate, tx.vsize) if change == 0 else 0
    return Bumped(stored, True, latest, dust)
