"""Property tests for the block-header byte formats (toolkit/chain/header.py) and
the compact nBits encoding (toolkit/chain/compact.py).

The compact properties compare against ``_core_set_compact`` /
``_core_get_compact`` below: a deliberately literal transcription of the
steps of Bitcoin Core's ``arith_uint256::SetCompact`` / ``GetCompact``,
written independently of toolkit/chain/compact.py (fixed-width 256-bit words,
explicit truncation), so a shared mistake is unlikely.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tests.conftest import CliResult

from toolkit.chain.compact import MAINNET_POW_LIMIT, decode_compact, encode_compact, target_from_compact
from toolkit.core.errors import MalformedInputError, UsageError, VerificationError
from toolkit.chain.header import HEADER_SIZE, BlockHeader, block_hash_internal_from_options, parse_headers
from toolkit.core.hexutil import block_hash_display_from_internal, block_hash_internal_from_display

FAST = settings(max_examples=200, deadline=None)
U256 = (1 << 256) - 1

headers = st.builds(
    BlockHeader,
    version=st.integers(-(2**31), 2**31 - 1),
    prev_hash_internal=st.binary(min_size=32, max_size=32),
    merkle_root_internal=st.binary(min_size=32, max_size=32),
    time=st.integers(0, 2**32 - 1),
    bits=st.integers(0, 2**32 - 1),
    nonce=st.integers(0, 2**32 - 1),
)


# --- 80-byte header: raw and hex round trips, strict length ---


@FAST
@given(headers)
def test_raw_and_hex_round_trip(header: BlockHeader) -> None:
    raw = header.to_bytes()
    assert len(raw) == HEADER_SIZE
    assert BlockHeader.from_bytes(raw) == header
    assert BlockHeader.from_hex(raw.hex()) == header
    assert BlockHeader.from_hex(raw.hex().upper()) == header
    assert BlockHeader.from_bytes(raw).to_bytes() == raw


@FAST
@given(st.binary(min_size=HEADER_SIZE, max_size=HEADER_SIZE))
def test_every_80_bytes_parse_and_reencode_identically(raw: bytes) -> None:
    assert BlockHeader.from_bytes(raw).to_bytes() == raw


@FAST
@given(headers, st.integers(0, HEADER_SIZE - 1), st.binary(min_size=1, max_size=90))
def test_truncated_or_extended_header_rejected(header: BlockHeader, cut: int, extra: bytes) -> None:
    raw = header.to_bytes()
    for bad in (raw[:cut], raw + extra):
        with pytest.raises(MalformedInputError):
            BlockHeader.from_bytes(bad)
        with pytest.raises(MalformedInputError):
            BlockHeader.from_hex(bad.hex())
    with pytest.raises(MalformedInputError):  # half a byte short or long
        BlockHeader.from_hex(raw.hex()[:-1])
    with pytest.raises(MalformedInputError):
        BlockHeader.from_hex(raw.hex() + "0")


@FAST
@given(st.binary(max_size=400))
@example(b"")
@example(b"\n\n")
@example(b"0" * 160 + b"\n" + b"0" * 159)
def test_parse_headers_arbitrary_bytes_only_malformed(data: bytes) -> None:
    try:
        parsed = parse_headers(data)
    except MalformedInputError:
        return
    assert parsed and all(isinstance(h, BlockHeader) for h in parsed)


@FAST
@given(st.text(max_size=200))
@example("0x" + "00" * 80)
@example("\u0660" * 160)  # Arabic-Indic digits are not hex
def test_from_hex_arbitrary_text_only_malformed(text: str) -> None:
    try:
        header = BlockHeader.from_hex(text)
    except MalformedInputError:
        return
    assert BlockHeader.from_hex(header.to_bytes().hex()) == header


@FAST
@given(st.binary(min_size=32, max_size=32), st.text(max_size=70), st.sampled_from([0, 1, 2]))
@example(bytes(32), "0x" + "00" * 31, 0)
def test_block_hash_options(internal: bytes, text: str, which: int) -> None:
    display = block_hash_display_from_internal(internal)
    assert display == display.lower() and block_hash_internal_from_display(display) == internal
    assert block_hash_internal_from_display(display.upper()) == internal
    for bad in (display[:-2], display + "00", display[:-1]):
        with pytest.raises(MalformedInputError):
            block_hash_internal_from_display(bad)
    # Arbitrary --block-hash / --header text: only the documented errors.
    args = [(text, None), (None, text), (text, text)][which]
    try:
        out = block_hash_internal_from_options(*args)
    except (MalformedInputError, UsageError, VerificationError):
        return
    assert len(out) == 32


@FAST
@given(st.lists(headers, min_size=1, max_size=5), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_multi_header_files_round_trip(hs: list[BlockHeader], newline: str, blank_lines: bool) -> None:
    raw = b"".join(h.to_bytes() for h in hs)
    # Raw records made only of printable ASCII are read as text (documented:
    # a header with valid proof of work always holds 0x00 bytes); the layout
    # is decided by the first 80 bytes (the file is read as a stream).
    assume(any(b < 0x20 or b > 0x7E for b in raw[:HEADER_SIZE]))
    assert parse_headers(raw) == hs
    sep = newline * (2 if blank_lines else 1)
    text = sep.join(h.to_bytes().hex() for h in hs) + newline
    assert parse_headers(text.encode()) == hs


@FAST
@given(st.lists(headers, min_size=1, max_size=4), st.integers(1, HEADER_SIZE - 1))
def test_multi_header_truncation_and_trailing_bytes_rejected(hs: list[BlockHeader], cut: int) -> None:
    raw = b"".join(h.to_bytes() for h in hs)
    for bad in (raw[:-cut], raw + raw[:cut]):
        with pytest.raises(MalformedInputError):
            parse_headers(bad)
    lines = [h.to_bytes().hex() for h in hs]
    lines[-1] = lines[-1][:-2]  # one line a byte short
    with pytest.raises(MalformedInputError):
        parse_headers("\n".join(lines).encode())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=250), st.lists(headers, min_size=1, max_size=3).map(
    lambda hs: b"".join(h.to_bytes() for h in hs))), st.integers(-1, 3))
@example(b"\xff" * 80, -1)
def test_cli_header_verify_exit_codes(enoch: Callable[..., CliResult], tmp_path: Path, data: bytes, cut: int) -> None:
    # Any file: a verdict (0/1) or malformed (65), one JSON object, never 70.
    if cut >= 0:
        data = data[: len(data) - cut]
    path = tmp_path / "headers.bin"
    path.write_bytes(data)
    result = enoch("header", "verify", "--file", path, "--json")
    assert result.exit_code in (0, 1, 65), result.stdout
    assert isinstance(result.json(), dict)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=170), headers.map(lambda h: h.to_bytes().hex())), st.sampled_from(["--header", "--block-hash"]))
@example("00" * 80, "--header")
def test_cli_header_option_exit_codes(enoch: Callable[..., CliResult], text: str, option: str) -> None:
    result = enoch("hexagram", option, text, "--json")
    assert result.exit_code in (0, 1, 2, 65), result.stdout
    if result.exit_code != 2:  # click usage errors may be text
        assert isinstance(result.json(), dict)


_GENESIS_HEX = (
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e"
    "67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c"
)


@FAST
@given(st.lists(headers, min_size=1, max_size=4), st.data(), st.sampled_from(["", "\n", "\r\n"]))
def test_hex_file_with_one_typo_is_malformed(hs: list[BlockHeader], data: st.DataObject, end: str) -> None:
    # A stray printable character anywhere in a hex file is a malformed line
    # (exit 65), whatever the file length -- never raw records (exit 1).
    text = "\n".join(h.to_bytes().hex() for h in hs) + end
    pos = data.draw(st.sampled_from([i for i, ch in enumerate(text) if ch not in "\r\n"]))  # a hex digit
    typo = data.draw(st.sampled_from("gGzx-+.:,;'_ ~O"))
    bad = text[:pos] + typo + text[pos + 1 :]
    with pytest.raises(MalformedInputError, match="line"):
        parse_headers(bad.encode())


@pytest.mark.parametrize("bad", [
    _GENESIS_HEX[:10] + "g" + _GENESIS_HEX[11:],  # 160 bytes: was read as 2 raw headers, exit 1
    "0x" + _GENESIS_HEX[2:],
    _GENESIS_HEX[:-2] + "\n\n",
    (_GENESIS_HEX + "\n") * 80 + _GENESIS_HEX[:-1] + "O",  # 13040 bytes, a multiple of 80
])
def test_hex_file_typos_regression(bad: str) -> None:
    assert len(bad) % 80 == 0 or "\n\n" in bad or bad.startswith("0x")
    with pytest.raises(MalformedInputError, match="line"):
        parse_headers(bad.encode())


def test_genesis_hex_file_parses() -> None:
    (header,) = parse_headers(_GENESIS_HEX.encode())
    assert header.hash_display == "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
    assert parse_headers(header.to_bytes()) == [header]  # raw form: has 0x00 bytes


# --- compact nBits vs an independent SetCompact / GetCompact ---


def _core_set_compact(n_compact: int) -> tuple[int, bool, bool]:
    """arith_uint256::SetCompact, step by step: (value, fNegative, fOverflow)."""
    n_size = (n_compact >> 24) & 0xFF
    n_word = n_compact & 0x007FFFFF
    if n_size <= 3:
        n_word = (n_word >> (8 * (3 - n_size))) & 0xFFFFFFFF
        value = n_word
    else:
        value = n_word
        value = (value << (8 * (n_size - 3))) & U256  # operator<<= drops bits past 256
    negative = n_word != 0 and (n_compact & 0x00800000) != 0
    overflow = n_word != 0 and (n_size > 34 or (n_word > 0xFF and n_size > 33) or (n_word > 0xFFFF and n_size > 32))
    return value, negative, overflow


def _core_get_compact(value: int, negative: bool) -> int:
    """arith_uint256::GetCompact(fNegative)."""
    n_size = (value.bit_length() + 7) // 8
    if n_size <= 3:
        n_compact = (value & 0xFFFFFFFFFFFFFFFF) << (8 * (3 - n_size))
    else:
        n_compact = (value >> (8 * (n_size - 3))) & 0xFFFFFFFFFFFFFFFF
    n_compact &= 0xFFFFFFFF  # stored in a uint32_t
    if n_compact & 0x00800000:
        n_compact >>= 8
        n_size += 1
    assert n_compact & ~0x007FFFFF == 0 and n_size < 256
    n_compact |= n_size << 24
    if negative and n_compact & 0x007FFFFF:
        n_compact |= 0x00800000
    return n_compact


nbits = st.one_of(
    st.integers(0, 2**32 - 1),
    # sizes 0..40 with interesting mantissas: sign bit, small words, 0x7fffff
    st.builds(lambda s, w: (s << 24) | w, st.integers(0, 40),
              st.sampled_from([0, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFFFF, 0x800000, 0x803456, 0xFFFFFF])),
)


@FAST
@given(nbits)
@example(0x01803456)  # Core: shifted word is zero -> plain zero, not negative
@example(0x04923456)  # negative
@example(0x23000001)  # size 35: overflow
@example(0x2200FFFF)
@example(0x1D00FFFF)  # mainnet pow limit
def test_decode_compact_matches_core(bits: int) -> None:
    value, negative, overflow = _core_set_compact(bits)
    c = decode_compact(bits)
    assert (c.value, c.negative, c.overflow) == (value, negative, overflow)


@FAST
@given(nbits)
def test_target_from_compact_is_check_proof_of_work(bits: int) -> None:
    value, negative, overflow = _core_set_compact(bits)
    if negative or overflow or value == 0 or value > MAINNET_POW_LIMIT:
        with pytest.raises(VerificationError):
            target_from_compact(bits)
    else:
        assert target_from_compact(bits) == value


targets = st.one_of(
    st.integers(0, U256),
    st.integers(0, 2**40),
    st.builds(lambda w, s: w << s, st.integers(1, 0xFFFFFF), st.integers(0, 232)),
)


@FAST
@given(targets, st.booleans())
@example(0x80, False)
@example(0x800000, True)
@example(U256, False)
def test_encode_compact_matches_core(target: int, negative: bool) -> None:
    bits = encode_compact(target, negative=negative)
    assert bits == _core_get_compact(target, negative)
    # Re-decoding gives the target truncated to the mantissa kept (3 bytes,
    # or 2 when the sign bit pushed one into the exponent).
    value, neg, overflow = _core_set_compact(bits)
    shift = max(0, 8 * ((bits >> 24) - 3))
    assert value == target >> shift << shift
    assert target - value < 1 << max(0, target.bit_length() - 15)
    assert neg == (negative and value != 0) and not overflow


@FAST
@given(nbits)
def test_canonical_compact_round_trip(bits: int) -> None:
    # A compact value is canonical when GetCompact(SetCompact(x)) == x; every
    # valid header target re-encodes to exactly one canonical nBits.
    c = decode_compact(bits)
    if c.overflow:
        return
    again = encode_compact(c.value, negative=c.negative)
    assert decode_compact(again) == c
    assert encode_compact(decode_compact(again).value, negative=c.negative) == again


@pytest.mark.parametrize("bits", [-1, 2**32])
def test_decode_compact_rejects_out_of_range(bits: int) -> None:
    with pytest.raises(ValueError):
        decode_compact(bits)
