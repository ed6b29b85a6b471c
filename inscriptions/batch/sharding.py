"""Cut one file into shards: consecutive chunks, each one shard (a gzip member,
or a Brotli stream) of at most ``shard_size`` bytes, every shard but the
file's last at least 99% full (or holding :func:`max_chunk_length` bytes).

gzip uses the incremental search below; zopfli and brotli, which compress a
chunk only as a whole, use :mod:`inscriptions.batch.oneshot_search`.

The boundary search (documented step by step in docs/batch.md) feeds the
file through one zlib compressor per shard, so each input byte is normally
compressed once.  At candidate end points it measures the exact size the
member would have if the chunk ended there, by finishing a *copy* of the
compressor (``compressobj.copy().flush()``); the real compressor is never
finished early, and the member written is the stream measured.  Only after an
overshoot does it go back to a saved copy and re-compress the overshooting
step, and each retry at least halves that step.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from inscriptions.batch.compressors import FILL_PERCENT, Codec, GzipCodec, fill_floor, max_chunk_length
from inscriptions.batch.gzip_member import OVERHEAD, compressor_info, new_compressor, wrap_crc
from inscriptions.batch.oneshot_search import next_oneshot_chunk
from inscriptions.batch.source import Data, FileSource, pieces
from toolkit.core.errors import InternalError, MalformedInputError, UsageError

__all__ = ["FILL_PERCENT", "fill_floor", "shard_file", "Shard", "check_shard_size"]

DEFAULT_SHARD_SIZE = 1_000_000
#: Smallest accepted --shard-size: below this the 99% window is too narrow to
#: hit with deflate's granularity.
MIN_SHARD_SIZE = 1024
#: Largest accepted --shard-size: the manifest records it as a canonical JSON
#: integer, which must stay within 2^53 - 1.
MAX_SHARD_SIZE = 2**53 - 1
def check_shard_size(shard_size: int) -> None:
    """Refuse a shard size outside what ``pack`` accepts (UsageError)."""
    if not MIN_SHARD_SIZE <= shard_size <= MAX_SHARD_SIZE:
        raise UsageError(f"--shard-size must be between {MIN_SHARD_SIZE} and {MAX_SHARD_SIZE} bytes, got {shard_size}")


@dataclass(frozen=True)
class Shard:
    """One chunk ``data[offset : offset + length]`` and its gzip member."""

    offset: int
    length: int
    member: bytes


@dataclass
class _State:
    """A compressor positioned at ``pos`` with ``out`` emitted so far."""

    comp: Any
    pos: int
    out: list[bytes]
    out_len: int

    def copy(self) -> _State:
        return _State(self.comp.copy(), self.pos, list(self.out), self.out_len)

    def feed(self, view: Data, end: int) -> None:
        # In bounded pieces: zlib's output does not depend on how the input
        # is split between compress() calls.
        for part in pieces(view, self.pos, end):
            piece = self.comp.compress(part)
            if piece:
                self.out.append(piece)
                self.out_len += len(piece)
        self.pos = end

    def finish_copy(self) -> bytes:
        """The tail that would end the deflate stream here (state untouched)."""
        tail: bytes = self.comp.copy().flush()
        return tail


def _next_chunk(view: Data, start: int, shard_size: int) -> tuple[int, bytes]:
    """Find the end of the chunk starting at ``start``; return (end, deflate).

    The steps are numbered as in docs/batch.md; all arithmetic is on integers.
    """
    budget = shard_size - OVERHEAD  # largest deflate stream allowed
    floor = fill_floor(shard_size) - OVERHEAD  # smallest one for a non-last shard
    aim = (floor + budget) // 2
    end = min(len(view), start + max_chunk_length(shard_size))
    state = _State(new_compressor(), start, [], 0)
    saved: _State | None = None  # the last in-budget state we stepped forward from
    saved_size = step = 0
    while True:
        # 1. Measure: the exact deflate size if the chunk ended here.
        tail = state.finish_copy()
        size = state.out_len + len(tail)
        if size > budget:
            # 4. Overshoot: back to the saved state, at most half the step.
            if saved is None or step == 1:
                if saved is None or saved.pos == start:
                    raise InternalError(f"cannot fit one byte at offset {start} into a {shard_size}-byte shard")
                # Deflate jumped across the whole 99% window: take the fullest fit.
                return saved.pos, b"".join(saved.out) + saved.finish_copy()
            step = max(1, min(step // 2, (aim - saved_size) * step // max(1, size - saved_size)))
            state = saved.copy()
            state.feed(view, state.pos + step)
            continue
        consumed = state.pos - start
        if state.pos == end:
            return end, b"".join(state.out) + tail  # 2a. the rest of the file fits
        if size >= floor:
            # 2b. In the window.  If the rest of the file, at the ratio so far,
            # would fit in twice the window, try ending the file in this shard
            # (no tiny last shard); keep this point if it does not fit.
            if (end - state.pos) * size <= 2 * (budget - floor) * consumed:
                trial = state.copy()
                trial.feed(view, end)
                trial_tail = trial.finish_copy()
                if trial.out_len + len(trial_tail) <= budget:
                    return end, b"".join(trial.out) + trial_tail
            return state.pos, b"".join(state.out) + tail
        # 3. Forward: the step that lands on `aim` at the ratio seen so far.
        predicted = (aim - size) * consumed // size if consumed else aim - size
        step = max(1, min(end - state.pos, predicted))
        saved, saved_size = state.copy(), size
        state.feed(view, state.pos + step)


def shard_file(
    data: bytes | memoryview | FileSource,
    shard_size: int,
    progress: Callable[[int], None] | None = None,
    codec: Codec | None = None,
) -> Iterator[Shard]:
    """Yield the shards of ``data`` in order (gzip unless ``codec`` says
    otherwise); each is round-trip checked."""
    check_shard_size(shard_size)
    codec = codec or GzipCodec(compressor_info())
    view: Data = data if isinstance(data, FileSource) else memoryview(data).cast("B")
    if len(view) == 0:
        member = codec.compress(b"")
        _round_trip(codec, member, view, 0, 0)
        yield Shard(0, 0, member)
        return
    start = 0
    hint: tuple[int, int] | None = None
    while start < len(view):
        if isinstance(codec, GzipCodec):
            end, deflate = _next_chunk(view, start, shard_size)
            crc = 0
            for part in pieces(view, start, end):
                crc = zlib.crc32(part, crc)
            member = wrap_crc(deflate, crc, end - start)
        else:
            end, member = next_oneshot_chunk(view, start, shard_size, codec, hint)
            hint = (end - start, len(member))
        if len(member) > shard_size:  # pragma: no cover - guarded by the search
            raise InternalError(f"shard at offset {start} is {len(member)} bytes, over {shard_size}")
        _round_trip(codec, member, view, start, end)
        yield Shard(start, end - start, member)
        if progress is not None:
            progress(end - start)
        start = end


def _round_trip(codec: Codec, member: bytes, view: Data, start: int, end: int) -> None:
    """Decompress ``member`` and compare with the chunk, piece by piece, before anything is written."""
    pos = start
    try:
        for piece in codec.inflate(member, end - start):
            if view[pos : pos + len(piece)] != piece:
                raise InternalError(f"{codec.name} round trip failed for the chunk at offset {start}")
            pos += len(piece)
    except MalformedInputError as exc:
        raise InternalError(f"{codec.name} round trip failed for the chunk at offset {start}: {exc.message}") from None
    if pos != end:
        raise InternalError(f"{codec.name} round trip failed for the chunk at offset {start}")
