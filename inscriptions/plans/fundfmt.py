"""``enoch inscribe fund``: what a wallet needs to fund many groups in one payment (SPEC T).

Formats (amounts are exact: BTC values are the sats with the point moved
eight places, never a float):

* ``core``: the ``outputs`` argument of Bitcoin Core's ``send`` RPC,
  ``[{"ADDR": 0.00067014}, ...]`` (one object per output, in group order);
* ``bip21``: one ``bitcoin:ADDR?amount=0.00067014`` URI per line (BIP 21);
* ``csv``: a header ``address,amount_sats`` then one ``ADDR,SATS`` line per group;
* ``json``: ``{"network", "total_sats", "outputs": [{"group", "address", "sats", "btc"}]}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from inscriptions.plans.plan import Plan, PlannedGroup

FORMATS = ("core", "bip21", "csv", "json")


def btc(sats: int) -> str:
    """``sats`` as an exact BTC decimal with eight places (``67014`` -> ``0.00067014``)."""
    return f"{sats // 100_000_000}.{sats % 100_000_000:08d}"


def fund_document(plan: Plan, groups: Sequence[PlannedGroup]) -> dict[str, Any]:
    """The ``json`` format (and the ``--json`` result)."""
    outputs = [{"group": g.group, "address": g.commit_address, "sats": g.fund_sats, "btc": btc(g.fund_sats)} for g in groups]
    return {"network": plan.network, "total_sats": sum(g.fund_sats for g in groups), "outputs": outputs}


def render_funding(plan: Plan, groups: Sequence[PlannedGroup], fmt: str) -> str:
    """The funding request in format ``fmt`` (see the module docstring)."""
    if fmt == "core":
        # Numbers written by hand: json.dumps would need floats for amounts.
        return "[" + ", ".join(f"{{{json.dumps(g.commit_address)}: {btc(g.fund_sats)}}}" for g in groups) + "]"
    if fmt == "bip21":
        return "\n".join(f"bitcoin:{g.commit_address}?amount={btc(g.fund_sats).rstrip('0').rstrip('.')}" for g in groups)
    if fmt == "csv":
        return "\n".join(["address,amount_sats", *(f"{g.commit_address},{g.fund_sats}" for g in groups)])
    if fmt == "json":
        return json.dumps(fund_document(plan, groups), sort_keys=True)
    raise ValueError(f"unknown format {fmt!r}")
