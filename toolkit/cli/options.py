"""Options shared by several commands, so every command spells them the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

json_option: Callable[[F], F] = click.option(
    "--json", "json_mode", is_flag=True, help="Print exactly one JSON object on stdout (also on failure)."
)
overwrite_option: Callable[[F], F] = click.option(
    "--overwrite", is_flag=True, help="Replace an existing output instead of refusing."
)


def block_options(f: F) -> F:
    """``--block-hash`` / ``--header`` / ``--context``: the block an input is
    bound to, spelled and described the same on every command that takes one.
    ``--context`` defaults to None (not given); commands treat that as empty."""
    f = click.option("--context", metavar="C", help="Context string bound into the input (UTF-8; default empty).")(f)
    f = click.option(
        "--header", "header_hex", metavar="HEX", help="80-byte block header as hex (its proof of work is checked)."
    )(f)
    f = click.option("--block-hash", metavar="H", help="Block hash, 64 hex digits in display order.")(f)
    return f
