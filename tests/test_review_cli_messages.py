"""Review: --json error messages are one clean line, also click's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Enoch = Callable[..., Any]


def test_click_choice_message_is_one_clean_line(enoch: Enoch) -> None:
    # click's "Choose from:\n\tmainnet,\n\t..." came out as "Choose from: \tmainnet, \ttestnet4" in --json.
    r = enoch("draw", "commit", "--json")
    message = r.json()["error"]["message"]
    assert r.exit_code == 2 and "Choose from: mainnet, testnet4, signet" in message and "\\" not in message, r
