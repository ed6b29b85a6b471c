"""Compact targets (nBits) against Bitcoin Core's arith_uint256 SetCompact/GetCompact
vectors, the mainnet headers' targets, and the CheckProofOfWork refusals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures import load_json, params
from toolkit.chain.compact import (
    DIFFICULTY_1_TARGET,
    MAINNET_POW_LIMIT,
    decode_compact,
    difficulty_from_target,
    encode_compact,
    target_from_compact,
)
from toolkit.core.errors import VerificationError

CORE = load_json("bitcoin-core-compact", "set-compact.json")
MAINNET = load_json("mainnet-headers", "mainnet-headers.json")


@pytest.mark.parametrize("vec", params(CORE["set_compact"], lambda v: v["bits"]))
def test_set_compact_matches_bitcoin_core(vec: dict[str, Any]) -> None:
    c = decode_compact(int(vec["bits"], 16))
    assert (c.negative, c.overflow) == (vec["negative"], vec["overflow"])
    if vec["value_hex"] is not None:
        assert c.value == int(vec["value_hex"], 16)
        assert encode_compact(c.value, negative=c.negative) == int(vec["get_compact"], 16)


@pytest.mark.parametrize("vec", params(CORE["get_compact_only"], lambda v: v["get_compact"]))
def test_get_compact_never_sets_the_sign_bit(vec: dict[str, Any]) -> None:
    assert encode_compact(int(vec["value_hex"], 16)) == int(vec["get_compact"], 16)


@pytest.mark.parametrize("hdr", params(MAINNET["headers"], lambda h: f"height-{h['height']}"))
def test_mainnet_bits_to_target(hdr: dict[str, Any]) -> None:
    bits = int(hdr["bits"], 16)
    target = target_from_compact(bits)
    assert target == int(hdr["target_hex"], 16)
    assert encode_compact(target) == bits  # round trip: to_compact(from_compact(x)) == x


def _retarget_bits() -> list[str]:
    out: set[str] = set()
    for vec in MAINNET["retarget_vectors_bitcoin_core"]:
        out.update((vec["bits"], vec["expected_next_bits"]))
    return sorted(out)


@pytest.mark.parametrize("bits", _retarget_bits())
def test_retarget_vector_bits_are_canonical_targets(bits: str) -> None:
    # Only the retarget-independent part: each nBits of Core's pow_tests decodes
    # to a valid mainnet target and re-encodes to itself.
    value = int(bits, 16)
    target = target_from_compact(value)
    assert 0 < target <= MAINNET_POW_LIMIT
    assert encode_compact(target) == value


def test_retarget_bits_match_fixture_headers() -> None:
    by_height = {h["height"]: h for h in MAINNET["headers"]}
    matched = 0
    for vec in MAINNET["retarget_vectors_bitcoin_core"]:
        height = vec["matches_fixture_height"]
        if height is not None:
            assert by_height[height]["bits"] == vec["expected_next_bits"]
            matched += 1
    assert matched >= 3


@pytest.mark.parametrize(
    ("bits", "reason"),
    [
        (0x04923456, "negative"),
        (0x01FEDCBA, "negative"),
        (0x1D80FFFF, "negative"),
        (0xFF123456, "overflows"),
        (0x23000100, "overflows"),  # word > 0xff with size 35
        (0x22010000, "overflows"),  # word > 0xff and size > 33
        (0x21010000, "overflows"),  # word > 0xffff and size > 32
        (0x00000000, "zero"),
        (0x01003456, "zero"),
        (0x01803456, "zero"),  # the sign bit is shifted out first: zero, not negative
        (0x1D000000, "zero"),
        (0x207FFFFF, "limit"),  # regtest's target: far above mainnet's powLimit
        (0x1D010000, "limit"),  # just above 0x1d00ffff
    ],
)
def test_refused_targets(bits: int, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        target_from_compact(bits)


def test_overflow_boundaries_are_exactly_cores() -> None:
    assert not decode_compact(0x220000FF).overflow  # 0xff << 248 fits
    assert decode_compact(0x22000100).overflow
    assert not decode_compact(0x2100FFFF).overflow
    assert decode_compact(0x21010000).overflow
    assert not decode_compact(0x207FFFFF).overflow
    assert decode_compact(0x23000001).overflow
    assert not decode_compact(0xFF000000).overflow  # zero mantissa never overflows


def test_pow_limit_itself_is_accepted_and_is_difficulty_one() -> None:
    target = target_from_compact(0x1D00FFFF)
    assert target == DIFFICULTY_1_TARGET
    assert difficulty_from_target(target) == 1.0
    assert target_from_compact(0x207FFFFF, pow_limit=(1 << 256) - 1) == 0x7FFFFF << 232


def test_difficulty_of_a_known_header() -> None:
    # height 32256, nBits 0x1d00d86a: difficulty 0xffff/0xd86a exactly
    assert difficulty_from_target(target_from_compact(0x1D00D86A)) == 0xFFFF / 0xD86A


def test_encode_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        encode_compact(1 << 256)
    with pytest.raises(ValueError):
        decode_compact(1 << 32)
