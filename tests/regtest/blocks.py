"""Regtest block assembly: BIP 34 coinbase, witness commitment, merkle root,
and a nonce ground in Python against nBits 0x207fffff."""

from __future__ import annotations

import struct
from collections.abc import Sequence

from tests.regtest.codec import TxInfo, compact_size, push_int, sha256d

REGTEST_BITS = 0x207FFFFF
VERSION = 0x20000000
HALVING_INTERVAL = 150  # regtest
WITNESS_MAGIC = b"\xaa\x21\xa9\xed"
MAX_NONCE = 0xFFFFFFFF


def bits_to_target(bits: int) -> int:
    exponent, mantissa = bits >> 24, bits & 0x7FFFFF
    return mantissa << (8 * (exponent - 3)) if exponent > 3 else mantissa >> (8 * (3 - exponent))


def block_work(bits: int) -> int:
    """Expected hashes for a block at ``bits`` (Core's GetBlockProof)."""
    return (1 << 256) // (bits_to_target(bits) + 1)


def subsidy(height: int) -> int:
    halvings = height // HALVING_INTERVAL
    return 0 if halvings >= 64 else (50 * 100_000_000) >> halvings


def merkle_root(hashes: Sequence[bytes]) -> bytes:
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def coinbase_tx(height: int, payout_script: bytes, value: int, witness_commitment: bytes | None) -> bytes:
    """Serialized coinbase: BIP 34 height then OP_0 in the scriptSig; with a
    witness commitment, an OP_RETURN output and the 32-byte reserved value."""
    script_sig = push_int(height) + b"\x00"
    txin = b"\x00" * 32 + b"\xff\xff\xff\xff" + compact_size(len(script_sig)) + script_sig + b"\xff\xff\xff\xff"
    outputs = [struct.pack("<q", value) + compact_size(len(payout_script)) + payout_script]
    if witness_commitment is not None:
        script = b"\x6a\x24" + WITNESS_MAGIC + witness_commitment
        outputs.append(struct.pack("<q", 0) + compact_size(len(script)) + script)
    body = b"\x01" + txin + compact_size(len(outputs)) + b"".join(outputs)
    version, locktime = struct.pack("<i", 2), b"\x00\x00\x00\x00"
    if witness_commitment is None:
        return version + body + locktime
    witness = b"\x01\x20" + b"\x00" * 32
    return version + b"\x00\x01" + body + witness + locktime


def header_bytes(prev_hash: bytes, root: bytes, timestamp: int, nonce: int, bits: int = REGTEST_BITS) -> bytes:
    return struct.pack("<i", VERSION) + prev_hash + root + struct.pack("<III", timestamp, bits, nonce)


def grind(header_without_nonce: bytes, bits: int = REGTEST_BITS) -> bytes:
    """The first nonce whose header hash meets ``bits`` (a few tries on regtest)."""
    target = bits_to_target(bits)
    for nonce in range(MAX_NONCE + 1):
        header = header_without_nonce + struct.pack("<I", nonce)
        if int.from_bytes(sha256d(header), "little") <= target:
            return header
    raise RuntimeError("nonce space exhausted; change the timestamp")


def assemble(
    *,
    prev_hash: bytes,
    height: int,
    timestamp: int,
    payout_script: bytes,
    txs: Sequence[TxInfo],
    fees: int,
) -> bytes:
    """A complete serialized block on ``prev_hash`` holding ``txs`` after the
    coinbase, which pays subsidy + ``fees`` to ``payout_script``."""
    commitment = None
    if any(tx.has_witness for tx in txs):
        witness_root = merkle_root([b"\x00" * 32] + [tx.wtxid for tx in txs])
        commitment = sha256d(witness_root + b"\x00" * 32)
    coinbase = coinbase_tx(height, payout_script, subsidy(height) + fees, commitment)
    coinbase_stripped = coinbase if commitment is None else coinbase[:4] + coinbase[6:-38] + coinbase[-4:]
    root = merkle_root([sha256d(coinbase_stripped)] + [tx.txid for tx in txs])
    header = grind(header_bytes(prev_hash, root, timestamp, 0)[:76])
    body = compact_size(1 + len(txs)) + coinbase + b"".join(tx.raw for tx in txs)
    return header + body
