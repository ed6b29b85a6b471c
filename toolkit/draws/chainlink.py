"""Where draws meet SPEC H header chains (``toolkit.chain.headerchain``):
the one module of ``toolkit.draws`` that knows that API.

* :func:`receipt_headers` (``draw run``): verify a header chain and cut from it
  the shortest anchored chain a receipt needs -- from the first header after
  the last checkpoint below H through block H + C - 1, the block that gives H
  its C confirmations (Bitcoin Core's count: tip - H + 1).
* :func:`prove_block` (``draw verify``, and ``run`` on its own output):
  verify an anchored chain and read block H and its confirmations off it.
* :func:`node_headers` (``draw run --node``): the receipt's headers from a node.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from toolkit.chain.checkpoints import PERIOD, checkpoint_table
from toolkit.chain.headerchain import verify_chain
from toolkit.core.errors import VerificationError

#: Most headers a receipt's chain may span: ten years of blocks past the last
#: checkpoint enoch ships.  Beyond that the height is absurd or enoch is too
#: old, and ``draw run`` would hold an unbounded number of headers.
MAX_SPAN = 525_000


@dataclass(frozen=True)
class ProvenBlock:
    """Block H as an anchored header chain proves it."""

    height: int
    hash_internal: bytes
    confirmations: int
    chainwork: int | None  # Core's chainwork of block H, when the chain module can compute it
    first_height: int
    tip_height: int


def prove_block(headers: Sequence[bytes], network: str, height: int, confirmations: int) -> ProvenBlock:
    """Verify ``headers`` as an anchored chain of ``network`` (SPEC H, all
    checks) and check that it holds block ``height`` with at least
    ``confirmations`` confirmations; ``VerificationError`` (exit 1) if not."""
    chain = verify_chain(headers, network, keep_heights=(height,), anchored=True)
    if not chain.first_height <= height <= chain.tip_height:
        raise VerificationError(
            f"block {height} is not in the header chain (heights {chain.first_height} to {chain.tip_height})"
        )
    have = chain.tip_height - height + 1  # Bitcoin Core's count: the tip itself has 1
    if have < confirmations:
        raise VerificationError(f"block {height} has only {have} confirmations, {confirmations} required")
    block = chain.block_at(height)
    return ProvenBlock(height, block.hash_internal, have, block.chainwork, chain.first_height, chain.tip_height)


def receipt_start(network: str, height: int) -> int:
    """The first height of a receipt's chain: just after the last checkpoint
    below ``height`` that the shipped table holds (1, after the genesis block,
    when there is none) -- or ``height`` itself when block H is a checkpoint.

    Decision: SPEC D says "after a checkpoint at or below H"; after H itself
    would leave block H out of the receipt (its hash only the first header's
    prev-hash).  Starting at H keeps H's header in, and the chain is anchored
    by that header being a checkpoint block (SPEC H).
    """
    table = checkpoint_table(network)
    if table.hash_at(height) is not None:
        return height
    below = min((height - PERIOD) // PERIOD * PERIOD + PERIOD - 1, table.last_height)
    return max(below, 0) + 1


def receipt_span(network: str, height: int, confirmations: int) -> range:
    """The heights of a receipt's chain (at most :data:`MAX_SPAN`, else exit 1)."""
    start, end = receipt_start(network, height), height + confirmations - 1
    if end - start >= MAX_SPAN:
        raise VerificationError(
            f"block {height} is {height - start + 1:,} blocks past the last checkpoint this enoch ships; "
            "a newer enoch is needed to prove its height"
        )
    return range(start, end + 1)


def receipt_headers(
    headers: Iterable[bytes], network: str, height: int, confirmations: int
) -> tuple[tuple[bytes, ...], ProvenBlock]:
    """Verify a whole header chain (any anchored chain holding H and its
    confirmations), then return the receipt's chain cut from it and block H."""
    span = receipt_span(network, height, confirmations)
    start, end = span.start, span.stop - 1
    chain = verify_chain(headers, network, keep_heights=span, anchored=True)
    if not chain.first_height <= height <= chain.tip_height:
        raise VerificationError(
            f"block {height} is not in the header chain (heights {chain.first_height} to {chain.tip_height})"
        )
    if chain.tip_height < end:
        have = chain.tip_height - height + 1
        raise VerificationError(f"block {height} has only {have} confirmations, {confirmations} required")
    if chain.first_height > start:
        raise VerificationError(
            f"the header chain starts at height {chain.first_height}; a receipt needs the headers from "
            f"height {start}, just after the checkpoint below {height}"
        )
    cut = tuple(chain.block_at(h).header for h in span)
    # Verified again on its own: the receipt must stand without the rest.
    return cut, prove_block(cut, network, height, confirmations)


def node_headers(spec: str, network: str, height: int, confirmations: int) -> list[bytes]:
    """The headers a receipt needs, fetched from ``--node SRC`` (each one
    checked by the node client to hash to the hash asked for; the chain is
    verified by :func:`receipt_headers` like any other)."""
    from toolkit.sources.nodes import open_node  # the HTTP stack only when a node is used

    span = receipt_span(network, height, confirmations)
    node = open_node(spec)
    end = span.stop - 1
    tip = node.tip_height()
    if tip < height:
        raise VerificationError(f"block {height} does not exist yet (the node's tip is {tip})")
    if tip < end:
        raise VerificationError(f"block {height} has only {tip - height + 1} confirmations, {confirmations} required")
    return [node.header(node.block_hash_internal_at(h)) for h in span]
