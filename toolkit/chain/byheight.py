"""The block at a height, proven by an anchored header chain (SPEC H "By height").

The chain comes from a header file or from a node: from the first block after
the checkpoint below H (the genesis block for H <= 2015) through the node's
tip, each header fetched by the hash the node gives for its height and
checked to hash to it, then the whole chain verified as any other
(:func:`toolkit.chain.headerchain.verify_chain`).  A node that answers a
wrong header for a height breaks the links (exit 1); one whose chain is too
short gives too few confirmations (exit 1, "only n confirmations").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from toolkit.chain.checkpoints import PERIOD
from toolkit.chain.headerchain import VerifiedBlock, VerifiedChain, verify_chain
from toolkit.chain.networks import chain_params
from toolkit.core.errors import VerificationError


class HeaderSource(Protocol):
    """What a node offers (``toolkit.sources.nodes.Node``): every answer already checked."""

    name: str

    def tip_height(self) -> int: ...

    def block_hash_at(self, height: int) -> bytes: ...

    def header(self, block_hash_internal: bytes) -> bytes: ...


@dataclass(frozen=True)
class BlockAtHeight:
    """Block H of a verified anchored chain, with its confirmations on that chain."""

    block: VerifiedBlock
    chain: VerifiedChain
    confirmations: int  # Bitcoin Core's count: tip - H + 1


def fetch_start(network: str, height: int) -> int:
    """The first height to fetch for ``height``: just after the last checkpoint
    below it (0 when no checkpoint is below it: the chain starts at genesis)."""
    if height < 0:
        raise ValueError("heights are at least 0")
    table = chain_params(network).checkpoints
    below = min((height - PERIOD) // PERIOD * PERIOD + PERIOD - 1, table.last_height)  # largest 2016k+2015 < height
    return below + 1 if below >= 0 else 0


def node_headers(node: HeaderSource, network: str, height: int) -> Iterator[bytes]:
    """Headers from :func:`fetch_start` through the node's tip (as it was when asked)."""
    tip = node.tip_height()
    if tip < height:
        raise VerificationError(f"height {height} is above the tip {tip} of {node.name}")
    for h in range(fetch_start(network, height), tip + 1):
        yield node.header(node.block_hash_at(h))


def block_at_height(headers: Iterable[bytes], network: str, height: int, *, min_confirmations: int) -> BlockAtHeight:
    """Verify ``headers`` as an anchored chain and take block ``height`` from it,
    requiring at least ``min_confirmations`` (exit 1 "only n confirmations")."""
    chain = verify_chain(headers, network, keep_heights=(height,))
    if not chain.first_height <= height <= chain.tip_height:
        raise VerificationError(
            f"height {height} is not in the header chain (heights {chain.first_height}..{chain.tip_height})"
        )
    confirmations = chain.confirmations(height)
    if confirmations < min_confirmations:
        raise VerificationError(
            f"block {height} has only {confirmations} confirmations ({min_confirmations} required; tip {chain.tip_height})"
        )
    return BlockAtHeight(chain.block_at(height), chain, confirmations)
