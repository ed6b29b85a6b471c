"""Brotli shards (RFC 7932; SPEC K): one complete Brotli stream per shard.

A shard is exactly ``brotli.compress(chunk, mode=GENERIC, quality=Q,
lgwin=W, lgblock=0)`` (one-shot, Google's reference encoder as bundled by the
PyPI ``brotli`` package, whose version the manifest records).  It is inscribed
with content encoding ``br`` and served by ord as ``Content-Encoding: br``.

Parsing is strict: the bytes must form one complete stream with nothing
after it, and the output is produced in bounded pieces and never beyond the
recorded length, so a stream claiming gigabytes costs no memory.  Brotli has
no checksum of its own; the leaf hash pins the shard bytes and the file's
SHA-256 pins the content.
"""

from __future__ import annotations

from collections.abc import Iterator

import brotli

from toolkit.core.errors import MalformedInputError

QUALITY = 11
#: 2^24 - 16 bytes of window: the largest RFC 7932 allows, decoded by every
#: browser; a 1 MB shard of text holds several MB of input.
LGWIN = 24
MODES = {"generic": brotli.MODE_GENERIC, "text": brotli.MODE_TEXT}
#: The brotli stream of empty input is one byte.
MIN_STREAM = 1
PIECE = 1 << 20


def library_version() -> str:
    """Version of the brotli library in use (the PyPI package bundles the C encoder of the same version)."""
    return str(brotli.__version__)


def brotli_stream(data: bytes | memoryview, *, quality: int = QUALITY, lgwin: int = LGWIN, mode: str = "generic") -> bytes:
    """The one-shot Brotli stream of ``data`` with the given parameters."""
    out: bytes = brotli.compress(bytes(data) if isinstance(data, memoryview) else data, mode=MODES[mode], quality=quality, lgwin=lgwin)
    return out


def inflate_stream(stream: bytes, *, max_size: int, piece: int = PIECE) -> Iterator[bytes]:
    """Decompress one Brotli stream strictly, yielding pieces of about
    ``piece`` bytes (the decoder may return up to twice that).

    Rejects a damaged or truncated stream, bytes after its end, and output
    longer than ``max_size`` (stops as soon as it is passed).  The errors
    (``MalformedInputError``) come while iterating: consume it fully.
    """
    if len(stream) < MIN_STREAM:
        raise MalformedInputError("brotli stream is empty")
    decoder = brotli.Decompressor()
    total = 0
    data: bytes | memoryview = stream
    while True:
        try:
            out = decoder.process(data, output_buffer_limit=piece)
        except brotli.error:
            # The decoder fails the same way on damaged bytes and on bytes after
            # the end of the stream; both mean this is not one clean stream.
            raise MalformedInputError("brotli stream is damaged or has bytes after its end") from None
        data = b""
        total += len(out)
        if total > max_size:
            raise MalformedInputError(f"brotli stream decompresses past its recorded length {max_size}")
        if out:
            yield out
        if decoder.is_finished():
            return
        if not out and decoder.can_accept_more_data():
            raise MalformedInputError("brotli stream is truncated (it does not end)")
