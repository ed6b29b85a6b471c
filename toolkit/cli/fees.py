"""``enoch fees``: the fee rate, checked against the ceiling (thin click layer)."""

from __future__ import annotations

from typing import Any

import click

from inscriptions.transactions.fees import fmt_rate
from toolkit.cli.fee_options import describe_rate, fee_options, gated_rate, pop_fee_options
from toolkit.cli.options import json_option
from toolkit.cli.render import SimpleResult


@click.command()
@fee_options
@json_option
def fees(json_mode: bool, **kwargs: Any) -> SimpleResult:
    """Show the fee rate and check it against the ceiling (exit 75 if above)."""
    rate, ceiling, source = gated_rate(pop_fee_options(kwargs))
    data = {"fee_rate": fmt_rate(rate), "ceiling": fmt_rate(ceiling), "source": source, "below_ceiling": True}
    return SimpleResult(data, f"fee rate {describe_rate(rate, ceiling)} from {source}: at or below the ceiling")
