"""Benchmark: `plan` and `reveal` for a batch of 100 shards of ~1 MB.

    .venv/bin/python bench/inscribe.py

Builds the batch in a temporary directory (100 files of random bytes, each one
~1 MB gzip member), then times the library calls behind ``enoch inscribe plan``
(batch verification, packing, keys, exact weights, plan directory) and
``enoch inscribe reveal`` (rebuilding every reveal script, signing, writing the
signed transactions).  Target: plan + reveal <= 3 s.  The baseline measured in
the same run is the bare cost of reading the batch and hashing it once with
SHA-256 (the least any verifier must do), printed as a ratio.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inscriptions.batch.verify import verify_batch  # noqa: E402
from inscriptions.batch.inputs import collect_inputs  # noqa: E402
from inscriptions.transactions.network import parse_address  # noqa: E402
from inscriptions.batch.pack import pack_files  # noqa: E402
from inscriptions.transactions.plan import make_plan  # noqa: E402
from inscriptions.transactions.planfile import load_plan  # noqa: E402
from inscriptions.transactions.reveal import open_batch, parse_fundings, reveal_all  # noqa: E402

SHARDS = 100
FILE_SIZE = 995_000  # random bytes -> one gzip member of 995,323 bytes (~1 MB)
TARGET_S = 3.0
DEST = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="enoch-bench-"))
    try:
        src = tmp / "src"
        src.mkdir()
        for i in range(SHARDS):
            (src / f"part{i:03d}.bin").write_bytes(os.urandom(FILE_SIZE))
        pack_files(collect_inputs([src]), tmp / "batch", shard_size=1_000_000, jobs=os.cpu_count() or 1)

        t0 = time.perf_counter()
        for p in sorted((tmp / "batch" / "shards").iterdir()):
            hashlib.sha256(p.read_bytes()).digest()
        baseline = time.perf_counter() - t0

        t0 = time.perf_counter()
        batch = verify_batch(tmp / "batch")
        plan = make_plan(
            batch, tmp / "plan", destination=parse_address(DEST, "signet"), postage=10_000,
            relay="direct", fee_rate=Decimal("2.5"), ceiling=Decimal(5),
        )  # fmt: skip
        t_plan = time.perf_counter() - t0

        t0 = time.perf_counter()
        loaded, secret = load_plan(tmp / "plan")
        fundings = [f"{g.group}={g.group + 1:064x}:0:{g.fund_sats}" for g in loaded.groups]
        reveals = reveal_all(tmp / "plan", loaded, secret, parse_fundings(fundings, loaded), open_batch(loaded, None))
        t_reveal = time.perf_counter() - t0

        shards = batch.manifest.tree_size
        total_mb = sum(s.gz_size for s in batch.manifest.shards) / 1e6
        weight = sum(r.tx.weight for r in reveals)
        print(f"batch: {shards} shards, {total_mb:.1f} MB; {len(plan.groups)} groups, {len(reveals)} reveals, {weight:,} WU")
        print(f"baseline (read + SHA-256 once): {baseline:.2f} s")
        print(f"plan:   {t_plan:.2f} s  ({t_plan / baseline:.1f}x baseline)")
        print(f"reveal: {t_reveal:.2f} s  ({t_reveal / baseline:.1f}x baseline)")
        total = t_plan + t_reveal
        print(f"plan + reveal: {total:.2f} s (target <= {TARGET_S:.1f} s): {'OK' if total <= TARGET_S else 'SLOW'}")
        return 0 if total <= TARGET_S else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
