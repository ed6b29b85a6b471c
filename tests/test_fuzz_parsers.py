"""Issue 12: a bounded fuzz run over every parser (tests/fuzzkit.py): every
single-field hostile edit of each JSON document, then hypothesis-driven
mutations and random bytes; a parser may only ever raise ``EnochError``
subclasses.  Seconds in CI; ``python -m tests.fuzz_long --seconds N`` runs
longer."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_targets import TARGETS
from tests.fuzzkit import Target, json_variants, mutate, run_target

EXAMPLES = 100


def _report(target: Target, findings: dict[str, bytes]) -> None:
    if findings:
        lines = [f"{kind} for input {data[:300]!r}" for kind, data in findings.items()]
        raise AssertionError(f"{target.name}: non-enoch exceptions:\n" + "\n".join(lines))


def _record(target: Target, data: bytes, findings: dict[str, bytes]) -> None:
    found = run_target(target, data)
    if found is not None:
        findings.setdefault(f"{type(found).__name__}: {found}"[:200], data)


@pytest.mark.parametrize("name", sorted(n for n, t in TARGETS.items() if t.json_seeds))
def test_every_json_field_hostile(name: str) -> None:
    target = TARGETS[name]
    findings: dict[str, bytes] = {}
    for seed in target.seeds():
        for data in json_variants(seed):
            _record(target, data, findings)
    _report(target, findings)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_mutations_raise_only_enoch_errors(name: str) -> None:
    target = TARGETS[name]
    seeds = target.seeds()
    findings: dict[str, bytes] = {}
    for seed in seeds:  # the seeds themselves (valid inputs)
        _record(target, seed, findings)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    @given(st.sampled_from(seeds), st.integers(0, 2**32), st.binary(max_size=300), st.integers(0, 3))
    def run(seed: bytes, salt: int, raw: bytes, how: int) -> None:
        data = raw if how == 0 else mutate(seed, random.Random(salt), json_doc=target.json_seeds)
        _record(target, data, findings)

    run()
    _report(target, findings)


def test_seeds_are_valid() -> None:
    # Seeds must parse: a target whose seeds fail only ever exercises its first check.
    for target in TARGETS.values():
        assert target.seeds(), target.name
        for seed in target.seeds():
            target.parse(seed)


def test_the_harness_reports_non_enoch_exceptions() -> None:
    from toolkit.core.errors import MalformedInputError

    def parse(data: bytes) -> object:
        if data == b"bug":
            raise ValueError("a parser bug")
        raise MalformedInputError("malformed")

    target = Target("demo", parse, lambda: [b"x"])
    assert run_target(target, b"x") is None
    assert isinstance(run_target(target, b"bug"), ValueError)
    with pytest.raises(AssertionError, match="ValueError: a parser bug"):
        findings: dict[str, bytes] = {}
        _record(target, b"bug", findings)
        _report(target, findings)
