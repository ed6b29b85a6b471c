"""Strict parser of serialized Bitcoin transactions (BIP 144 witness format).

Rejects truncation, trailing bytes, non-canonical CompactSize integers, an
unknown segwit flag, and a witness section whose stacks are all empty (the
same "superfluous witness" rule as Bitcoin Core).  Used by ``decode``, which
must not depend on the signing stack.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from toolkit.errors import MalformedInputError


@dataclass(frozen=True)
class TxIn:
    txid: str  # display hex
    vout: int
    script_sig: bytes
    sequence: int


@dataclass(frozen=True)
class Tx:
    version: int
    inputs: tuple[TxIn, ...]
    outputs: tuple[tuple[int, bytes], ...]
    witnesses: tuple[tuple[bytes, ...], ...]
    locktime: int
    txid: str
    weight: int  # BIP 141: 3 x stripped size + total size


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if n > len(self.data) - self.pos:
            raise MalformedInputError(f"transaction truncated at byte {self.pos} (wanted {n} more bytes)")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")

    def compact(self) -> int:
        first = self.uint(1)
        width = {0xFD: 2, 0xFE: 4, 0xFF: 8}.get(first)
        if width is None:
            return first
        value = self.uint(width)
        if value < {2: 0xFD, 4: 0x10000, 8: 0x100000000}[width]:
            raise MalformedInputError(f"non-canonical CompactSize at byte {self.pos - width - 1}")
        return value

    def count(self, min_item: int) -> int:
        n = self.compact()
        if n * min_item > len(self.data) - self.pos:
            raise MalformedInputError(f"transaction truncated: {n} items announced at byte {self.pos}")
        return n

    def var_bytes(self) -> bytes:
        return self.take(self.compact())


def parse_tx(raw: bytes) -> Tx:
    """Parse one complete transaction."""
    r = _Reader(raw)
    version = r.uint(4)
    segwit = False
    if raw[4:5] == b"\x00":
        r.take(1)
        flag = r.uint(1)
        if flag != 1:
            raise MalformedInputError(f"unknown segwit flag {flag}")
        segwit = True
    inputs = []
    for _ in range(r.count(41)):
        prev = r.take(32)
        inputs.append(TxIn(prev[::-1].hex(), r.uint(4), r.var_bytes(), r.uint(4)))
    if not inputs:
        raise MalformedInputError("transaction has no inputs")
    outputs = []
    for _ in range(r.count(9)):
        outputs.append((r.uint(8), r.var_bytes()))
    witnesses: list[tuple[bytes, ...]] = []
    if segwit:
        for _ in inputs:
            witnesses.append(tuple(r.var_bytes() for _ in range(r.count(1))))
        if not any(witnesses):
            raise MalformedInputError("superfluous witness record (all witness stacks empty)")
    else:
        witnesses = [() for _ in inputs]
    locktime = r.uint(4)
    if r.pos != len(raw):
        raise MalformedInputError(f"{len(raw) - r.pos} trailing bytes after the transaction")
    stripped = raw[:4] + raw[6:_witness_start(raw)] + raw[-4:] if segwit else raw
    txid = hashlib.sha256(hashlib.sha256(stripped).digest()).digest()[::-1].hex()
    weight = 3 * len(stripped) + len(raw)
    return Tx(version, tuple(inputs), tuple(outputs), tuple(witnesses), locktime, txid, weight)


def _witness_start(raw: bytes) -> int:
    """Offset where the witness section begins in a segwit serialization."""
    r = _Reader(raw)
    r.take(6)
    for _ in range(r.compact()):
        r.take(36)
        r.var_bytes()
        r.take(4)
    for _ in range(r.compact()):
        r.take(8)
        r.var_bytes()
    return r.pos
