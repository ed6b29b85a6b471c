"""Deterministic gzip members (RFC 1952), written and parsed by hand (SPEC I).

A member is::

    1f 8b 08 00 00000000 02 ff      ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=2 OS=255
    <raw deflate, level 9, wbits -15, memLevel 8, default strategy, one stream>
    CRC32(data) ISIZE(len(data) mod 2^32)   both little-endian

The header is fixed so that the bytes depend only on the content and on the
deflate implementation.  zlib-ng produces different (valid) deflate streams,
so a batch made with it cannot be reproduced byte for byte by stock zlib:
:func:`compressor_info` records what was used and :func:`require_reproducible`
refuses reproducibility claims on zlib-ng.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from toolkit.core.errors import MalformedInputError, UsageError

HEADER = bytes.fromhex("1f8b08000000000002ff")
TRAILER_SIZE = 8
#: Bytes a member adds around its deflate stream.
OVERHEAD = len(HEADER) + TRAILER_SIZE

LEVEL = 9
WBITS = -15
MEM_LEVEL = 8


def new_compressor() -> Any:
    """A fresh raw-deflate compressor with the parameters fixed by SPEC I."""
    return zlib.compressobj(LEVEL, zlib.DEFLATED, WBITS, MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY)


def trailer(data: bytes | memoryview) -> bytes:
    """CRC32 and ISIZE of ``data``, little-endian."""
    return struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)


def wrap(deflate: bytes, data: bytes | memoryview) -> bytes:
    """Assemble a member from the raw deflate stream of ``data``."""
    return HEADER + deflate + trailer(data)


def wrap_crc(deflate: bytes, crc: int, length: int) -> bytes:
    """Assemble a member from a raw deflate stream and its content's CRC32 and length."""
    return HEADER + deflate + struct.pack("<II", crc & 0xFFFFFFFF, length & 0xFFFFFFFF)


def gzip_member(data: bytes | memoryview) -> bytes:
    """The deterministic gzip member of ``data`` (one-shot)."""
    comp = new_compressor()
    return wrap(comp.compress(data) + comp.flush(), data)


#: Largest piece of output one inflate step produces: memory stays bounded
#: whatever length a shard claims (issue 12 defect 6).
PIECE = 1 << 20


def inflate_member(member: bytes, *, max_size: int, piece: int = PIECE) -> Iterator[bytes]:
    """Inflate one member strictly, yielding its content in pieces of at most
    ``piece`` bytes; CRC32 and length are computed as it goes.

    Rejects a header other than :data:`HEADER`, a truncated or damaged deflate
    stream, bytes after the trailer, a CRC32/ISIZE mismatch, and content longer
    than ``max_size`` (never inflates more than ``max_size + 1`` bytes).  The
    errors (``MalformedInputError``) come while iterating: consume it fully.
    """
    if len(member) < OVERHEAD + 2:  # the shortest raw deflate stream is 2 bytes
        raise MalformedInputError(f"gzip member is truncated ({len(member)} bytes)")
    if member[: len(HEADER)] != HEADER:
        raise MalformedInputError("gzip member header is not the deterministic enoch header")
    pending: bytes | memoryview = memoryview(member)[len(HEADER) : len(member) - TRAILER_SIZE]
    inflater = zlib.decompressobj(WBITS)
    crc = total = 0
    while True:
        try:
            data = inflater.decompress(pending, min(piece, max_size + 1 - total))
        except zlib.error as exc:
            raise MalformedInputError(f"gzip member has a damaged deflate stream ({exc})") from None
        pending = inflater.unconsumed_tail
        total += len(data)
        if total > max_size:
            raise MalformedInputError(f"gzip member inflates past its recorded length {max_size}")
        if data:
            crc = zlib.crc32(data, crc)
            yield data
        if inflater.eof or (not data and not pending):
            break
    if not inflater.eof:
        raise MalformedInputError("gzip member is truncated (deflate stream does not end)")
    if inflater.unused_data:
        raise MalformedInputError("gzip member has bytes between the deflate stream and the trailer")
    if member[-TRAILER_SIZE:] != struct.pack("<II", crc & 0xFFFFFFFF, total & 0xFFFFFFFF):
        raise MalformedInputError("gzip member CRC32/ISIZE does not match its content")


def parse_member(member: bytes, *, max_size: int) -> bytes:
    """Inflate one member strictly (see :func:`inflate_member`) and return its content."""
    return b"".join(inflate_member(member, max_size=max_size))


def zlib_runtime_version() -> str:
    """The zlib actually loaded at run time (may differ from the build-time one)."""
    return str(getattr(zlib, "ZLIB_RUNTIME_VERSION", zlib.ZLIB_VERSION))


def is_zlib_ng() -> bool:
    """True when Python's zlib module runs on zlib-ng (native or compat mode)."""
    if hasattr(zlib, "ZLIBNG_VERSION"):
        return True
    versions = (zlib.ZLIB_VERSION, zlib_runtime_version())
    return any("ng" in v.lower() for v in versions)


@dataclass(frozen=True)
class CompressorInfo:
    """The deflate implementation and parameters recorded in a manifest."""

    name: str
    version: str
    level: int = LEVEL
    wbits: int = WBITS
    mem_level: int = MEM_LEVEL
    strategy: str = "default"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "level": self.level,
            "wbits": self.wbits,
            "mem_level": self.mem_level,
            "strategy": self.strategy,
        }


def compressor_info() -> CompressorInfo:
    """What this process compresses with."""
    return CompressorInfo(name="zlib-ng" if is_zlib_ng() else "zlib", version=zlib_runtime_version())


def require_reproducible(recorded: CompressorInfo) -> None:
    """Refuse a byte-for-byte reproduction claim that cannot hold.

    Reproduction is only claimed with stock zlib, for a batch recorded as made
    with stock zlib and our fixed parameters.
    """
    if is_zlib_ng():
        raise UsageError("this Python's zlib is zlib-ng: its deflate output differs from zlib, so it cannot reproduce shards")
    if recorded.name != "zlib":
        raise UsageError(f"the batch was compressed with {recorded.name}, not zlib: it is not reproducible byte for byte")
    if (recorded.level, recorded.wbits, recorded.mem_level, recorded.strategy) != (LEVEL, WBITS, MEM_LEVEL, "default"):
        raise UsageError("the batch records deflate parameters other than enoch's fixed ones")
