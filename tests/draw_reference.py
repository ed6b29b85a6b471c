"""An independent re-derivation of a draw, written from docs/draws.md alone:
it imports nothing from ``toolkit`` (only the plain SPEC R reader of
``tests/spec_r_reference``, itself written from the spec text).  Tests compare
enoch's receipts against it, so a golden winner list is not just enoch's own
output read back."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.spec_r_reference import Reader


def entrants(data: bytes) -> list[bytes]:
    """docs/draws.md "Entrants": split on LF, a final LF ends the last line, drop one CR."""
    data.decode("utf-8")  # must be UTF-8
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        del lines[-1]
    out = [line[:-1] if line[-1:] == b"\r" else line for line in lines]
    assert out and all(out) and len(set(out)) == len(out), "empty line or duplicate"
    return out


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1, the recursion as written there."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 9162 section 2.1.3.1, PATH(m, D[n])."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def canonical(value: Any) -> bytes:
    """RFC 8785 for the request's values (ASCII member names, integers, strings, null)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def request_id(request: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(request)).hexdigest()


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def block_hash_internal(headers_hex: list[str], first_height: int, height: int) -> bytes:
    """The hash of the header at ``height`` in a chain starting at ``first_height``,
    after checking each header names the previous one."""
    raw = [bytes.fromhex(h) for h in headers_hex]
    for prev, header in zip(raw, raw[1:]):
        assert header[4:36] == sha256d(prev), "headers are not linked"
    return sha256d(raw[height - first_height])


def winners(request: dict[str, Any], block_internal: bytes, beta: bytes | None = None) -> list[int]:
    """docs/draws.md "Winners": the first K of the SPEC R shuffle of 0..n-1."""
    rid = request_id(request)
    kind, source = ("block", block_internal) if beta is None else ("vrf", beta)
    n = request["entrants"]["count"]
    reader = Reader(kind, source, rid, size=16 * n + 64)
    return reader.shuffle(list(range(n)))[: request["winners"]]


def vrf_alpha(block_internal: bytes, request: dict[str, Any]) -> bytes:
    """docs/draws.md: alpha = block hash (internal order) || UTF-8(request id hex)."""
    return block_internal + request_id(request).encode("ascii")
