"""Deterministic gzip members (SPEC I, RFC 1952): exact bytes, strict parsing."""

from __future__ import annotations

import gzip
import hashlib
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inscriptions.batch import gzip_member as gm
from inscriptions.batch.gzip_member import HEADER, gzip_member, parse_member
from toolkit.core.errors import MalformedInputError, UsageError


def json_lines(n: int) -> bytes:
    return b"".join(b'{"id":%d,"name":"enoch %d"}\n' % (i, i * i % 977) for i in range(n))


# Golden values: computed once with zlib 1.2.13 and hard-coded.  They pin the
# determinism claim: the same content must give these exact member bytes on
# every machine with stock zlib (a change here breaks every published root).
GOLDEN = [
    pytest.param(b"", 20, "9ceffb7310338057cfe71a4ae1e2c98d2c485d81cdef906532a801f457a38d64", id="empty"),
    pytest.param(
        b"hello, chain\n", 33, "2cd67556fe781b1e730c49f9c9e0ecb592b5dae1a31c75924d3950d35946d87b", id="hello"
    ),
    pytest.param(
        json_lines(5000), 23218, "39ba1314a3e19d7b2d92aea8d8edbe53eb258d2a3b6fb41b6ba4a6ee2ee24fb5", id="json-lines"
    ),
]


@pytest.mark.parametrize(("data", "size", "sha256"), GOLDEN)
def test_golden_member(data: bytes, size: int, sha256: str) -> None:
    member = gzip_member(data)
    assert len(member) == size
    assert hashlib.sha256(member).hexdigest() == sha256


def test_exact_bytes_of_small_members() -> None:
    assert gzip_member(b"").hex() == "1f8b08000000000002ff03000000000000000000"
    assert gzip_member(b"hello, chain\n").hex() == (
        "1f8b08000000000002ffcb48cdc9c9d75148ce48cccce30200de3acb600d000000"
    )


def test_header_is_fixed() -> None:
    # ID1 ID2 CM=8 FLG=0 MTIME=0 XFL=2 OS=255
    assert HEADER == bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 2, 0xFF])
    assert gzip_member(b"x").startswith(HEADER)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_round_trip_and_standard_gzip(data: bytes) -> None:
    member = gzip_member(data)
    assert parse_member(member, max_size=len(data)) == data
    assert gzip.decompress(member) == data
    # Raw deflate level 9, wbits -15, memLevel 8, default strategy, nothing else.
    comp = zlib.compressobj(9, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY)
    assert member[10:-8] == comp.compress(data) + comp.flush()
    assert member[-8:] == zlib.crc32(data).to_bytes(4, "little") + len(data).to_bytes(4, "little")


def test_every_truncation_rejected() -> None:
    member = gzip_member(json_lines(40))
    for cut in range(len(member)):
        with pytest.raises(MalformedInputError):
            parse_member(member[:cut], max_size=10**6)


@pytest.mark.parametrize("extra", [b"\x00", b"\x1f\x8b", gzip_member(b"")], ids=["zero", "magic", "member"])
def test_trailing_bytes_rejected(extra: bytes) -> None:
    with pytest.raises(MalformedInputError):
        parse_member(gzip_member(b"abc") + extra, max_size=100)


@pytest.mark.parametrize("pos", range(10))
def test_header_change_rejected(pos: int) -> None:
    member = bytearray(gzip_member(b"abc"))
    member[pos] ^= 0x01
    with pytest.raises(MalformedInputError, match="header"):
        parse_member(bytes(member), max_size=100)


def test_standard_gzip_header_is_not_ours() -> None:
    other = gzip.compress(b"abc", compresslevel=9, mtime=0)  # OS byte differs
    with pytest.raises(MalformedInputError):
        parse_member(other, max_size=100)


@pytest.mark.parametrize("pos", [-8, -5, -4, -1], ids=["crc0", "crc3", "isize0", "isize3"])
def test_trailer_change_rejected(pos: int) -> None:
    member = bytearray(gzip_member(b"abcdef"))
    member[pos] ^= 0x40
    with pytest.raises(MalformedInputError, match="CRC32/ISIZE"):
        parse_member(bytes(member), max_size=100)


def test_damaged_deflate_rejected() -> None:
    member = bytearray(gzip_member(json_lines(50)))
    member[12] ^= 0xFF
    with pytest.raises(MalformedInputError):
        parse_member(bytes(member), max_size=10**6)


def test_garbage_between_stream_and_trailer_rejected() -> None:
    member = gzip_member(b"abc")
    with pytest.raises(MalformedInputError, match="between"):
        parse_member(member[:-8] + b"\x00" + member[-8:], max_size=100)


def test_never_inflates_past_recorded_length() -> None:
    bomb = gzip_member(b"\x00" * 10_000_000)  # ~10 KB that would inflate to 10 MB
    assert len(bomb) < 20_000
    with pytest.raises(MalformedInputError, match="past its recorded length"):
        parse_member(bomb, max_size=1000)
    assert parse_member(bomb, max_size=10_000_000) == b"\x00" * 10_000_000


def test_runtime_version_recorded() -> None:
    info = gm.compressor_info()
    assert info.version == zlib.ZLIB_RUNTIME_VERSION
    assert info.to_json() == {
        "name": "zlib",
        "version": zlib.ZLIB_RUNTIME_VERSION,
        "level": 9,
        "wbits": -15,
        "mem_level": 8,
        "strategy": "default",
    }
    gm.require_reproducible(info)


@pytest.mark.parametrize("version", ["1.3.0.zlib-ng", "2.1.6.ZLIB-NG"])
def test_zlib_ng_detected_and_refused(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    monkeypatch.setattr(zlib, "ZLIB_RUNTIME_VERSION", version)
    assert gm.is_zlib_ng()
    assert gm.compressor_info().name == "zlib-ng"
    with pytest.raises(UsageError, match="zlib-ng"):
        gm.require_reproducible(gm.CompressorInfo("zlib", "1.2.13"))


def test_zlib_ng_native_attribute_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zlib, "ZLIBNG_VERSION", "2.2.1", raising=False)
    assert gm.is_zlib_ng()


@pytest.mark.parametrize(
    "recorded",
    [gm.CompressorInfo("zlib-ng", "2.1.6"), gm.CompressorInfo("zlib", "1.2.13", level=6)],
    ids=["recorded-zlib-ng", "other-level"],
)
def test_reproduction_refused_for_other_compressors(recorded: gm.CompressorInfo) -> None:
    with pytest.raises(UsageError):
        gm.require_reproducible(recorded)
