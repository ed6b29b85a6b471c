"""Bitcoin block headers: the strict 80-byte format, SHA-256d, proof of work,
and chains of consecutive headers.

Serialisation (all integers little-endian)::

    version  int32   4 bytes
    prev     32 bytes  hash of the previous header, internal byte order
    merkle   32 bytes  Merkle root, internal byte order
    time     uint32  4 bytes
    bits     uint32  4 bytes  compact target (toolkit.chain.compact)
    nonce    uint32  4 bytes

A header that passes :meth:`BlockHeader.check_pow` proves that *work* was done
on it -- not its height, and not that it is part of the best chain (see
docs/randomness.md, "What a header proves").
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from toolkit.chain.compact import MAINNET_POW_LIMIT, difficulty_from_target, target_from_compact
from toolkit.core.errors import MalformedInputError, UsageError, VerificationError
from toolkit.core.hexutil import block_hash_display_from_internal, block_hash_internal_from_display, parse_hex

HEADER_SIZE: Final = 80
_LAYOUT: Final = struct.Struct("<i32s32sIII")


def sha256d(data: bytes) -> bytes:
    """SHA-256 applied twice (Bitcoin's header and transaction hash)."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


@dataclass(frozen=True)
class BlockHeader:
    """One parsed 80-byte block header.  Hashes keep their internal byte order."""

    version: int
    prev_hash_internal: bytes
    merkle_root_internal: bytes
    time: int
    bits: int
    nonce: int

    def __post_init__(self) -> None:
        if len(self.prev_hash_internal) != 32 or len(self.merkle_root_internal) != 32:
            raise ValueError("header hashes are 32 bytes")
        if not -(2**31) <= self.version < 2**31:
            raise ValueError("version is a signed 32-bit value")
        for name in ("time", "bits", "nonce"):
            if not 0 <= getattr(self, name) < 2**32:
                raise ValueError(f"{name} is an unsigned 32-bit value")

    @classmethod
    def from_bytes(cls, raw: bytes) -> BlockHeader:
        """Parse exactly 80 bytes; anything else is :class:`MalformedInputError`."""
        if len(raw) != HEADER_SIZE:
            raise MalformedInputError(f"a block header is exactly {HEADER_SIZE} bytes, got {len(raw)}")
        version, prev, merkle, time, bits, nonce = _LAYOUT.unpack(raw)
        return cls(version, prev, merkle, time, bits, nonce)

    @classmethod
    def from_hex(cls, text: str) -> BlockHeader:
        """Parse 160 hex digits (serialisation order, as ``getblockheader false`` prints)."""
        return cls.from_bytes(parse_hex(text.strip(), what="block header", length=HEADER_SIZE))

    def to_bytes(self) -> bytes:
        """The 80-byte serialisation (:meth:`from_bytes` inverts it)."""
        return _LAYOUT.pack(
            self.version, self.prev_hash_internal, self.merkle_root_internal, self.time, self.bits, self.nonce
        )

    @property
    def hash_internal(self) -> bytes:
        """SHA-256d of the serialised header (internal byte order)."""
        return sha256d(self.to_bytes())

    @property
    def hash_display(self) -> str:
        """The header's hash as explorers print it."""
        return block_hash_display_from_internal(self.hash_internal)

    @property
    def prev_hash_display(self) -> str:
        """The previous block's hash as explorers print it."""
        return block_hash_display_from_internal(self.prev_hash_internal)

    def target(self, *, pow_limit: int = MAINNET_POW_LIMIT) -> int:
        """The target nBits encodes (``VerificationError`` if Core would refuse it)."""
        return target_from_compact(self.bits, pow_limit=pow_limit)

    def difficulty(self, *, pow_limit: int = MAINNET_POW_LIMIT) -> float:
        """Difficulty of the nBits target, as Bitcoin Core reports it."""
        return difficulty_from_target(self.target(pow_limit=pow_limit))

    def check_pow(self, *, pow_limit: int = MAINNET_POW_LIMIT) -> None:
        """Bitcoin Core's ``CheckProofOfWork``: nBits must decode to a valid
        target no easier than ``pow_limit`` (mainnet by default), and the hash,
        read as a little-endian 256-bit integer, must not exceed it."""
        # CheckProofOfWork step 1: nBits -> target; refuse negative, zero,
        # overflowing and above-limit targets (toolkit.chain.compact).
        target = self.target(pow_limit=pow_limit)
        # Step 2: the hash as a 256-bit little-endian integer must not exceed it.
        if int.from_bytes(self.hash_internal, "little") > target:
            raise VerificationError(f"block {self.hash_display} hash is above the target of its nBits")


def parse_headers(data: bytes) -> list[BlockHeader]:
    """Parse one or more headers from a file's bytes: hex lines or raw 80-byte
    records, exactly as a header chain file is read (toolkit.chain.headerfile)."""
    from toolkit.chain.headerfile import parse_header_stream

    return [BlockHeader.from_bytes(raw) for raw in parse_header_stream([data])]


@dataclass(frozen=True)
class HeaderCheck:
    """The verdict on one header of a chain."""

    header: BlockHeader
    target: int | None  # None when nBits itself is invalid
    pow_error: str | None  # None when the proof of work is valid
    link_ok: bool | None  # None for the first header (nothing to link to)

    @property
    def pow_valid(self) -> bool:
        return self.pow_error is None

    @property
    def ok(self) -> bool:
        return self.pow_valid and self.link_ok is not False


def check_header(header: BlockHeader, previous: BlockHeader | None, *, pow_limit: int = MAINNET_POW_LIMIT) -> HeaderCheck:
    """Check one header's work and, given its predecessor, its prev-hash link."""
    target: int | None = None
    error: str | None = None
    try:
        target = header.target(pow_limit=pow_limit)
        header.check_pow(pow_limit=pow_limit)
    except VerificationError as exc:
        error = exc.reason
    link = None if previous is None else header.prev_hash_internal == previous.hash_internal
    return HeaderCheck(header, target, error, link)


def check_chain(headers: Sequence[BlockHeader], *, pow_limit: int = MAINNET_POW_LIMIT) -> list[HeaderCheck]:
    """Check every header's work and that each one's prev-hash is the hash of
    the header before it.  Reports everything; raises nothing."""
    return [
        check_header(h, headers[i - 1] if i else None, pow_limit=pow_limit) for i, h in enumerate(headers)
    ]


def block_hash_internal_from_options(block_hash_display: str | None, header_hex: str | None) -> bytes:
    """The 32-byte internal-order hash from exactly one of ``--block-hash``
    (display hex) and ``--header`` (80-byte hex, proof of work checked first)."""
    if (block_hash_display is None) == (header_hex is None):
        raise UsageError("give exactly one of --block-hash and --header")
    if block_hash_display is not None:
        return block_hash_internal_from_display(block_hash_display.strip())
    assert header_hex is not None
    header = BlockHeader.from_hex(header_hex)
    header.check_pow()
    return header.hash_internal
