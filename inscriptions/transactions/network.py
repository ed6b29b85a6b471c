"""Networks, destination addresses and dust limits.

Addresses are decoded with python-bitcointx under the chain parameters of the
chosen network, so a mainnet address given for testnet (or the reverse) is
refused.  The dust limit follows Bitcoin Core's policy (GetDustThreshold with
the default dust relay fee of 3,000 sat/kvB): an output is dust if spending it
would cost more than its value, counting the output itself plus a typical
input that spends it (67 vbytes for a witness program, 148 otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

from inscriptions.transactions.rawtx import compact_size
from toolkit.core.errors import MalformedInputError, UsageError

#: enoch network name -> python-bitcointx chain parameters name.
NETWORKS: dict[str, str] = {
    "mainnet": "bitcoin",
    "testnet": "bitcoin/testnet",
    "signet": "bitcoin/signet",
    "regtest": "bitcoin/regtest",
}
DUST_RELAY_FEE_SAT_PER_KVB = 3000


def chain_params_name(network: str) -> str:
    """The python-bitcointx chain parameters name of ``network`` (UsageError if unknown)."""
    try:
        return NETWORKS[network]
    except KeyError:
        raise UsageError(f"unknown network {network!r}; choose one of {', '.join(NETWORKS)}") from None


@dataclass(frozen=True)
class Destination:
    """A validated address: its text, network and output script."""

    address: str
    network: str
    script_pubkey: bytes

    @property
    def dust_limit(self) -> int:
        return dust_threshold(self.script_pubkey)


def txout_size(script_pubkey: bytes) -> int:
    """Serialized size of an output paying ``script_pubkey`` (value, length, script)."""
    return 8 + len(compact_size(len(script_pubkey))) + len(script_pubkey)


def dust_threshold(script_pubkey: bytes) -> int:
    """Smallest non-dust value, in sats, for an output paying ``script_pubkey``."""
    is_witness = (
        4 <= len(script_pubkey) <= 42
        and (script_pubkey[0] == 0 or 0x51 <= script_pubkey[0] <= 0x60)
        and script_pubkey[1] + 2 == len(script_pubkey)
    )
    spend = 32 + 4 + 1 + 107 // 4 + 4 if is_witness else 32 + 4 + 1 + 107 + 4
    return (txout_size(script_pubkey) + spend) * DUST_RELAY_FEE_SAT_PER_KVB // 1000


def parse_address(address: str, network: str) -> Destination:
    """Decode ``address`` for ``network``; refuse addresses of other networks."""
    from bitcointx import ChainParams
    from bitcointx.wallet import CCoinAddress, CCoinAddressError

    params = chain_params_name(network)
    if address != address.strip() or not address:
        raise MalformedInputError(f"address {address!r} has surrounding whitespace or is empty")
    try:
        with ChainParams(params):
            decoded = CCoinAddress(address)
            script = bytes(decoded.to_scriptPubKey())
    except (CCoinAddressError, ValueError) as exc:
        raise MalformedInputError(f"{address} is not a valid {network} address ({exc})") from None
    return Destination(address=address, network=network, script_pubkey=script)


def address_from_script(script_pubkey: bytes, network: str) -> str:
    """Address text for an output script on ``network``."""
    from bitcointx import ChainParams
    from bitcointx.core.script import CScript
    from bitcointx.wallet import CCoinAddress

    with ChainParams(chain_params_name(network)):
        return str(CCoinAddress.from_scriptPubKey(CScript(script_pubkey)))
