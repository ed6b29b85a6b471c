"""Review: ``inscribe estimate`` priced a postage below the destination's
dust limit, which ``plan`` refuses (exit 2): an estimate of a plan that
cannot be made.  Now refused alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.batchkit import SIGNET_P2WPKH, small_batch

Enoch = Callable[..., Any]


def test_estimate_refuses_postage_below_dust_like_plan(enoch: Enoch, tmp_path: Path) -> None:
    batch = small_batch(tmp_path).path
    for postage in ("1", "329"):  # P2TR dust limit: 330 sats
        r = enoch("inscribe", "estimate", str(batch), "--fee-rate", "1", "--postage", postage, "--json")
        assert r.exit_code == 2 and "dust limit" in r.json()["error"]["message"], r
    assert enoch("inscribe", "estimate", str(batch), "--fee-rate", "1", "--postage", "330").exit_code == 0
    r = enoch("inscribe", "estimate", str(batch), "--fee-rate", "1", "--postage", "293", "--destination", SIGNET_P2WPKH,
              "--network", "signet", "--json")  # fmt: skip
    assert r.exit_code == 2 and "294" in r.json()["error"]["message"], r  # P2WPKH: 294
    r = enoch("inscribe", "plan", str(batch), "-o", str(tmp_path / "plan"), "--fee-rate", "1", "--postage", "329",
              "--destination", "tb1p2wsldez5mud2yam29q22wgfh9439spgduvct83k3pm50fcxa5dpsrdp6cm", "--network", "signet")  # fmt: skip
    assert r.exit_code == 2  # what plan does with it
