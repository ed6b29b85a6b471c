"""Byte-level helpers: hashes, CompactSize, script numbers, addresses and
transaction measurements (txid, wtxid, weight), on python-bitcointx types."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from bitcointx import segwit_addr
from bitcointx.core import CTransaction

REGTEST_HRP = "bcrt"
COIN = 100_000_000


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def compact_size(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xFFFFFFFF:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def push_data(data: bytes) -> bytes:
    """Minimal push of ``data`` (at most 520 bytes is all we need)."""
    if len(data) < 0x4C:
        return bytes([len(data)]) + data
    if len(data) <= 0xFF:
        return b"\x4c" + bytes([len(data)]) + data
    return b"\x4d" + struct.pack("<H", len(data)) + data


def push_int(n: int) -> bytes:
    """``CScript() << n`` as Bitcoin Core serialises it (BIP 34 heights)."""
    if n == 0:
        return b"\x00"
    if 1 <= n <= 16:
        return bytes([0x50 + n])
    body = bytearray()
    value = n
    while value:
        body.append(value & 0xFF)
        value >>= 8
    if body[-1] & 0x80:
        body.append(0)
    return push_data(bytes(body))


def display_hex(internal: bytes) -> str:
    """Hash in internal byte order -> the reversed hex that RPCs show."""
    return internal[::-1].hex()


def internal_bytes(display: str) -> bytes:
    return bytes.fromhex(display)[::-1]


def address_to_script(address: str) -> bytes:
    """scriptPubKey of a regtest segwit address (``bcrt1q…`` / ``bcrt1p…``)."""
    version, program = segwit_addr.decode(REGTEST_HRP, address)
    if version is None or program is None:
        raise ValueError(f"not a regtest segwit address: {address!r}")
    opcode = 0 if version == 0 else 0x50 + version
    return bytes([opcode, len(program)]) + bytes(program)


def script_to_address(script: bytes) -> str | None:
    """Regtest address of a witness-program scriptPubKey, else None."""
    if 4 <= len(script) <= 42 and script[1] == len(script) - 2 and 2 <= script[1] <= 40:
        if script[0] == 0:
            version = 0
        elif 0x51 <= script[0] <= 0x60:
            version = script[0] - 0x50
        else:
            return None
        return segwit_addr.encode(REGTEST_HRP, version, script[2:])
    return None


def script_type(script: bytes) -> str:
    """Core's ``scriptPubKey.type`` names for the shapes we meet."""
    if len(script) == 34 and script[:2] == b"\x51\x20":
        return "witness_v1_taproot"
    if len(script) == 22 and script[:2] == b"\x00\x14":
        return "witness_v0_keyhash"
    if len(script) == 34 and script[:2] == b"\x00\x20":
        return "witness_v0_scripthash"
    if len(script) == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return "pubkeyhash"
    if len(script) == 23 and script[:2] == b"\xa9\x14" and script[22:] == b"\x87":
        return "scripthash"
    if script[:1] == b"\x6a":
        return "nulldata"
    if script_to_address(script) is not None:
        return "witness_unknown"
    return "nonstandard"


@dataclass(frozen=True)
class TxInfo:
    """A parsed transaction with the measurements policy and RPCs need."""

    tx: CTransaction
    raw: bytes
    txid: bytes  # internal byte order
    wtxid: bytes
    size: int
    weight: int

    @property
    def vsize(self) -> int:
        return (self.weight + 3) // 4

    @property
    def txid_hex(self) -> str:
        return display_hex(self.txid)

    @property
    def is_coinbase(self) -> bool:
        return len(self.tx.vin) == 1 and self.tx.vin[0].prevout.is_null()

    @property
    def has_witness(self) -> bool:
        return bool(self.tx.has_witness())


def parse_tx(raw: bytes) -> TxInfo:
    """Parse a serialized transaction; ValueError if it is not exactly one."""
    try:
        tx = CTransaction.deserialize(raw)
    except Exception as exc:  # bitcointx raises several types for bad bytes
        raise ValueError(f"TX decode failed: {exc}") from None
    stripped = tx.serialize(include_witness=False)
    full = tx.serialize()
    if full != raw:
        raise ValueError("TX decode failed: trailing or non-canonical bytes")
    return TxInfo(tx, raw, sha256d(stripped), sha256d(full), len(full), 3 * len(stripped) + len(full))
