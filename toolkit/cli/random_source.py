"""Turning the ``--block-hash`` / ``--header`` / ``--vrf-proof`` inputs into a
randomness :class:`~toolkit.randomness.stream.Source` (SPEC R), with the ``source``
object every randomness command reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.core.errors import UsageError
from toolkit.core.hexutil import block_hash_display_from_internal, block_hash_internal_from_display
from toolkit.randomness.stream import Source

if TYPE_CHECKING:  # imported when a height is given (cold start)
    from toolkit.cli.height_source import HeightProof, HeightRequest


@dataclass(frozen=True)
class ResolvedSource:
    """A verified randomness source and what was verified to get it."""

    source: Source
    block_hash_display: str | None  # the block the randomness is bound to, if any
    proof_context: str | None = None  # for kind "vrf": the context the VRF input carried
    height: HeightProof | None = None  # --height: the block's height, confirmations and chain work

    def height_json(self) -> dict[str, Any]:
        """SPEC H's top-level ``height``, ``confirmations``, ``chainwork`` (empty unless --height)."""
        return {} if self.height is None else self.height.to_json()

    def to_json(self) -> dict[str, Any]:
        """SPEC C's ``source`` object."""
        out: dict[str, Any] = {"kind": self.source.kind, "context": self.source.context}
        if self.block_hash_display is not None:
            out["block_hash"] = self.block_hash_display
        if self.source.kind == "vrf":
            out["beta"] = self.source.source.hex()
            if self.proof_context is not None:
                out["proof_context"] = self.proof_context
        return out


def block_source(hash_internal: bytes, context: str) -> ResolvedSource:
    """kind ``block``: the 32-byte internal-order hash."""
    return ResolvedSource(Source("block", hash_internal, context), block_hash_display_from_internal(hash_internal))


def resolve_source(
    *, block_hash: str | None, header: str | None, vrf_proof: str | None, context: str,
    height: HeightRequest | None = None,
) -> ResolvedSource:
    """Exactly one input.  A header's proof of work is checked first, and so
    is a VRF proof record (``VerificationError``, exit 1); a height is proven
    by its header chain.  ``vrf_proof`` is a file path (``-`` = stdin)."""
    by_height = height is not None and height.given
    if sum(x is not None for x in (block_hash, header, vrf_proof)) + by_height != 1:
        raise UsageError("give exactly one of --block-hash, --header, --height and --vrf-proof")
    if height is not None and height.given:
        from toolkit.cli.height_source import resolve_height

        proof = resolve_height(height)
        src = block_source(proof.block_hash_internal, context)
        return ResolvedSource(src.source, src.block_hash_display, height=proof)
    if vrf_proof is not None:
        from toolkit.core.fsio import read_input
        from vrf.record import MAX_RECORD_BYTES

        return vrf_source(read_input(vrf_proof, what="VRF proof file", limit=MAX_RECORD_BYTES), context)
    if header is not None:
        # Imported here: --block-hash alone needs no header code (cold start).
        from toolkit.chain.header import block_hash_internal_from_options

        return block_source(block_hash_internal_from_options(None, header), context)
    assert block_hash is not None
    return block_source(block_hash_internal_from_display(block_hash.strip()), context)


def vrf_source(record: bytes, context: str) -> ResolvedSource:
    """kind ``vrf``: source = beta of a proof record that verifies (SPEC R).

    The stream's context is ``context`` (the ``--context`` option, default
    empty) like for every other input; the context the VRF input itself
    carried is reported as ``proof_context``."""
    # Imported here: the VRF stack is loaded only when a proof is given.
    from vrf.record import verified_output

    out = verified_output(record)  # MalformedInputError (65) / VerificationError (1)
    return ResolvedSource(Source("vrf", out.beta, context), out.block_hash_display, out.context)

