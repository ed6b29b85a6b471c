"""ECVRF strictness (RFC 9381 section 5.3, 5.4.4, 5.4.5 and the RFC 8032 /
SEC1 decoders): random round trips for every suite, every single-bit flip
of a proof rejected, wrong lengths, s >= q, non-canonical and off-curve
points, small-order keys."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures import load_json, params
from toolkit.core.errors import VerificationError
from vrf import ecvrf
from tests.vrf_backends import ALL_SUITES
from vrf.curves import P256_CURVE
from vrf.ed25519 import ED25519_ECC
from vrf.ed25519_sodium import ED25519_SODIUM
from vrf.suites import C_LEN, SUITES, Suite, suite_by_name

VECTORS: list[dict[str, Any]] = load_json("rfc9381", "rfc9381.json")["vectors"]
FIRST = {s.name: next(v for v in VECTORS if v["suite"] == s.name) for s in SUITES}
FIRST_PER_SUITE = list(FIRST.values())
ED = [s for s, _ in ALL_SUITES if s.curve.cofactor == 8]
SUITE_PARAMS = [pytest.param(s, id=ident) for s, ident in ALL_SUITES]


def _args(vec: dict[str, Any], suite: Suite | None = None) -> tuple[Suite, bytes, bytes, bytes]:
    suite = suite or suite_by_name(vec["suite"])
    return suite, bytes.fromhex(vec["pk"]), bytes.fromhex(vec["alpha"]), bytes.fromhex(vec["pi"])


def _sk(suite: Suite, seed: int) -> bytes:
    if suite.curve is P256_CURVE:
        return (1 + seed % (P256_CURVE.q - 1)).to_bytes(32, "big")
    return seed.to_bytes(32, "big")


@pytest.mark.parametrize("suite", SUITE_PARAMS)
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**256 - 1), alpha=st.binary(max_size=64))
def test_random_round_trip(suite: Suite, seed: int, alpha: bytes) -> None:
    sk = _sk(suite, seed)
    pk = ecvrf.public_key(suite, sk)
    pi = ecvrf.prove(suite, sk, alpha)
    assert len(pi) == suite.pi_len
    beta = ecvrf.verify(suite, pk, alpha, pi)
    assert beta == ecvrf.proof_to_hash(suite, pi)
    assert ecvrf.prove(suite, sk, alpha) == pi  # deterministic
    with pytest.raises(VerificationError):
        ecvrf.verify(suite, pk, alpha + b"\x00", pi)


@pytest.mark.parametrize("suite", SUITE_PARAMS)
def test_every_single_bit_flip_rejected(suite: Suite) -> None:
    _, pk, alpha, pi = _args(FIRST[suite.name])
    ecvrf.verify(suite, pk, alpha, pi)
    for bit in range(len(pi) * 8):
        flipped = bytearray(pi)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(VerificationError):
            ecvrf.verify(suite, pk, alpha, bytes(flipped))


@pytest.mark.parametrize("suite", SUITE_PARAMS)
def test_wrong_lengths_rejected(suite: Suite) -> None:
    _, pk, alpha, pi = _args(FIRST[suite.name])
    for bad_pi in (pi[:-1], pi + b"\x00", b"", pi[: suite.curve.pt_len]):
        with pytest.raises(VerificationError, match="proof must be"):
            ecvrf.verify(suite, pk, alpha, bad_pi)
    for bad_pk in (pk[:-1], pk + b"\x00", b""):
        with pytest.raises(VerificationError, match="public key must be"):
            ecvrf.verify(suite, bad_pk, alpha, pi)


@pytest.mark.parametrize("vec", params(FIRST_PER_SUITE, lambda v: v["suite"]))
def test_unreduced_s_rejected(vec: dict[str, Any]) -> None:
    """s + q is the same scalar mod q, so without decode_proof step 9 it would verify."""
    suite, pk, alpha, pi = _args(vec)
    head, s = pi[: suite.curve.pt_len + C_LEN], suite.string_to_int(pi[suite.curve.pt_len + C_LEN:])
    bad = [suite.curve.q]
    if s + suite.curve.q < 2**256:
        bad.append(s + suite.curve.q)
    for value in bad:
        with pytest.raises(VerificationError, match="s is not reduced"):
            ecvrf.verify(suite, pk, alpha, head + suite.int_to_string(value, 32))


def _ed_encoding(y: int, sign: int) -> bytes:
    return (y | (sign << 255)).to_bytes(32, "little")


def _ed_off_curve_y() -> int:
    p, d = ED25519_ECC.p, ED25519_ECC.d
    y = 2
    while pow((y * y - 1) * pow(d * y * y + 1, p - 2, p) % p, (p - 1) // 2, p) == 1:
        y += 1
    return y


def test_ed25519_decoder_strict() -> None:
    curve, p = ED25519_ECC, ED25519_ECC.p
    g = curve.base_mul(1)
    assert curve.string_to_point(curve.point_to_string(g)) == g
    assert curve.string_to_point(_ed_encoding(1, 0)) is not None  # identity, canonical
    assert curve.string_to_point(_ed_encoding(1, 1)) is None  # x = 0 with sign bit set
    assert curve.string_to_point(_ed_encoding(p + 1, 0)) is None  # y >= p (non-canonical identity)
    assert curve.string_to_point(_ed_encoding(p, 0)) is None
    assert curve.string_to_point(_ed_encoding(2**255 - 1, 0)) is None
    assert curve.string_to_point(_ed_encoding(_ed_off_curve_y(), 0)) is None
    for bad_len in (b"", bytes(31), bytes(33)):
        assert curve.string_to_point(bad_len) is None


@pytest.mark.parametrize("y", [0, 1, 2, 3, 4, 5, 2**255 - 20, 2**255 - 19, 2**255 - 1])
@pytest.mark.parametrize("sign", [0, 1])
def test_ed25519_backends_decode_alike(y: int, sign: int) -> None:
    enc = _ed_encoding(y, sign)
    slow = ED25519_ECC.string_to_point(enc)
    fast = ED25519_SODIUM.string_to_point(enc)
    assert (slow is None) == (fast is None)
    if slow is not None:
        assert ED25519_ECC.point_to_string(slow) == fast == enc


def test_p256_decoder_strict() -> None:
    curve = P256_CURVE
    g = curve.base_mul(1)
    enc = curve.point_to_string(g)
    assert enc[0] in (2, 3) and len(enc) == 33
    assert curve.string_to_point(enc) == g
    other = bytes([enc[0] ^ 1]) + enc[1:]
    assert curve.string_to_point(other) == curve.sub(curve.base_mul(0), g)
    x, y = (int(c) for c in g.xy)
    uncompressed = b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")
    assert curve.string_to_point(uncompressed) is None  # only the compressed form
    assert curve.string_to_point(b"\x04" + enc[1:]) is None
    assert curve.string_to_point(b"\x00") is None  # SEC1 infinity
    assert curve.string_to_point(b"\x00" + enc[1:]) is None
    assert curve.string_to_point(b"\x02" + curve.p.to_bytes(32, "big")) is None  # x >= p
    x_on = next(i for i in range(100) if curve.sqrt((i**3 - 3 * i + curve.b) % curve.p) is not None)
    x_off = next(i for i in range(100) if curve.sqrt((i**3 - 3 * i + curve.b) % curve.p) is None)
    assert curve.string_to_point(b"\x02" + x_on.to_bytes(32, "big")) is not None
    assert curve.string_to_point(b"\x02" + (x_on + curve.p).to_bytes(32, "big")) is None  # non-canonical x
    assert curve.string_to_point(b"\x02" + x_off.to_bytes(32, "big")) is None  # not on the curve


def _ed25519_small_order_points() -> list[bytes]:
    """All 8 points of the torsion subgroup, as canonical encodings."""
    curve = ED25519_ECC
    found = set()
    # q * P for a point P of full order 8q generates the torsion subgroup.
    point = curve.string_to_point(_ed_encoding(2, 0)) or curve.string_to_point(_ed_encoding(3, 0))
    assert point is not None
    base = point * curve.q
    acc = base
    for _ in range(16):
        found.add(curve.point_to_string(acc))
        acc = acc + base
    return sorted(found)


def test_small_order_keys_rejected_by_validate_key() -> None:
    encodings = _ed25519_small_order_points()
    assert len(encodings) == 8
    vec = FIRST_PER_SUITE[2]
    _, _, alpha, pi = _args(vec)
    for suite in ED:
        for pk in encodings:
            assert ED25519_ECC.is_identity(ED25519_ECC.string_to_point(pk) * 8)
            with pytest.raises(VerificationError, match="small order"):
                ecvrf.verify(suite, pk, alpha, pi)
            with pytest.raises(VerificationError):  # without validation it fails later, never crashes
                ecvrf.verify(suite, pk, alpha, pi, validate_key=False)


def test_gamma_encodings_rejected() -> None:
    vec = FIRST_PER_SUITE[2]
    suite, pk, alpha, pi = _args(vec)
    rest = pi[32:]
    for gamma in (_ed_encoding(1, 1), _ed_encoding(ED25519_ECC.p + 1, 0), _ed_encoding(_ed_off_curve_y(), 0)):
        with pytest.raises(VerificationError, match="Gamma"):
            ecvrf.verify(suite, pk, alpha, gamma + rest)
    p_suite, p_pk, p_alpha, p_pi = _args(FIRST_PER_SUITE[0])
    with pytest.raises(VerificationError, match="Gamma"):
        ecvrf.verify(p_suite, p_pk, p_alpha, b"\x04" + p_pi[1:])


def test_secret_key_range() -> None:
    suite = suite_by_name("ECVRF-P256-SHA256-TAI")
    from toolkit.core.errors import MalformedInputError

    for sk in (bytes(32), P256_CURVE.q.to_bytes(32, "big"), b"\xff" * 32, bytes(31)):
        with pytest.raises(MalformedInputError):
            ecvrf.public_key(suite, sk)


@pytest.mark.parametrize("suite", SUITE_PARAMS)
@settings(max_examples=40, deadline=None)
@given(data=st.binary(min_size=32, max_size=32), prefix=st.sampled_from([2, 3]))
def test_decoded_points_re_encode_to_their_input(suite: Suite, data: bytes, prefix: int) -> None:
    """The core hashes PK_string and gamma_string as given: that is only right
    because every string our decoders accept is the canonical encoding."""
    enc = bytes([prefix]) + data if suite.curve.pt_len == 33 else data
    point = suite.curve.string_to_point(enc)
    if point is not None:
        assert suite.curve.point_to_string(point) == enc


@settings(max_examples=200, deadline=None)
@given(data=st.binary(min_size=32, max_size=32))
def test_ed25519_backends_accept_the_same_strings(data: bytes) -> None:
    slow, fast = ED25519_ECC.string_to_point(data), ED25519_SODIUM.string_to_point(data)
    assert (slow is None) == (fast is None)
    if slow is not None:
        assert ED25519_ECC.point_to_string(slow) == fast
