"""Content to shard: bytes in memory, or a file read by ranges (``pread``),
so that packing a big file never holds it whole (issue 11 item 3)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from toolkit.core.errors import InputMissingError

#: Ranges are read, hashed and compressed in pieces of at most this size.
PIECE = 1 << 22


class FileSource:
    """Random read access to the first ``size`` bytes of an open file.

    A range that cannot be read in full (the file shrank) raises
    ``InputMissingError`` instead of returning short data.
    """

    def __init__(self, fd: int, size: int, name: str) -> None:
        self.fd, self.size, self.name = fd, size, name

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, key: slice) -> bytes:
        start, stop, _ = key.indices(self.size)
        want = max(0, stop - start)
        parts, got = [], 0
        while got < want:
            try:
                part = os.pread(self.fd, want - got, start + got)
            except OSError as exc:
                raise InputMissingError(f"cannot read {self.name}: {exc.strerror}") from None
            if not part:
                raise InputMissingError(f"{self.name} changed size while packing")
            parts.append(part)
            got += len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)


Data = memoryview | FileSource


def pieces(data: Data, start: int, end: int, piece: int | None = None) -> Iterator[bytes | memoryview]:
    """``data[start:end]`` in consecutive pieces of at most ``piece`` (default :data:`PIECE`) bytes."""
    piece = piece or PIECE
    for a in range(start, end, piece):
        yield data[a : min(end, a + piece)]
