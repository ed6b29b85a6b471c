"""Worst case of an online source against a hostile server (issue 12, defect 2).

    python bench/sources.py [--every 5]

Runs ``enoch fees --fee-source mempool:URL`` against a server on 127.0.0.1
that trickles a valid answer one byte every ``--every`` seconds (so no single
read ever times out), and, as the baseline, against one that answers at once.
Target: the trickle run ends with exit 69 within 32 s (3 attempts of a 10 s
total deadline plus 0.5 s and 1 s of backoff).  Exit status 1 if it does not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.hostile_http import hostile, trickle  # noqa: E402

ANSWER = json.dumps({"fastestFee": 3, "halfHourFee": 2, "hourFee": 2, "economyFee": 1, "minimumFee": 1}).encode()
HTTP = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(ANSWER) + ANSWER
TARGET_S = 32.0


def timed(enoch: str, url: str) -> tuple[float, int]:
    start = time.monotonic()
    proc = subprocess.run([enoch, "fees", "--fee-source", f"mempool:{url}"], capture_output=True, check=False)
    return time.monotonic() - start, proc.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--every", type=float, default=5.0, help="seconds between trickled bytes")
    args = ap.parse_args()
    enoch = shutil.which("enoch") or str(Path(sys.executable).parent / "enoch")
    with hostile(trickle(HTTP, 0.0)) as (url, _):
        base, base_code = timed(enoch, url)
    with hostile(trickle(HTTP, args.every)) as (url, accepted):
        worst, code = timed(enoch, url)
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"prompt server: {base:.2f} s, exit {base_code}")
    print(f"trickle 1 byte / {args.every:g} s: {worst:.1f} s, exit {code}, {len(accepted)} connections "
          f"({worst / base:.0f}x the prompt answer); target: exit 69 within {TARGET_S:g} s")  # fmt: skip
    return 0 if code == 69 and worst <= TARGET_S and base_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
