"""Cold start of three commands against ``python -c pass``, in alternating pairs.

    python bench/coldstart.py [--pairs 15]

Targets (issue 11): ``enoch vrf verify PROOF`` <= 80 ms; ``enoch --version``
and ``enoch hexagram --block-hash H`` no slower than before (47 ms and 62 ms
when python -c pass took 29 ms).  Each figure is the median of --pairs runs,
each run paired with a ``python -c pass`` run; the ratio is the median of the
per-pair ratios.  Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pairs import alternate, load_line, run_process  # noqa: E402

GENESIS = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
TARGETS_MS = {"vrf verify": 80.0, "--version": 47.0, "hexagram": 62.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=15)
    args = ap.parse_args()
    enoch = shutil.which("enoch") or str(Path(sys.executable).parent / "enoch")
    tmp = Path(tempfile.mkdtemp(prefix="enoch-bench-"))
    try:
        key, proof = tmp / "k.key", tmp / "p.json"
        subprocess.run([enoch, "vrf", "keygen", "-o", str(key)], check=True, capture_output=True)
        subprocess.run(
            [enoch, "vrf", "prove", "--key", str(key), "--block-hash", GENESIS, "-o", str(proof)],
            check=True, capture_output=True,
        )  # fmt: skip
        commands = {
            "vrf verify": [enoch, "vrf", "verify", str(proof)],
            "--version": [enoch, "--version"],
            "hexagram": [enoch, "hexagram", "--block-hash", GENESIS],
        }
        baseline = run_process([sys.executable, "-c", "pass"])
        print(load_line())
        misses = 0
        for name, cmd in commands.items():
            run_process(cmd)()  # warm the page cache once
            pairs = alternate(run_process(cmd), baseline, args.pairs)
            ms = pairs.project_median * 1000
            ok = ms <= TARGETS_MS[name]
            misses += not ok
            print(
                f"enoch {name:<11} {ms:6.1f} ms (target <= {TARGETS_MS[name]:.0f} ms: {'yes' if ok else 'NO'}); "
                f"python -c pass {pairs.baseline_median * 1000:5.1f} ms; median ratio {pairs.ratio:.2f}x"
            )
        return 1 if misses else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
