"""``enoch inscribe broadcast`` and ``status`` (thin click layer; the logic is
in ``inscriptions.plans.broadcast`` and ``.status``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from inscriptions.plans.broadcast import GroupStatus, Outcome, broadcast
from inscriptions.transactions.groups import STANDARD_WEIGHT
from inscriptions.plans.plandir import plan_lock
from inscriptions.plans.planfile import load_plan
from inscriptions.plans.status import group_status
from toolkit.cli.options import DecimalInt, json_option
from toolkit.cli.render import SimpleResult, info
from toolkit.core.errors import TxRejectedError
from toolkit.sources.nodes import EsploraNode, open_node

_node_help = "bitcoind:URL (JSON-RPC; auth from ENOCH_BITCOIND_COOKIE or ENOCH_BITCOIND_AUTH) or mempool:URL (Esplora)."


def _outcome_line(o: Outcome) -> str:
    what = {
        "sent": f"sent {o.txid}",
        "in-mempool": f"{o.txid} is already in the node's mempool",
        "known": f"{o.txid}: the node has it already ({o.answer})",
        "confirmed": f"{o.txid} is confirmed; nothing sent",
        "rejected": f"{o.txid} REFUSED by the node: {o.answer}",
        "miner": f"{o.txid} is {o.answer}, above the 400,000 WU relay limit: never sent to a node; "
        f"submit {o.path} to a miner",
        "unsigned": "no signed reveal (run enoch inscribe reveal first)",
    }[o.action]
    return f"group {o.group}: {what}"


@click.command("broadcast")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option("--node", "node_spec", required=True, metavar="SRC", help=_node_help)
@click.option("--group", "groups", multiple=True, type=DecimalInt(0, 2**32 - 1), metavar="G", help="Only these groups.")
@json_option
def broadcast_cmd(plan_dir: Path, node_spec: str, groups: tuple[int, ...], json_mode: bool) -> SimpleResult:
    """Submit the signed reveals; every attempt is recorded in PLAN_DIR/state.json first."""
    node = open_node(node_spec)
    step = "POST /api/tx" if isinstance(node, EsploraNode) else "sendrawtransaction"
    with plan_lock(plan_dir):  # one broadcast (or reveal, bump) of a plan at a time
        plan, _secret = load_plan(plan_dir)
        outcomes = broadcast(plan_dir, plan, node, groups, send_step=step)
    refused = [o for o in outcomes if o.action == "rejected"]
    # The result goes to stdout; stderr gets what needs acting on (a reveal for a
    # miner), and every line when the command fails (no result is printed then).
    for o in outcomes:
        if refused or o.action == "miner":
            info(_outcome_line(o))
    if refused:
        raise TxRejectedError(
            f"{len(refused)} reveal(s) refused (groups {', '.join(str(o.group) for o in refused)}): "
            f"{refused[0].answer}; see enoch inscribe status {plan_dir}"
        )
    data = {
        "groups": [
            {"group": o.group, "action": o.action, "txid": o.txid, "answer": o.answer,
             "file": str(o.path) if o.path else None}
            for o in outcomes
        ]
    }  # fmt: skip
    return SimpleResult(data, "\n".join(_outcome_line(o) for o in outcomes))


def _group_json(s: GroupStatus) -> dict[str, Any]:
    confirmed = s.confirmed
    return {
        "group": s.group,
        "commit_address": s.commit_address,
        "fund_sats": s.fund_sats,
        "funding": None if s.funding is None else {
            "txid": s.funding[0], "vout": s.funding[1], "amount_sats": s.amount_sats, "amount_from": s.amount_from,
        },
        "reveals": [
            {"txid": v.reveal.txid, "version": v.reveal.version, "file": str(v.reveal.path), "fee_sats": v.fee_sats,
             "vsize": v.reveal.vsize, "standard": v.reveal.weight <= STANDARD_WEIGHT,
             "inscriptions": [i.to_json() for i in v.reveal.inscriptions],
             "confirmations": v.confirmations, "block_height": v.block_height,
             "attempts": [{"node": a.node, "step": a.step, "result": a.result, "answer": a.answer, "time": a.time}
                          for a in v.attempts]}
            for v in s.versions
        ],
        "confirmed_txid": confirmed.reveal.txid if confirmed else None,
        "inscription_ids": s.inscription_ids(),
    }  # fmt: skip


def _group_text(s: GroupStatus) -> str:
    lines = [f"group {s.group}: commit {s.commit_address} (plan asks {s.fund_sats} sats)"]
    if s.funding is None:
        return lines[0] + "\n  not revealed yet"
    lines.append(f"  funding {s.funding[0]}:{s.funding[1]}, {s.amount_sats} sats ({s.amount_from})")
    for v in s.versions:
        n = v.confirmations
        conf = "" if n is None else ", in the mempool" if n == 0 else f", {n} confirmation{'s' if n > 1 else ''}"
        mark = " <- confirmed" if v is s.confirmed else ""
        lines.append(f"  reveal v{v.reveal.version} {v.reveal.txid} fee {v.fee_sats} sats{conf}{mark}")
        lines += [f"    {a.time} {a.step} via {a.node}: {a.result} {a.answer}".rstrip() for a in v.attempts]
    lines += [f"  inscription {i}" for i in s.inscription_ids()]
    return "\n".join(lines)


@click.command("status")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option("--node", "node_spec", metavar="SRC", help=_node_help + " Without it: what PLAN_DIR knows.")
@json_option
def status_cmd(plan_dir: Path, node_spec: str | None, json_mode: bool) -> SimpleResult:
    """Per group: funding, signed reveals, broadcast attempts, confirmations, inscription ids."""
    node = open_node(node_spec) if node_spec else None
    with plan_lock(plan_dir):  # a consistent view: no reveal, bump or broadcast half-way
        plan, _secret = load_plan(plan_dir)
        statuses = group_status(plan_dir, plan, node)
    data = {
        "network": plan.network,
        "batch_id": plan.manifest_sha256.hex(),
        "root": plan.root.hex(),
        "groups": [_group_json(s) for s in statuses],
    }
    return SimpleResult(data, "\n".join(_group_text(s) for s in statuses))
