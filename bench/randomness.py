"""Benchmark: hexagrams per second (in-process and through ``enoch hexagram
--batch``) against a bare ``hashlib.shake_256`` loop over the same inputs, and
the cold start of ``enoch hexagram --block-hash H`` against ``python -c pass``.

    python bench/randomness.py [--count 1000000] [--pairs 5]

Every figure is the median of alternating project/baseline pairs
(bench/pairs.py): the machine is shared, and load that comes and goes hits
both sides of a pair alike.

Targets (issue 4): >= 250,000 hexagrams/s in-process and through --batch;
cold start <= 150 ms.  Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from pairs import alternate, load_line, run_process, timed
from toolkit.cli.hexagram_batch import hexagram_jsonl
from toolkit.randomness.iching import BlockCaster

TARGET_RATE = 250_000
TARGET_COLD_MS = 150.0
GENESIS = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f}/s  ({seconds:.3f} s)"


def in_process(hashes: list[bytes]) -> tuple[Callable[[], object], Callable[[], object], Callable[[], object]]:
    """The bare shake_256 loop (baseline), casting, and JSON Lines rendering, over ``hashes``."""
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

    return baseline, casts, jsonl


def run_batch_cli(enoch: str, src: Path, n: int) -> None:
    # stdout is a pipe drained here, as a consumer of the JSON Lines would.
    proc = subprocess.Popen([enoch, "hexagram", "--batch", str(src)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    lines = 0
    while chunk := proc.stdout.read(1 << 20):
        lines += chunk.count(b"\n")
    if proc.wait() != 0 or lines != n:
        raise SystemExit(f"enoch hexagram --batch failed (exit {proc.returncode}, {lines} lines)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--pairs", type=int, default=5, help="alternating project/baseline pairs (at least 5)")
    args = ap.parse_args()
    enoch = str(Path(sys.executable).with_name("enoch"))
    if not os.path.exists(enoch):
        enoch = shutil.which("enoch") or sys.exit("enoch is not installed next to this Python")

    rng = random.Random(20260101)  # deterministic "random" block hashes
    hashes = [rng.randbytes(32) for _ in range(args.count)]
    n = len(hashes)
    print(f"{n:,} block hashes, method yarrow, empty context; Python {sys.version.split()[0]}; "
          f"{load_line()}")

    baseline, casts, jsonl = in_process(hashes)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "hashes.txt"
        src.write_text("".join(h[::-1].hex() + "\n" for h in hashes), encoding="ascii")
        runs = {
            "in-proc   BlockCaster -> Casting    ": casts,
            "in-proc   JSON Lines (hexagram_jsonl)": jsonl,
            "CLI       enoch hexagram --batch    ": lambda: run_batch_cli(enoch, src, n),
        }
        rates: list[float] = []
        for label, fn in runs.items():
            pairs = alternate(lambda fn=fn: timed(fn), lambda: timed(baseline), args.pairs)
            rates.append(n / pairs.project_median)
            print(f"{label} {_rate(n, pairs.project_median)}  baseline {_rate(n, pairs.baseline_median)}  "
                  f"= {1 / pairs.ratio:.2f} x baseline speed (median of {args.pairs} pairs)")
    cold = alternate(run_process([enoch, "hexagram", "--block-hash", GENESIS]),
                     run_process([sys.executable, "-c", "pass"]), max(args.pairs, 9))
    enoch_ms = cold.project_median * 1000
    print(f"cold start: enoch hexagram --block-hash {enoch_ms:.1f} ms, python -c pass "
          f"{cold.baseline_median * 1000:.1f} ms = {cold.ratio:.2f} x python (median of pairs)")
    ours, cli = n / rates[0], n / rates[2]

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
