"""Review: every integer option goes through DecimalInt (ASCII decimals,
bounded), including the commands that landed later (draw, bump, broadcast,
serve).  click's INT/IntRange take " 5", "1_0" and non-ASCII digits ("５")
and draw's --height was unbounded (10^20 was exit 65 from the JSON encoder)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest

from tests.conftest import CliResult
from toolkit.cli import cli
from toolkit.cli.lazy import LazyGroup

Enoch = Callable[..., CliResult]
ENTRANTS = Path(__file__).resolve().parent.parent / "fixtures" / "draws" / "entrants.txt"


def _commands(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def test_no_integer_option_uses_click_int() -> None:
    assert isinstance(cli, LazyGroup)
    offenders = [
        f"{where} {param.name}"
        for where, command in _commands(cli, "enoch")
        for param in command.params
        if isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType))
    ]
    assert offenders == []


@pytest.mark.parametrize("option", ["--height", "--winners", "--confirmations"])
@pytest.mark.parametrize("bad", ["\uff15", " 5", "1_0", "5\n"])
def test_draw_commit_integers_are_ascii(enoch: Enoch, tmp_path: Path, option: str, bad: str) -> None:
    args = {"--height": "900000", "--winners": "1", "--confirmations": "6"}
    args[option] = bad
    flat = [x for kv in args.items() for x in kv]
    r = enoch("draw", "commit", "--network", "mainnet", "--context", "c", "--entrants", ENTRANTS, *flat,
              "-o", tmp_path / "r.json", "--json")
    assert r.exit_code == 2 and "is not a decimal integer" in r.json()["error"]["message"], r
    assert not (tmp_path / "r.json").exists()


def test_draw_commit_height_is_bounded_as_a_usage_error(enoch: Enoch, tmp_path: Path) -> None:
    r = enoch("draw", "commit", "--network", "mainnet", "--context", "c", "--entrants", ENTRANTS, "--winners", "1",
              "--height", "99999999999999999999", "-o", tmp_path / "r.json", "--json")
    assert r.exit_code == 2 and "--height" in r.json()["error"]["message"], r


def test_bump_and_broadcast_group_are_ascii(enoch: Enoch, tmp_path: Path) -> None:
    r = enoch("inscribe", "bump", tmp_path, "--group", "\uff10", "--fee-rate", "1", "--json")
    assert r.exit_code == 2 and "is not a decimal integer" in r.json()["error"]["message"], r
    r = enoch("inscribe", "broadcast", tmp_path, "--node", "mempool:http://127.0.0.1:1", "--group", " 0", "--json")
    assert r.exit_code == 2 and "is not a decimal integer" in r.json()["error"]["message"], r


def test_serve_port_is_ascii(enoch: Enoch, tmp_path: Path) -> None:
    r = enoch("serve", tmp_path, "--port", "\uff18\uff10\uff10\uff10", "--json")
    assert r.exit_code == 2 and "is not a decimal integer" in r.json()["error"]["message"], r


@pytest.mark.parametrize("option", ["--timeout", "--poll-interval"])
@pytest.mark.parametrize("bad", ["nan", "inf", "1e999", "\uff15", " 5", "-1", "1e3", "99999999999"])
def test_wait_durations_are_plain_bounded_decimals(enoch: Enoch, option: str, bad: str) -> None:
    r = enoch("fees", "--fee-rate", "1", "--wait", option, bad, "--json")
    assert r.exit_code == 2 and option in r.json()["error"]["message"], r


def test_wait_durations_take_plain_decimals(enoch: Enoch) -> None:
    r = enoch("fees", "--fee-rate", "1", "--wait", "--timeout", "0.5", "--poll-interval", "0.1", "--json")
    assert r.exit_code == 0, r
