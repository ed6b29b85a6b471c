"""The ECVRF core of RFC 9381 section 5: prove, verify, proof_to_hash,
challenge generation, proof decoding and public-key validation.

Failures of verification are ``VerificationError`` (exit 1).  Byte strings of
the wrong *length* are also verification failures here: at this layer every
input is "well-formed bytes"; the CLI and the record parser reject text that
is not hex of the right shape as malformed (exit 65) before calling in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from toolkit.core.errors import MalformedInputError, VerificationError
from vrf.curves import Point
from vrf.encode import EncodeTrace, encode_to_curve
from vrf.nonce import nonce_rfc6979, nonce_rfc8032
from vrf.suites import C_LEN, Q_LEN, Suite


def secret_scalar(suite: Suite, sk: bytes) -> int:
    """x from SK (RFC 9381 section 5.5): P-256 SK is x big-endian in [1, q-1];
    edwards25519 SK is the RFC 8032 seed, x its clamped SHA-512 prefix."""
    if len(sk) != 32:
        raise MalformedInputError(f"{suite.name} secret key must be 32 bytes, got {len(sk)}")
    if suite.curve.cofactor == 1:
        x = int.from_bytes(sk, "big")
        if not 1 <= x < suite.curve.q:
            raise MalformedInputError("P-256 secret key is not a scalar in [1, q-1]")
        return x
    buf = bytearray(hashlib.sha512(sk).digest()[:32])  # RFC 8032 section 5.1.5
    buf[0] &= 0xF8
    buf[31] &= 0x7F
    buf[31] |= 0x40
    return int.from_bytes(buf, "little")


def public_key(suite: Suite, sk: bytes) -> bytes:
    """PK_string = point_to_string(x * B)."""
    return suite.curve.point_to_string(suite.curve.base_mul(secret_scalar(suite, sk)))


def challenge_generation(suite: Suite, strings: tuple[bytes, ...]) -> bytes:
    """RFC 9381 section 5.4.3 over point_to_string of (Y, H, Gamma, U, V);
    returns truncated_c_string.  Takes the encodings: a point decoded by our strict
    decoders re-encodes to exactly its input bytes, so callers pass PK_string
    and gamma_string as given instead of re-encoding them."""
    return suite.hash(bytes([suite.suite_string, 0x02]), *strings, b"\x00")[:C_LEN]  # steps 1-7; 8 is the caller's


def _gamma_to_hash(suite: Suite, gamma: Point) -> bytes:
    # RFC 9381 section 5.2 steps 4-7: Hash(suite || 0x03 || point_to_string(cofactor * Gamma) || 0x00)
    cleared = suite.curve.clear_cofactor(gamma)
    return suite.hash(bytes([suite.suite_string, 0x03]), suite.curve.point_to_string(cleared), b"\x00")


@dataclass(frozen=True)
class DecodedProof:
    """(Gamma, c, s) of RFC 9381 section 5.4.4 step 10."""

    gamma: Point
    c: int
    s: int


def decode_proof(suite: Suite, pi: bytes) -> DecodedProof:
    """RFC 9381 section 5.4.4; INVALID -> VerificationError."""
    pt_len = suite.curve.pt_len
    if len(pi) != suite.pi_len:
        raise VerificationError(f"proof must be {suite.pi_len} bytes for {suite.name}, got {len(pi)}")
    gamma_string = pi[:pt_len]  # step 2
    c_string = pi[pt_len:pt_len + C_LEN]  # step 3
    s_string = pi[pt_len + C_LEN:]  # step 4
    gamma = suite.curve.string_to_point(gamma_string)  # step 5
    if gamma is None:  # step 6
        raise VerificationError("proof: Gamma is not a valid, canonically encoded curve point")
    c = suite.string_to_int(c_string)  # step 7
    s = suite.string_to_int(s_string)  # step 8
    if s >= suite.curve.q:  # step 9
        raise VerificationError("proof: s is not reduced modulo q")
    return DecodedProof(gamma, c, s)  # step 10


def proof_to_hash(suite: Suite, pi: bytes) -> bytes:
    """RFC 9381 section 5.2: beta from pi.  Only meaningful for a verified
    proof; it checks the encoding, not the proof."""
    return _gamma_to_hash(suite, decode_proof(suite, pi).gamma)  # steps 1-3, then 4-7


def decode_public_key(suite: Suite, pk: bytes, *, validate_key: bool = True) -> Point:
    """string_to_point(PK_string) plus, by default, ECVRF_validate_key
    (RFC 9381 section 5.4.5): reject keys whose cofactor multiple is the identity."""
    if len(pk) != suite.curve.pt_len:
        raise VerificationError(f"public key must be {suite.curve.pt_len} bytes for {suite.name}, got {len(pk)}")
    y = suite.curve.string_to_point(pk)  # 5.4.5 step 1 / verify step 1
    if y is None:  # verify step 2
        raise VerificationError("public key is not a valid, canonically encoded curve point")
    if validate_key and suite.curve.has_small_order(y):  # verify step 3 = 5.4.5 step 3: cofactor*Y == identity
        raise VerificationError("public key has small order (identity after cofactor multiplication)")
    return y


@dataclass(frozen=True)
class ProofTrace:
    """Intermediate values of a proof, for tests and debugging (never secret
    except ``k``, which callers must not publish)."""

    pi: bytes
    x: int
    h: bytes
    k: int
    k_string: bytes | None
    u: bytes
    v: bytes
    encode: EncodeTrace


def prove_with_trace(suite: Suite, sk: bytes, alpha: bytes) -> ProofTrace:
    """RFC 9381 section 5.1, keeping the intermediate values."""
    curve = suite.curve
    x = secret_scalar(suite, sk)  # step 1
    y = curve.base_mul(x)
    pk_string = curve.point_to_string(y)
    h, etrace = encode_to_curve(suite, pk_string, alpha)  # step 2
    h_string = curve.point_to_string(h)  # step 3
    gamma = curve.mul(h, x)  # step 4
    k_string: bytes | None = None
    if curve.cofactor == 1:  # step 5
        k = nonce_rfc6979(curve.q, x, h_string, suite.hash_name)
    else:
        k, k_string = nonce_rfc8032(suite, sk, h_string)
    enc = curve.point_to_string
    gamma_string, u_string, v_string = enc(gamma), enc(curve.base_mul(k)), enc(curve.mul(h, k))
    c_string = challenge_generation(suite, (pk_string, h_string, gamma_string, u_string, v_string))  # step 6
    c = suite.string_to_int(c_string)
    s = (k + c * x) % curve.q  # step 7 (Python ints: not constant time)
    pi = gamma_string + suite.int_to_string(c, C_LEN) + suite.int_to_string(s, Q_LEN)  # step 8
    return ProofTrace(pi, x, h_string, k, k_string, u_string, v_string, etrace)


def prove(suite: Suite, sk: bytes, alpha: bytes) -> bytes:
    """pi_string for ``alpha`` under secret key ``sk`` (deterministic)."""
    return prove_with_trace(suite, sk, alpha).pi


def verify(suite: Suite, pk: bytes, alpha: bytes, pi: bytes, *, validate_key: bool = True) -> bytes:
    """RFC 9381 section 5.3: return beta if pi is valid, else raise
    ``VerificationError``."""
    y = decode_public_key(suite, pk, validate_key=validate_key)  # steps 1-3
    proof = decode_proof(suite, pi)  # steps 4-6
    h, _ = encode_to_curve(suite, pk, alpha)  # step 7 (salt = PK_string)
    curve = suite.curve
    u = curve.sub(curve.base_mul(proof.s), curve.mul(y, proof.c))  # step 8: U = s*B - c*Y
    v = curve.sub(curve.mul(h, proof.s), curve.mul(proof.gamma, proof.c))  # step 9: V = s*H - c*Gamma
    enc = curve.point_to_string
    gamma_string = pi[: curve.pt_len]
    c_prime = challenge_generation(suite, (pk, enc(h), gamma_string, enc(u), enc(v)))  # step 10
    if suite.string_to_int(c_prime) != proof.c:  # step 11
        raise VerificationError("proof does not verify (challenge mismatch)")
    return _gamma_to_hash(suite, proof.gamma)  # step 11: VALID, beta = proof_to_hash(pi)
