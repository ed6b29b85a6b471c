"""SPEC R hexagram casting: the SPEC's table, our own vectors (cross-checked by
the independent re-derivation), the exact and sampled line odds, coverage of
all 64 hexagrams, and the batch fast path against the plain derivation."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from typing import Any

import pytest

from tests import spec_r_reference as ref
from tests.fixtures import load_json, params
from toolkit.core.hexutil import block_hash_internal_from_display
from toolkit.randomness.iching import BlockCaster, Casting, cast, cast_index, casting_from_lines, lines_from_bytes
from toolkit.randomness.stream import Source

SPEC = load_json("spec-r", "vectors.json")["hexagrams"]
OURS = load_json("enoch-randomness", "vectors.json")["hexagrams"]
#: chi-square critical values at p = 0.001 (fixed thresholds, deterministic samples)
CHI2_3DF = 16.27


def _cast(vec: dict[str, Any]) -> Casting:
    return cast(Source("block", block_hash_internal_from_display(vec["block_hash"]), vec["context"]).stream(), vec["method"])


def _summary(c: Casting) -> dict[str, Any]:
    return {
        "lines": list(c.lines),
        "primary": c.primary.number,
        "moving": list(c.moving),
        "relating": None if c.relating is None else c.relating.number,
    }


def _ident(v: dict[str, Any]) -> str:
    return f"{v['block_hash'][-6:]}-{v['method']}-{len(v['context'])}"


@pytest.mark.parametrize("vec", params(SPEC + OURS, _ident))
def test_hexagram_vectors(vec: dict[str, Any]) -> None:
    expected = {k: vec[k] for k in ("lines", "primary", "moving", "relating")}
    reader = ref.Reader("block", bytes.fromhex(vec["block_hash"])[::-1], vec["context"])
    assert ref.hexagram(vec["method"], reader) == expected
    assert _summary(_cast(vec)) == expected
    caster = BlockCaster(vec["context"], vec["method"])
    assert caster(block_hash_internal_from_display(vec["block_hash"])) is _cast(vec)


def test_yarrow_nibble_odds_are_exactly_1_5_7_3() -> None:
    counts = Counter(lines_from_bytes("yarrow", bytes([b, 0, 0]))[0] for b in range(256))
    assert counts == {6: 16, 7: 80, 8: 112, 9: 48}


def test_coins_odds_are_exactly_1_3_3_1_for_every_line() -> None:
    # all 2**18 values of the 18 bits that carry lines (the low 6 bits are unused)
    casts = [lines_from_bytes("coins", (v << 6).to_bytes(3, "big")) for v in range(1 << 18)]
    for i in range(6):
        assert Counter(c[i] for c in casts) == {6: 1 << 15, 7: 3 << 15, 8: 3 << 15, 9: 1 << 15}


def _chi2(counts: Counter[int], weights: dict[int, int]) -> float:
    n = sum(counts.values())
    total = sum(weights.values())
    return sum((counts[k] - n * w / total) ** 2 / (n * w / total) for k, w in weights.items())


def _sample(method: str, n: int) -> list[Casting]:
    caster = BlockCaster("statistics", method)
    return [caster(hashlib.sha256(i.to_bytes(4, "big")).digest()) for i in range(n)]


@pytest.mark.parametrize(("method", "weights"), [("yarrow", {6: 1, 7: 5, 8: 7, 9: 3}), ("coins", {6: 1, 7: 3, 8: 3, 9: 1})])
def test_sampled_line_frequencies(method: str, weights: dict[int, int]) -> None:
    casts = _sample(method, 40_000)
    for position in range(6):  # every line position on its own ...
        assert _chi2(Counter(c.lines[position] for c in casts), weights) < CHI2_3DF
    allc = Counter(v for c in casts for v in c.lines)  # ... and all 240,000 lines
    assert _chi2(allc, weights) < CHI2_3DF
    assert len({c.primary.number for c in casts}) == 64
    assert len({c.relating.number for c in casts if c.relating}) == 64


def test_the_chi_square_check_catches_a_biased_caster() -> None:
    # The same sample with a modulo-style mapping (nibble % 4 -> 6..9) is far off 1:5:7:3.
    casts = _sample("yarrow", 5_000)
    biased = Counter(6 + (hashlib.sha256(bytes(c.lines)).digest()[0] % 4) for c in casts)
    assert _chi2(biased, {6: 1, 7: 5, 8: 7, 9: 3}) > 10 * CHI2_3DF


def test_static_covers_all_64_and_never_moves() -> None:
    seen = {cast_index("static", bytes([b])) for b in range(256)}
    casts = [casting_from_lines("static", tuple(6 + ((i >> (2 * k)) & 3) for k in range(6))) for i in seen]
    assert len({c.primary.number for c in casts}) == 64
    assert all(c.moving == () and c.relating is None for c in casts)


@pytest.mark.parametrize("method", ["yarrow", "coins", "static"])
def test_table_lookup_equals_the_plain_derivation(method: str) -> None:
    size = 3 if method != "static" else 1
    samples = [bytes(size), b"\xff" * size] + [hashlib.sha256(bytes([i, j])).digest()[:size] for i in range(64) for j in range(64)]
    if method == "static":
        samples = [bytes([b]) for b in range(256)]
    for data in samples:
        lines = lines_from_bytes(method, data)
        assert cast_index(method, data) == sum((v - 6) << (2 * i) for i, v in enumerate(lines))


def test_relating_flips_exactly_the_moving_lines() -> None:
    for lines in itertools.product((6, 7, 8, 9), repeat=6):
        c = casting_from_lines("yarrow", lines)
        primary, moving = c.primary.lines, set(c.moving)
        if not moving:
            assert c.relating is None
            continue
        assert c.relating is not None
        for i in range(6):
            assert (c.relating.lines[i] != primary[i]) == (i + 1 in moving)


def test_bad_casting_inputs() -> None:
    with pytest.raises(ValueError):
        lines_from_bytes("yarrow", b"\0\0")
    with pytest.raises(ValueError):
        lines_from_bytes("dice", b"\0")
    with pytest.raises(ValueError):
        casting_from_lines("yarrow", (6, 7, 8, 9, 10, 7))
    with pytest.raises(ValueError):
        BlockCaster("", "dice")
    with pytest.raises(ValueError):
        BlockCaster("", "yarrow")(bytes(31))
