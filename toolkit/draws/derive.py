"""The derivation of a draw's winners (SPEC D over SPEC R).

* context = the request id in lowercase hex, as UTF-8 (64 ASCII bytes);
* kind ``block``: source = the 32-byte internal-order hash of block H; or,
  when the request names a VRF key, kind ``vrf``: source = beta of the proof
  over ``alpha = block hash (internal order) || UTF-8(request id hex)``;
* winners = the first K entries of the SPEC R Fisher-Yates shuffle of
  ``[0, 1, ..., n-1]``, in that order.
"""

from __future__ import annotations

from toolkit.randomness.stream import Source


def draw_source(request_id_hex: str, block_hash_internal: bytes, vrf_beta: bytes | None = None) -> Source:
    """The SPEC R source of a draw: the block itself, or the VRF output over it."""
    if len(block_hash_internal) != 32:
        raise ValueError("a block hash is 32 bytes")
    if vrf_beta is None:
        return Source("block", block_hash_internal, request_id_hex)
    return Source("vrf", vrf_beta, request_id_hex)


def winner_indices(source: Source, entrant_count: int, winners: int) -> list[int]:
    """The first ``winners`` entries of the shuffle of ``range(entrant_count)``."""
    if not 1 <= winners <= entrant_count:
        raise ValueError(f"cannot draw {winners} winners from {entrant_count} entrants")
    # The whole shuffle is needed: Fisher-Yates from the top fixes the first
    # positions last.
    return source.stream().shuffle(range(entrant_count))[:winners]
