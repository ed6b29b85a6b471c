"""Where draws meet SPEC H header chains (``toolkit.chain``): the one module
of ``toolkit.draws`` that knows that API.

* :func:`receipt_headers` (``draw run``): verify a header chain and cut from it
  the shortest anchored chain a receipt needs -- from the first header after
  the last checkpoint below H through block H + C - 1, the block that gives H
  its C confirmations (Bitcoin Core's count: tip - H + 1).
* :func:`prove_block` (``draw verify``, and ``run`` on its own output):
  verify an anchored chain and read block H and its confirmations off it
  (:func:`toolkit.chain.byheight.block_at_height`).
* :func:`node_headers` (``draw run --node``): exactly the receipt's headers from a node.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from toolkit.chain.byheight import BlockAtHeight, block_at_height, fetch_start
from toolkit.chain.checkpoints import checkpoint_table
from toolkit.chain.headerchain import verify_chain
from toolkit.core.errors import VerificationError

#: Most headers a receipt's chain may span: ten years of blocks past the last
#: checkpoint enoch ships.  Beyond that the height is absurd or enoch is too
#: old, and ``draw run`` would hold an unbounded number of headers.
MAX_SPAN = 525_000


def prove_block(headers: Sequence[bytes], network: str, height: int, confirmations: int) -> BlockAtHeight:
    """Verify ``headers`` as an anchored chain of ``network`` (SPEC H, all
    checks) holding block ``height`` with at least ``confirmations``
    confirmations; ``VerificationError`` (exit 1) if not."""
    return block_at_height(headers, network, height, min_confirmations=confirmations)


def receipt_start(network: str, height: int) -> int:
    """The first height of a receipt's chain: :func:`~toolkit.chain.byheight.fetch_start`
    (just after the last checkpoint below H; the genesis block when there is
    none) -- or ``height`` itself when block H is a checkpoint.

    Decision: SPEC D says "after a checkpoint at or below H"; after H itself
    would leave block H out of the receipt (its hash only the first header's
    prev-hash).  Starting at H keeps H's header in, and the chain is anchored
    by that header being a checkpoint block (SPEC H).
    """
    if checkpoint_table(network).hash_at(height) is not None:
        return height
    return fetch_start(network, height)


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
) -> tuple[tuple[bytes, ...], BlockAtHeight]:
    """Verify a whole header chain (any anchored chain holding H and its
    confirmations), then return the receipt's chain cut from it and block H."""
    span = receipt_span(network, height, confirmations)
    chain = verify_chain(headers, network, keep_heights=span, anchored=True)
    if not chain.first_height <= height <= chain.tip_height:
        raise VerificationError(
            f"height {height} is not in the header chain (heights {chain.first_height}..{chain.tip_height})"
        )
    if chain.tip_height < span[-1]:
        have = chain.confirmations(height)
        raise VerificationError(
            f"block {height} has only {have} confirmations ({confirmations} required; tip {chain.tip_height})"
        )
    if chain.first_height > span.start:
        raise VerificationError(
            f"the header chain starts at height {chain.first_height}; a receipt needs the headers from "
            f"height {span.start}, just after the checkpoint below {height}"
        )
    cut = tuple(chain.block_at(h).header for h in span)
    # Verified again on its own: the receipt must stand without the rest.
    return cut, prove_block(cut, network, height, confirmations)


def node_headers(spec: str, network: str, height: int, confirmations: int) -> list[bytes]:
    """The headers a receipt needs, fetched from ``--node SRC``: only those
    (``byheight.node_headers`` fetches through the tip, which years after
    the draw is far more), each checked by the node client to hash to the
    hash it gave for its height; the chain is verified by :func:`receipt_headers`."""
    from toolkit.sources.nodes import open_node  # the HTTP stack only when a node is used

    span = receipt_span(network, height, confirmations)
    node = open_node(spec)
    tip = node.tip_height()
    if tip < height:
        raise VerificationError(f"height {height} is above the tip {tip} of {node.name}")
    if tip < span[-1]:
        raise VerificationError(
            f"block {height} has only {tip - height + 1} confirmations ({confirmations} required; tip {tip})"
        )
    return [node.header(node.block_hash_at(h)) for h in span]
