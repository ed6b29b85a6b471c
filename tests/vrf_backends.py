"""Both edwards25519 backends under test: every ECVRF test that takes a
suite runs with the default (libsodium) backend and with pycryptodome."""

from __future__ import annotations

from dataclasses import replace

from vrf.ed25519 import ED25519_ECC
from vrf.suites import SUITES, Suite, suite_by_name

BACKENDS = ("default", "pycryptodome")


def with_backend(suite: Suite, backend: str) -> Suite:
    if backend == "pycryptodome" and suite.curve.cofactor == 8:
        return replace(suite, curve=ED25519_ECC)
    return suite


def suite_for(name: str, backend: str) -> Suite:
    return with_backend(suite_by_name(name), backend)


#: (suite, id) for every suite and every backend it has.
ALL_SUITES: list[tuple[Suite, str]] = [(s, s.name) for s in SUITES] + [
    (with_backend(s, "pycryptodome"), f"{s.name}[pycryptodome]") for s in SUITES if s.curve.cofactor == 8
]
