"""Long fuzz runs over every parser (the same targets as the bounded CI run,
tests/test_fuzz_parsers.py): ``python -m tests.fuzz_long --seconds 600
[--seed N] [--target NAME]...``.

Round-robin over the targets: every single-field hostile edit of each JSON
seed once, then random mutations (bit flips, cuts, hostile splices, hostile
JSON values) and random bytes until the time is up.  Prints inputs per target
and each distinct non-enoch exception with a reproducer; exit 1 if any.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from tests.fuzz_targets import TARGETS
from tests.fuzzkit import json_variants, mutate, run_target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="total duration (default 60)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: time-based, printed)")
    parser.add_argument("--target", action="append", choices=sorted(TARGETS), help="only these targets (repeatable)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else time.time_ns() % 2**32
    rng = random.Random(seed)
    targets = [TARGETS[n] for n in (args.target or sorted(TARGETS))]
    print(f"fuzzing {len(targets)} targets for {args.seconds:g} s, --seed {seed}", flush=True)
    counts = {t.name: 0 for t in targets}
    findings: dict[tuple[str, str], bytes] = {}

    def one(target_name: str, data: bytes) -> None:
        counts[target_name] += 1
        found = run_target(TARGETS[target_name], data)
        if found is not None:
            key = (target_name, f"{type(found).__name__}: {found}"[:200])
            if key not in findings:
                findings[key] = data
                print(f"FOUND {key[0]}: {key[1]}\n  input: {data[:400]!r}", flush=True)

    deadline = time.monotonic() + args.seconds
    seeds = {t.name: t.seeds() for t in targets}
    for t in targets:  # the systematic part first
        if t.json_seeds:
            for s in seeds[t.name]:
                for data in json_variants(s):
                    one(t.name, data)
    while time.monotonic() < deadline:
        for t in targets:
            for _ in range(50):
                if rng.random() < 0.2:
                    data = rng.randbytes(rng.randrange(400))
                else:
                    data = mutate(rng.choice(seeds[t.name]), rng, json_doc=t.json_seeds)
                    if rng.random() < 0.3:  # stack mutations
                        data = mutate(data, rng, json_doc=False)
                one(t.name, data)
    total = sum(counts.values())
    print(f"{total} inputs: " + ", ".join(f"{n} {c}" for n, c in counts.items()))
    print(f"{len(findings)} distinct non-enoch exceptions")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
