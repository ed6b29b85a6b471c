"""``enoch inscribe status``: per group, what the plan directory knows and,
with a node, what the chain says (SPEC T, "Broadcast and status")."""

from __future__ import annotations

from pathlib import Path

from inscriptions.plans.broadcast import BroadcastNode, GroupStatus, VersionStatus, outpoint, plan_attempts, versions_by_group
from inscriptions.plans.plan import Plan
from inscriptions.transactions.rawtx import parse_tx
from inscriptions.plans.revealstore import StoredReveal
from inscriptions.plans.state import Attempt
from toolkit.core.errors import SourceUnavailableError, TxNotFoundError


def _funding_amount(node: BroadcastNode, outpoint: tuple[str, int]) -> int:
    """The funding output's value, from the funding transaction (the node
    checked that it hashes to the txid, so the amount is the chain's)."""
    txid, vout = outpoint
    outputs = parse_tx(node.raw_tx(txid)).outputs
    if vout >= len(outputs):
        raise SourceUnavailableError(f"{node.name}: funding transaction {txid} has no output {vout}")
    return outputs[vout][0]


def group_status(plan_dir: Path, plan: Plan, node: BroadcastNode | None = None) -> list[GroupStatus]:
    """The status of every group of ``plan``; asks ``node`` when given."""
    by_group = versions_by_group(plan_dir, plan)
    attempts = plan_attempts(plan_dir, by_group)
    out: list[GroupStatus] = []
    for g, versions in by_group.items():
        planned = plan.groups[g]
        # Versions of one group normally spend one outpoint (bumps re-spend it).
        spent = outpoint(versions[-1]) if versions else None
        amount, source = (versions[-1].funding.sats, "plan directory") if versions else (None, "none")
        if node is not None and spent is not None:
            try:
                amount, source = _funding_amount(node, spent), "node"
            except TxNotFoundError:
                # bitcoind without -txindex: the recorded amount stands, and says so.
                source = "plan directory (the node does not find the funding transaction)"
        out.append(
            GroupStatus(
                g, planned.commit_address, planned.fund_sats, spent, amount, source,
                [_version(v, amount, node, attempts) for v in versions],
            )
        )  # fmt: skip
    return out


def _version(v: StoredReveal, amount: int | None, node: BroadcastNode | None, attempts: list[Attempt]) -> VersionStatus:
    # The stored fee assumes the recorded amount; the node's amount is the chain's.
    fee = v.fee_sats + (amount - v.funding.sats if amount is not None else 0)
    confirmations = height = None
    if node is not None:
        known = node.tx_status(v.txid)
        confirmations = known.confirmations if known is not None else None
        height = known.block_height if known is not None else None
    mine = [a for a in attempts if a.txid == v.txid]
    return VersionStatus(v, fee, confirmations, height, mine)
