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
