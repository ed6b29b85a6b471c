"""Destination addresses per network, dust limits, and offline commands
staying offline (no bitcoinlib import)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inscriptions.transactions.network import dust_threshold, parse_address
from tests.batchkit import MAINNET_P2TR, SIGNET_P2WPKH
from toolkit.core.errors import MalformedInputError, UsageError

ROOT = Path(__file__).resolve().parent.parent
REGTEST = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


@pytest.mark.parametrize(
    "address,ok",
    [
        (MAINNET_P2TR, {"mainnet"}),
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", {"mainnet"}),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", {"mainnet"}),
        (SIGNET_P2WPKH, {"testnet", "signet"}),
        (REGTEST, {"regtest"}),
    ],
)
def test_address_accepted_only_on_its_network(address: str, ok: set[str]) -> None:
    for network in ("mainnet", "testnet", "signet", "regtest"):
        if network in ok:
            assert parse_address(address, network).address == address
        else:
            with pytest.raises(MalformedInputError):
                parse_address(address, network)


@pytest.mark.parametrize("bad", ["", " " + MAINNET_P2TR, MAINNET_P2TR[:-1] + "x", MAINNET_P2TR.upper()[:-2] + "zz", "bc1"])
def test_bad_addresses(bad: str) -> None:
    with pytest.raises(MalformedInputError):
        parse_address(bad, "mainnet")


def test_unknown_network() -> None:
    with pytest.raises(UsageError):
        parse_address(MAINNET_P2TR, "litecoin")


@pytest.mark.parametrize(
    "address,network,dust",
    [
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "mainnet", 546),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "mainnet", 540),
        (SIGNET_P2WPKH, "signet", 294),
        ("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", "mainnet", 330),
        (MAINNET_P2TR, "mainnet", 330),
    ],
)
def test_dust_limits_match_bitcoin_core(address: str, network: str, dust: int) -> None:
    assert parse_address(address, network).dust_limit == dust == dust_threshold(parse_address(address, network).script_pubkey)


def test_offline_commands_never_import_bitcoinlib(tmp_path: Path) -> None:
    code = (
        "import sys; from toolkit.cli import run;"
        "run(['fees', '--fee-rate', '1']); run(['inscribe', 'decode', '00']);"
        "from tests.batchkit import make_batch; from pathlib import Path; b = make_batch(Path('.'), {'a.txt': b'hi'});"
        f"assert run(['inscribe', 'plan', str(b), '-o', 'p', '--destination', '{SIGNET_P2WPKH}', '--network', 'signet', '--fee-rate', '1']) == 0;"
        "print('bitcoinlib' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert proc.stdout.strip().splitlines()[-1] == "False"
    assert not (tmp_path / ".bitcoinlib").exists()
