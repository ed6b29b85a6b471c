"""Boundary search for compressors that only compress a chunk as a whole
(zopfli, brotli): find where a shard ends with few full compressions.

Zopfli (~0.2 MB/s) and Brotli quality 11 (~0.8 MB/s) are far too slow to
compress each byte many times, and neither can report the size of a prefix
without compressing it whole.  So the search predicts the chunk length from
compression ratios already measured (the previous shard of the same file, or
a first trial) and corrects with interpolation between the closest measured
points on each side; with any measured point below and above the limit it
falls back to bisection after a few trials.  Typically one compression per
shard, two for a file's first shard.  Documented step by step in
docs/batch.md ("Boundary search for zopfli and brotli"); every number here is
an integer.
"""

from __future__ import annotations

from collections.abc import Callable

from inscriptions.batch.compressors import FILL_PERCENT, Codec, fill_floor, max_chunk_length
from inscriptions.batch.source import Data
from toolkit.core.errors import InternalError, UsageError

#: A file's first trial compresses this many times the aim (no ratio known yet).
FIRST_TRIAL = 4
#: After this many trials with a bracket, bisect instead of interpolating.
INTERPOLATED_TRIALS = 4
#: How far the last-resort scan looks on each side of a closed bracket.
SCAN = 64


def next_oneshot_chunk(
    data: Data, start: int, shard_size: int, codec: Codec, hint: tuple[int, int] | None
) -> tuple[int, bytes]:
    """The end of the chunk starting at ``start`` and its shard bytes.

    ``hint`` is (content length, shard size) of the file's previous shard.
    """
    limit, floor = shard_size, fill_floor(shard_size)
    aim = (floor + limit) // 2
    most = min(len(data) - start, max_chunk_length(shard_size))  # M: the longest chunk allowed here

    def size_of(n: int) -> bytes:
        return codec.compress(data[start : start + n])

    # 1. First trial: the previous shard's ratio scaled to the aim; for a
    # file's first shard, FIRST_TRIAL x aim bytes (a file of up to that many
    # bytes is compressed whole at once: usually it fits, and is done).
    n = hint[0] * aim // hint[1] if hint else FIRST_TRIAL * aim
    n = max(1, min(most, n))
    lo: tuple[int, bytes] | None = None  # longest trial that fits
    hi: tuple[int, int] | None = None  # shortest trial that does not fit (length, size)
    trials = 0
    while True:
        shard = size_of(n)
        trials += 1
        size = len(shard)
        if size <= limit:
            # 2. It fits.  The longest chunk allowed: done.  In the window: done,
            # unless the rest, at this ratio, would add at most 2% of the limit:
            # then try to end the file in this shard (no sliver shard).
            if n == most:
                return start + n, shard
            if size >= floor:
                if (most - n) * size <= 2 * (limit - floor) * n and most == len(data) - start:
                    whole = size_of(most)
                    if len(whole) <= limit:
                        return start + most, whole
                return start + n, shard
            lo = (n, shard)
        else:
            hi = (n, size)
        # 3. Next trial length, strictly between the bracket.
        low_n = lo[0] if lo else 0
        high_n = hi[0] if hi else most + 1
        if high_n - low_n <= 1:
            if lo is None:
                raise InternalError(f"cannot fit one byte at offset {start} into a {shard_size}-byte shard")
            # 4. The size jumps across the whole 99% window between two adjacent
            # lengths.  Sizes are not monotonic (seen with brotli at small
            # limits: +-20 bytes from one input byte), so look next to the bracket.
            return _scan(size_of, start, low_n, high_n, most, floor, limit, codec.name)
        if lo and hi and trials < INTERPOLATED_TRIALS:
            lo_size = len(lo[1])
            n = low_n + (aim - lo_size) * (high_n - low_n) // max(1, hi[1] - lo_size)
        elif lo and hi:
            n = (low_n + high_n) // 2
        elif lo:
            n = low_n * aim // len(lo[1])
        else:
            assert hi is not None
            n = high_n * aim // hi[1]
        n = max(low_n + 1, min(high_n - 1, n))


def _scan(
    size_of: Callable[[int], bytes], start: int, low: int, high: int, most: int, floor: int, limit: int, name: str
) -> tuple[int, bytes]:
    """Lengths ``low - 1`` down to ``low - SCAN``, then ``high + 1`` up to
    ``high + SCAN``: the first whose shard is in the window.

    None there: the content cannot be cut into shards that are 99% full at
    this limit (sizes jump across the whole window).  That is a property of
    the input and the limit, not a bug: ``pack`` refuses (exit 2) rather than
    write an underfilled shard, and says what to change."""
    for n in [*range(low - 1, max(0, low - SCAN), -1), *range(high + 1, min(most, high + SCAN) + 1)]:
        shard = size_of(n)
        if floor <= len(shard) <= limit:
            return start + n, shard
    raise UsageError(
        f"{name} cannot fill a {limit}-byte shard to {FILL_PERCENT}% at content offset {start}: no chunk length "
        f"gives a shard of {floor}..{limit} bytes (the compressed size jumps across that window); "
        "use a larger --shard-size, or --compressor gzip"
    )
