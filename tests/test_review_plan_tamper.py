"""Review: plan.json repeats the batch's root (status shows it, reveal copies
it into index.json); an edited root with the pinned manifest unchanged was
signed over and written into index.json.  It must match the manifest the plan
pins (exit 1, nothing written), as the plan/batch mismatch it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.batchkit import SIGNET_P2WPKH, small_batch
from toolkit.core.canonical_json import canonical_dumps

TXID = "ab" * 32


def test_reveal_refuses_a_plan_whose_root_is_not_the_manifests(enoch: Any, tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    plan = tmp_path / "plan"
    r = enoch("inscribe", "plan", str(batch.path), "-o", str(plan), "--destination", SIGNET_P2WPKH,
              "--network", "signet", "--fee-rate", "2")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    doc = json.loads((plan / "plan.json").read_text())
    root = doc["batch"]["root"]
    doc["batch"]["root"] = ("0" if root[0] != "0" else "1") + root[1:]
    (plan / "plan.json").write_bytes(canonical_dumps(doc) + b"\n")
    fund = f"0={TXID}:0:{doc['groups'][0]['fund_sats']}"
    r = enoch("inscribe", "reveal", str(plan), "--funding", fund, "--json")
    assert r.exit_code == 1 and "root" in r.json()["error"]["message"], r
    assert not (plan / "index.json").exists() and not (plan / "reveals").exists()


def _planned(enoch: Any, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    batch = small_batch(tmp_path)
    plan = tmp_path / "plan"
    r = enoch("inscribe", "plan", str(batch.path), "-o", str(plan), "--destination", SIGNET_P2WPKH,
              "--network", "signet", "--fee-rate", "2", "--bump-headroom", "4", "--change", SIGNET_P2WPKH)  # fmt: skip
    assert r.exit_code == 0, r.stderr
    return plan, json.loads((plan / "plan.json").read_text())


def _edit_body_size(plan: Path, doc: dict[str, Any], item: int, delta: int) -> None:
    edited = json.loads(json.dumps(doc))
    edited["groups"][0]["inscriptions"][item]["body_size"] += delta
    (plan / "plan.json").write_bytes(canonical_dumps(edited) + b"\n")


@pytest.mark.parametrize(("item", "delta"), [(0, 1), (1, -1), (2, 1000)], ids=["manifest", "shard", "shard-larger"])
def test_reveal_refuses_a_body_size_that_is_not_the_manifests(enoch: Any, tmp_path: Path, item: int, delta: int) -> None:
    # plan.json repeats every body size; the pinned manifest fixes them (the
    # manifest's length, each shard's gz_size): another value is a plan that
    # is not the batch's, as an edited root is (exit 1, nothing written).
    plan, doc = _planned(enoch, tmp_path)
    _edit_body_size(plan, doc, item, delta)
    fund = f"0={TXID}:0:{doc['groups'][0]['fund_sats']}"
    r = enoch("inscribe", "reveal", str(plan), "--funding", fund, "--json")
    message = r.json()["error"]["message"]
    assert r.exit_code == 1 and f"group 0: inscriptions[{item}]" in message and "body_size" in message, r.stderr
    assert not (plan / "index.json").exists() and not (plan / "reveals").exists()


def test_bump_refuses_a_body_size_that_is_not_the_manifests(enoch: Any, tmp_path: Path) -> None:
    plan, doc = _planned(enoch, tmp_path)
    fund = f"0={TXID}:0:{doc['groups'][0]['fund_sats']}"
    assert enoch("inscribe", "reveal", str(plan), "--funding", fund).exit_code == 0
    signed = sorted(p.name for p in (plan / "reveals").iterdir())
    _edit_body_size(plan, doc, 1, 1)
    r = enoch("inscribe", "bump", str(plan), "--group", "0", "--fee-rate", "3", "--json")
    message = r.json()["error"]["message"]
    assert r.exit_code == 1 and "group 0: inscriptions[1]" in message and "body_size" in message, r.stderr
    assert sorted(p.name for p in (plan / "reveals").iterdir()) == signed
