"""edwards25519 for RFC 9381 (section 5.5): the RFC 8032 encoding, written
here with Python integers, and group operations on pycryptodome points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vrf.curves import EccGroup, Point, powmod

P = 2**255 - 19
SQRT_M1 = pow(2, (P - 1) // 4, P)  # sqrt(-1) mod p (builtin pow: computed once, at import)
IDENTITY_STRING = (1).to_bytes(32, "little")  # canonical encoding of (0, 1)


def encode_affine(x: int, y: int) -> bytes:
    """RFC 8032 section 5.1.2: y little-endian, top bit = x mod 2."""
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


@dataclass(frozen=True)
class Edwards25519(EccGroup):
    """edwards25519: -x^2 + y^2 = 1 + d x^2 y^2; points are pycryptodome ``EccPoint``."""

    name: str = "ed25519"
    ecc_name: str = "ed25519"
    p: int = P
    q: int = 2**252 + 27742317777372353535851937790883648493
    d: int = 37095705934669439343138083508754565189542113879843219016388785533085940283555
    gx: int = 15112221349535400772501151409588531511454012693041857206046113283949847762202
    gy: int = 46316835694926478169428394003475163141307993866256225615783033603165251855960
    cofactor: int = 8
    pt_len: int = 32
    endian: Literal["big", "little"] = "little"

    def sqrt(self, a: int) -> int | None:
        # p = 5 mod 8 (RFC 8032 section 5.1.3 / RFC 9380 appendix I.2).
        a %= P
        root = powmod(a, (P + 3) // 8, P)
        if root * root % P != a:
            root = root * SQRT_M1 % P
        return root if root * root % P == a else None

    def decode_affine(self, data: bytes) -> tuple[int, int] | None:
        """RFC 8032 section 5.1.3 decoding; the non-canonical encodings are
        INVALID (y >= p, or x = 0 with the sign bit set)."""
        if len(data) != 32:
            return None
        n = int.from_bytes(data, "little")
        x_0 = n >> 255
        y = n & ((1 << 255) - 1)
        if y >= P:  # step 1
            return None
        u = (y * y - 1) % P  # step 2
        v = (self.d * y * y + 1) % P
        v3 = v * v * v % P
        x = u * v3 * powmod(u * v3 * v3 * v, (P - 5) // 8, P) % P
        vxx = v * x * x % P  # step 3
        if vxx == (-u) % P:
            x = x * SQRT_M1 % P
        elif vxx != u:
            return None
        if x == 0 and x_0 == 1:  # step 4
            return None
        if (x & 1) != x_0:
            x = P - x
        return x, y

    def point_to_string(self, point: Point) -> bytes:
        x, y = (int(c) for c in point.xy)
        return encode_affine(x, y)

    def string_to_point(self, data: bytes) -> Point | None:
        xy = self.decode_affine(data)
        return None if xy is None else self.from_affine(*xy)


ED25519_ECC = Edwards25519()
