"""Review: plan.json repeats the batch's root (status shows it, reveal copies
it into index.json); an edited root with the pinned manifest unchanged was
signed over and written into index.json.  It must match the manifest the plan
pins (exit 1, nothing written), as the plan/batch mismatch it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
