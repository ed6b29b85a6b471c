"""Plans written before v0.2 (fixtures/enoch-plan-v0.1) still load, reveal
byte-identically, and can be bumped from their old reveal layout."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from inscriptions.plans.plan import PLAN_NAME
from inscriptions.plans.planfile import load_plan
from inscriptions.plans.revealstore import recorded_fundings, signed_reveals
from tests import independent
from tests.fixtures import fixture_path
from toolkit.core.canonical_json import canonical_dumps

TXID = "cd" * 32


@pytest.fixture
def old(tmp_path: Path) -> Path:
    shutil.copytree(fixture_path("enoch-plan-v0.1"), tmp_path / "v01")
    os.chmod(tmp_path / "v01" / "plan" / "batch-secret.json", 0o600)
    return tmp_path / "v01"


def test_old_plan_loads_and_writes_back_the_same_bytes(old: Path) -> None:
    plan, secret = load_plan(old / "plan")
    assert plan.change is None and plan.bump_headroom is None and plan.groups[0].headroom_sats is None
    assert canonical_dumps(plan.to_json()) + b"\n" == (old / "plan" / PLAN_NAME).read_bytes()
    [(group, funding)] = recorded_fundings(old / "plan", plan)  # amount derived from the old reveal
    assert (group, funding.txid, funding.vout, funding.sats) == (0, TXID, 1, 70_557)


def test_old_plan_reveals_identically_and_bumps(enoch: Any, old: Path) -> None:
    [stored] = (old / "plan" / "reveals").iterdir()
    before = stored.read_bytes()
    r = enoch("inscribe", "reveal", str(old / "plan"), "--batch", str(old / "batch"), "--funding", f"0={TXID}:1:70557", "--json")
    assert r.exit_code == 0, r.stderr
    [tx] = r.json()["transactions"]
    assert tx["hex"] + "\n" == before.decode() and stored.read_bytes() == before
    assert (old / "plan" / "fundings").is_dir() and (old / "plan" / "index.json").is_file()
    b = enoch("inscribe", "bump", str(old / "plan"), "--batch", str(old / "batch"), "--group", "0", "--fee-rate", "4", "--json")
    assert b.exit_code == 0, b.stderr
    [v2] = b.json()["transactions"]
    plan, _ = load_plan(old / "plan")
    independent.check_script_path_spend(bytes.fromhex(v2["hex"]), 0, [(plan.groups[0].script_pubkey, 70_557)])
    assert [s.version for s in signed_reveals(old / "plan", plan)] == [1, 2]
