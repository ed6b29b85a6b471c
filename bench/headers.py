"""Benchmark: anchored header-chain verification (SPEC H) of the 20,000 real
mainnet headers 80,001 .. 100,000, against hashlib double-SHA-256 of the same
80-byte headers (the hashing every verifier must do) as the baseline; and a
200,000-header chain file verified as a stream, with its peak memory.

    python bench/headers.py [--pairs 5] [--stream 200000]

Each figure is the median of alternating project/baseline pairs (bench/pairs.py).

Target (issue 10): >= 200,000 headers/s verified in-process (the whole
mainnet history in under 5 s).  The streamed file must verify with a peak of
Python allocations far below its size (reported, not a pass/fail target).
Exit status 1 if the target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from pairs import alternate, load_line, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.chainmint: the synthetic chain miner

from tests.chainmint import mine_chain, synthetic_params  # noqa: E402
from toolkit.chain.headerchain import read_header_file, verify_chain, verify_chain_params  # noqa: E402
from toolkit.chain.headerfile import format_header_file  # noqa: E402

TARGET_RATE = 200_000
FIXTURE = ROOT / "fixtures" / "mainnet-headers" / "mainnet-headers-80001-100000.txt"


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>10,.0f} headers/s ({seconds * 1000:.1f} ms)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=5, help="alternating project/baseline pairs (at least 5)")
    ap.add_argument("--stream", type=int, default=200_000, help="headers in the streamed synthetic file")
    args = ap.parse_args()
    headers = list(read_header_file(FIXTURE))
    n = len(headers)
    print(f"{n:,} mainnet headers 80,001..100,000; Python {sys.version.split()[0]}; {load_line()}")

    sha256 = hashlib.sha256

    def baseline() -> None:
        for h in headers:
            sha256(sha256(h).digest()).digest()

    def verify() -> None:
        chain = verify_chain(headers, "mainnet")
        assert chain.tip_chainwork == 0x644CB7F5234089E and len(chain.retargets) == 9

    def verify_file() -> None:
        assert verify_chain(read_header_file(FIXTURE), "mainnet").tip_height == 100_000

    rows = {"verify_chain (headers in memory)   ": verify, "verify_chain(read_header_file(F))  ": verify_file}
    in_memory_rate = 0.0
    for label, fn in rows.items():
        pairs = alternate(lambda fn=fn: timed(fn), lambda: timed(baseline), args.pairs)
        rate = n / pairs.project_median
        in_memory_rate = in_memory_rate or rate
        print(f"{label} {_rate(n, pairs.project_median)}  baseline sha256d {_rate(n, pairs.baseline_median)}"
              f"  = {pairs.ratio:.2f}x the baseline's time (median of {args.pairs} pairs)")

    # A long file, streamed: a synthetic low-difficulty chain (tests/chainmint.py) with its own checkpoints.
    start = time.perf_counter()
    chain = mine_chain(args.stream)
    params = synthetic_params(chain, min(50, (args.stream - 1) // 2016))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chain.txt"
        path.write_bytes(format_header_file(chain))
        size = path.stat().st_size
        del chain
        print(f"streamed file: {args.stream:,} synthetic headers, {size / 1e6:.1f} MB "
              f"(mined in {time.perf_counter() - start:.1f} s)")
        seconds = timed(lambda: verify_chain_params(read_header_file(path), params))
        tracemalloc.start()  # a second run: tracemalloc slows Python down several times
        verify_chain_params(read_header_file(path), params)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"  verified {_rate(args.stream, seconds)}; peak Python allocations {peak / 1e3:.0f} kB (tracemalloc)")

    ok = in_memory_rate >= TARGET_RATE
    print(f"target >= {TARGET_RATE:,} headers/s in-process: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
