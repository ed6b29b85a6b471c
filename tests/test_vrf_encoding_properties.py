"""Property tests for the byte encodings of vrf/: curve points (RFC 8032
edwards25519, SEC1 compressed P-256, both edwards backends) and ECVRF proof
strings (RFC 9381 section 5.4.4, ``decode_proof``).

Properties: decode(encode(P)) == P for random group elements (including
edwards points with a torsion component); every accepted string is on the
curve and is the canonical encoding of what it decodes to; every
non-canonical twin of a valid encoding is rejected; arbitrary bytes are
INVALID (None / VerificationError), never an exception of another type.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.vrf_backends import ALL_SUITES
from toolkit.core.errors import VerificationError
from vrf import ecvrf
from vrf.curves import P256_CURVE
from vrf.ed25519 import ED25519_ECC, P, Edwards25519
from vrf.ed25519_sodium import ED25519_SODIUM, SMALL_ORDER_STRINGS
from vrf.suites import C_LEN, Q_LEN, Suite

FAST = settings(max_examples=200, deadline=None)
FEW = settings(max_examples=25, deadline=None)
SUITE_PARAMS = [pytest.param(s, id=ident) for s, ident in ALL_SUITES]
EDWARDS: list[Edwards25519] = [ED25519_ECC, ED25519_SODIUM]
TORSION = sorted(SMALL_ORDER_STRINGS)

scalars = st.integers(0, 2**256 - 1)


def _on_edwards(x: int, y: int) -> bool:
    d = ED25519_ECC.d
    return (-x * x + y * y - 1 - d * x * x * y * y) % P == 0


def _on_p256(x: int, y: int) -> bool:
    c = P256_CURVE
    return (y * y - (x * x * x - 3 * x + c.b)) % c.p == 0


# --- edwards25519 (RFC 8032 section 5.1.2 / 5.1.3) ---


@FAST
@given(scalars, st.sampled_from(range(8)))
@example(0, 0)  # the identity
def test_edwards_random_points_round_trip(k: int, torsion: int) -> None:
    # k*B plus one of the 8 small-order points: every coset of the full group.
    t = ED25519_ECC.string_to_point(TORSION[torsion])
    point = ED25519_ECC.add(ED25519_ECC.base_mul(k), t)
    enc = ED25519_ECC.point_to_string(point)
    assert len(enc) == 32
    assert ED25519_ECC.string_to_point(enc) == point
    assert ED25519_SODIUM.string_to_point(enc) == enc
    x, y = ED25519_ECC.decode_affine(enc) or (None, None)
    assert x is not None and y is not None and _on_edwards(x, y)
    assert enc == (y | (x & 1) << 255).to_bytes(32, "little")  # independent re-encoding


@FAST
@given(scalars)
def test_edwards_sign_bit_selects_the_negation(k: int) -> None:
    enc = ED25519_ECC.point_to_string(ED25519_ECC.base_mul(k))
    flipped = enc[:31] + bytes([enc[31] ^ 0x80])
    xy = ED25519_ECC.decode_affine(enc)
    assert xy is not None
    if xy[0] == 0:  # only y = +-1: the flipped string is the non-canonical twin
        for curve in EDWARDS:
            assert curve.string_to_point(flipped) is None
        return
    neg = ED25519_ECC.decode_affine(flipped)
    assert neg == ((P - xy[0]) % P, xy[1])
    assert ED25519_SODIUM.string_to_point(flipped) == flipped


@pytest.mark.parametrize("curve", EDWARDS, ids=["pycryptodome", "libsodium"])
@pytest.mark.parametrize("y", range(19))
@pytest.mark.parametrize("sign", [0, 1])
def test_edwards_y_at_least_p_rejected(curve: Edwards25519, y: int, sign: int) -> None:
    # y + p < 2**255 exactly for y < 19: the only non-canonical y encodings.
    enc = (y + P | sign << 255).to_bytes(32, "little")
    assert curve.string_to_point(enc) is None


@pytest.mark.parametrize("curve", EDWARDS, ids=["pycryptodome", "libsodium"])
@pytest.mark.parametrize("y", [1, P - 1])
def test_edwards_x_zero_with_sign_bit_rejected(curve: Edwards25519, y: int) -> None:
    assert curve.string_to_point(y.to_bytes(32, "little")) is not None
    assert curve.string_to_point((y | 1 << 255).to_bytes(32, "little")) is None


@FAST
@given(st.binary(max_size=40))
@example(b"")
@example(b"\x01" + bytes(31))
def test_edwards_arbitrary_bytes(data: bytes) -> None:
    slow, fast = ED25519_ECC.string_to_point(data), ED25519_SODIUM.string_to_point(data)
    assert (slow is None) == (fast is None)
    if len(data) != 32:
        assert slow is None
    if slow is not None:
        x, y = (int(c) for c in slow.xy)
        assert _on_edwards(x, y) and ED25519_ECC.point_to_string(slow) == fast == data


# --- P-256 (SEC1 section 2.3.3 / 2.3.4, compressed only) ---


@FAST
@given(st.integers(1, P256_CURVE.q - 1))
def test_p256_random_points_round_trip(k: int) -> None:
    c = P256_CURVE
    point = c.base_mul(k)
    enc = c.point_to_string(point)
    x, y = (int(v) for v in point.xy)
    assert enc == bytes([2 + (y & 1)]) + x.to_bytes(32, "big")
    assert c.string_to_point(enc) == point
    neg = bytes([enc[0] ^ 1]) + enc[1:]
    assert c.string_to_point(neg) == c.sub(c.base_mul(0), point)
    uncompressed = b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")
    for bad in (uncompressed, enc[:-1], enc + b"\x00", b"\x00" + enc[1:]):
        assert c.string_to_point(bad) is None


@FAST
@given(st.integers(0, 2**256 - P256_CURVE.p - 1), st.sampled_from([2, 3]))
def test_p256_x_at_least_p_rejected(x: int, prefix: int) -> None:
    c = P256_CURVE
    canonical = c.string_to_point(bytes([prefix]) + x.to_bytes(32, "big"))
    if canonical is not None:
        assert int(canonical.xy[0]) == x
    assert c.string_to_point(bytes([prefix]) + (x + c.p).to_bytes(32, "big")) is None


@FAST
@given(st.binary(max_size=70), st.integers(0, 255))
@example(b"", 0)
def test_p256_arbitrary_bytes(data: bytes, prefix: int) -> None:
    c = P256_CURVE
    for enc in (data, bytes([prefix]) + data[:32].ljust(32, b"\x00")):
        point = c.string_to_point(enc)
        if point is None:
            continue
        assert len(enc) == 33 and enc[0] in (2, 3)
        x, y = (int(v) for v in point.xy)
        assert _on_p256(x, y) and c.point_to_string(point) == enc


# --- proof strings (RFC 9381 section 5.4.4) ---


def _proof(suite: Suite, gamma_k: int, c: int, s: int) -> bytes:
    gamma = suite.curve.point_to_string(suite.curve.base_mul(gamma_k))
    return gamma + suite.int_to_string(c, C_LEN) + suite.int_to_string(s, Q_LEN)


@pytest.mark.parametrize("suite", SUITE_PARAMS)
@FEW
@given(st.integers(1, 2**200), st.integers(0, 2**128 - 1), scalars)
def test_decode_proof_round_trip_and_s_range(suite: Suite, gamma_k: int, c: int, s: int) -> None:
    pi = _proof(suite, gamma_k, c, s)
    assert len(pi) == suite.pi_len
    if s >= suite.curve.q:  # step 9
        with pytest.raises(VerificationError, match="s is not reduced"):
            ecvrf.decode_proof(suite, pi)
        return
    proof = ecvrf.decode_proof(suite, pi)
    assert (proof.c, proof.s) == (c, s)
    assert suite.curve.point_to_string(proof.gamma) == pi[: suite.curve.pt_len]
    assert _proof(suite, gamma_k, proof.c, proof.s) == pi


@pytest.mark.parametrize("suite", SUITE_PARAMS)
@FEW
@given(st.integers(1, 2**200), st.integers(0, 80), st.integers(1, 64))
def test_decode_proof_truncated_or_extended_rejected(suite: Suite, gamma_k: int, cut: int, extra: int) -> None:
    pi = _proof(suite, gamma_k, 1, 1)
    cut = min(cut, suite.pi_len - 1)
    for bad in (pi[:cut], pi + bytes(extra), pi[:-1], bytes(1) + pi):
        with pytest.raises(VerificationError, match="proof must be"):
            ecvrf.decode_proof(suite, bad)


@pytest.mark.parametrize("suite", SUITE_PARAMS)
@FEW
@given(st.integers(0, 2**256 - 1))
def test_decode_proof_s_at_least_q_rejected(suite: Suite, offset: int) -> None:
    s = suite.curve.q + offset % (2**256 - suite.curve.q)
    with pytest.raises(VerificationError, match="s is not reduced"):
        ecvrf.decode_proof(suite, _proof(suite, 1, 0, s))


@pytest.mark.parametrize("suite", SUITE_PARAMS)
@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=100), st.booleans())
def test_decoders_on_arbitrary_bytes_only_verification_error(suite: Suite, data: bytes, fit: bool) -> None:
    pi = data[: suite.pi_len].ljust(suite.pi_len, b"\x00") if fit else data
    try:
        proof = ecvrf.decode_proof(suite, pi)
    except VerificationError:
        pass
    else:
        assert proof.s < suite.curve.q
        assert suite.curve.point_to_string(proof.gamma) == pi[: suite.curve.pt_len]
    pk = data[: suite.curve.pt_len].ljust(suite.curve.pt_len, b"\x00") if fit else data
    try:
        ecvrf.decode_public_key(suite, pk)
    except VerificationError:
        pass


@pytest.mark.parametrize("suite", SUITE_PARAMS)
@settings(max_examples=15, deadline=None)
@given(st.binary(max_size=40), st.binary(max_size=90), st.binary(max_size=8), st.booleans())
def test_verify_arbitrary_inputs_only_verification_error(suite: Suite, pk: bytes, pi: bytes, alpha: bytes,
                                                         fit: bool) -> None:
    if fit:  # right lengths, so the decoders and the arithmetic run
        pk = suite.curve.point_to_string(suite.curve.base_mul(int.from_bytes(pk, "big") + 1))
        pi = pi[: suite.pi_len].ljust(suite.pi_len, b"\x00")
    with pytest.raises(VerificationError):
        ecvrf.verify(suite, pk, alpha, pi, validate_key=fit)
