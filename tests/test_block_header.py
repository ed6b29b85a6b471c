"""The 80-byte header format, SHA-256d, CheckProofOfWork and chain links,
against real mainnet headers and btcd's synthetic difficulty-1 chain."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures import load_json, params
from toolkit.core.errors import MalformedInputError, UsageError, VerificationError
from toolkit.chain.header import (
    HEADER_SIZE,
    BlockHeader,
    block_hash_internal_from_options,
    check_chain,
    parse_headers,
)

MAINNET = load_json("mainnet-headers", "mainnet-headers.json")
HEADERS = MAINNET["headers"]
SYNTHETIC = MAINNET["pow_valid_but_not_mainnet"]["headers"]
BY_HEIGHT = {h["height"]: h for h in HEADERS}


def _hdr(height: int) -> BlockHeader:
    return BlockHeader.from_hex(BY_HEIGHT[height]["header_hex"])


@pytest.mark.parametrize("vec", params(HEADERS, lambda h: f"height-{h['height']}"))
def test_mainnet_header_fields_hash_and_pow(vec: dict[str, Any]) -> None:
    raw = bytes.fromhex(vec["header_hex"])
    h = BlockHeader.from_bytes(raw)
    assert h.to_bytes() == raw
    assert h.version == vec["version"]
    assert h.prev_hash_display == vec["prev_hash"]
    assert h.merkle_root_internal[::-1].hex() == vec["merkle_root"]
    assert (h.time, h.bits, h.nonce) == (vec["time"], int(vec["bits"], 16), vec["nonce"])
    assert h.hash_display == vec["hash"]
    assert h.target() == int(vec["target_hex"], 16)
    h.check_pow()


@pytest.mark.parametrize("vec", params(HEADERS, lambda h: f"height-{h['height']}"))
def test_every_changed_byte_fails(vec: dict[str, Any]) -> None:
    raw = bytes.fromhex(vec["header_hex"])
    good_hash = BlockHeader.from_bytes(raw).hash_internal
    for i in range(HEADER_SIZE):
        tampered = bytearray(raw)
        tampered[i] ^= 0x01 << (i % 8)
        h = BlockHeader.from_bytes(bytes(tampered))
        assert h.hash_internal != good_hash
        # A flipped bit either breaks nBits or leaves a hash that misses the
        # target (probability of a lucky hit ~2**-32 per header; these are fixed).
        with pytest.raises(VerificationError):
            h.check_pow()


@pytest.mark.parametrize("vec", params(SYNTHETIC, lambda h: f"claimed-{h['claimed_position']}"))
def test_synthetic_difficulty_one_headers_pass_pow_but_are_not_mainnet(vec: dict[str, Any]) -> None:
    h = BlockHeader.from_hex(vec["header_hex"])
    h.check_pow()  # real work at difficulty 1 ...
    assert h.hash_display == vec["hash"]
    assert vec["hash"] != vec["real_mainnet_hash_at_this_height"]  # ... but not the mainnet block


def test_synthetic_chain_links_to_the_real_genesis() -> None:
    chain = [_hdr(0)] + [BlockHeader.from_hex(v["header_hex"]) for v in SYNTHETIC]
    assert all(c.ok for c in check_chain(chain))


def test_mainnet_chain_0_1_2_links() -> None:
    checks = check_chain([_hdr(0), _hdr(1), _hdr(2)])
    assert [c.link_ok for c in checks] == [None, True, True]
    assert all(c.ok for c in checks)


def test_broken_link_is_reported() -> None:
    checks = check_chain([_hdr(0), _hdr(2)])
    assert checks[1].link_ok is False and checks[1].pow_valid and not checks[1].ok


@pytest.mark.parametrize("length", [0, 79, 81, 160])
def test_wrong_length_is_malformed(length: int) -> None:
    with pytest.raises(MalformedInputError, match="exactly 80 bytes"):
        BlockHeader.from_bytes(bytes(length))


@pytest.mark.parametrize("text", ["", "zz" * 80, "00" * 79, "00" * 81, "0x" + "00" * 80, "0" * 159])
def test_bad_header_hex_is_malformed(text: str) -> None:
    with pytest.raises(MalformedInputError):
        BlockHeader.from_hex(text)


def test_parse_headers_hex_lines_and_raw_records_agree() -> None:
    hexes = [BY_HEIGHT[n]["header_hex"] for n in (0, 1, 2)]
    text = ("\n" + hexes[0] + "\r\n\n" + hexes[1].upper() + "\n" + hexes[2] + "\n").encode()
    raw = b"".join(bytes.fromhex(x) for x in hexes)
    assert parse_headers(text) == parse_headers(raw) == [_hdr(0), _hdr(1), _hdr(2)]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "the input is empty"),
        (b"\n\n", "blank"),
        (bytes(81), "81 bytes"),
        (b"00" * 80 + b"\n" + b"00" * 79 + b"\n", "line 2"),
    ],
)
def test_parse_headers_rejects(data: bytes, match: str) -> None:
    with pytest.raises(MalformedInputError, match=match):
        parse_headers(data)


def test_constructor_rejects_out_of_range_fields() -> None:
    h = _hdr(0)
    with pytest.raises(ValueError):
        BlockHeader(h.version, h.prev_hash_internal[:31], h.merkle_root_internal, h.time, h.bits, h.nonce)
    with pytest.raises(ValueError):
        BlockHeader(2**31, h.prev_hash_internal, h.merkle_root_internal, h.time, h.bits, h.nonce)
    with pytest.raises(ValueError):
        BlockHeader(h.version, h.prev_hash_internal, h.merkle_root_internal, h.time, h.bits, 2**32)


def test_negative_version_round_trips() -> None:
    raw = b"\xff\xff\xff\xff" + bytes.fromhex(BY_HEIGHT[0]["header_hex"])[4:]
    h = BlockHeader.from_bytes(raw)
    assert h.version == -1 and h.to_bytes() == raw


def test_block_hash_from_options() -> None:
    genesis = BY_HEIGHT[0]
    from_hash = block_hash_internal_from_options(genesis["hash"], None)
    from_header = block_hash_internal_from_options(None, genesis["header_hex"])
    assert from_hash == from_header == bytes.fromhex(genesis["hash"])[::-1]
    with pytest.raises(UsageError):
        block_hash_internal_from_options(None, None)
    with pytest.raises(UsageError):
        block_hash_internal_from_options(genesis["hash"], genesis["header_hex"])
    tampered = genesis["header_hex"][:-2] + "7d"
    with pytest.raises(VerificationError):
        block_hash_internal_from_options(None, tampered)
