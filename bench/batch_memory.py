"""Memory of ``enoch pack`` on one big file, and ``unpack`` against ``verify``.

    python bench/batch_memory.py [--pack-mb 300] [--batch-mb 500] [--pairs 5] [--compressor gzip]

1. Peak RSS of ``enoch pack BIG -o OUT`` for one ``--pack-mb`` MB JSON file
   (issue 11: 340 MiB before, as each worker read its file whole).  Target:
   under 150 MiB.  Measured as ``ru_maxrss`` of ``RUSAGE_CHILDREN`` in a fresh
   wrapper process per run (so no earlier child counts); the same wrapper
   around ``enoch --version`` is printed as the floor (interpreter and imports).
2. ``enoch unpack`` against ``enoch verify`` of a ``--batch-mb`` MB batch
   (half JSON, half random bytes, four files): medians of ``--pairs``
   alternating pairs (bench/pairs.py).  Target: unpack <= 1.5x verify
   (issue 11: 2.78 s against 1.18 s when unpack verified first and then
   read everything again).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pack import json_text, random_bytes  # noqa: E402
from pairs import MIN_PAIRS, alternate, load_line, peak_rss_mib, run_process  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ENOCH = [sys.executable, "-m", "toolkit"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack-mb", type=int, default=300)
    parser.add_argument("--batch-mb", type=int, default=500)
    parser.add_argument("--pairs", type=int, default=MIN_PAIRS)
    parser.add_argument("--compressor", default="gzip")
    args = parser.parse_args()
    print(load_line())
    with tempfile.TemporaryDirectory(prefix="enoch-bench-") as tmp_name:
        tmp = Path(tmp_name)
        big = tmp / "big"
        big.mkdir()
        (big / "big.json").write_bytes(json_text(args.pack_mb * 1_000_000, 7))
        floor = peak_rss_mib([*ENOCH, "--version"])
        rss = peak_rss_mib([*ENOCH, "pack", str(big), "-o", str(tmp / "big-batch"), "--compressor", args.compressor])
        verdict = "meets target" if rss < 150 else "MISSES target"
        print(f"pack of one {args.pack_mb} MB file ({args.compressor}): peak RSS {rss:.1f} MiB "
              f"(enoch --version {floor:.1f} MiB; {rss / args.pack_mb:.3f} MiB per MB of input); target < 150 MiB: {verdict}")
        shutil.rmtree(big)
        shutil.rmtree(tmp / "big-batch")

        src = tmp / "src"
        src.mkdir()
        quarter = args.batch_mb * 1_000_000 // 4
        for i in range(2):
            (src / f"text{i}.json").write_bytes(json_text(quarter, 20 + i))
            (src / f"blob{i}.bin").write_bytes(random_bytes(quarter, 30 + i))
        batch = tmp / "batch"
        subprocess.run([*ENOCH, "pack", str(src), "-o", str(batch)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        shutil.rmtree(src)
        out = tmp / "out"
        unpack_cmd = [*ENOCH, "unpack", str(batch), "-o", str(out), "--overwrite"]
        unpack = run_process(unpack_cmd, cwd=ROOT)
        verify = run_process([*ENOCH, "verify", str(batch)], cwd=ROOT)
        pairs = alternate(unpack, verify, args.pairs)
        verdict = "meets target" if pairs.ratio <= 1.5 else "MISSES target"
        print(f"unpack vs verify, {args.batch_mb} MB batch: {pairs.describe()}; target <= 1.5x: {verdict}")
        unpack_rss = peak_rss_mib(unpack_cmd)
        print(f"unpack peak RSS {unpack_rss:.1f} MiB")
        print(load_line())


if __name__ == "__main__":
    main()
