"""SPEC R stream, integers, choice, shuffle and bytes: the SPEC's vectors, our
own vectors (cross-checked by the independent re-derivation), and the
properties the derivation promises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests import spec_r_reference as ref
from tests.fixtures import load_json, params
from toolkit.core.errors import MalformedInputError
from toolkit.core.hexutil import block_hash_internal_from_display
from toolkit.randomness.stream import RandomStream, Source, candidate_bytes, lp, stream_input

SPEC = load_json("spec-r", "vectors.json")
OURS = load_json("enoch-randomness", "vectors.json")


def _stream(block_display: str, context: str = "") -> RandomStream:
    return Source("block", block_hash_internal_from_display(block_display), context).stream()


def test_spec_first_16_stream_bytes() -> None:
    v = SPEC["stream"]
    assert _stream(v["block_hash"]).read(16).hex() == v["first_16_bytes"]
    raw = bytes.fromhex(v["block_hash"])[::-1]
    assert ref.stream_bytes("block", raw, "", 16).hex() == v["first_16_bytes"]


def test_spec_ten_int_1_6_draws() -> None:
    v = SPEC["stream"]
    s = _stream(v["block_hash"])
    assert [s.integer(1, 6) for _ in range(10)] == v["int_1_6_x10"]
    r = ref.Reader("block", bytes.fromhex(v["block_hash"])[::-1], "")
    assert [r.integer(1, 6) for _ in range(10)] == v["int_1_6_x10"]


def test_spec_shuffle_0_to_9() -> None:
    v = SPEC["stream"]
    assert _stream(v["block_hash"]).shuffle([str(i) for i in range(10)]) == v["shuffle_0_to_9"]
    r = ref.Reader("block", bytes.fromhex(v["block_hash"])[::-1], "")
    assert r.shuffle([str(i) for i in range(10)]) == v["shuffle_0_to_9"]


def _source_bytes(vec: dict[str, Any]) -> bytes:
    raw = bytes.fromhex(vec["source"])
    return raw[::-1] if vec["kind"] == "block" else raw


@pytest.mark.parametrize("vec", params(OURS["streams"], lambda v: f"{v['kind']}-{v['source'][-8:]}-{len(v['context'])}"))
def test_own_stream_vectors(vec: dict[str, Any]) -> None:
    expected = vec["first_64_bytes"]
    assert ref.stream_bytes(vec["kind"], _source_bytes(vec), vec["context"], 64).hex() == expected
    s = Source(vec["kind"], _source_bytes(vec), vec["context"]).stream()
    # read in uneven pieces: the stream is one byte sequence however it is consumed
    assert b"".join(s.read(n) for n in (1, 0, 7, 24, 32)).hex() == expected


def _draws(vec: dict[str, Any], read: Callable[[int], bytes], integer: Callable[[int, int], int], shuffle: Callable[[list[Any]], list[Any]]) -> list[Any]:
    """Replay a draw vector with one implementation's primitives."""
    op, args = vec["op"], vec["args"]
    one: dict[str, Callable[[], Any]] = {
        "bytes": lambda: read(args[0]).hex(),
        "int": lambda: str(integer(int(args[0]), int(args[1]))),
        "choice": lambda: args[integer(0, len(args) - 1)],
        "shuffle": lambda: shuffle(args),
    }
    return [one[op]() for _ in range(vec["count"])]


@pytest.mark.parametrize("vec", params(OURS["draws"], lambda v: f"{v['op']}-{'-'.join(map(str, v['args']))[:30]}"))
def test_own_draw_vectors(vec: dict[str, Any]) -> None:
    r = ref.Reader("block", bytes.fromhex(vec["block_hash"])[::-1], vec["context"])
    assert (_draws(vec, r.take, r.integer, r.shuffle), r.pos) == (vec["values"], vec["bytes_consumed"])
    s = _stream(vec["block_hash"], vec["context"])
    assert (_draws(vec, s.read, s.integer, s.shuffle), s.position) == (vec["values"], vec["bytes_consumed"])
    if vec["op"] == "choice":
        s = _stream(vec["block_hash"], vec["context"])
        assert [s.choice(vec["args"]) for _ in range(vec["count"])] == vec["values"]


def test_lp_and_absorbed_layout() -> None:
    assert lp(b"") == b"\0\0\0\0"
    assert lp(b"abc") == b"\0\0\0\x03abc"
    h = bytes(range(32))
    assert stream_input("block", h, "é") == (
        b"\0\0\0\x13enoch/randomness/v1" + b"\0\0\0\x05block" + b"\0\0\0\x20" + h + b"\0\0\0\x02\xc3\xa9"
    )


def test_kind_and_context_separate_streams() -> None:
    h = bytes(32)
    outs = {Source(k, h, c).stream().read(16) for k in ("block", "vrf") for c in ("", "a", "a\0")}
    assert len(outs) == 6


def test_context_is_not_unicode_normalised() -> None:
    h = bytes(32)
    composed, decomposed = "\u00e9", "e\u0301"
    assert Source("block", h, composed).stream().read(8) != Source("block", h, decomposed).stream().read(8)


def test_undecodable_context_is_malformed() -> None:
    with pytest.raises(MalformedInputError, match="UTF-8"):
        Source("block", bytes(32), "\udcff").stream()


def test_bad_sources_are_refused() -> None:
    with pytest.raises(ValueError):
        stream_input("block", bytes(31), "")
    with pytest.raises(ValueError):
        stream_input("nonsense", bytes(32), "")  # type: ignore[arg-type]


def test_long_reads_match_one_digest() -> None:
    s = _stream(SPEC["stream"]["block_hash"])
    pieces = b"".join(s.read(n) for n in [3] * 50 + [1000, 5000, 1])
    raw = bytes.fromhex(SPEC["stream"]["block_hash"])[::-1]
    assert pieces == ref.stream_bytes("block", raw, "", len(pieces))


def test_integer_rejection_consumes_exactly_k_bytes_per_try() -> None:
    # n = 257 -> bits 9, k = 2, mask 0x1ff: each try reads 2 bytes; values
    # 257..511 of the masked candidate are rejected, never reduced modulo n.
    s = _stream(SPEC["stream"]["block_hash"])
    r = ref.Reader("block", bytes.fromhex(SPEC["stream"]["block_hash"])[::-1], "")
    tries = 0
    for _ in range(200):
        before = s.position
        assert s.integer(0, 256) == r.integer(0, 256)
        assert (s.position - before) % 2 == 0
        tries += (s.position - before) // 2
    assert tries > 200  # some candidates were rejected


def test_degenerate_and_invalid_ranges() -> None:
    s = _stream(SPEC["stream"]["block_hash"])
    assert s.integer(5, 5) == 5 and s.position == 1  # n = 1 still consumes one byte
    with pytest.raises(ValueError):
        s.integer(2, 1)
    with pytest.raises(ValueError):
        s.choice([])
    with pytest.raises(ValueError):
        s.read(-1)
    assert s.shuffle([]) == [] and s.shuffle(["x"]) == ["x"]


def test_integer_distribution_is_uniform() -> None:
    # chi-square, 5 degrees of freedom; 20.52 is the p = 0.001 critical value.
    s = _stream(SPEC["stream"]["block_hash"], "uniformity")
    n = 60_000
    counts = [0] * 6
    for _ in range(n):
        counts[s.integer(1, 6) - 1] += 1
    chi2 = sum((c - n / 6) ** 2 / (n / 6) for c in counts)
    assert chi2 < 20.52, counts


@pytest.mark.parametrize(
    ("lo", "hi", "k"),
    [(5, 5, 1), (0, 1, 1), (1, 6, 1), (0, 255, 1), (0, 256, 2), (-(2**15), 2**15 - 1, 2), (0, 2**64, 9)],
)
def test_candidate_bytes_is_what_integer_reads(lo: int, hi: int, k: int) -> None:
    # the CLI bounds `random int` memory with candidate_bytes: it must be SPEC R's k
    assert candidate_bytes(lo, hi) == k
    s = _stream(SPEC["stream"]["block_hash"], "candidate")
    for _ in range(20):
        before = s.position
        s.integer(lo, hi)
        assert (s.position - before) % k == 0 and s.position > before


@pytest.mark.parametrize("size", [2, 3, 255, 256, 257, 1000, 70_000])
def test_shuffle_is_fisher_yates_over_integer(size: int) -> None:
    """RandomStream.shuffle inlines integer(); it must read the same bytes and
    give the same order as calling integer(0, i) for i = m-1 .. 1."""
    fast = Source("block", bytes(range(32)), f"shuffle {size}").stream()
    slow = Source("block", bytes(range(32)), f"shuffle {size}").stream()
    fast.read(3)  # start mid-buffer
    slow.read(3)
    expected = list(range(size))
    for i in range(size - 1, 0, -1):
        j = slow.integer(0, i)
        expected[i], expected[j] = expected[j], expected[i]
    assert fast.shuffle(range(size)) == expected
    assert fast.position == slow.position and fast.read(40) == slow.read(40)
