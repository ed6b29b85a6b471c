"""The whole flow through the CLI on the sample content: pack, plan (standard
relay by default, several groups), reveal every group, decode against the manifest.
Every signature is checked by embit."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import independent
from tests.batchkit import SIGNET_P2TR
from tests.fixtures import fixture_path

Enoch = Callable[..., Any]


def test_pack_plan_reveal_decode(enoch: Enoch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packed = enoch("pack", str(fixture_path("sample")), "-o", str(tmp_path / "batch"), "--shard-size", "131072", "--jobs", "1", "--json")
    assert packed.exit_code == 0, packed.stderr
    tree_size = packed.json()["tree_size"]
    planned = enoch(
        "inscribe", "plan", str(tmp_path / "batch"), "-o", str(tmp_path / "plan"), "--destination", SIGNET_P2TR,
        "--network", "signet", "--fee-rate", "1.25", "--postage", "546", "--json",  # relay: standard by default
    )  # fmt: skip
    assert planned.exit_code == 0, planned.stderr
    groups = planned.json()["groups"]
    assert len(groups) >= 2 and all(g["standard"] and g["reveal_weight"] <= 400_000 for g in groups)
    plan_doc = json.loads((tmp_path / "plan" / "plan.json").read_text())
    fundings = [f"{g['group']}={g['group'] + 1:064x}:0:{g['fund_sats']}" for g in groups]
    revealed = enoch("inscribe", "reveal", str(tmp_path / "plan"), *[a for f in fundings for a in ("--funding", f)], "--json")
    assert revealed.exit_code == 0, revealed.stderr
    roles: list[str] = []
    for tx, g, doc in zip(revealed.json()["transactions"], groups, plan_doc["groups"], strict=True):
        raw = bytes.fromhex(tx["hex"])
        independent.check_script_path_spend(raw, 0, [(bytes.fromhex(doc["commit_script_pubkey"]), g["fund_sats"])])
        parsed = independent.parse(raw)
        assert g["fund_sats"] - sum(o.value for o in parsed.vout) == g["fee_sats"] == -(-g["reveal_vsize"] * 125 // 100)
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(tx["hex"].encode())))
        decoded = enoch("inscribe", "decode", "-", "--manifest", str(tmp_path / "batch" / "manifest.json"), "--json")
        assert decoded.exit_code == 0, decoded.stderr
        roles += decoded.json()["batch"]["roles"]
    assert roles == ["manifest"] + [f"shard {i}" for i in range(tree_size)]
