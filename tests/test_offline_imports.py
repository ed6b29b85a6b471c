"""Offline randomness commands never import the transaction stack, bitcoinlib
or the VRF/crypto libraries (cold start, and no network code paths)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("bitcoinlib", "bitcointx", "coincurve", "Crypto", "cbor2", "inscriptions", "embit")
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
