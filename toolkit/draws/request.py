"""The draw request, ``enoch-draw-request/1`` (SPEC D): the rules of a draw,
fixed and published before the block that decides it exists.

::

    {"format": "enoch-draw-request/1", "network": str, "height": H,
     "confirmations": C, "context": str, "winners": K,
     "entrants": {"count": n, "root": hex}, "vrf": null | {"suite", "public_key"}}

The file is the RFC 8785 canonical JSON of the object plus one newline, and
nothing else is accepted (a request is hashed: there must be one spelling of
it).  The request id is SHA-256 of the canonical bytes (without the newline),
in lowercase hex.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Final

from inscriptions.schema import Obj, hex_field, int_field, load_versioned, located, obj, str_field
from toolkit.chain import CHAIN_NETWORKS
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError
from vrf.suites import suite_by_name

REQUEST_FORMAT: Final = "enoch-draw-request/1"
#: The networks SPEC H checks header chains on: a draw's height must be provable.
NETWORKS: Final = CHAIN_NETWORKS
#: Upper bound on ``confirmations`` (about two years of blocks): a receipt
#: carries that many headers, and ``draw run`` keeps them in memory.
MAX_CONFIRMATIONS: Final = 100_000
_WHAT: Final = "draw request"
_KEYS: Final = {"format", "network", "height", "confirmations", "context", "winners", "entrants", "vrf"}


@dataclass(frozen=True)
class VrfKeyRef:
    """The VRF key a request names: only its holder can run the draw."""

    suite: str
    public_key: bytes

    def __post_init__(self) -> None:
        suite = suite_by_name(self.suite)
        if len(self.public_key) != suite.curve.pt_len:
            raise MalformedInputError(f"a {self.suite} public key is {suite.curve.pt_len} bytes")


@dataclass(frozen=True)
class DrawRequest:
    """One ``enoch-draw-request/1``; construction checks every field's range."""

    network: str
    height: int
    confirmations: int
    context: str
    winners: int
    entrant_count: int
    entrants_root: bytes
    vrf: VrfKeyRef | None = None

    def __post_init__(self) -> None:
        # The same checks whether built by `draw commit` or parsed: to_bytes
        # never writes a request from_bytes refuses.
        if self.network not in NETWORKS:
            raise MalformedInputError(f"{_WHAT}: network must be one of {', '.join(NETWORKS)}, got {self.network!r}")
        for name, value in (("height", self.height), ("confirmations", self.confirmations),
                            ("winners", self.winners), ("entrants.count", self.entrant_count)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise MalformedInputError(f"{_WHAT}: {name} must be a positive integer, got {value!r}")
        if self.confirmations > MAX_CONFIRMATIONS:
            raise MalformedInputError(f"{_WHAT}: confirmations must be at most {MAX_CONFIRMATIONS:,}")
        if len(self.entrants_root) != 32:
            raise MalformedInputError(f"{_WHAT}: entrants.root must be 32 bytes")
        # K > n is well-formed but cannot be drawn: commit and run refuse it
        # (exit 2), verify finds no valid receipt for it (exit 1).
        canonical_dumps(self.context)  # lone surrogates: not hashable text

    def to_json(self) -> dict[str, Any]:
        """The request as a JSON object."""
        vrf = None if self.vrf is None else {"suite": self.vrf.suite, "public_key": self.vrf.public_key.hex()}
        return {
            "format": REQUEST_FORMAT,
            "network": self.network,
            "height": self.height,
            "confirmations": self.confirmations,
            "context": self.context,
            "winners": self.winners,
            "entrants": {"count": self.entrant_count, "root": self.entrants_root.hex()},
            "vrf": vrf,
        }

    def canonical(self) -> bytes:
        """RFC 8785 bytes: what the request id hashes."""
        return canonical_dumps(self.to_json())

    def to_bytes(self) -> bytes:
        """The request file: canonical bytes plus a newline."""
        return self.canonical() + b"\n"

    @property
    def request_id(self) -> bytes:
        """SHA-256 of the canonical bytes."""
        return hashlib.sha256(self.canonical()).digest()

    @property
    def request_id_hex(self) -> str:
        """The request id in lowercase hex: what is published, and the draw's context."""
        return self.request_id.hex()

    @classmethod
    def from_json(cls, value: Any, *, where: str = _WHAT) -> DrawRequest:
        """Strict: exactly the keys above, typed and in range (exit 65)."""
        with located(where):
            o = obj(value, where, None)
            if o.get("format") != REQUEST_FORMAT:
                raise MalformedInputError(f"format is {o.get('format')!r}, expected {REQUEST_FORMAT!r}")
            o = obj(o, where, _KEYS)
            entrants = obj(o["entrants"], "entrants", {"count", "root"})
            vrf: VrfKeyRef | None = None
            if o["vrf"] is not None:
                v = obj(o["vrf"], "vrf", {"suite", "public_key"})
                suite = suite_by_name(str_field(v, "suite"))
                vrf = VrfKeyRef(suite.name, hex_field(v, "public_key", suite.curve.pt_len))
            return cls(
                network=str_field(o, "network"),
                height=int_field(o, "height", minimum=1),
                confirmations=int_field(o, "confirmations", minimum=1),
                context=str_field(o, "context"),
                winners=int_field(o, "winners", minimum=1),
                entrant_count=int_field(entrants, "count", minimum=1),
                entrants_root=hex_field(entrants, "root", 32),
                vrf=vrf,
            )

    @classmethod
    def from_bytes(cls, data: bytes) -> DrawRequest:
        """Parse a request file: strict JSON, and exactly the canonical spelling."""
        o: Obj = load_versioned(data, _WHAT, REQUEST_FORMAT, _KEYS)
        request = cls.from_json(o)
        if request.to_bytes() != data:
            raise MalformedInputError(f"{_WHAT} is not in canonical form (RFC 8785 JSON plus one newline)")
        return request
