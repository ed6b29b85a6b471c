"""SIGKILL at any moment of `enoch inscribe plan` leaves no plan or a complete one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from inscriptions.plans.planfile import load_plan
from tests.batchkit import SIGNET_P2WPKH, small_batch

ROOT = Path(__file__).resolve().parent.parent


def test_kill_during_plan(tmp_path: Path) -> None:
    batch = small_batch(tmp_path, shard_size=1500)
    outcomes = set()
    for i, delay in enumerate([0.1, 0.25, 0.4, 0.55, 0.7, None]):
        out = tmp_path / f"plan{i}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "toolkit", "inscribe", "plan", str(batch.path), "-o", str(out),
             "--destination", SIGNET_P2WPKH, "--network", "signet", "--fee-rate", "2"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        if delay is not None:  # None: let the last run finish
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
        stdout, _ = proc.communicate()
        if out.exists():
            plan, secret = load_plan(out)  # complete: parses, secret present and matching
            assert len(secret) == 32 and plan.groups
            outcomes.add("complete")
        else:
            assert b"send exactly" not in stdout  # no address was shown without a plan
            outcomes.add("none")
        # A killed run may leave its private ".planN.*.tmp" directory, never a plan.
        assert sorted(p for p in os.listdir(tmp_path) if p.startswith(f"plan{i}")) == (["plan%d" % i] if out.exists() else [])
    assert "complete" in outcomes
