"""Where draws meet SPEC H header chains (``toolkit.chain.headerchain``):
the one module of ``toolkit.draws`` that knows that API.

* :func:`receipt_headers` (``draw run``): verify a header chain and cut from it
  the shortest anchored chain a receipt needs -- from the first header after
  the last checkpoint below H through block H + C - 1, the block that gives H
  its C confirmations (Bitcoin Core's count: tip - H + 1).
* :func:`prove_block` (``draw verify``, and ``run`` on its own output):
  verify an anchored chain and read block H and its confirmations off it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from toolkit.chain.headerchain import verify_chain
from toolkit.core.errors import VerificationError

PERIOD: Final = 2016
#: How far below H ``draw run`` looks for a checkpoint to start the receipt's
#: chain at.  The shipped table covers every period up to its date; a
#: height further than this past the table's end needs a newer enoch.
MAX_PERIODS_BACK: Final = 24


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


def _period_ends_below(height: int) -> list[int]:
    """Heights 2016k + 2015 below ``height``, highest first (checkpoint candidates)."""
    top = (height - PERIOD) // PERIOD * PERIOD + PERIOD - 1  # largest 2016k + 2015 < height
    return [top - i * PERIOD for i in range(MAX_PERIODS_BACK) if top - i * PERIOD >= -1]


def receipt_headers(
    headers: Iterable[bytes], network: str, height: int, confirmations: int
) -> tuple[tuple[bytes, ...], ProvenBlock]:
    """Verify a whole header chain (any anchored chain holding H and its
    confirmations), then return the receipt's chain cut from it and block H."""
    candidates = _period_ends_below(height)
    end = height + confirmations - 1
    keep = range(candidates[-1] + 1, end + 1)
    chain = verify_chain(headers, network, keep_heights=keep, anchored=True)
    if not chain.first_height <= height <= chain.tip_height:
        raise VerificationError(
            f"block {height} is not in the header chain (heights {chain.first_height} to {chain.tip_height})"
        )
    if chain.tip_height < end:
        have = chain.tip_height - height + 1
        raise VerificationError(f"block {height} has only {have} confirmations, {confirmations} required")
    # The last checkpoint below H (-1: the genesis block) the chain reaches
    # back to.  Which period ends the shipped table holds is for
    # verify_chain to say: the first cut that verifies as anchored is it.
    for start in candidates:
        if start + 1 < chain.first_height:
            break
        cut = tuple(chain.block_at(h).header for h in range(start + 1, end + 1))
        try:
            return cut, prove_block(cut, network, height, confirmations)
        except VerificationError:
            continue  # start is past the end of the checkpoint table: not an anchor
    raise VerificationError(
        f"no checkpoint within {MAX_PERIODS_BACK} periods below height {height} that the header chain reaches"
    )
