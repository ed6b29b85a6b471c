"""RFC 9380 (hashing to elliptic curves), the parts RFC 9381 needs:
expand_message_xmd, hash_to_field, simplified SWU for P-256 and Elligator 2
for edwards25519, as encode_to_curve (the ``_NU_`` suites, one field element).

The maps follow the generic descriptions of RFC 9380 sections 6.6.2 and
6.7.1, which are not constant time; the VRF input alpha is public in enoch.
Each step function returns its intermediate values so tests can check them
against RFC 9381 Appendix B.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from vrf.curves import P256_CURVE, Curve, Point, inv, sgn0
from vrf.ed25519 import ED25519_ECC

_L = 48  # RFC 9380 section 8.2 / 8.5: L = ceil((ceil(log2(p)) + k) / 8) = 48 for both curves


def expand_message_xmd(hash_name: str, msg: bytes, dst: bytes, len_in_bytes: int) -> bytes:
    """RFC 9380 section 5.3.1."""
    h = hashlib.new(hash_name)
    b_in_bytes, s_in_bytes = h.digest_size, h.block_size
    ell = -(-len_in_bytes // b_in_bytes)
    # step 2: ABORT conditions (cannot happen for our fixed parameters)
    if ell > 255 or len_in_bytes > 65535 or len(dst) > 255:
        raise ValueError("expand_message_xmd: parameters out of range")
    dst_prime = dst + bytes([len(dst)])  # step 3
    z_pad = bytes(s_in_bytes)  # step 4
    l_i_b_str = len_in_bytes.to_bytes(2, "big")  # step 5
    msg_prime = z_pad + msg + l_i_b_str + b"\x00" + dst_prime  # step 6
    b_0 = hashlib.new(hash_name, msg_prime).digest()  # step 7
    b_i = hashlib.new(hash_name, b_0 + b"\x01" + dst_prime).digest()  # step 8
    out = [b_i]
    for i in range(2, ell + 1):  # step 9
        mixed = bytes(a ^ b for a, b in zip(b_0, b_i))
        b_i = hashlib.new(hash_name, mixed + bytes([i]) + dst_prime).digest()
        out.append(b_i)
    return b"".join(out)[:len_in_bytes]  # steps 10-11


@dataclass(frozen=True)
class MapTrace:
    """Intermediate values of one encode_to_curve run (RFC 9381 Appendix B)."""

    uniform_bytes: bytes
    u: int
    x1: int
    gx1: int
    gx1_is_square: bool


def hash_to_field(hash_name: str, msg: bytes, dst: bytes, p: int) -> tuple[bytes, int]:
    """RFC 9380 section 5.2 with count = 1, m = 1: (uniform_bytes, u)."""
    uniform_bytes = expand_message_xmd(hash_name, msg, dst, _L)
    return uniform_bytes, int.from_bytes(uniform_bytes, "big") % p  # OS2IP is big-endian


#: A map's result: the point and (x1, gx1, gx1 is square) for the trace.
MapResult = tuple[Point, tuple[int, int, bool]]

# --- P-256: simplified SWU, RFC 9380 section 6.6.2 (A != 0, so no isogeny) ---

_P256_Z = -10  # RFC 9380 section 8.2


def map_to_curve_sswu(curve: Curve, u: int) -> MapResult:
    """RFC 9380 section 6.6.2 for P-256; the point is built by ``curve`` (its backend)."""
    p, a, b = P256_CURVE.p, P256_CURVE.a, P256_CURVE.b
    z = _P256_Z % p
    tv1 = inv(z * z * pow(u, 4, p) + z * u * u, p)  # step 1
    x1 = -b * inv(a, p) * (1 + tv1) % p  # step 2
    if tv1 == 0:  # step 3
        x1 = b * inv(z * a, p) % p
    gx1 = (x1 * x1 * x1 + a * x1 + b) % p  # step 4
    y = P256_CURVE.sqrt(gx1)  # step 7: is_square(gx1) is "a root exists"
    x = x1
    if y is None:  # steps 5, 6, 8
        x = z * u * u * x1 % p
        y = P256_CURVE.sqrt(x * x * x + a * x + b)
    assert y is not None  # exactly one of gx1, gx2 is square (RFC 9380 section 6.6.2)
    if sgn0(u) != sgn0(y):  # step 9
        y = p - y
    return curve.from_affine(x, y), (x1, gx1, x == x1)


# --- edwards25519: Elligator 2 on curve25519 (section 6.7.1, J = 486662,
# --- K = 1), then the rational map to edwards25519 (appendix D.2)

_J = 486662
_ELL2_Z = 2  # RFC 9380 section 8.5
_P25519 = ED25519_ECC.p


@functools.cache
def _c1() -> int:
    """sqrt(-486664) with sgn0 = 0 (RFC 9380 appendix D.2: the map's constant c1).
    Computed on first use, not at import (it needs the field code's powmod)."""
    root = ED25519_ECC.sqrt(-486664) or 0
    return root if sgn0(root) == 0 else _P25519 - root


def map_to_curve_elligator2_edwards25519(curve: Curve, u: int) -> MapResult:
    """RFC 9380 section 6.7.1 on curve25519, then the appendix D.2 map to edwards25519."""
    p = _P25519
    x1 = -_J * inv(1 + _ELL2_Z * u * u, p) % p  # step 1
    if x1 == 0:  # step 2
        x1 = -_J % p
    gx1 = (x1 * x1 * x1 + _J * x1 * x1 + x1) % p  # step 3
    s, t, want = x1, ED25519_ECC.sqrt(gx1), 1  # step 6: y with sgn0(y) == 1
    square = t is not None
    if t is None:  # steps 4, 5, 7: y with sgn0(y) == 0
        s = (-x1 - _J) % p
        t, want = ED25519_ECC.sqrt(s * s * s + _J * s * s + s), 0
    assert t is not None  # exactly one of gx1, gx2 is square
    if sgn0(t) != want:
        t = p - t
    # Rational map (v, w) = (c1 * s / t, (s - 1) / (s + 1)); the exceptional
    # cases t = 0 or s = -1 map to the identity (0, 1).
    if t == 0 or (s + 1) % p == 0:
        return curve.from_affine(0, 1), (x1, gx1, square)
    v = _c1() * s * inv(t, p) % p
    w = (s - 1) * inv(s + 1, p) % p
    return curve.from_affine(v, w), (x1, gx1, square)


_H2C_SUITES: dict[str, tuple[str, Callable[[Curve, int], MapResult]]] = {
    "P256_XMD:SHA-256_SSWU_NU_": ("sha256", map_to_curve_sswu),
    "edwards25519_XMD:SHA-512_ELL2_NU_": ("sha512", map_to_curve_elligator2_edwards25519),
}


def encode_to_curve(suite_id: str, curve: Curve, msg: bytes, dst: bytes) -> tuple[Point, MapTrace]:
    """RFC 9380 section 3 encode_to_curve for one of the two ``_NU_`` suites:
    hash_to_field (count 1), map_to_curve, clear_cofactor (h_eff = cofactor)."""
    hash_name, map_to_curve = _H2C_SUITES[suite_id]
    uniform, u = hash_to_field(hash_name, msg, dst, curve.p)
    point, (x1, gx1, square) = map_to_curve(curve, u)
    return curve.clear_cofactor(point), MapTrace(uniform, u, x1, gx1, square)
