"""``enoch inscribe``: commit/reveal transactions for a packed batch (thin click layer).

One module per sub-command family; each is imported only when its command runs.
"""

from __future__ import annotations

import click

from toolkit.cli.lazy import LazyGroup

#: sub-command name -> "module:attribute" of its click command.
SUBCOMMANDS: dict[str, str] = {
    "plan": "toolkit.cli.inscribe.plan:plan",
    "estimate": "toolkit.cli.inscribe.estimate:estimate",
    "fund": "toolkit.cli.inscribe.fund:fund_cmd",
    "reveal": "toolkit.cli.inscribe.reveal:reveal",
    "recover": "toolkit.cli.inscribe.reveal:recover_cmd",
    "bump": "toolkit.cli.inscribe.bump:bump_cmd",
    "decode": "toolkit.cli.inscribe.decode:decode_cmd",
    "broadcast": "toolkit.cli.inscribe.broadcast:broadcast_cmd",
    "status": "toolkit.cli.inscribe.broadcast:status_cmd",
    "extract": "toolkit.cli.inscribe.extract:extract_cmd",
    "loader": "toolkit.cli.inscribe.loader:loader_cmd",
}


@click.group(cls=LazyGroup, lazy_commands=SUBCOMMANDS)
def inscribe() -> None:
    """Commit/reveal transactions that inscribe a packed batch."""
