"""Per-network consensus parameters a header chain is checked against (SPEC H).

Values are Bitcoin Core's chainparams (``consensus.powLimit``, the genesis
block's hash and nBits).  Only mainnet enforces the difficulty rule here:
testnet4 has its 20-minute minimum-difficulty exception and signet blocks are
also signed, so SPEC H checks those for links, proof of work and anchor only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from toolkit.chain import CHAIN_NETWORKS
from toolkit.chain.checkpoints import CheckpointTable, checkpoint_table
from toolkit.chain.compact import MAINNET_POW_LIMIT, decode_compact
from toolkit.core.errors import UsageError
from toolkit.core.hexutil import block_hash_internal_from_display


@dataclass(frozen=True)
class ChainParams:
    """What :func:`toolkit.chain.headerchain.verify_chain_params` checks a chain against."""

    name: str
    pow_limit: int
    genesis_hash_internal: bytes
    genesis_bits: int
    checkpoints: CheckpointTable
    difficulty_rule: bool  # SPEC H 3: mainnet's table targets and retargets

    def period_target(self, period: int) -> int | None:
        """The target every block of ``period`` carries, when known (genesis period or table)."""
        if period == 0:
            return decode_compact(self.genesis_bits).value
        return self.checkpoints.period_target(period)

    def anchor_height(self, hash_internal: bytes) -> int | None:
        """Height of the genesis block or a checkpoint block with this hash."""
        if hash_internal == self.genesis_hash_internal:
            return 0
        return self.checkpoints.height_of(hash_internal)

    def anchor_hash(self, height: int) -> bytes | None:
        """The hash a block at ``height`` must have, if the genesis or a checkpoint fixes it."""
        return self.genesis_hash_internal if height == 0 else self.checkpoints.hash_at(height)


#: network -> (powLimit, genesis hash (display), genesis nBits, difficulty rule)
_CORE: Final[dict[str, tuple[int, str, int, bool]]] = {
    "mainnet": (MAINNET_POW_LIMIT, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", 0x1D00FFFF, True),
    "testnet4": (MAINNET_POW_LIMIT, "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043", 0x1D00FFFF, False),
    "signet": (0x00000377AE << 216, "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6", 0x1E0377AE, False),
}
if tuple(_CORE) != CHAIN_NETWORKS:  # pragma: no cover - a bug, caught on import
    raise ImportError("toolkit.chain.CHAIN_NETWORKS and the network parameters disagree")


def chain_params(network: str) -> ChainParams:
    """The parameters of ``network`` (UsageError, exit 2, if it is not one of :data:`CHAIN_NETWORKS`)."""
    try:
        pow_limit, genesis, bits, rule = _CORE[network]
    except KeyError:
        raise UsageError(f"unknown network {network!r} for header chains; choose one of {', '.join(CHAIN_NETWORKS)}") from None
    return ChainParams(network, pow_limit, block_hash_internal_from_display(genesis), bits, checkpoint_table(network), rule)
