"""Benchmark ``enoch pack`` against ``gzip -9 -n`` and one zlib level-9 pass.

    python bench/pack.py [--mb 56] [--repeat 3]

Builds a deterministic corpus in a temporary directory (several JSON-like
text files and several random-byte files, >= 50 MB in total) and measures,
in the same run and on the same files:

1. ``enoch pack CORPUS -o OUT`` (whole CLI process: start-up, sharding,
   round-trip checks, hashing, proofs, writing) against
   ``gzip -9 -n -c FILES... > OUT`` (one gzip process over the same files).
   Target on a 2-core machine: ratio <= 0.62.
2. ``enoch pack BIG -o OUT`` for one big file against one level-9 raw-deflate
   compression of it with Python's zlib in this process.  Target: <= 1.1.

Each figure is the median of ``--pairs`` alternating enoch/baseline pairs
(bench/pairs.py), the ratio the median of the per-pair ratios.  Needs the ``gzip`` binary.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from pairs import alternate, load_line  # noqa: E402  (bench/ is the script directory)


def json_text(n: int, seed: int) -> bytes:
    """About ``n`` bytes of JSON-lines game data (compresses roughly 4:1)."""
    out, size, i = [], 0, 0
    while size < n:
        h = hashlib.sha256(b"%d:%d" % (seed, i)).hexdigest()
        row = json.dumps(
            {"id": i, "name": f"unit {h[:6]}", "stats": [int(h[j : j + 2], 16) for j in range(0, 16, 2)], "tag": h[16:28]}
        ).encode() + b"\n"
        out.append(row)
        size += len(row)
        i += 1
    return b"".join(out)[:n]


def random_bytes(n: int, seed: int) -> bytes:
    return hashlib.shake_256(b"bench %d" % seed).digest(n)


def build_corpus(root: Path, total_mb: int) -> list[Path]:
    """6 text files and 3 random files, about ``total_mb`` MB together."""
    root.mkdir()
    unit = total_mb * 1_000_000 // 9
    paths = []
    for i in range(6):
        paths.append(root / f"data{i}.json")
        paths[-1].write_bytes(json_text(unit + i * 1000, i))
    for i in range(3):
        paths.append(root / f"blob{i}.bin")
        paths[-1].write_bytes(random_bytes(unit - i * 1000, i))
    return paths


def cpu_seconds() -> float:
    """CPU time of this process plus its finished children."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def measured(run: Callable[[], None], cpu: list[float]) -> Callable[[], float]:
    """A measurement for bench/pairs.py: wall seconds of one run; its CPU
    seconds (this process and its children) are appended to ``cpu``."""

    def measure() -> float:
        wall, start = time.perf_counter(), cpu_seconds()
        run()
        cpu.append(cpu_seconds() - start)
        return time.perf_counter() - wall

    return measure


def enoch_pack(src: Path, out: Path) -> Callable[[], None]:
    def run() -> None:
        shutil.rmtree(out, ignore_errors=True)
        cmd = [sys.executable, "-m", "toolkit", "pack", str(src), "-o", str(out)]
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

    return run


def gzip_files(files: list[Path], out: Path) -> Callable[[], None]:
    def run() -> None:
        with open(out, "wb") as fh:
            subprocess.run(["gzip", "-9", "-n", "-c", *map(str, files)], stdout=fh, check=True)

    return run


def zlib_once(path: Path) -> Callable[[], None]:
    def run() -> None:
        data = path.read_bytes()
        comp = zlib.compressobj(9, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY)
        comp.compress(data)
        comp.flush()

    return run


def compare(name: str, ours: Callable[[], None], base: Callable[[], None], pairs: int, target: float) -> None:
    """Alternating pairs of ``ours`` and ``base``; print medians and the median ratio."""
    cpu_ours: list[float] = []
    cpu_base: list[float] = []
    result = alternate(measured(ours, cpu_ours), measured(base, cpu_base), pairs)
    verdict = "meets target" if result.ratio <= target else "MISSES target"
    print(f"{name}: {result.describe()} (target <= {target}) {verdict}; "
          f"CPU median {statistics.median(cpu_ours):.2f}s vs {statistics.median(cpu_base):.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=56, help="corpus size in MB (>= 50 for the real benchmark)")
    parser.add_argument("--pairs", type=int, default=5, help="alternating enoch/baseline pairs (at least 5)")
    args = parser.parse_args()
    if shutil.which("gzip") is None:
        sys.exit("bench/pack.py needs the gzip binary")
    with tempfile.TemporaryDirectory(prefix="enoch-bench-") as tmp_name:
        tmp = Path(tmp_name)
        files = build_corpus(tmp / "corpus", args.mb)
        size = sum(p.stat().st_size for p in files)
        print(f"corpus: {len(files)} files, {size / 1e6:.1f} MB; {os.cpu_count()} CPUs; zlib {zlib.ZLIB_RUNTIME_VERSION}")
        print(load_line())
        compare("corpus  (enoch pack vs gzip -9 -n)", enoch_pack(tmp / "corpus", tmp / "batch"),
                gzip_files(files, tmp / "all.gz"), args.pairs, 0.62)

        big_dir = tmp / "big"
        big_dir.mkdir()
        big = big_dir / "big.json"
        big.write_bytes(json_text(size // 2, 99))
        compare(f"one file {big.stat().st_size / 1e6:.0f} MB (enoch pack vs one zlib -9 pass)",
                enoch_pack(big_dir, tmp / "batch-big"), zlib_once(big), args.pairs, 1.1)
        print(f"{load_line()} after the run (other processes skew the parallel ratio)")


if __name__ == "__main__":
    main()
