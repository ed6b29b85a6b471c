"""Review: a single-valued option given twice silently took the last value
(``--destination A --destination B`` inscribed to B, ``--ceiling 5 --ceiling
500`` raised the ceiling, ``--expect BAD --expect GOOD`` passed).  It is a
usage error (exit 2) on every command; options meant to repeat (``--funding``,
``--group``, ``--content-type``) and flags still may."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.batchkit import SIGNET_P2TR, small_batch

Enoch = Callable[..., Any]
BH = "00000000001e1b28683875ab68412adccace818d70a86f91a999cb0b1256ad67"
ENTRANTS = Path(__file__).resolve().parent.parent / "fixtures" / "draws" / "entrants.txt"


@pytest.mark.parametrize(
    "args,option",
    [
        (["fees", "--fee-rate", "1", "--ceiling", "5", "--ceiling", "500"], "--ceiling"),
        (["random", "int", "1", "6", "--block-hash", BH, "--context", "a", "--context", "b"], "--context"),
        (["hexagram", "--block-hash", BH, "--method", "coins", "--method=yarrow"], "--method"),
        (["vrf", "verify", "x.json", "--suite", "a", "--suite", "b"], "--suite"),
        (["header", "verify", "--file", "a", "--file", "b"], "--file"),
        (["draw", "commit", "--network", "mainnet", "--height", "900000", "--height", "900001", "--context", "c",
          "--entrants", str(ENTRANTS), "--winners", "1", "-o", "r.json"], "--height"),
        (["verify", "nobatch", "--expect", "00" * 32, "--expect", "11" * 32], "--expect"),
    ],
)
def test_single_valued_option_given_twice_is_a_usage_error(enoch: Enoch, tmp_path: Path, args: list[str], option: str) -> None:
    r = enoch(*args, "--json")
    assert r.exit_code == 2 and option in r.json()["error"]["message"] and "more than once" in r.json()["error"]["message"], r


def test_plan_destination_twice_writes_nothing(enoch: Enoch, tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    r = enoch("inscribe", "plan", str(batch.path), "-o", str(tmp_path / "plan"), "--network", "signet", "--fee-rate", "1",
              "--destination", SIGNET_P2TR, "--destination", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "--json")  # fmt: skip
    assert r.exit_code == 2 and "--destination" in r.json()["error"]["message"], r
    assert not (tmp_path / "plan").exists()


def test_repeatable_options_and_flags_still_repeat(enoch: Enoch) -> None:
    r = enoch("random", "int", "1", "6", "--block-hash", BH, "--json", "--json")
    assert r.exit_code == 0, r


def test_every_group_is_strict() -> None:
    import click

    from toolkit.cli import cli
    from toolkit.cli.lazy import StrictGroup

    def groups(group: click.Group) -> list[click.Group]:
        ctx = click.Context(group)
        found = [group]
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                found += groups(command)
        return found

    assert [g.name for g in groups(cli) if not isinstance(g, StrictGroup)] == []

