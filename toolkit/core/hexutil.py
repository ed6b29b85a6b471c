"""Hex at the edges: strict parsing of user-supplied hex strings, and the
explicit byte-order conversions for block hashes.

Naming rule used across enoch: ``*_display`` is a block hash as explorers and
``bitcoin-cli`` print it (big-endian hex); ``*_internal`` is the raw SHA-256d
digest bytes (little-endian, as serialised in headers).
"""

from __future__ import annotations

import binascii
import re

from toolkit.core.errors import MalformedInputError

#: ASCII hex digits only; a regex scans an 8 MB reveal in milliseconds (a set
#: test per character took 85 ms).
_HEX = re.compile(r"[0-9a-fA-F]+")


def parse_hex(text: str, *, what: str, length: int | None = None) -> bytes:
    """Decode ``text`` as hex (no prefix, no whitespace, even length).

    ``length`` is the required number of *bytes*.  Errors are one-line
    ``MalformedInputError`` messages naming ``what``.
    """
    if text.startswith(("0x", "0X")):
        raise MalformedInputError(f"{what}: give plain hex without a 0x prefix")
    if not text or not _HEX.fullmatch(text):
        raise MalformedInputError(f"{what} is not hex" if text else f"{what} is empty")
    if len(text) % 2:
        raise MalformedInputError(f"{what}: odd number of hex digits ({len(text)})")
    raw = binascii.unhexlify(text)
    if length is not None and len(raw) != length:
        raise MalformedInputError(f"{what} must be {length} bytes ({2 * length} hex digits), got {len(raw)} bytes")
    return raw


def block_hash_internal_from_display(display_hex: str) -> bytes:
    """Display-order block hash hex (64 digits) -> 32 internal-order bytes."""
    return parse_hex(display_hex, what="block hash", length=32)[::-1]


def block_hash_display_from_internal(internal: bytes) -> str:
    """32 internal-order bytes -> display-order hex."""
    if len(internal) != 32:
        raise ValueError("a block hash is 32 bytes")
    return internal[::-1].hex()
