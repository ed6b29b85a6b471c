"""The curve interface of the ECVRF core, field helpers, and NIST P-256
(RFC 9381 section 5.5).

A curve object is the group the core computes in: it decodes and encodes
points (the RFC's ``string_to_point`` / ``point_to_string``) and does the
group operations.  Points are opaque to the core: pycryptodome ``EccPoint``
objects here and in ``vrf/ed25519.py``, canonical 32-byte encodings in the
libsodium backend (``vrf/ed25519_sodium.py``).

Everything that decides what a byte string *means* — decoding, canonicity,
on-curve checks, the encodings — is written here with Python integers, so
strictness does not depend on a library version.  Scalar multiplication and
point addition run in pycryptodome's C code.  Tested with pycryptodome 4.4.0
(the range pinned in pyproject.toml): its ``EccPoint`` accepts small-order
edwards25519 points, represents the identity as ``(0, 1)`` (edwards25519) or
as the flagged point at infinity (P-256), and reduces scalars larger than the
group order correctly.

``string_to_point`` returns ``None`` for the RFC's "INVALID".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeAlias

#: A curve point, opaque outside its curve object.
Point: TypeAlias = Any

# pycryptodome is imported on first use, never at import time: loading it
# costs ~30 ms (cffi parses its C declarations), and the default suite's
# libsodium backend verifies without it (``enoch vrf verify`` cold start).


@functools.cache
def _integer_class() -> Any:
    from Crypto.Math.Numbers import Integer

    return Integer


@functools.cache
def _ecc_point_class() -> Any:
    from Crypto.PublicKey.ECC import EccPoint  # type: ignore[attr-defined]

    return EccPoint


# --- field helpers ---


@functools.lru_cache(maxsize=64)
def _big(value: int) -> Any:
    # The exponents and moduli are a handful of curve constants: convert once.
    return _integer_class()(value)


def powmod(base: int, exp: int, mod: int) -> int:
    """base^exp mod ``mod`` in pycryptodome's C big-number code (several
    times faster than Python's pow for 256-bit moduli); not constant time."""
    return int(pow(_integer_class()(base % mod), _big(exp), _big(mod)))


def inv(a: int, p: int) -> int:
    """a^-1 mod p; inv(0) = 0 (RFC 9380 ``inv0``)."""
    a %= p
    return pow(a, -1, p) if a else 0


def is_square(a: int, p: int) -> bool:
    """Euler's criterion; 0 counts as a square (RFC 9380 ``is_square``)."""
    return powmod(a, (p - 1) // 2, p) in (0, 1)


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

    def sqrt(self, a: int) -> int | None: ...

    def point_to_string(self, point: Point) -> bytes: ...

    def string_to_point(self, data: bytes) -> Point | None: ...

    def from_affine(self, x: int, y: int) -> Point: ...

    def base_mul(self, k: int) -> Point: ...

    def mul(self, point: Point, k: int) -> Point: ...

    def add(self, a: Point, b: Point) -> Point: ...

    def sub(self, a: Point, b: Point) -> Point: ...

    def is_identity(self, point: Point) -> bool: ...

    def has_small_order(self, point: Point) -> bool:
        """cofactor * point == identity."""
        ...

    def clear_cofactor(self, point: Point) -> Point: ...


_CONSTANTS: dict[tuple[str, str], Point] = {}


class EccGroup:
    """Group operations on pycryptodome ``EccPoint`` objects (C code)."""

    ecc_name: str
    gx: int
    gy: int
    cofactor: int

    def from_affine(self, x: int, y: int) -> Point:
        return _ecc_point_class()(x, y, self.ecc_name)

    def _constant(self, which: str) -> Point:
        # Built once per curve: constructing an EccPoint costs tens of µs.
        key = (self.ecc_name, which)
        point = _CONSTANTS.get(key)
        if point is None:
            generator = _ecc_point_class()(self.gx, self.gy, self.ecc_name)
            point = generator.point_at_infinity() if which == "identity" else generator
            _CONSTANTS[key] = point
        return point

    def base_mul(self, k: int) -> Point:
        return self._constant("generator") * k

    def mul(self, point: Point, k: int) -> Point:
        return point * k

    def add(self, a: Point, b: Point) -> Point:
        return a + b

    def sub(self, a: Point, b: Point) -> Point:
        return a + (-b)

    def is_identity(self, point: Point) -> bool:
        return bool(point == self._constant("identity"))  # compared in C

    def has_small_order(self, point: Point) -> bool:
        return self.is_identity(self.clear_cofactor(point))

    def clear_cofactor(self, point: Point) -> Point:
        result, n = point, self.cofactor
        while n > 1:  # the cofactors are 1 and 8: doublings
            result = result + result
            n //= 2
        return result


@dataclass(frozen=True)
class P256(EccGroup):
    """NIST P-256 (secp256r1): y^2 = x^3 - 3x + b; SEC1 compressed encoding."""

    name: str = "p256"
    ecc_name: str = "p256"
    p: int = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
    q: int = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    a: int = -3
    b: int = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
    gx: int = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
    gy: int = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
    cofactor: int = 1
    pt_len: int = 33
    endian: Literal["big", "little"] = "big"

    def sqrt(self, a: int) -> int | None:
        # p = 3 mod 4: the candidate root is a^((p+1)/4).
        a %= self.p
        root = powmod(a, (self.p + 1) // 4, self.p)
        return root if root * root % self.p == a else None

    def point_to_string(self, point: Point) -> bytes:
        """SEC1 section 2.3.3 with point compression (33 bytes).  The
        identity, which has no compressed form, is SEC1's single 0x00 octet;
        it can only appear inside a challenge hash, never in a proof or key."""
        if self.is_identity(point):
            return b"\x00"
        x, y = (int(c) for c in point.xy)
        return bytes([2 + (y & 1)]) + x.to_bytes(32, "big")

    def string_to_point(self, data: bytes) -> Point | None:
        """SEC1 section 2.3.4, compressed form only: exactly 33 bytes,
        prefix 02/03, x < p, and x must be the abscissa of a curve point."""
        if len(data) != 33 or data[0] not in (2, 3):
            return None
        x = int.from_bytes(data[1:], "big")
        if x >= self.p:
            return None
        y = self.sqrt(x * x * x + self.a * x + self.b)
        if y is None:
            return None
        if (y & 1) != (data[0] & 1):
            y = self.p - y
        return self.from_affine(x, y)


P256_CURVE = P256()
