"""``enoch inscribe estimate`` (SPEC K): the same groups, vbytes and fees as
``plan``, without a secret or any file written."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.batchkit import SIGNET_P2TR, SIGNET_P2WPKH
from tests.batchutil import make_tree, tree_bytes

Enoch = Callable[..., Any]


@pytest.fixture
def batch(enoch: Enoch, tmp_path: Path) -> Path:
    src = make_tree(tmp_path / "src")
    out = tmp_path / "batch"
    assert enoch("pack", src, "-o", out, "--shard-size", "4096", "--compressor", "brotli").exit_code == 0
    return out


@pytest.mark.parametrize(("relay", "destination"), [("standard", SIGNET_P2TR), ("direct", SIGNET_P2WPKH)])
def test_estimate_matches_plan(enoch: Enoch, batch: Path, tmp_path: Path, relay: str, destination: str) -> None:
    before = tree_bytes(tmp_path)
    args = ("--fee-rate", "2.5", "--relay", relay, "--postage", "600")
    est = enoch("inscribe", "estimate", batch, *args, "--destination", destination, "--network", "signet", "--json")
    assert est.exit_code == 0, est.stderr
    assert tree_bytes(tmp_path) == before  # nothing written
    plan = enoch("inscribe", "plan", batch, "-o", tmp_path / "plan", *args, "--destination", destination, "--network", "signet", "--json")
    assert plan.exit_code == 0, plan.stderr
    e, groups = est.json(), plan.json()["groups"]
    assert e["groups"] == len(groups)
    assert e["total_vbytes"] == sum(g["reveal_vsize"] for g in groups)
    assert e["total_fee_sats"] == sum(g["fee_sats"] for g in groups)
    assert e["total_sats"] == sum(g["fund_sats"] for g in groups)
    assert [g["fee_sats"] for g in e["per_group"]] == [g["fee_sats"] for g in groups]
    assert (e["compressor"], e["content_encoding"], e["inscriptions"]) == ("brotli", "br", 8)


def test_default_destination_is_p2tr(enoch: Enoch, batch: Path) -> None:
    a = enoch("inscribe", "estimate", batch, "--fee-rate", "1", "--json").json()
    b = enoch("inscribe", "estimate", batch, "--fee-rate", "1", "--destination", SIGNET_P2TR, "--network", "signet", "--json").json()
    assert a["total_vbytes"] == b["total_vbytes"] and a["relay"] == "standard"


@pytest.mark.parametrize(
    ("args", "code"),
    [((), 2), (("--fee-rate", "1", "--fee-source", "mempool:http://127.0.0.1:9"), 2), (("--fee-rate", "-1"), 2),
     (("--fee-rate", "1", "--destination", SIGNET_P2TR), 2)],
)  # fmt: skip
def test_usage_errors(enoch: Enoch, batch: Path, args: tuple[str, ...], code: int) -> None:
    r = enoch("inscribe", "estimate", batch, *args)
    assert r.exit_code == code and "Traceback" not in r.stderr


def test_tampered_batch_refused(enoch: Enoch, batch: Path) -> None:
    shard = batch / "shards" / "000001.br"
    shard.write_bytes(shard.read_bytes()[:-1])
    r = enoch("inscribe", "estimate", batch, "--fee-rate", "1")
    assert r.exit_code == 1 and "shard 000001" in r.stderr


def test_too_big_for_standard(enoch: Enoch, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "n.bin").write_bytes(hashlib.shake_256(b"n").digest(600_000))  # incompressible
    assert enoch("pack", src, "-o", tmp_path / "b", "--shard-size", "500000", "--compressor", "gzip").exit_code == 0
    r = enoch("inscribe", "estimate", tmp_path / "b", "--fee-rate", "1")
    assert r.exit_code == 2 and "--relay direct" in r.stderr
