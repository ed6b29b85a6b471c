"""Run enoch in subprocesses and SIGKILL it at random points (kill tests)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLS: list[bool] = []
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run(args: list[str], kill_after: float | None = None) -> int | None:
    """Run ``enoch ARGS``; with ``kill_after``, SIGKILL it then (None if it was killed)."""
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", *args], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is None:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        return 0
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()  # type: ignore[union-attr]
        return None
    proc.stderr.close()  # type: ignore[union-attr]
    return proc.returncode


def killed_then_finished(args: list[str], rng: random.Random, span: float, done: Path | None = None) -> None:
    """Kill ``args`` at a random point in the later part of its ``span``
    seconds (the start is interpreter imports), then run it to completion."""
    KILLS.append(run(args, kill_after=rng.uniform(0.3 * span, span)) is None)
    if done is not None and done.exists():
        return  # plan finished before the kill (a plan directory is never overwritten)
    run(args)


def timed(args: list[str]) -> float:
    start = time.monotonic()
    run(args)
    return time.monotonic() - start


def reveal_files(plan_dir: Path) -> dict[str, bytes]:
    """The reveal files proper; a killed atomic write may leave a hidden
    temporary behind (swept by the plan-directory hardening, not here)."""
    return {p.name: p.read_bytes() for p in (plan_dir / "reveals").glob("group-*.hex")}
