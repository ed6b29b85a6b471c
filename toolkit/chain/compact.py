"""Bitcoin's compact target encoding ("nBits"), exactly as Bitcoin Core's
``arith_uint256::SetCompact`` / ``GetCompact`` (src/arith_uint256.cpp).

A compact value is ``size (1 byte) || mantissa (3 bytes)``, read as a 32-bit
integer; bit 23 of the mantissa is a sign bit.  ``value = mantissa * 256**(size-3)``
(a right shift when ``size < 3``).  Bitcoin Core's ``CheckProofOfWork`` refuses a
target that decodes as negative, as zero, or that overflows 256 bits, and one
above the network's proof-of-work limit; :func:`target_from_compact` does the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from toolkit.core.errors import VerificationError

#: Mainnet ``consensus.powLimit``: the easiest target a mainnet header may claim
#: (also the "difficulty 1" target, nBits 0x1d00ffff).
MAINNET_POW_LIMIT: Final = 0x00000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF
#: The target of difficulty 1 as the ``difficulty`` figure measures it (nBits 0x1d00ffff).
DIFFICULTY_1_TARGET: Final = 0xFFFF << 208


@dataclass(frozen=True)
class Compact:
    """The three outputs of ``SetCompact``: the decoded value and its two flags."""

    value: int
    negative: bool
    overflow: bool


def decode_compact(bits: int) -> Compact:
    """Decode a 32-bit compact value exactly as ``arith_uint256::SetCompact``."""
    if not 0 <= bits <= 0xFFFFFFFF:
        raise ValueError("nBits is a 32-bit unsigned value")
    size = bits >> 24
    word = bits & 0x007FFFFF
    if size <= 3:
        # Core shifts the mantissa itself here, and the flags below test the
        # shifted word: 0x01803456 decodes to a plain (non-negative) zero.
        word >>= 8 * (3 - size)
        value = word
    else:
        value = word << (8 * (size - 3))
    negative = word != 0 and (bits & 0x00800000) != 0
    overflow = word != 0 and (size > 34 or (word > 0xFF and size > 33) or (word > 0xFFFF and size > 32))
    # arith_uint256 is 256 bits wide; without overflow the value always fits.
    return Compact(value & ((1 << 256) - 1), negative, overflow)


def encode_compact(target: int, *, negative: bool = False) -> int:
    """Encode a 256-bit magnitude as ``arith_uint256::GetCompact(negative)``
    (rounding down to 3 significant bytes; the sign bit only for a non-zero
    mantissa when ``negative``)."""
    if not 0 <= target < 1 << 256:
        raise ValueError("a target is a 256-bit unsigned value")
    size = (target.bit_length() + 7) // 8
    if size <= 3:
        word = target << (8 * (3 - size))
    else:
        word = target >> (8 * (size - 3))
    # The mantissa's top bit is the sign bit: move one byte to the exponent.
    if word & 0x00800000:
        word >>= 8
        size += 1
    sign = 0x00800000 if negative and word & 0x007FFFFF else 0
    return (size << 24) | word | sign


def target_from_compact(bits: int, *, pow_limit: int = MAINNET_POW_LIMIT) -> int:
    """The target encoded by ``bits``, or :class:`VerificationError` for every
    case Bitcoin Core's ``CheckProofOfWork`` refuses (negative, zero, overflow,
    above ``pow_limit``)."""
    c = decode_compact(bits)
    if c.negative:
        raise VerificationError(f"nBits 0x{bits:08x} encodes a negative target")
    if c.overflow:
        raise VerificationError(f"nBits 0x{bits:08x} overflows 256 bits")
    if c.value == 0:
        raise VerificationError(f"nBits 0x{bits:08x} encodes a zero target")
    # Security: without this bound anyone can claim a target near 2**256 and
    # "prove" work for a header mined in microseconds.
    if c.value > pow_limit:
        raise VerificationError(f"nBits 0x{bits:08x} claims a target above the proof-of-work limit")
    return c.value


def difficulty_from_target(target: int) -> float:
    """Difficulty as Bitcoin Core reports it: difficulty-1 target / target
    (correctly rounded from the exact quotient)."""
    if target <= 0:
        raise ValueError("target must be positive")
    # int / int in Python is correctly rounded, even for 256-bit operands.
    return DIFFICULTY_1_TARGET / target
