"""The batch id: the SHA-256 of ``manifest.json``'s exact bytes, as 64
lowercase hex digits.

The Merkle root commits to the shard bytes only; the manifest also names
each file's path, content type and size.  Its hash therefore covers
everything a batch is, and is what a user publishes and checks
(``verify --expect ID``, ``unpack --expect ID``, ``extract --expect ID``).
The manifest is canonical JSON (RFC 8785), so one batch has one id.
"""

from __future__ import annotations

import hashlib

from toolkit.core.errors import UsageError, VerificationError

_HEX = frozenset("0123456789abcdef")


def batch_id(manifest_bytes: bytes) -> str:
    """The batch id of a manifest: SHA-256 of its bytes, lowercase hex."""
    return hashlib.sha256(manifest_bytes).hexdigest()


def parse_batch_id(text: str) -> str:
    """A batch id as given by the user: 64 hex digits (either case, surrounding
    blanks ignored), returned lowercase.  Anything else is ``UsageError`` (exit 2)."""
    value = text.strip().lower()
    if len(value) != 64 or not _HEX.issuperset(value):
        shown = text if len(text) <= 80 else text[:80] + "..."
        raise UsageError(f"--expect {shown!r} is not a batch id (64 hex digits: the manifest's SHA-256)")
    return value


def check_batch_id(manifest_bytes: bytes, expected_hex: str) -> str:
    """Require that ``manifest_bytes`` has the batch id ``expected_hex``;
    return the id.  Malformed id: ``UsageError`` (exit 2); another batch:
    ``VerificationError`` (exit 1)."""
    expected = parse_batch_id(expected_hex)
    actual = batch_id(manifest_bytes)
    if actual != expected:
        raise VerificationError(f"batch id is {actual}, expected {expected}")
    return actual
