"""Options shared by several commands, so every command spells them the same."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

from toolkit.chain import CHAIN_NETWORKS

F = TypeVar("F", bound=Callable[..., Any])

_DECIMAL = re.compile(r"[+-]?[0-9]+")
_MAX_DIGITS = 4000  # below Python's int/str conversion limit (4300)
#: The largest block height any option takes (nodes refuse more, toolkit.sources.nodes).
MAX_HEIGHT = 100_000_000


class DecimalInt(click.ParamType[int]):
    """The one integer parser of every integer option and argument: a plain
    ASCII decimal, optional sign, digits only, within ``low..high``.  Python's
    ``int()`` (and click's INT) would also take ``1_000``, surrounding blanks
    and non-ASCII digits (``١٠٢٤``); a replayed command line must mean the
    same in any language."""

    name = "integer"

    def __init__(self, low: int | None = None, high: int | None = None) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):  # a default
            number = value
        else:
            text = str(value)
            if not _DECIMAL.fullmatch(text) or len(text) > _MAX_DIGITS:
                shown = text if len(text) <= 40 else text[:40] + "..."
                self.fail(f"{shown!r} is not a decimal integer (ASCII digits, optional sign, at most {_MAX_DIGITS} digits)", param, ctx)
            number = int(text)
        if self.low is not None and number < self.low or self.high is not None and number > self.high:
            if self.high is None:
                self.fail(f"{number} is below the minimum {self.low}", param, ctx)
            if self.low is None:
                self.fail(f"{number} is above the maximum {self.high}", param, ctx)
            self.fail(f"{number} is not in the range {self.low}..{self.high}", param, ctx)
        return number


_SECONDS = re.compile(r"[0-9]{1,12}(\.[0-9]{1,9})?")


class DecimalSeconds(click.ParamType[float]):
    """A duration in seconds: plain ASCII decimal (``60``, ``0.5``) within
    ``low..high``.  click's FLOAT would take ``nan``, ``inf``, ``1e999`` and
    non-ASCII digits: a wait that never ends or ends at once."""

    name = "seconds"

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):  # a default
            return value
        text = str(value)
        if not _SECONDS.fullmatch(text):
            shown = text if len(text) <= 40 else text[:40] + "..."
            self.fail(f"{shown!r} is not a number of seconds (ASCII digits, optional decimals)", param, ctx)
        number = float(text)
        if not self.low <= number <= self.high:
            self.fail(f"{text} is not in the range {self.low:g}..{self.high:g} seconds", param, ctx)
        return number


json_option: Callable[[F], F] = click.option(
    "--json", "json_mode", is_flag=True, help="Print exactly one JSON object on stdout (also on failure)."
)
overwrite_option: Callable[[F], F] = click.option(
    "--overwrite", is_flag=True, help="Replace an existing output instead of refusing."
)
#: ``--expect ID``: the batch id (manifest SHA-256) the batch must have; the
#: command checks it with ``inscriptions.batch.batch_id.check_batch_id``.
expect_option: Callable[[F], F] = click.option(
    "--expect",
    metavar="ID",
    help="Fail (exit 1) unless the batch id (SHA-256 of manifest.json) is ID: covers paths and content types too.",
)


def block_options(f: F) -> F:
    """``--block-hash`` / ``--header`` / ``--context``, and the block by height
    (SPEC H): ``--height`` with ``--headers`` or ``--node``, ``--network``,
    ``--confirmations``, ``--save-headers``.  Spelled and described the same on
    every command that takes a block.  ``--context`` defaults to None (not
    given); commands treat that as empty.  The height options reach the
    command as keyword arguments (see toolkit.cli.height_source)."""
    f = click.option(
        "--save-headers", metavar="F", help="With --height: write the verified header chain here (SPEC H file)."
    )(f)
    f = click.option(
        "--confirmations", type=DecimalInt(1, 100_000_000), metavar="C",
        help="With --height: require at least C confirmations (tip - H + 1; default 6).",
    )(f)
    f = click.option(
        "--network", "chain_network", type=click.Choice(CHAIN_NETWORKS), default="mainnet",
        show_default=True, help="With --height: the chain the height is on.",
    )(f)
    f = click.option("--node", metavar="SRC", help="With --height: fetch the headers from bitcoind:URL or mempool:URL.")(f)
    f = click.option("--headers", "headers_file", metavar="F", help="With --height: an anchored header chain file holding H.")(f)
    f = click.option(
        "--height", type=DecimalInt(0, MAX_HEIGHT), metavar="H",
        help="The block at height H, proven by an anchored header chain (--headers or --node).",
    )(f)
    f = click.option("--context", metavar="C", help="Context string bound into the input (UTF-8; default empty).")(f)
    f = click.option(
        "--header", "header_hex", metavar="HEX", help="80-byte block header as hex (its proof of work is checked)."
    )(f)
    f = click.option("--block-hash", metavar="H", help="Block hash, 64 hex digits in display order.")(f)
    return f
