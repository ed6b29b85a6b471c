"""Benchmark ``enoch pack --compressor gzip|zopfli|brotli`` against the
command-line tools on the same files: bytes and time.

    python bench/compressors.py [--mb 50] [--zopfli-mb 50] [--pairs 5] [--only brotli,zopfli]

Inputs: the sample (fixtures/sample) and a deterministic JSON corpus of
``--mb`` MB in five files (bench/pack.py's generator).  For each compressor:

* bytes: total shard bytes of ``enoch pack --compressor C`` (default 1 MB
  shards) against the tool's output over the same files (``gzip -9 -n``,
  ``zopfli`` (15 iterations), ``brotli -q 11 -w 24``, one output per file);
* time (corpus only): wall time of the whole ``enoch pack`` process against
  one pass of the tool over the same files, one after the other, as medians of
  ``--pairs`` (>= 5) alternating pairs (bench/pairs.py).  Target for zopfli and
  brotli: median ratio <= 2.0 (the search costs extra compressions; pack
  uses both cores when there are several files, the tools one).

Zopfli runs at about 0.2 MB/s: the full 50 MB corpus takes ~4 minutes per
tool pass, so ``--zopfli-mb`` can time it on the first files only (reported).
A missing tool skips its baseline with a message naming the Debian package.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pack import json_text  # noqa: E402
from pairs import MIN_PAIRS, alternate, load_line  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "sample"
TOOLS = {
    "gzip": (["gzip", "-9", "-n", "-c"], "gzip"),
    "zopfli": (["zopfli", "-c"], "zopfli"),
    "brotli": (["brotli", "-q", "11", "-w", "24", "-c"], "brotli"),
}
TARGET = {"zopfli": 2.0, "brotli": 2.0}


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def build_corpus(root: Path, mb: int, parts: int = 5) -> list[Path]:
    root.mkdir(parents=True)
    unit = mb * 1_000_000 // parts
    out = []
    for i in range(parts):
        out.append(root / f"part{i}.json")
        out[-1].write_bytes(json_text(unit, 100 + i))
    return out


def enoch_pack(src: Path, out: Path, compressor: str) -> Callable[[], float]:
    def run() -> float:
        shutil.rmtree(out, ignore_errors=True)
        cmd = [sys.executable, "-m", "toolkit", "pack", str(src), "-o", str(out), "--compressor", compressor, "--json"]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start

    return run


def shard_bytes(batch: Path) -> int:
    return sum(s["gz_size"] for s in json.loads((batch / "manifest.json").read_bytes())["shards"])


def tool_pass(compressor: str, files: list[Path], sizes: list[int]) -> Callable[[], float]:
    """One pass of the tool over ``files``, one output per file; appends the output bytes to ``sizes``."""
    cmd = TOOLS[compressor][0]

    def run() -> float:
        start = time.perf_counter()
        total = 0
        for f in files:
            total += len(subprocess.run([*cmd, str(f)], check=True, capture_output=True).stdout)
        elapsed = time.perf_counter() - start
        sizes.append(total)
        return elapsed

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50, help="JSON corpus size in MB (50 for the recorded figures)")
    parser.add_argument("--zopfli-mb", type=int, default=50, help="time zopfli on the first files up to this many MB")
    parser.add_argument("--pairs", type=int, default=MIN_PAIRS)
    parser.add_argument("--only", default="gzip,zopfli,brotli", help="comma-separated compressors")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n]
    available = {}
    for name in names:
        available[name] = shutil.which(TOOLS[name][0][0]) is not None
        if not available[name]:
            print(f"{name}: baseline skipped: the {TOOLS[name][0][0]} tool is missing (Debian package {TOOLS[name][1]})")
    print(load_line())
    with tempfile.TemporaryDirectory(prefix="enoch-bench-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = build_corpus(tmp / "corpus", args.mb)
        size = sum(p.stat().st_size for p in corpus)
        print(f"corpus: {len(corpus)} JSON files, {size / 1e6:.1f} MB; sample: {sum(p.stat().st_size for p in files_under(SAMPLE))} bytes")
        for name in names:
            enoch_pack(SAMPLE, tmp / f"sample-{name}", name)()
            ours = shard_bytes(tmp / f"sample-{name}")
            sizes: list[int] = []
            base = sizes[0] if available[name] and tool_pass(name, files_under(SAMPLE), sizes)() >= 0 else None
            print(f"sample  {name:6s}: enoch {ours} bytes" + (f", tool {base} bytes ({ours / base:.4f}x)" if base else ""))
        for name in names:
            files = corpus
            if name == "zopfli" and args.zopfli_mb < args.mb:
                files = corpus[: max(1, len(corpus) * args.zopfli_mb // args.mb)]
            src = tmp / f"src-{name}"
            src.mkdir()
            for f in files:
                os.link(f, src / f.name)
            mb = sum(f.stat().st_size for f in files) / 1e6
            project = enoch_pack(src, tmp / f"corpus-{name}", name)
            if not available[name]:
                print(f"corpus  {name:6s} ({mb:.0f} MB): enoch {project():.2f} s, {shard_bytes(tmp / f'corpus-{name}')} bytes (no baseline)")
                continue
            sizes = []
            pairs = alternate(project, tool_pass(name, files, sizes), args.pairs)
            ours, base = shard_bytes(tmp / f"corpus-{name}"), sizes[0]
            target = TARGET.get(name)
            verdict = "" if target is None else (" meets target" if pairs.ratio <= target else " MISSES target") + f" <= {target}x"
            print(f"corpus  {name:6s} ({mb:.0f} MB): bytes enoch {ours} vs tool {base} ({ours / base:.4f}x); time {pairs.describe()}{verdict}")
            print(f"  ({load_line()})")


if __name__ == "__main__":
    main()
