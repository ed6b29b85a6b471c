"""Chain work as Bitcoin Core's ``getblockheader`` reports ``chainwork`` (SPEC H 4).

A block's work is ``floor(2**256 / (target + 1))`` (Core's ``GetBlockProof``:
``~target / (target + 1) + 1``, the same number).  The chain work of block h is
the sum over every block from genesis (included) through h.  Blocks before a
verified chain are counted from the targets the checkpoint table fixes for
their periods; blocks in the chain from their own headers.
"""

from __future__ import annotations

from functools import lru_cache

from toolkit.chain.checkpoints import PERIOD
from toolkit.chain.networks import ChainParams


@lru_cache(maxsize=1024)
def block_work(target: int) -> int:
    """The expected number of hashes for one block at ``target``."""
    if target <= 0:
        raise ValueError("a target is positive")
    return (1 << 256) // (target + 1)


def work_before(params: ChainParams, height: int) -> int | None:
    """Chain work of blocks 0 .. height-1 (0 for height 0); None when a
    period on the way has no known target (testnet4 and signet tables carry
    none, so their chain work is known only for chains that start at genesis)."""
    if height < 0:
        raise ValueError("height is at least 0")
    total = 0
    period = 0
    while PERIOD * period < height:
        target = params.period_target(period)
        if target is None:
            return None
        total += min(PERIOD, height - PERIOD * period) * block_work(target)
        period += 1
    return total
