"""The two curves of RFC 9381 and their point encodings (RFC 9381 section 5.5).

Points are pycryptodome ``EccPoint`` objects: the scalar multiplications and
additions run in its C code.  Everything that decides what a byte string
*means* — decoding, canonicity, on-curve checks, the encodings themselves —
is written here with Python integers, so the strictness does not depend on
the library version.  Tested with pycryptodome 4.4.0 (the range in
pyproject.toml): its ``EccPoint`` accepts small-order edwards25519 points,
represents the identity as ``(0, 1)`` (edwards25519) or ``(0, 0)`` flagged as
infinity (P-256), and reduces scalars larger than the group order correctly.

String-to-point functions return ``None`` for "INVALID" (the RFC's word);
callers turn that into a verification failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

# The one import of the point type; other vrf modules import it from here.
from Crypto.PublicKey.ECC import EccPoint as EccPoint  # type: ignore[attr-defined]

# --- field helpers (Python's pow does the modular inverse and exponentiation) ---


def inv(a: int, p: int) -> int:
    """a^-1 mod p; inv(0) = 0 (RFC 9380 ``inv0``)."""
    return pow(a, p - 2, p)


def is_square(a: int, p: int) -> bool:
    """Euler's criterion; 0 counts as a square (RFC 9380 ``is_square``)."""
    return pow(a, (p - 1) // 2, p) in (0, 1)


def sgn0(a: int) -> int:
    """RFC 9380 section 4.1 ``sgn0`` for a prime field (m = 1)."""
    return a & 1


class Curve(Protocol):
    """What the ECVRF core needs from a curve."""

    @property
    def name(self) -> str: ...

    @property
    def p(self) -> int: ...

    @property
    def q(self) -> int:  # prime order of the generator B
        ...

    @property
    def cofactor(self) -> int: ...

    @property
    def pt_len(self) -> int: ...

    @property
    def endian(self) -> Literal["big", "little"]:  # byte order of int_to_string / string_to_int
        ...

    @property
    def generator(self) -> EccPoint: ...

    def point(self, x: int, y: int) -> EccPoint: ...

    def sqrt(self, a: int) -> int | None: ...

    def point_to_string(self, point: EccPoint) -> bytes: ...

    def string_to_point(self, data: bytes) -> EccPoint | None: ...


def is_identity(point: EccPoint) -> bool:
    return bool(point.is_point_at_infinity())


def times_cofactor(point: EccPoint, cofactor: int) -> EccPoint:
    """cofactor * point by doublings (the cofactors are 1 and 8)."""
    result = point
    while cofactor > 1:
        result = result + result
        cofactor //= 2
    return result


@dataclass(frozen=True)
class P256:
    """NIST P-256 (secp256r1): y^2 = x^3 - 3x + b; SEC1 compressed encoding."""

    name: str = "p256"
    p: int = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
    q: int = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    a: int = -3
    b: int = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
    gx: int = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
    gy: int = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
    cofactor: int = 1
    pt_len: int = 33
    endian: Literal["big", "little"] = "big"

    @property
    def generator(self) -> EccPoint:
        return EccPoint(self.gx, self.gy, "p256")

    def point(self, x: int, y: int) -> EccPoint:
        return EccPoint(x, y, "p256")

    def sqrt(self, a: int) -> int | None:
        # p = 3 mod 4: the candidate root is a^((p+1)/4).
        root = pow(a, (self.p + 1) // 4, self.p)
        return root if root * root % self.p == a % self.p else None

    def point_to_string(self, point: EccPoint) -> bytes:
        """SEC1 section 2.3.3 with point compression (33 bytes).  The
        identity, which has no compressed form, is SEC1's single 0x00 octet;
        it can only appear inside a challenge hash, never in a proof or key."""
        if is_identity(point):
            return b"\x00"
        x, y = (int(c) for c in point.xy)
        return bytes([2 + (y & 1)]) + x.to_bytes(32, "big")

    def string_to_point(self, data: bytes) -> EccPoint | None:
        """SEC1 section 2.3.4, compressed form only: exactly 33 bytes,
        prefix 02/03, x < p, and x must be the abscissa of a curve point."""
        if len(data) != 33 or data[0] not in (2, 3):
            return None
        x = int.from_bytes(data[1:], "big")
        if x >= self.p:
            return None
        y = self.sqrt((x * x * x + self.a * x + self.b) % self.p)
        if y is None:
            return None
        if (y & 1) != (data[0] & 1):
            y = self.p - y
        return self.point(x, y)


_SQRT_M1 = pow(2, (2**255 - 20) // 4, 2**255 - 19)  # sqrt(-1) mod 2^255 - 19


@dataclass(frozen=True)
class Edwards25519:
    """edwards25519: -x^2 + y^2 = 1 + d x^2 y^2; RFC 8032 encoding."""

    name: str = "ed25519"
    p: int = 2**255 - 19
    q: int = 2**252 + 27742317777372353535851937790883648493
    d: int = 37095705934669439343138083508754565189542113879843219016388785533085940283555
    gx: int = 15112221349535400772501151409588531511454012693041857206046113283949847762202
    gy: int = 46316835694926478169428394003475163141307993866256225615783033603165251855960
    cofactor: int = 8
    pt_len: int = 32
    endian: Literal["big", "little"] = "little"

    @property
    def generator(self) -> EccPoint:
        return EccPoint(self.gx, self.gy, "ed25519")

    def point(self, x: int, y: int) -> EccPoint:
        return EccPoint(x, y, "ed25519")

    def sqrt(self, a: int) -> int | None:
        # p = 5 mod 8 (RFC 8032 section 5.1.3 / RFC 9380 appendix I.2).
        p = self.p
        a %= p
        root = pow(a, (p + 3) // 8, p)
        if root * root % p != a:
            root = root * _SQRT_M1 % p
        return root if root * root % p == a else None

    def point_to_string(self, point: EccPoint) -> bytes:
        """RFC 8032 section 5.1.2: y little-endian, top bit = x mod 2."""
        x, y = (int(c) for c in point.xy)
        return (y | ((x & 1) << 255)).to_bytes(32, "little")

    def string_to_point(self, data: bytes) -> EccPoint | None:
        """RFC 8032 section 5.1.3 decoding; the non-canonical encodings are
        INVALID (y >= p, or x = 0 with the sign bit set)."""
        if len(data) != 32:
            return None
        n = int.from_bytes(data, "little")
        x_0 = n >> 255
        y = n & ((1 << 255) - 1)
        p = self.p
        if y >= p:  # step 1
            return None
        u = (y * y - 1) % p  # step 2
        v = (self.d * y * y + 1) % p
        x = u * pow(v, 3, p) * pow(u * pow(v, 7, p), (p - 5) // 8, p) % p
        vxx = v * x * x % p  # step 3
        if vxx == u:
            pass
        elif vxx == (-u) % p:
            x = x * _SQRT_M1 % p
        else:
            return None
        if x == 0 and x_0 == 1:  # step 4
            return None
        if (x & 1) != x_0:
            x = p - x
        return self.point(x, y)


P256_CURVE = P256()
ED25519_CURVE = Edwards25519()
