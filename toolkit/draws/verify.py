"""``draw verify``: check a receipt offline, from the receipt alone (SPEC D).

Steps (numbered as in docs/draws.md, "Verifying a receipt"):

1. with the request file: the receipt's request equals it byte for byte;
2. request_id is SHA-256 of the request's canonical bytes;
3. the headers are an anchored chain (SPEC H, every check) holding block H =
   the request's height, with at least the request's confirmations, and the
   receipt's block hash is that block's;
4. the VRF proof: present exactly when the request names a key, made by that
   key over alpha = block hash (internal order) || UTF-8(request id), valid;
5. the winners are the first K of the shuffle, in order;
6. each winner's inclusion proof leads from its entrant to the entrants root;
7. with the entrants file: it has the committed count and root.

Any failure is ``VerificationError`` (exit 1) naming the step.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from inscriptions.batch.rfc9162 import leaf_hash, verify_inclusion
from toolkit.core.errors import VerificationError
from toolkit.core.hexutil import block_hash_display_from_internal
from toolkit.chain.byheight import BlockAtHeight
from toolkit.draws.chainlink import prove_block
from toolkit.draws.derive import draw_source, winner_indices
from toolkit.draws.entrants import Entrants
from toolkit.draws.receipt import DrawReceipt
from toolkit.draws.request import DrawRequest
from vrf.record import verify_record


@dataclass(frozen=True)
class VerifiedDraw:
    """What a receipt that verified vouches for."""

    receipt: DrawReceipt
    block: BlockAtHeight
    checked: tuple[str, ...]


def _fail(step: int, reason: str) -> VerificationError:
    return VerificationError(f"step {step}: {reason}")


def verify_receipt(
    receipt: DrawReceipt, *, request: DrawRequest | None = None, entrants: Entrants | None = None
) -> VerifiedDraw:
    """Verify every part of ``receipt``; raise ``VerificationError`` on the first failure."""
    req = receipt.request
    checked: list[str] = []
    # Step 1.
    if request is not None:
        if request.to_bytes() != req.to_bytes():
            raise _fail(1, "the receipt's request is not the request file")
        checked.append("request file")
    # Step 2.
    rid = hashlib.sha256(req.canonical()).hexdigest()
    if receipt.request_id_hex != rid:
        raise _fail(2, "request_id is not the SHA-256 of the request")
    checked.append("request id")
    # Step 3.
    if receipt.block_height != req.height:
        raise _fail(3, f"block height {receipt.block_height} is not the request's height {req.height}")
    try:
        block = prove_block(receipt.headers, req.network, req.height, req.confirmations)
    except VerificationError as exc:
        raise _fail(3, exc.reason) from None
    if block.block.hash_display != receipt.block_hash_display:
        raise _fail(3, f"block hash is not the hash of block {req.height} in the header chain")
    chain = block.chain
    checked.append(f"header chain ({chain.first_height}..{chain.tip_height}, anchored, {block.confirmations} confirmations)")
    # Step 4.
    beta = _check_vrf(receipt, block.block.hash_internal, rid)
    if beta is not None:
        checked.append("VRF proof")
    # Step 5.
    if req.winners > req.entrant_count:
        raise _fail(5, f"the request asks for {req.winners} winners from {req.entrant_count} entrants")
    expected = winner_indices(draw_source(rid, block.block.hash_internal, beta), req.entrant_count, req.winners)
    got = [w.index for w in receipt.winners]
    if got != expected:
        raise _fail(5, f"winners are not the first {req.winners} of the shuffle (expected indices {expected[:10]})")
    checked.append("winners")
    # Step 6.
    for w in receipt.winners:
        try:
            verify_inclusion(leaf_hash(w.entrant.encode("utf-8")), w.index, req.entrant_count, w.proof, req.entrants_root)
        except VerificationError as exc:
            raise _fail(6, f"winner {w.index}: {exc.reason}") from None
    checked.append("inclusion proofs")
    # Step 7.
    if entrants is not None:
        if entrants.count != req.entrant_count or entrants.root() != req.entrants_root:
            raise _fail(7, "the entrants file is not the one the request committed to")
        checked.append("entrants file")
    return VerifiedDraw(receipt, block, tuple(checked))


def _check_vrf(receipt: DrawReceipt, block_hash_internal: bytes, rid: str) -> bytes | None:
    """Step 4: beta of the receipt's proof, or None for a request without a VRF."""
    key, proof = receipt.request.vrf, receipt.vrf_proof
    if key is None:
        if proof is not None:
            raise _fail(4, "a VRF proof is given but the request names no VRF key")
        return None
    if proof is None:
        raise _fail(4, "the request names a VRF key but the receipt has no proof")
    if (proof.suite.name, proof.public_key) != (key.suite, key.public_key):
        raise _fail(4, "the VRF proof is not made with the key the request names")
    if proof.block_hash_display != block_hash_display_from_internal(block_hash_internal) or proof.context != rid:
        raise _fail(4, "the VRF proof is not over block H and the request id")
    try:
        return verify_record(proof).beta
    except VerificationError as exc:
        raise _fail(4, exc.reason) from None
