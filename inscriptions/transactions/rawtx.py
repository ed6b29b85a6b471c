"""Strict parser of serialized Bitcoin transactions (BIP 144 witness format),
and the CompactSize integers they are made of (written and read here only).

Rejects truncation, trailing bytes, non-canonical CompactSize integers, an
unknown segwit flag, and a witness section whose stacks are all empty (the
same "superfluous witness" rule as Bitcoin Core).  Used by ``decode``, which
must not depend on the signing stack (transactions are *built* by
python-bitcointx, see :mod:`inscriptions.transactions.txbuild`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from toolkit.core.errors import MalformedInputError


@dataclass(frozen=True)
class TxIn:
    """One input: the spent outpoint (txid in display hex), scriptSig and sequence."""

    txid: str  # display hex
    vout: int
    script_sig: bytes
    sequence: int


@dataclass(frozen=True)
class Tx:
    """A parsed transaction; outputs are (value in sats, scriptPubKey)."""

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


def compact_size(n: int) -> bytes:
    """Bitcoin CompactSize encoding of ``n`` (always the shortest form)."""
    if not 0 <= n < 2**64:
        raise ValueError("CompactSize holds 0 .. 2**64 - 1")
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


def parse_compact_size(data: bytes) -> int:
    """The CompactSize ``data`` encodes exactly (canonical, nothing after it)."""
    r = _Reader(data)
    value = r.compact()
    if r.pos != len(data):
        raise MalformedInputError(f"{len(data) - r.pos} trailing bytes after the CompactSize")
    return value


#: A transaction's serialized size never exceeds its weight, and no valid
#: transaction weighs more than the 4,000,000 WU block limit (BIP 141).
MAX_TX_BYTES = 4_000_000
#: A transaction as hex text (``inscribe decode -``, a stored reveal): two
#: digits per byte, with as much again allowed for line breaks and spaces.
MAX_TX_HEX_TEXT = 4 * MAX_TX_BYTES


def parse_tx(raw: bytes) -> Tx:
    """Parse one complete transaction (at most :data:`MAX_TX_BYTES`)."""
    if len(raw) > MAX_TX_BYTES:
        raise MalformedInputError(f"transaction is {len(raw)} bytes, more than the {MAX_TX_BYTES}-byte block limit")
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
    witness_start = r.pos
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
    # BIP 144: the txid hashes the serialization without marker, flag and witnesses.
    stripped = raw[:4] + raw[6:witness_start] + raw[-4:] if segwit else raw
    txid = hashlib.sha256(hashlib.sha256(stripped).digest()).digest()[::-1].hex()
    weight = 3 * len(stripped) + len(raw)
    return Tx(version, tuple(inputs), tuple(outputs), tuple(witnesses), locktime, txid, weight)

