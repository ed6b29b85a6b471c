"""The draw receipt, ``enoch-draw-receipt/1`` (SPEC D): everything a third
party needs to check a draw offline.

::

    {"format": "enoch-draw-receipt/1", "request": {enoch-draw-request/1},
     "request_id": hex, "block": {"height": H, "hash": display hex},
     "headers": [80-byte header hex, ...],
     "vrf_proof": null | {enoch-vrf-proof/1},
     "winners": [{"index": i, "entrant": str, "proof": [hex, ...]}, ...]}

Parsing checks structure only (keys, types, lengths, canonical spelling:
exit 65); whether the values agree with each other and with the chain is
``toolkit.draws.verify``'s job (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from inscriptions.schema import hex_field, int_field, load_versioned, located, obj, parse_lower_hex, str_field
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError
from toolkit.draws.request import DrawRequest
from vrf.record import ProofRecord

RECEIPT_FORMAT: Final = "enoch-draw-receipt/1"
HEADER_SIZE: Final = 80
_WHAT: Final = "draw receipt"
_KEYS: Final = {"format", "request", "request_id", "block", "headers", "vrf_proof", "winners"}


@dataclass(frozen=True)
class Winner:
    """One winner: its index in the entrants file, the entrant, its RFC 9162 audit path."""

    index: int
    entrant: str
    proof: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        """The winner as a JSON object."""
        return {"index": self.index, "entrant": self.entrant, "proof": [p.hex() for p in self.proof]}


@dataclass(frozen=True)
class DrawReceipt:
    """One ``enoch-draw-receipt/1``.  ``block_hash_display`` as explorers print it."""

    request: DrawRequest
    request_id_hex: str
    block_height: int
    block_hash_display: str
    headers: tuple[bytes, ...]
    vrf_proof: ProofRecord | None
    winners: tuple[Winner, ...]

    def to_json(self) -> dict[str, Any]:
        """The receipt as a JSON object."""
        return {
            "format": RECEIPT_FORMAT,
            "request": self.request.to_json(),
            "request_id": self.request_id_hex,
            "block": {"height": self.block_height, "hash": self.block_hash_display},
            "headers": [h.hex() for h in self.headers],
            "vrf_proof": None if self.vrf_proof is None else self.vrf_proof.to_json(),
            "winners": [w.to_json() for w in self.winners],
        }

    def to_bytes(self) -> bytes:
        """The receipt file: RFC 8785 canonical JSON plus a newline."""
        return canonical_dumps(self.to_json()) + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> DrawReceipt:
        """Strict parse (exit 65): exact keys and types, canonical spelling.  Does not verify."""
        o = load_versioned(data, _WHAT, RECEIPT_FORMAT, _KEYS)
        with located(_WHAT):
            request = DrawRequest.from_json(o["request"], where="request")
            block = obj(o["block"], "block", {"height", "hash"})
            headers = _list(o["headers"], "headers")
            if not headers:
                raise MalformedInputError("headers is empty")
            winners = _list(o["winners"], "winners")
            receipt = cls(
                request=request,
                request_id_hex=parse_lower_hex(o["request_id"], "request_id", 32).hex(),
                block_height=int_field(block, "height", minimum=1),
                block_hash_display=hex_field(block, "hash", 32).hex(),
                headers=tuple(parse_lower_hex(h, f"headers[{i}]", HEADER_SIZE) for i, h in enumerate(headers)),
                vrf_proof=None if o["vrf_proof"] is None else _proof(o["vrf_proof"]),
                winners=tuple(_winner(w, f"winners[{i}]") for i, w in enumerate(winners)),
            )
        if receipt.to_bytes() != data:
            raise MalformedInputError(f"{_WHAT} is not in canonical form (RFC 8785 JSON plus one newline)")
        return receipt


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedInputError(f"{where} must be a JSON array")
    return value


def _proof(value: Any) -> ProofRecord:
    with located("vrf_proof"):
        if not isinstance(value, dict):
            raise MalformedInputError("must be a JSON object or null")
        # The record's own strict parser, over the value's canonical bytes.
        return ProofRecord.from_bytes(canonical_dumps(value))


def _winner(value: Any, where: str) -> Winner:
    with located(where):
        w = obj(value, where, {"index", "entrant", "proof"})
        path = _list(w["proof"], "proof")
        return Winner(
            index=int_field(w, "index"),
            entrant=str_field(w, "entrant"),
            proof=tuple(parse_lower_hex(p, f"proof[{i}]", 32) for i, p in enumerate(path)),
        )
