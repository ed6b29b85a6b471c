"""``draw run``: block H from a verified header chain, the winners, the receipt."""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.core.errors import UsageError, VerificationError
from toolkit.chain.byheight import BlockAtHeight
from toolkit.draws.chainlink import node_headers, receipt_headers
from toolkit.draws.derive import draw_source, winner_indices
from toolkit.draws.entrants import Entrants
from toolkit.draws.receipt import DrawReceipt, Winner
from toolkit.draws.request import DrawRequest
from vrf.keys import KeyPair
from vrf.record import ProofRecord, make_record, verify_record


def check_vrf_key(request: DrawRequest, key: KeyPair | None) -> None:
    """The key must be the one the request names (exit 2), and only then given."""
    if request.vrf is None:
        if key is not None:
            raise UsageError("this request names no VRF key; run it without --vrf-key")
        return
    if key is None:
        raise UsageError(f"this request is decided by a VRF: give --vrf-key (public key {request.vrf.public_key.hex()})")
    if (key.suite.name, key.public_key) != (request.vrf.suite, request.vrf.public_key):
        raise UsageError("--vrf-key is not the key the request names")


def run_draw(
    request: DrawRequest,
    entrants: Entrants,
    headers: Iterable[bytes] | None,
    *,
    node: str | None = None,
    vrf_key: KeyPair | None = None,
) -> DrawReceipt:
    """Run a committed draw: entrants must match the request, the chain (from
    ``headers`` or fetched from ``node``) must prove block H with its
    confirmations (exit 1 otherwise), a VRF request needs its key (exit 2
    otherwise)."""
    check_vrf_key(request, vrf_key)
    if request.winners > request.entrant_count:
        raise UsageError(f"cannot draw {request.winners} winners from {request.entrant_count} entrants")
    if entrants.count != request.entrant_count:
        raise VerificationError(
            f"the entrants file has {entrants.count} entrants, the request committed to {request.entrant_count}"
        )
    cut, block = _block(request, headers, node)
    rid = request.request_id_hex
    proof: ProofRecord | None = None
    beta: bytes | None = None
    if vrf_key is not None:
        proof = make_record(vrf_key, b"", block_hash_internal=block.block.hash_internal, context=rid)
        beta = verify_record(proof).beta
    indices = winner_indices(draw_source(rid, block.block.hash_internal, beta), request.entrant_count, request.winners)
    root, paths = entrants.root_and_proofs(indices)
    if root != request.entrants_root:
        raise VerificationError("the entrants file is not the one the request committed to (Merkle root differs)")
    return DrawReceipt(
        request=request,
        request_id_hex=rid,
        block_height=block.block.height,
        block_hash_display=block.block.hash_display,
        headers=cut,
        vrf_proof=proof,
        winners=tuple(Winner(i, entrants.name(i), tuple(p)) for i, p in zip(indices, paths)),
    )


def _block(
    request: DrawRequest, headers: Iterable[bytes] | None, node: str | None
) -> tuple[tuple[bytes, ...], BlockAtHeight]:
    if (headers is None) == (node is None):
        raise UsageError("give exactly one of --headers and --node")
    args = (request.network, request.height, request.confirmations)
    if headers is not None:
        return receipt_headers(headers, *args)
    assert node is not None
    # A node that answers a wrong header for a height breaks the links: exit
    # 1, as for --height --node on the randomness commands (toolkit.chain.byheight).
    return receipt_headers(node_headers(node, *args), *args)
