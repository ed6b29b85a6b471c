"""A faster edwards25519 backend: libsodium (via PyNaCl) does the scalar
multiplications and additions; points are their canonical RFC 8032
encodings.

libsodium's scalar multiplication refuses inputs the RFC accepts — points
outside the prime-order subgroup (a public key or Gamma with a torsion
component), a zero scalar, an identity result — so every operation falls
back to the pycryptodome backend (``vrf/ed25519.py``) when libsodium says
no.  The results are the same group elements either way; the test suite runs
every RFC 9381 vector, negative vector and bit flip through both backends.
Decoding stays ours: a string is accepted exactly when RFC 8032 decoding
accepts it.
"""

from __future__ import annotations

from dataclasses import dataclass

from nacl import bindings as sodium
from nacl.exceptions import CryptoError

from vrf.curves import Point
from vrf.ed25519 import ED25519_ECC, IDENTITY_STRING, P, Edwards25519, encode_affine


@dataclass(frozen=True)
class SodiumEdwards25519(Edwards25519):
    """edwards25519 with points as canonical 32-byte encodings."""

    def _slow(self, point: Point) -> Point:
        return ED25519_ECC.string_to_point(point)

    def point_to_string(self, point: Point) -> bytes:
        assert isinstance(point, bytes)
        return point

    def string_to_point(self, data: bytes) -> Point | None:
        """RFC 8032 section 5.1.3 decoding.  The canonicity rules (y < p, no
        sign bit on x = 0, i.e. y = +-1) are checked here; libsodium's point
        decompression inside an addition of the identity decides whether the
        point is on the curve, and must give back the same canonical bytes."""
        if len(data) != 32:
            return None
        n = int.from_bytes(data, "little")
        y = n & ((1 << 255) - 1)
        if y >= P or (n >> 255 and y in (1, P - 1)):
            return None
        try:
            same = sodium.crypto_core_ed25519_add(bytes(data), IDENTITY_STRING)
        except (CryptoError, RuntimeError, ValueError):
            return None  # no square root: not on the curve
        if same != data:  # cannot happen for a canonical encoding; decide the slow way
            return None if self.decode_affine(data) is None else bytes(data)
        return bytes(data)

    def from_affine(self, x: int, y: int) -> Point:
        return encode_affine(x % P, y % P)

    def base_mul(self, k: int) -> Point:
        k %= self.q
        if k == 0:
            return IDENTITY_STRING
        return sodium.crypto_scalarmult_ed25519_base_noclamp(k.to_bytes(32, "little"))

    def mul(self, point: Point, k: int) -> Point:
        # k is never reduced mod q here: for a point with a torsion component
        # k and k mod q give different results.  libsodium refuses such
        # points (and k = 0, and identity results); the fallback computes them.
        if 0 < k < 2**255:
            try:
                return sodium.crypto_scalarmult_ed25519_noclamp(k.to_bytes(32, "little"), point)
            except (CryptoError, RuntimeError, ValueError):
                pass
        return ED25519_ECC.point_to_string(ED25519_ECC.mul(self._slow(point), k))

    def add(self, a: Point, b: Point) -> Point:
        return sodium.crypto_core_ed25519_add(a, b)

    def sub(self, a: Point, b: Point) -> Point:
        return sodium.crypto_core_ed25519_sub(a, b)

    def is_identity(self, point: Point) -> bool:
        return bool(point == IDENTITY_STRING)

    def has_small_order(self, point: Point) -> bool:
        # cofactor * point == identity exactly for the 8 torsion points, and
        # a decoded point here is its unique canonical encoding.
        return point in SMALL_ORDER_STRINGS

    def clear_cofactor(self, point: Point) -> Point:
        for _ in range(3):  # 8 * P by three doublings
            point = sodium.crypto_core_ed25519_add(point, point)
        return point


#: The canonical encodings of the 8 points of order dividing 8 (the torsion
#: subgroup): the identity, (0, -1), the two points with y = 0, and the four of
#: order 8.  Constants, so that importing this module needs no pycryptodome;
#: tests/test_vrf_torsion.py re-derives them as multiples of q * P.
SMALL_ORDER_STRINGS: frozenset[bytes] = frozenset(
    bytes.fromhex(h)
    for h in (
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    )
)
ED25519_SODIUM = SodiumEdwards25519()
