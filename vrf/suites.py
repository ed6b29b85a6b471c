"""The four ECVRF ciphersuites of RFC 9381 section 5.5."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from toolkit.core.errors import MalformedInputError
from vrf.curves import P256_CURVE, Curve
from vrf.ed25519_sodium import ED25519_SODIUM as ED25519_CURVE

C_LEN = 16  # challenge length in octets, all suites
Q_LEN = 32  # scalar length in octets, all suites


@dataclass(frozen=True)
class Suite:
    """One ciphersuite: its curve, hash, and encode_to_curve method."""

    name: str
    suite_string: int
    curve: Curve
    hash_name: str  # "sha256" or "sha512"
    h2c_suite_id: str | None  # RFC 9380 suite for the h2c method; None = try-and-increment
    description: str

    @property
    def h_len(self) -> int:
        """hLen: the hash output length, also beta's."""
        return hashlib.new(self.hash_name).digest_size

    @property
    def pi_len(self) -> int:
        """ptLen + cLen + qLen: the proof length."""
        return self.curve.pt_len + C_LEN + Q_LEN

    @property
    def h2c_dst(self) -> bytes:
        """RFC 9381 section 5.4.1.2: "ECVRF_" || h2c_suite_ID_string || suite_string."""
        assert self.h2c_suite_id is not None
        return b"ECVRF_" + self.h2c_suite_id.encode("ascii") + bytes([self.suite_string])

    def hash(self, *parts: bytes) -> bytes:
        """The suite's Hash of the concatenated ``parts``."""
        h = hashlib.new(self.hash_name)
        for part in parts:
            h.update(part)
        return h.digest()

    def int_to_string(self, value: int, length: int) -> bytes:
        """RFC 9381 int_to_string in the curve's byte order."""
        return value.to_bytes(length, self.curve.endian)

    def string_to_int(self, data: bytes) -> int:
        """RFC 9381 string_to_int in the curve's byte order."""
        return int.from_bytes(data, self.curve.endian)


SUITES: tuple[Suite, ...] = (
    Suite(
        "ECVRF-P256-SHA256-TAI", 0x01, P256_CURVE, "sha256", None,
        "NIST P-256, SHA-256, try-and-increment hash to curve",
    ),
    Suite(
        "ECVRF-P256-SHA256-SSWU", 0x02, P256_CURVE, "sha256", "P256_XMD:SHA-256_SSWU_NU_",
        "NIST P-256, SHA-256, RFC 9380 simplified SWU encode_to_curve",
    ),
    Suite(
        "ECVRF-EDWARDS25519-SHA512-TAI", 0x03, ED25519_CURVE, "sha512", None,
        "edwards25519, SHA-512, try-and-increment hash to curve (enoch's default)",
    ),
    Suite(
        "ECVRF-EDWARDS25519-SHA512-ELL2", 0x04, ED25519_CURVE, "sha512", "edwards25519_XMD:SHA-512_ELL2_NU_",
        "edwards25519, SHA-512, RFC 9380 Elligator 2 encode_to_curve",
    ),
)

DEFAULT_SUITE = "ECVRF-EDWARDS25519-SHA512-TAI"
_BY_NAME = {suite.name: suite for suite in SUITES}


def suite_by_name(name: str) -> Suite:
    """Look a suite up by its RFC name (exact spelling); unknown -> exit 65."""
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(_BY_NAME)
        raise MalformedInputError(f"unknown VRF suite {name!r} (known: {known})") from None
