"""ECVRF benchmark: prove and verify per second for each RFC 9381 suite,
against OpenSSL Ed25519 signature verification (the `cryptography` package)
measured in the same run.

    .venv/bin/python bench/vrf.py [--seconds 1.0]

Targets, as ratios to one OpenSSL Ed25519 verify: ECVRF-EDWARDS25519-SHA512-TAI
prove <= 5x (issue 3) and verify <= 3.5x (issue 11); the P-256 suites prove <= 10x
and verify <= 8x.  Each ratio is the median of --pairs alternating pairs (each
pair: one timed round of the operation, one of the reference).
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from pairs import alternate, calibrate, load_line, per_call  # noqa: E402
from vrf import ecvrf  # noqa: E402
from vrf.suites import SUITES  # noqa: E402

#: (prove, verify) targets as ratios to one OpenSSL Ed25519 verify (issues 3 and 11).
TARGETS = {
    "ECVRF-EDWARDS25519-SHA512-TAI": (5.0, 3.5),
    "ECVRF-P256-SHA256-TAI": (10.0, 8.0),
    "ECVRF-P256-SHA256-SSWU": (10.0, 8.0),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=0.2, help="length of one timed round")
    ap.add_argument("--pairs", type=int, default=7, help="alternating pairs per figure (at least 5)")
    args = ap.parse_args()

    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench").digest())
    msg = b"enoch bench message"
    sig, pub = key.sign(msg), key.public_key()
    def ref_op() -> None:
        pub.verify(sig, msg)

    n_ref = calibrate(ref_op, args.seconds)
    ref = alternate(per_call(ref_op, n_ref), per_call(ref_op, n_ref), args.pairs).baseline_median

    print(f"python {platform.python_version()} on {platform.machine()}; {load_line()}")
    print(f"reference: OpenSSL Ed25519 verify (cryptography) {ref * 1e6:8.1f} us  {1 / ref:10.0f}/s\n")
    print(f"(each ratio: median over {args.pairs} alternating pairs of that operation and the reference)\n")
    print(f"{'suite':<32} {'op':<7} {'us/op':>9} {'ops/s':>8} {'x ref':>7} {'target':>7}  ok")
    misses = 0
    alpha = bytes.fromhex("0000000000000000000320283a032748cef8227873ff4872689bf23f1cda83a5")[::-1] + b"quest:42"
    for suite in SUITES:
        sk = hashlib.sha256(b"bench " + suite.name.encode()).digest()
        pk = ecvrf.public_key(suite, sk)
        pi = ecvrf.prove(suite, sk, alpha)
        ops: dict[str, Callable[[], object]] = {
            "prove": lambda: ecvrf.prove(suite, sk, alpha),
            "verify": lambda: ecvrf.verify(suite, pk, alpha, pi),
        }
        for i, (op, fn) in enumerate(ops.items()):
            pairs = alternate(per_call(fn, calibrate(fn, args.seconds)), per_call(ref_op, n_ref), args.pairs)
            t, ratio = pairs.project_median, pairs.ratio
            target = TARGETS[suite.name][i] if suite.name in TARGETS else None
            verdict = "-" if target is None else ("yes" if ratio <= target else "NO")
            misses += verdict == "NO"
            tgt = f"{target:g}x" if target else "-"
            print(f"{suite.name:<32} {op:<7} {t * 1e6:9.1f} {1 / t:8.0f} {ratio:6.1f}x {tgt:>7}  {verdict}")
    print(f"\n{misses} target(s) missed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
