"""Shard boundary search (SPEC I): size limit, 99% fill, determinism, one pass."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inscriptions.batch import sharding
from inscriptions.batch.gzip_member import gzip_member
from inscriptions.batch.sharding import Shard, fill_floor, shard_file
from toolkit.core.errors import InternalError, UsageError


def noise(n: int, tag: bytes = b"noise") -> bytes:
    return hashlib.shake_256(tag).digest(n)


def json_text(n: int) -> bytes:
    rows = (b'{"id":%d,"tile":"%s","hp":%d}\n' % (i, hashlib.sha256(b"%d" % i).hexdigest()[:8].encode(), i % 97) for i in range(n))
    return b"".join(rows)


def mixed(n: int) -> bytes:
    # Alternating compressible and incompressible stretches: the ratio the
    # search predicts from keeps changing under it.
    parts = []
    for i in range(n):
        parts.append(json_text(300 + 50 * i) if i % 2 == 0 else noise(5000 + 3000 * i, b"%d" % i))
    return b"".join(parts)


CONTENTS = {
    "json": json_text(4000),
    "noise": noise(60_000),
    "zeros": b"\x00" * 2_000_000,
    "mixed": mixed(12),
}


def check_shards(data: bytes, shards: list[Shard], limit: int) -> None:
    assert shards[0].offset == 0
    assert sum(s.length for s in shards) == len(data)
    for prev, nxt in zip(shards, shards[1:], strict=False):
        assert nxt.offset == prev.offset + prev.length
    for s in shards:
        assert len(s.member) <= limit
        # Each member is exactly the one-shot deterministic member of its chunk,
        # although the search produced it incrementally.
        assert s.member == gzip_member(data[s.offset : s.offset + s.length])
    for s in shards[:-1]:
        assert len(s.member) >= fill_floor(limit), (len(s.member), fill_floor(limit))
        assert s.length > 0
    assert gzip.decompress(b"".join(s.member for s in shards)) == data


@pytest.mark.parametrize("limit", [1024, 4096, 20_000])
@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_limits_fill_and_round_trip(name: str, limit: int) -> None:
    data = CONTENTS[name]
    shards = list(shard_file(data, limit))
    check_shards(data, shards, limit)
    # All-zero input deflates about 1000:1, so only the smallest limit splits it.
    assert len(shards) >= 2 or (name == "zeros" and limit > 1024)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 6000)), min_size=1, max_size=6),
    st.integers(1024, 6000),
)
def test_random_content_and_limits(pieces: list[tuple[bool, int]], limit: int) -> None:
    data = b"".join(noise(n, b"%d" % n) if rand else json_text(n // 40) for rand, n in pieces)
    check_shards(data, list(shard_file(data, limit)), limit)


def test_fill_floor_is_ceiling_of_99_percent() -> None:
    assert fill_floor(1_000_000) == 990_000
    assert fill_floor(4096) == 4056  # 4055.04 rounded up
    assert fill_floor(1024) == 1014


def test_empty_file_is_one_empty_member() -> None:
    shards = list(shard_file(b"", 4096))
    assert shards == [Shard(0, 0, gzip_member(b""))]
    assert shards[0].member.hex() == "1f8b08000000000002ff03000000000000000000"


def test_file_ending_exactly_at_a_boundary() -> None:
    data = noise(30_000)
    shards = list(shard_file(data, 4096))
    for k in (1, 2, 5):
        end = shards[k - 1].offset + shards[k - 1].length
        cut = list(shard_file(data[:end], 4096))
        # No empty trailing shard, and the same boundaries as in the longer file.
        assert cut == shards[:k]


def test_member_exactly_the_shard_size() -> None:
    data = noise(5000)
    limit = len(gzip_member(data))
    shards = list(shard_file(data, limit))
    assert [len(s.member) for s in shards] == [limit]
    # One byte more no longer fits: two shards, the first within the window.
    one_more = list(shard_file(data + noise(40, b"more"), limit))
    check_shards(data + noise(40, b"more"), one_more, limit)
    assert len(one_more) == 2


def test_file_that_fits_is_one_shard_even_past_the_window() -> None:
    for n in range(4000, 4060, 7):  # members between 99% and 100% of the limit
        data = noise(n)
        limit = len(gzip_member(data)) + (n % 5)
        assert len(list(shard_file(data, limit))) == 1


def test_incompressible_file() -> None:
    data = noise(1_000_000)
    shards = list(shard_file(data, 100_000))
    check_shards(data, shards, 100_000)
    assert all(s.length < 100_000 for s in shards)  # stored blocks add a few bytes


def test_default_size_on_large_mixed_content() -> None:
    data = json_text(60_000) + noise(2_500_000) + json_text(20_000)
    shards = list(shard_file(data, sharding.DEFAULT_SHARD_SIZE))
    check_shards(data, shards, 1_000_000)
    assert len(shards) >= 4


@pytest.mark.skipif(shutil.which("gzip") is None, reason="no gzip binary on this machine")
def test_gzip_binary_reads_concatenated_shards() -> None:
    data = CONTENTS["mixed"]
    stream = b"".join(s.member for s in shard_file(data, 4096))
    out = subprocess.run(["gzip", "-dc"], input=stream, capture_output=True, check=True).stdout
    assert out == data


class CountingCompressor:
    """Wraps a zlib compressor and counts every input byte it is fed,
    including bytes fed to copies."""

    fed = 0

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def compress(self, data: Any) -> bytes:
        CountingCompressor.fed += len(data)
        out: bytes = self.inner.compress(data)
        return out

    def flush(self) -> bytes:
        out: bytes = self.inner.flush()
        return out

    def copy(self) -> CountingCompressor:
        return CountingCompressor(self.inner.copy())


@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_bytes_are_not_compressed_many_times(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    real = sharding.new_compressor
    monkeypatch.setattr(sharding, "new_compressor", lambda: CountingCompressor(real()))
    CountingCompressor.fed = 0
    data = CONTENTS[name]
    list(shard_file(data, 20_000))
    # The search re-compresses only the step that overshot; with 1% slack that
    # is a small fraction of the input, never "the same bytes many times".
    assert CountingCompressor.fed <= 1.35 * len(data), CountingCompressor.fed / len(data)


@pytest.mark.parametrize("limit", [0, 100, 1023])
def test_tiny_shard_size_refused(limit: int) -> None:
    with pytest.raises(UsageError):
        list(shard_file(b"abc", limit))


@pytest.mark.parametrize("damage", ["flip", "drop-tail"])
def test_round_trip_check_catches_a_bad_member(monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    real_wrap = sharding.wrap_crc

    def bad_wrap(deflate: bytes, *chunk: Any) -> bytes:
        if damage == "flip":
            return real_wrap(deflate[:-1] + bytes([deflate[-1] ^ 0x55]), *chunk)
        return real_wrap(deflate[:-1], *chunk)

    monkeypatch.setattr(sharding, "wrap_crc", bad_wrap)
    with pytest.raises(InternalError, match="round trip"):
        list(shard_file(json_text(200), 4096))
