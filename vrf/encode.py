"""ECVRF_encode_to_curve (RFC 9381 section 5.4.1), dispatched by suite."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.core.errors import VerificationError
from vrf import rfc9380
from vrf.curves import Point
from vrf.rfc9380 import MapTrace
from vrf.suites import Suite


@dataclass(frozen=True)
class EncodeTrace:
    """How H was found: the try-and-increment counter, or the RFC 9380 map values."""

    ctr: int | None = None
    h2c: MapTrace | None = None


def _interpret_hash_value_as_a_point(suite: Suite, s: bytes) -> Point | None:
    # RFC 9381 section 5.5: P-256 prepends the even-y prefix 0x02;
    # edwards25519 takes the first 32 octets as an RFC 8032 encoding.
    if suite.curve.pt_len == 33:
        return suite.curve.string_to_point(b"\x02" + s)
    return suite.curve.string_to_point(s[:32])


def encode_to_curve_try_and_increment(suite: Suite, salt: bytes, alpha: bytes) -> tuple[Point, int]:
    """RFC 9381 section 5.4.1.1: (H, ctr)."""
    front, back = bytes([suite.suite_string, 0x01]), b"\x00"  # steps 1-3
    for ctr in range(256):  # steps 4-5 (ctr_string is one octet)
        hash_string = suite.hash(front, salt, alpha, bytes([ctr]), back)  # 5.a, 5.b
        point = _interpret_hash_value_as_a_point(suite, hash_string)  # 5.c
        if point is None:
            continue
        point = suite.curve.clear_cofactor(point)  # 5.d
        if not suite.curve.is_identity(point):  # loop condition: H not INVALID, not identity
            return point, ctr  # step 6
    # 5.e: probability about 2^-256; reported as a failure, never a crash.
    raise VerificationError("encode_to_curve: no valid point for 256 counter values")


def encode_to_curve(suite: Suite, salt: bytes, alpha: bytes) -> tuple[Point, EncodeTrace]:
    """H for ``alpha`` under encode_to_curve_salt ``salt`` (the public key string)."""
    if suite.h2c_suite_id is None:
        point, ctr = encode_to_curve_try_and_increment(suite, salt, alpha)
        return point, EncodeTrace(ctr=ctr)
    # RFC 9381 section 5.4.1.2: string_to_be_hashed = salt || alpha, DST per suite.
    point, trace = rfc9380.encode_to_curve(suite.h2c_suite_id, suite.curve, salt + alpha, suite.h2c_dst)
    return point, EncodeTrace(h2c=trace)
