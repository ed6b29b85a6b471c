"""Offline randomness commands never import the transaction stack, bitcoinlib
or the VRF/crypto libraries (cold start, and no network code paths)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("bitcoinlib", "bitcointx", "coincurve", "Crypto", "nacl", "cbor2", "inscriptions", "embit", "vrf")
NETWORK_AND_TX = ("bitcoinlib", "bitcointx", "inscriptions", "requests", "urllib3")
G = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
HEADER = (
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e"
    "67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c"
)
PROBE = """
import contextlib, io, json, sys
from toolkit.cli import run
with contextlib.redirect_stdout(io.StringIO()):
    code = run(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize(
    "args",
    [
        ("hexagram", "--block-hash", G),
        ("hexagram", "--header", HEADER, "--method", "coins", "--json"),
        ("random", "shuffle", "a", "b", "c", "--block-hash", G),
        ("header", "verify", HEADER),
    ],
)
def test_no_heavy_imports(args: tuple[str, ...]) -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["code"] == 0
    loaded = [m for m in out["modules"] if m.split(".")[0] in HEAVY]
    assert loaded == []


def test_vrf_proof_loads_the_vrf_stack_but_no_network_or_transactions(tmp_path: Path) -> None:
    from tests.test_cli_random_vrf import GOLDEN, _record

    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(_record(GOLDEN[2])))
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "hexagram", "--vrf-proof", str(proof)], capture_output=True, text=True, check=True
    )
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["code"] == 0 and "vrf.record" in out["modules"]
    assert [m for m in out["modules"] if m.split(".")[0] in NETWORK_AND_TX] == []
