"""``enoch inscribe recover``: sweep commit outputs back by key path.

Key-path sweep (group key tweaked with the leaf hash) of any commit outputs
to one address at ``ceil(rate * vsize)``; needs only the plan and its secret,
never the batch.  Written to ``PLAN_DIR/recovers/TXID.hex``.  The caller
holds :func:`~inscriptions.plans.plandir.plan_lock`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from inscriptions.transactions.fees import fee_for, fmt_rate
from inscriptions.transactions.network import Destination
from inscriptions.plans.plan import MAX_MONEY, Plan, PlannedGroup
from inscriptions.plans.revealstore import store_once
from inscriptions.transactions.taproot import commit, derive_group_secret
from inscriptions.transactions.txbuild import Funding, SignedTx, sign_sweep, sweep_weight
from toolkit.core.errors import InternalError, UsageError


@dataclass(frozen=True)
class Sweep:
    """A signed key-path sweep, its fee and the amount it sends."""

    tx: SignedTx
    fee_sats: int
    amount_sats: int


def recover(
    plan_dir: Path, plan: Plan, secret: bytes, fundings: Sequence[tuple[PlannedGroup, Funding]], to: Destination, rate: Decimal
) -> Sweep:
    """Key-path sweep of ``fundings`` to ``to``; written to ``PLAN_DIR/recovers/``."""
    total = sum(f.sats for _, f in fundings)
    if total > MAX_MONEY:
        raise UsageError("the fundings add up to more than 21 million BTC")
    vsize = (sweep_weight(len(fundings), to.script_pubkey) + 3) // 4
    fee = fee_for(rate, vsize)
    amount = total - fee
    if amount < to.dust_limit:
        raise UsageError(
            f"sweeping {total} sats at {fmt_rate(rate)} sat/vB leaves {amount} sats, below the dust limit {to.dust_limit}"
        )
    keys = [(derive_group_secret(secret, g.group), commit(g.internal_key, g.leaf_hash)) for g, _ in fundings]
    tx = sign_sweep(keys, [f for _, f in fundings], (to.script_pubkey, amount))
    if tx.vsize != vsize:
        raise InternalError("sweep vsize differs from the prediction")
    store_once(plan_dir / "recovers" / f"{tx.txid}.hex", tx.hex_bytes + b"\n")  # named by txid: same name, same bytes
    return Sweep(tx, fee, amount)
