"""RFC 9381 accepts points with a torsion component where libsodium does not:
a public key Y + T passes validate_key (8(Y + T) != O), and a Gamma + T is a
valid curve point.  Proofs built that way verify exactly when c kills T, and
both edwards25519 backends must agree on every one of them (the libsodium
backend falls back to pycryptodome for these points)."""

from __future__ import annotations

import pytest

from tests.vrf_backends import with_backend
from toolkit.core.errors import VerificationError
from vrf import ecvrf
from vrf.curves import Point
from vrf.encode import encode_to_curve
from vrf.nonce import nonce_rfc8032
from vrf.suites import C_LEN, Q_LEN, SUITES, Suite

ED_SUITES = [s for s in SUITES if s.curve.cofactor == 8]
T2 = (0, -1)  # the point of order 2


def _prove_with_torsion(suite: Suite, sk: bytes, alpha: bytes, *, on_key: bool, on_gamma: bool) -> tuple[bytes, bytes]:
    """The RFC 9381 prover's steps with an order-2 point added to Y and/or Gamma."""
    curve = suite.curve
    t = curve.from_affine(T2[0] % curve.p, T2[1] % curve.p)
    x = ecvrf.secret_scalar(suite, sk)
    y: Point = curve.base_mul(x)
    if on_key:
        y = curve.add(y, t)
    pk = curve.point_to_string(y)
    h, _ = encode_to_curve(suite, pk, alpha)
    gamma = curve.mul(h, x)
    if on_gamma:
        gamma = curve.add(gamma, t)
    h_string = curve.point_to_string(h)
    k, _ = nonce_rfc8032(suite, sk, h_string)
    strings = (pk, h_string, curve.point_to_string(gamma), curve.point_to_string(curve.base_mul(k)),
               curve.point_to_string(curve.mul(h, k)))
    c = suite.string_to_int(ecvrf.challenge_generation(suite, strings))
    s = (k + c * x) % curve.q
    return pk, strings[2] + suite.int_to_string(c, C_LEN) + suite.int_to_string(s, Q_LEN)


@pytest.mark.parametrize("suite", ED_SUITES, ids=[s.name for s in ED_SUITES])
@pytest.mark.parametrize("on_key,on_gamma", [(True, False), (False, True), (True, True)])
def test_torsion_proofs_same_answer_on_both_backends(suite: Suite, on_key: bool, on_gamma: bool) -> None:
    sk = bytes(range(32))
    outcomes = set()
    for i in range(12):
        alpha = bytes([i])
        pk, pi = _prove_with_torsion(suite, sk, alpha, on_key=on_key, on_gamma=on_gamma)
        c = suite.string_to_int(pi[32:32 + C_LEN])
        answers = []
        for backend in ("default", "pycryptodome"):
            try:
                answers.append(ecvrf.verify(with_backend(suite, backend), pk, alpha, pi))
            except VerificationError:
                answers.append(None)
        assert answers[0] == answers[1]
        # c * T2 = O exactly when c is even: then U and V are the prover's.
        assert (answers[0] is not None) == (c % 2 == 0)
        outcomes.add(answers[0] is not None)
    assert outcomes == {True, False}  # both cases were exercised


def test_small_order_constants_are_the_torsion_subgroup() -> None:
    """The libsodium backend's 8 torsion encodings, re-derived with the
    pycryptodome backend: the multiples of q * P for a point P of order 8q."""
    from vrf.ed25519 import ED25519_ECC as curve
    from vrf.ed25519_sodium import SMALL_ORDER_STRINGS

    gen = None
    for y in range(2, 100):
        point = curve.string_to_point(y.to_bytes(32, "little"))
        if point is None:
            continue
        candidate = curve.mul(point, curve.q)
        if not curve.is_identity(curve.mul(candidate, 4)):  # order 8
            gen = candidate
            break
    assert gen is not None
    derived, acc = set(), gen
    for _ in range(8):
        derived.add(curve.point_to_string(acc))
        acc = curve.add(acc, gen)
    assert derived == SMALL_ORDER_STRINGS
    assert all(curve.is_identity(curve.clear_cofactor(curve.string_to_point(s))) for s in derived)
