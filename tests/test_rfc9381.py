"""RFC 9381 Appendix B: every example reproduces pi, beta and every printed
intermediate; every negative vector is rejected."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures import load_json, params
from toolkit.core.errors import VerificationError
from vrf import ecvrf
from tests.vrf_backends import BACKENDS, suite_for
from vrf.suites import C_LEN

DATA = load_json("rfc9381", "rfc9381.json")
VECTORS: list[dict[str, Any]] = DATA["vectors"]
NEGATIVE: list[dict[str, Any]] = DATA["negative_vectors"]


def test_all_twelve_examples_present() -> None:
    assert sorted(v["example"] for v in VECTORS) == list(range(10, 22))
    assert {v["suite"] for v in VECTORS} == {
        "ECVRF-P256-SHA256-TAI",
        "ECVRF-P256-SHA256-SSWU",
        "ECVRF-EDWARDS25519-SHA512-TAI",
        "ECVRF-EDWARDS25519-SHA512-ELL2",
    }


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("vec", params(VECTORS, lambda v: f"example{v['example']}-{v['suite']}"))
def test_appendix_b_example(vec: dict[str, Any], backend: str) -> None:
    suite = suite_for(vec["suite"], backend)
    assert suite.suite_string == int(vec["suite_string"], 16)
    sk, alpha = bytes.fromhex(vec["sk"]), bytes.fromhex(vec["alpha"])
    trace = ecvrf.prove_with_trace(suite, sk, alpha)
    pt_len = suite.curve.pt_len
    checked = {
        "pk": ecvrf.public_key(suite, sk).hex(),
        "x": suite.int_to_string(trace.x, 32).hex(),
        "h": trace.h.hex(),
        "k": suite.int_to_string(trace.k, 32).hex(),
        "u": trace.u.hex(),
        "v": trace.v.hex(),
        "pi": trace.pi.hex(),
        "gamma": trace.pi[:pt_len].hex(),
        "c": trace.pi[pt_len:pt_len + C_LEN].hex(),
        "s": trace.pi[pt_len + C_LEN:].hex(),
    }
    if trace.k_string is not None:
        checked["k_string"] = trace.k_string.hex()
    enc = trace.encode
    if enc.ctr is not None:
        checked["tai_ctr"] = enc.ctr
    if enc.h2c is not None:
        tag, endian = ("sswu", "big") if pt_len == 33 else ("ell2", "little")
        checked[f"{tag}_uniform_bytes"] = enc.h2c.uniform_bytes.hex()
        checked[f"{tag}_u"] = enc.h2c.u.to_bytes(32, endian).hex()
        if tag == "sswu":
            checked["sswu_x1"] = enc.h2c.x1.to_bytes(32, "big").hex()
        else:
            checked["ell2_gx1"] = enc.h2c.gx1.to_bytes(32, "little").hex()
        checked[f"{tag}_note"] = "gx1 is a square" if enc.h2c.gx1_is_square else "gx1 is a nonsquare"
    expected = {key: vec[key] for key in checked}
    # every printed intermediate is checked, not a subset
    assert set(vec) - set(checked) == {"suite", "suite_string", "example", "sk", "alpha", "alpha_note", "beta"}
    assert checked == expected
    beta = ecvrf.verify(suite, bytes.fromhex(vec["pk"]), alpha, bytes.fromhex(vec["pi"]))
    assert beta.hex() == vec["beta"]
    assert ecvrf.proof_to_hash(suite, trace.pi).hex() == vec["beta"]
    assert len(beta) == suite.h_len


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("vec", params(NEGATIVE, lambda v: f"{v['suite']}-{v['pi'][:12]}"))
def test_negative_vector_rejected(vec: dict[str, Any], backend: str) -> None:
    suite = suite_for(vec["suite"], backend)
    pk, alpha, pi = (bytes.fromhex(vec[k]) for k in ("pk", "alpha", "pi"))
    assert vec["expected"].startswith("INVALID")
    with pytest.raises(VerificationError):
        ecvrf.verify(suite, pk, alpha, pi)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "vec", params([v for v in NEGATIVE if "validate_key" in v["expected"]], lambda v: v["suite"])
)
def test_identity_key_forgery_needs_validate_key(vec: dict[str, Any], backend: str) -> None:
    """The forgeries really verify without validate_key: the check is what stops them."""
    suite = suite_for(vec["suite"], backend)
    pk, alpha, pi = (bytes.fromhex(vec[k]) for k in ("pk", "alpha", "pi"))
    beta = ecvrf.verify(suite, pk, alpha, pi, validate_key=False)
    assert beta.hex() == vec["beta_if_accepted"]
    with pytest.raises(VerificationError, match="small order"):
        ecvrf.verify(suite, pk, alpha, pi)
