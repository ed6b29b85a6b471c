"""Review: ``--overwrite`` replaced whatever held the output name, also a plan
directory (``pack``/``unpack``/``inscribe extract -o PLAN --overwrite`` deleted
its batch secret: whatever was sent to its commit addresses is then lost) and
a VRF key file (``draw commit -o provider.key --overwrite``).  A secret is
never replaced, not even with --overwrite (exit 2, the secret untouched)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.batchkit import make_batch, noise
from tests.revealkit import plan_and_reveal

Enoch = Callable[..., Any]
ENTRANTS = Path(__file__).resolve().parent.parent / "fixtures" / "draws" / "entrants.txt"


@pytest.fixture
def revealed(enoch: Enoch, tmp_path: Path) -> tuple[Path, Path]:
    batch = make_batch(tmp_path, {"a.bin": noise(5000), "b.txt": b"hello\n" * 100}, shard_size=4096)
    plan_and_reveal(enoch, batch, tmp_path / "plan")
    return batch, tmp_path / "plan"


def test_directory_outputs_never_replace_a_plan(enoch: Enoch, tmp_path: Path, revealed: tuple[Path, Path]) -> None:
    batch, plan = revealed
    secret = (plan / "batch-secret.json").read_bytes()
    reveals = sorted(str(p) for p in (plan / "reveals").glob("*.hex"))
    for args in (
        ["pack", str(tmp_path / "batch-src"), "-o", str(plan)],
        ["unpack", str(batch), "-o", str(plan)],
        ["inscribe", "extract", *reveals, "-o", str(plan)],
    ):
        r = enoch(*args, "--overwrite", "--json")
        assert r.exit_code == 2 and "secret" in r.json()["error"]["message"], (args, r)
        assert (plan / "batch-secret.json").read_bytes() == secret


def test_file_outputs_never_replace_a_secret(enoch: Enoch, tmp_path: Path, revealed: tuple[Path, Path]) -> None:
    batch, plan = revealed
    key = tmp_path / "provider.key"
    assert enoch("vrf", "keygen", "-o", str(key)).exit_code == 0
    before = key.read_bytes()
    r = enoch("draw", "commit", "--network", "mainnet", "--height", "900000", "--context", "c", "--entrants", str(ENTRANTS),
              "--winners", "1", "-o", str(key), "--overwrite", "--json")  # fmt: skip
    assert r.exit_code == 2 and "secret" in r.json()["error"]["message"], r
    assert key.read_bytes() == before
    secret = plan / "batch-secret.json"
    kept = secret.read_bytes()
    r = enoch("inscribe", "loader", "--preview", str(batch), "-o", str(secret), "--overwrite", "--json")
    assert r.exit_code == 2 and "secret" in r.json()["error"]["message"], r
    assert secret.read_bytes() == kept
