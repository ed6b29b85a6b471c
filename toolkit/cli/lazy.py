"""A click group whose sub-commands are imported on first use.

Offline commands start fast and never import the transaction stack or
bitcoinlib because each sub-command module is imported only when it runs.
"""

from __future__ import annotations

import importlib

import click


class LazyGroup(click.Group):
    """A click group whose sub-commands (``name -> "module:attribute"``) are imported on first use."""

    def __init__(self, *args: object, lazy_commands: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy_commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None  # command not built yet in this checkout
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command
