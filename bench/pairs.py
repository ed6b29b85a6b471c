"""Medians of alternating project/baseline pairs: the one way every benchmark
here compares enoch with its baseline.

This machine is shared and noisy (one run of bench/pack.py said 1.11x gzip, a
quiet one 0.46x).  So each benchmark measures the project and the baseline in
alternating pairs, at least five, and reports the median of each side and the
median of the per-pair ratios: load that comes and goes hits both sides of a
pair alike, and one disturbed pair does not move a median.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MIN_PAIRS = 5


@dataclass(frozen=True)
class Pairs:
    """Timings (seconds) of ``n`` alternating pairs."""

    project: tuple[float, ...]
    baseline: tuple[float, ...]

    @property
    def project_median(self) -> float:
        return statistics.median(self.project)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def ratio(self) -> float:
        """Median of the per-pair ratios project / baseline."""
        return statistics.median(p / b for p, b in zip(self.project, self.baseline))

    def describe(self, unit: str = "s", scale: float = 1.0) -> str:
        """One line: both medians, the median ratio, the spread of the ratios."""
        ratios = sorted(p / b for p, b in zip(self.project, self.baseline))
        return (
            f"{self.project_median * scale:.3f} {unit} vs baseline {self.baseline_median * scale:.3f} {unit}: "
            f"median ratio {self.ratio:.3f}x (pairs: {len(ratios)}, ratios {ratios[0]:.2f}-{ratios[-1]:.2f})"
        )


def timed(fn: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(
    project: Callable[[], float], baseline: Callable[[], float], pairs: int = MIN_PAIRS
) -> Pairs:
    """Run ``pairs`` alternating rounds; each callable returns the seconds it measured.

    The side that goes first alternates too, so neither always runs on a warm
    (or a cold) cache.
    """
    if pairs < MIN_PAIRS:
        raise ValueError(f"at least {MIN_PAIRS} pairs")
    p_times: list[float] = []
    b_times: list[float] = []
    for i in range(pairs):
        if i % 2 == 0:
            p_times.append(project())
            b_times.append(baseline())
        else:
            b_times.append(baseline())
            p_times.append(project())
    return Pairs(tuple(p_times), tuple(b_times))


def per_call(fn: Callable[[], object], n: int) -> Callable[[], float]:
    """A measurement: seconds per call of ``fn`` over ``n`` calls."""

    def measure() -> float:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - start) / n

    return measure


def calibrate(fn: Callable[[], object], seconds: float) -> int:
    """A call count so that one measurement lasts about ``seconds``."""
    n = 1
    while timed(lambda: [fn() for _ in range(n)]) < seconds:
        n *= 2
    return n


def run_process(cmd: Sequence[str], **kwargs: object) -> Callable[[], float]:
    """A measurement: wall seconds of one run of ``cmd`` (output discarded, must succeed)."""

    def measure() -> float:
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, **kwargs)  # type: ignore[call-overload]
        return time.perf_counter() - start

    return measure


#: Runs one command (its output discarded) and prints the peak RSS of its
#: process tree (``RUSAGE_CHILDREN``; KiB on Linux).
_PEAK_RSS = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_rss_mib(cmd: Sequence[str]) -> float:
    """Peak RSS (MiB) of one run of ``cmd`` and its descendants, measured in a
    fresh wrapper process started in the repository root."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", _PEAK_RSS, *cmd], check=True, capture_output=True, text=True, cwd=root)
    return int(out.stdout.split()[-1]) / 1024


def load_line() -> str:
    """The load average, printed next to figures so a reader can judge them."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} cores"
