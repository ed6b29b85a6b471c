"""SIGKILL at any moment of `enoch inscribe reveal` (and `bump`): a rerun
finishes with exactly the bytes an uninterrupted run writes -- never a
second, different transaction for one funding (signing is deterministic)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from inscriptions.plans.index import INDEX_NAME, InscriptionIndex
from inscriptions.plans.planfile import load_plan
from tests.batchkit import SIGNET_P2WPKH, make_batch, noise

ROOT = Path(__file__).resolve().parent.parent


def _state(plan: Path) -> dict[str, bytes]:
    keep = ("reveals", "fundings", INDEX_NAME)
    return {str(p.relative_to(plan)): p.read_bytes() for p in sorted(plan.rglob("*"))
            if p.is_file() and str(p.relative_to(plan)).startswith(keep) and not p.name.startswith(".")}  # fmt: skip


def test_kill_during_reveal_and_bump(enoch: Any, tmp_path: Path) -> None:
    batch = make_batch(tmp_path, {"a.bin": noise(600_000, 4), "b.txt": b"x\n"}, shard_size=200_000)
    r = enoch("inscribe", "plan", str(batch), "-o", str(tmp_path / "plan"), "--destination", SIGNET_P2WPKH,
              "--network", "signet", "--fee-rate", "1", "--bump-headroom", "3", "--change", SIGNET_P2WPKH)  # fmt: skip
    assert r.exit_code == 0, r.stderr
    plan, _ = load_plan(tmp_path / "plan")
    assert len(plan.groups) >= 3
    fundings = [a for g in plan.groups for a in ("--funding", f"{g.group}={'ab' * 32}:{g.group}:{g.fund_sats}")]
    shutil.copytree(tmp_path / "plan", tmp_path / "reference")
    steps = [["reveal", *fundings], ["bump", "--group", "1", "--fee-rate", "2.5"]]
    for step in steps:  # the uninterrupted run
        assert enoch("inscribe", step[0], str(tmp_path / "reference"), *step[1:]).exit_code == 0
    expected = _state(tmp_path / "reference")
    for step in steps:
        for delay in (0.3, 0.7, 1.1):
            proc = subprocess.Popen([sys.executable, "-m", "toolkit", "inscribe", step[0], str(tmp_path / "plan"), *step[1:]],
                                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
        done = subprocess.run([sys.executable, "-m", "toolkit", "inscribe", step[0], str(tmp_path / "plan"), *step[1:]],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
    got = _state(tmp_path / "plan")
    assert got == expected
    InscriptionIndex.from_bytes(got[INDEX_NAME])
