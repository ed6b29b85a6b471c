"""Synthetic low-difficulty header chains, mined here, for the rules real
mainnet data cannot reach (a changed header no longer has valid work).

The synthetic network is regtest-like: pow limit ``0x7fffff << 232`` (nBits
0x207fffff), so a header needs about two nonces.  Retargets are computed here
with the formula written out from SPEC H (not with toolkit.chain.retarget), so
a chain mined here is an independent check of the verifier's arithmetic.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from dataclasses import replace
from itertools import count

from toolkit.chain.checkpoints import Checkpoint, CheckpointTable
from toolkit.chain.networks import ChainParams

POW_LIMIT = 0x7FFFFF << 232
GENESIS_BITS = 0x207FFFFF
START_TIME = 1_600_000_000
PERIOD = 2016


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def target_of(bits: int) -> int:
    """nBits -> target for the plain (positive, size > 3) encodings used here."""
    return (bits & 0x7FFFFF) << (8 * ((bits >> 24) - 3))


def compact_of(target: int) -> int:
    """GetCompact for targets of more than 3 bytes, written out from Core's arith_uint256.cpp."""
    size = (target.bit_length() + 7) // 8
    mantissa = target >> (8 * (size - 3))
    if mantissa & 0x800000:
        mantissa >>= 8
        size += 1
    return (size << 24) | mantissa


def spec_retarget(last_bits: int, first_time: int, last_time: int) -> int:
    """SPEC H 3's retarget formula, spelled out independently of toolkit.chain.retarget."""
    span = last_time - first_time
    span = max(302400, min(4838400, span))
    return compact_of(min(POW_LIMIT, target_of(last_bits) * span // 1209600))


def mine(prev: bytes, time: int, bits: int, *, merkle: bytes = b"\x11" * 32, version: int = 1) -> bytes:
    """A header with valid work for ``bits``."""
    target = target_of(bits)
    head = struct.pack("<i32s32sII", version, prev, merkle, time, bits)
    for nonce in count():
        raw = head + struct.pack("<I", nonce)
        if int.from_bytes(sha256d(raw), "little") <= target:
            return raw
    raise AssertionError("unreachable")


def time_at(height: int) -> int:
    """590 s spacing: every retarget makes the target about 1.7 % harder."""
    return START_TIME + 590 * height


def mine_chain(
    count_: int,
    *,
    times: Callable[[int], int] = time_at,
    start: list[bytes] | None = None,
    bits_override: dict[int, int] | None = None,
    merkle: bytes = b"\x11" * 32,
) -> list[bytes]:
    """Headers 0 .. count_-1 from a synthetic genesis, following the
    retarget rule (``bits_override`` forces nBits at given heights).  With
    ``start`` the chain continues those headers (re-mined from where it differs)."""
    chain = list(start or [])
    overrides = bits_override or {}
    while len(chain) < count_:
        h = len(chain)
        prev = sha256d(chain[-1]) if chain else bytes(32)
        if h == 0:
            bits = GENESIS_BITS
        elif h % PERIOD:
            bits = struct.unpack_from("<I", chain[-1], 72)[0]
        else:
            last_bits = struct.unpack_from("<I", chain[-1], 72)[0]
            bits = spec_retarget(last_bits, header_time(chain[h - PERIOD]), header_time(chain[-1]))
        chain.append(mine(prev, times(h), overrides.get(h, bits), merkle=merkle))
    return chain


def header_time(raw: bytes) -> int:
    return int(struct.unpack_from("<I", raw, 68)[0])


def header_bits(raw: bytes) -> int:
    return int(struct.unpack_from("<I", raw, 72)[0])


def synthetic_params(chain: list[bytes], periods_in_table: int, *, name: str = "synthetic") -> ChainParams:
    """Parameters whose genesis is ``chain[0]`` and whose checkpoint table
    covers the first ``periods_in_table`` periods of ``chain`` (hashes, and the
    next period's target as that chain carries it)."""
    entries = []
    for k in range(periods_in_table):
        last = PERIOD * k + PERIOD - 1
        entries.append(Checkpoint(last, sha256d(chain[last]), target_of(header_bits(chain[last + 1]))))
    table = CheckpointTable(name, tuple(entries))
    return ChainParams(name, POW_LIMIT, sha256d(chain[0]), GENESIS_BITS, table, difficulty_rule=True)


def with_table(params: ChainParams, entries: list[Checkpoint]) -> ChainParams:
    """The same parameters with another checkpoint table."""
    return replace(params, checkpoints=CheckpointTable(params.name, tuple(entries)))
