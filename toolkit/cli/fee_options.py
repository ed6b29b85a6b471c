"""The fee options shared by ``enoch fees`` and ``enoch inscribe plan``, and
the one function that turns them into a gated fee rate."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import click

from inscriptions.transactions.fees import fmt_rate, gate, parse_rate
from toolkit.core.errors import UsageError
from toolkit.sources.feesources import DEFAULT_PRIORITY, PRIORITIES, parse_fee_source
from toolkit.cli.options import DecimalSeconds
from toolkit.cli.render import info

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = [
    click.option("--fee-rate", metavar="R", help="Fee rate in sat/vB (decimals allowed); offline."),
    click.option("--fee-source", metavar="SRC", help="bitcoind:URL, mempool:URL or bitcoinlib:NETWORK."),
    click.option("--ceiling", default="5", show_default=True, metavar="R", help="Highest acceptable rate, sat/vB."),
    click.option("--wait", is_flag=True, help="Poll the source until the rate is at or below the ceiling."),
    click.option("--poll-interval", type=DecimalSeconds(0.1, 86_400.0), default=60.0, show_default=True, metavar="S"),
    click.option("--timeout", type=DecimalSeconds(0.0, 31_536_000.0), default=3600.0, show_default=True, metavar="S"),
    click.option("--priority", type=click.Choice(sorted(PRIORITIES)), default=DEFAULT_PRIORITY, show_default=True),
]


def fee_options(f: F) -> F:
    """Add the fee options to a click command (read them back with :func:`pop_fee_options`)."""
    for option in reversed(_OPTIONS):
        f = option(f)
    return f


def gated_rate(opts: dict[str, Any]) -> tuple[Decimal, Decimal, str]:
    """(rate, ceiling, source description) once the rate passes the ceiling;
    raises FeeAboveCeilingError (exit 75) otherwise."""
    fee_rate, fee_source = opts["fee_rate"], opts["fee_source"]
    if (fee_rate is None) == (fee_source is None):
        raise UsageError("give exactly one of --fee-rate R or --fee-source SRC")
    ceiling = parse_rate(opts["ceiling"], what="--ceiling")
    if fee_rate is not None:
        rate = parse_rate(fee_rate, what="--fee-rate")
        return gate(lambda: rate, ceiling, wait=opts["wait"], fixed=True), ceiling, "--fee-rate"
    source = parse_fee_source(fee_source, priority=opts["priority"])
    rate = gate(
        source.fetch,
        ceiling,
        wait=opts["wait"],
        poll_interval=opts["poll_interval"],
        timeout=opts["timeout"],
        report=info,
    )
    return rate, ceiling, fee_source


def pop_fee_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Remove the fee options from a command's kwargs."""
    names = ("fee_rate", "fee_source", "ceiling", "wait", "poll_interval", "timeout", "priority")
    return {name: kwargs.pop(name) for name in names}


def describe_rate(rate: Decimal, ceiling: Decimal) -> str:
    """``"R sat/vB (ceiling C sat/vB)"`` for messages."""
    return f"{fmt_rate(rate)} sat/vB (ceiling {fmt_rate(ceiling)} sat/vB)"
