"""Proof records: JSON ``enoch-vrf-proof/1`` (SPEC C and V).

``{"format", "suite", "public_key", "alpha", "pi", "beta"}`` plus
``"block_hash"`` (display hex) and ``"context"`` when the proof was made over a
block, in which case ``alpha = internal-order hash || UTF-8(context)`` (SPEC R).
A record is valid only if pi verifies for public_key and alpha (validate_key
on) and beta equals proof_to_hash(pi).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError, VerificationError
from toolkit.core.hexutil import block_hash_display_from_internal, block_hash_internal_from_display
from toolkit.core.text import context_bytes
from vrf.ecvrf import prove, verify
from vrf.jsonfields import hex_field, load_object, text_field
from vrf.keys import KeyPair
from vrf.suites import Suite, suite_by_name

PROOF_FORMAT = "enoch-vrf-proof/1"
#: Bounded read of a record file.  A record is a few hundred bytes plus its
#: alpha (hex) and context (JSON-escaped); both come from one command-line
#: argument (at most 128 KiB on Linux), so 4 MiB is far beyond any honest record.
MAX_RECORD_BYTES = 1 << 22
_WHAT = "VRF proof record"
_REQUIRED = frozenset({"format", "suite", "public_key", "alpha", "pi", "beta"})
_BLOCK_KEYS = frozenset({"block_hash", "context"})
_LOWER_HEX = frozenset("0123456789abcdef")


def block_alpha(block_hash_internal: bytes, context: str) -> bytes:
    """SPEC R: alpha for a block = 32-byte internal-order hash || UTF-8(context)
    (the same context bytes as the randomness stream's; a context that is
    not UTF-8 text is ``MalformedInputError``)."""
    if len(block_hash_internal) != 32:
        raise ValueError("a block hash is 32 bytes")
    return block_hash_internal + context_bytes(context)


@dataclass(frozen=True)
class ProofRecord:
    """One ``enoch-vrf-proof/1`` record; parsing it does not verify it (see :func:`verify_record`)."""

    suite: Suite
    public_key: bytes
    alpha: bytes
    pi: bytes
    beta: bytes
    block_hash_display: str | None = None
    context: str | None = None

    def __post_init__(self) -> None:
        # to_bytes must never write a record from_bytes refuses (the same
        # checks, as ValueError: a bad record here is a programming error).
        curve = self.suite.curve
        lengths = (len(self.public_key), len(self.pi), len(self.beta))
        if lengths != (curve.pt_len, self.suite.pi_len, self.suite.h_len):
            raise ValueError(f"{self.suite.name} record field lengths are wrong: {lengths}")
        if (self.block_hash_display is None) != (self.context is None):
            raise ValueError("block_hash_display and context go together")
        if self.block_hash_display is not None:
            if len(self.block_hash_display) != 64 or not _LOWER_HEX.issuperset(self.block_hash_display):
                raise ValueError("block_hash_display must be 64 lowercase hex digits")
            assert self.context is not None
            try:
                self.context.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("context is not valid Unicode (lone surrogate)") from None

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object (also ``vrf prove --json``)."""
        doc: dict[str, Any] = {
            "format": PROOF_FORMAT,
            "suite": self.suite.name,
            "public_key": self.public_key.hex(),
            "alpha": self.alpha.hex(),
            "pi": self.pi.hex(),
            "beta": self.beta.hex(),
        }
        if self.block_hash_display is not None:
            doc["block_hash"] = self.block_hash_display
            doc["context"] = self.context
        return doc

    def to_bytes(self) -> bytes:
        """Canonical JSON (RFC 8785) plus a newline."""
        return canonical_dumps(self.to_json()) + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> ProofRecord:
        """Strict parse (exit 65 on any malformation); does not verify."""
        obj = load_object(data, what=_WHAT, fmt=PROOF_FORMAT, required=_REQUIRED, optional=_BLOCK_KEYS)
        suite = suite_by_name(text_field(obj, "suite", what=_WHAT))
        block_keys = _BLOCK_KEYS & obj.keys()
        if block_keys and block_keys != _BLOCK_KEYS:
            raise MalformedInputError(f"{_WHAT}: block_hash and context must be given together")
        block_hash: str | None = None
        context: str | None = None
        if block_keys:
            block_hash = text_field(obj, "block_hash", what=_WHAT)
            # canonical display form: 64 lowercase hex digits
            hex_field(obj, "block_hash", what=_WHAT, length=32)
            context = text_field(obj, "context", what=_WHAT)
        return cls(
            suite=suite,
            public_key=hex_field(obj, "public_key", what=_WHAT, length=suite.curve.pt_len),
            alpha=hex_field(obj, "alpha", what=_WHAT),
            pi=hex_field(obj, "pi", what=_WHAT, length=suite.pi_len),
            beta=hex_field(obj, "beta", what=_WHAT, length=suite.h_len),
            block_hash_display=block_hash,
            context=context,
        )


def make_record(
    pair: KeyPair, alpha: bytes, *, block_hash_internal: bytes | None = None, context: str | None = None
) -> ProofRecord:
    """Prove ``alpha`` (or, with ``block_hash_internal``, the block alpha) and
    build the record."""
    display: str | None = None
    if block_hash_internal is not None:
        context = context or ""
        if alpha:
            raise ValueError("give alpha or a block hash, not both")
        alpha = block_alpha(block_hash_internal, context)
        display = block_hash_display_from_internal(block_hash_internal)
    elif context is not None:
        raise ValueError("a context is only used with a block hash")
    pi = prove(pair.suite, pair.secret_key, alpha)
    beta = verify(pair.suite, pair.public_key, alpha, pi)  # never publish a proof we cannot verify
    return ProofRecord(pair.suite, pair.public_key, alpha, pi, beta, display, context)


@dataclass(frozen=True)
class VerifiedOutput:
    """What a record that verified vouches for: its beta, and the block and context if any."""

    suite: str
    public_key: bytes
    alpha: bytes
    beta: bytes
    block_hash_display: str | None
    context: str | None


def verify_record(record: ProofRecord, *, validate_key: bool = True) -> VerifiedOutput:
    """Verify a parsed record; any failure -> VerificationError (exit 1)."""
    beta = verify(record.suite, record.public_key, record.alpha, record.pi, validate_key=validate_key)
    if beta != record.beta:
        raise VerificationError("record beta does not equal proof_to_hash(pi)")
    if record.block_hash_display is not None:
        assert record.context is not None
        expected = block_alpha(block_hash_internal_from_display(record.block_hash_display), record.context)
        if record.alpha != expected:
            raise VerificationError("record alpha is not block hash (internal order) || UTF-8(context)")
    return VerifiedOutput(
        record.suite.name, record.public_key, record.alpha, beta, record.block_hash_display, record.context
    )


def verified_output(data: bytes) -> VerifiedOutput:
    """Parse a proof record strictly (MalformedInputError, exit 65) and verify
    it with validate_key (VerificationError, exit 1).  The contract the
    randomness commands rely on (INTERFACES.md)."""
    return verify_record(ProofRecord.from_bytes(data))
