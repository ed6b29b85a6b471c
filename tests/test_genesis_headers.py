"""The genesis headers of mainnet, testnet4 and signet (fixtures/genesis-headers)
against toolkit/chain/networks.py: hashes, pow limits, a chain of one header."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.fixtures import load_json
from toolkit.chain.chainwork import block_work
from toolkit.chain.header import BlockHeader, sha256d
from toolkit.chain.headerchain import verify_chain
from toolkit.chain.networks import CHAIN_NETWORKS, chain_params

GENESIS = load_json("genesis-headers", "genesis.json")


@pytest.mark.parametrize("network", CHAIN_NETWORKS)
def test_genesis_hash_and_work(network: str) -> None:
    raw = bytes.fromhex(GENESIS[network])
    params = chain_params(network)
    assert sha256d(raw) == params.genesis_hash_internal
    header = BlockHeader.from_bytes(raw)
    assert header.bits == params.genesis_bits
    header.check_pow(pow_limit=params.pow_limit)
    chain = verify_chain([raw], network)
    assert (chain.anchor_height, chain.first_height, chain.tip_height) == (0, 0, 0)
    assert chain.tip_chainwork == block_work(header.target(pow_limit=params.pow_limit))


def test_single_header_uses_the_networks_pow_limit(enoch: Callable[..., CliResult], tmp_path: Path) -> None:
    signet = GENESIS["signet"]
    ok = enoch("header", "verify", signet, "--network", "signet", "--json")
    assert ok.exit_code == 0 and ok.json()["valid"] is True and ok.json()["difficulty"] < 1
    bad = enoch("header", "verify", signet, "--json")  # mainnet's limit by default
    assert bad.exit_code == 1 and "above the proof-of-work limit" in bad.json()["headers"][0]["pow_error"]
    f = tmp_path / "g.txt"
    f.write_text(signet + "\n")
    obj = enoch("header", "verify", "--file", f, "--network", "signet", "--json").json()
    assert (obj["network"], obj["first_height"], obj["anchor"]["height"]) == ("signet", 0, 0)
    assert obj["chainwork"] is not None
