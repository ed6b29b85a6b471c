"""Benchmark: hexagrams per second (in-process and through ``enoch hexagram
--batch``) against a bare ``hashlib.shake_256`` loop over the same inputs, and
the cold start of ``enoch hexagram --block-hash H`` against ``python -c pass``.

    python bench/randomness.py [--count 1000000] [--repeat 3] [--runs 9]

Throughputs are the best of --repeat runs (the machine may be shared; the
baseline gets the same treatment), cold starts the median of --runs.

Targets (issue 4): >= 250,000 hexagrams/s in-process and through --batch;
cold start <= 150 ms.  Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from toolkit.cli.hexagram_batch import hexagram_jsonl
from toolkit.randomness.iching import BlockCaster

TARGET_RATE = 250_000
TARGET_COLD_MS = 150.0
GENESIS = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f}/s  ({seconds:.3f} s)"


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_in_process(hashes: list[bytes], repeat: int) -> tuple[float, float, float]:
    caster = BlockCaster("", "yarrow")
    prefix, suffix, shake = caster.prefix, caster.suffix, hashlib.shake_256

    def baseline() -> None:
        for h in hashes:
            shake(prefix + h + suffix).digest(3)

    def casts() -> None:
        for h in hashes:
            caster(h)

    text = ("\n".join(h[::-1].hex() for h in hashes) + "\n").encode()
    chunks = [text[i : i + 65536] for i in range(0, len(text), 65536)]

    def jsonl() -> None:
        assert sum(len(c) for c in hexagram_jsonl(chunks, context="", method="yarrow")) > 0

    return best_of(repeat, baseline), best_of(repeat, casts), best_of(repeat, jsonl)


def bench_batch_cli(enoch: str, hashes: list[bytes], tmp: Path, repeat: int) -> float:
    src = tmp / "hashes.txt"
    src.write_text("".join(h[::-1].hex() + "\n" for h in hashes), encoding="ascii")
    return best_of(repeat, lambda: run_batch_cli(enoch, src, len(hashes)))


def run_batch_cli(enoch: str, src: Path, n: int) -> None:
    # stdout is a pipe drained here, as a consumer of the JSON Lines would.
    proc = subprocess.Popen([enoch, "hexagram", "--batch", str(src)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    lines = 0
    while chunk := proc.stdout.read(1 << 20):
        lines += chunk.count(b"\n")
    if proc.wait() != 0 or lines != n:
        raise SystemExit(f"enoch hexagram --batch failed (exit {proc.returncode}, {lines} lines)")


def _median_ms(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    enoch = str(Path(sys.executable).with_name("enoch"))
    if not os.path.exists(enoch):
        enoch = shutil.which("enoch") or sys.exit("enoch is not installed next to this Python")

    rng = random.Random(20260101)  # deterministic "random" block hashes
    hashes = [rng.randbytes(32) for _ in range(args.count)]
    n = len(hashes)
    print(f"{n:,} block hashes, method yarrow, empty context; Python {sys.version.split()[0]}; "
          f"best of {args.repeat}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    base, ours, jsonl = bench_in_process(hashes, args.repeat)
    print(f"baseline  bare shake_256 loop        {_rate(n, base)}")
    print(f"in-proc   BlockCaster -> Casting     {_rate(n, ours)}  = {base / ours:.2f} x baseline speed")
    print(f"in-proc   JSON Lines (hexagram_jsonl){_rate(n, jsonl)}  = {base / jsonl:.2f} x baseline speed")
    with tempfile.TemporaryDirectory() as tmp:
        cli = bench_batch_cli(enoch, hashes, Path(tmp), args.repeat)
    print(f"CLI       enoch hexagram --batch     {_rate(n, cli)}  = {base / cli:.2f} x baseline speed (incl. start-up)")

    python_ms = _median_ms([sys.executable, "-c", "pass"], args.runs)
    enoch_ms = _median_ms([enoch, "hexagram", "--block-hash", GENESIS], args.runs)
    print(f"cold start (median of {args.runs}): python -c pass {python_ms:.1f} ms; "
          f"enoch hexagram --block-hash {enoch_ms:.1f} ms = {enoch_ms / python_ms:.2f} x python, +{enoch_ms - python_ms:.1f} ms")
    shim = shutil.which("python3")
    if shim and Path(shim).resolve() != Path(sys.executable).resolve():
        print(f"           (python3 on PATH, {shim}: {_median_ms([shim, '-c', 'pass'], args.runs):.1f} ms)")

    checks = {
        f"in-process >= {TARGET_RATE:,}/s": n / ours >= TARGET_RATE,
        f"--batch >= {TARGET_RATE:,}/s": n / cli >= TARGET_RATE,
        f"cold start <= {TARGET_COLD_MS:.0f} ms": enoch_ms <= TARGET_COLD_MS,
    }
    for name, ok in checks.items():
        print(f"target {name}: {'met' if ok else 'MISSED'}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
