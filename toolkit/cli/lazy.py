"""A click group whose sub-commands are imported on first use.

Offline commands start fast and never import the transaction stack or
bitcoinlib because each sub-command module is imported only when it runs.
"""

from __future__ import annotations

import importlib

import click


def refuse_repeated_options(command: click.Command, parent: click.Context, args: list[str]) -> None:
    """A single-valued option given twice is a usage error: click would
    silently keep the last one (``--destination A --destination B``).
    Options declared ``multiple`` and flags may repeat."""
    ctx = click.Context(command, parent=parent, info_name=command.name)
    try:
        _opts, _rest, order = command.make_parser(ctx).parse_args(args=list(args))
    except click.UsageError:
        return  # the real parse reports it
    seen: set[str | None] = set()
    for param in order:
        if not isinstance(param, click.Option) or param.multiple or param.count or param.is_flag:
            continue
        if param.name in seen:
            raise click.UsageError(f"{param.opts[0]} given more than once; give it once", ctx=ctx)
        seen.add(param.name)


class StrictGroup(click.Group):
    """A click group whose sub-commands refuse repeated single-valued options."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not isinstance(command, click.Group):
            refuse_repeated_options(command, ctx, rest)
        return name, command, rest


class LazyGroup(StrictGroup):
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
