"""Write unpacked files on a background thread, so that writing and flushing
them to disk overlaps with verification (issue 11: unpack at most 1.5x verify).

The verifying thread hands over pieces through a bounded queue (memory stays
a few MiB); the writer thread writes them, and flushes each file to disk
(``fdatasync``) every :data:`FLUSH_EVERY` bytes and when it is closed, while
the verifier decompresses and hashes the next pieces.  The final fsync of
the output tree then finds almost nothing left to write.  An error on the
writer thread is raised on the verifying thread at its next call.
"""

from __future__ import annotations

import os
import queue
import threading
from types import TracebackType
from typing import BinaryIO

#: Pieces in flight between the threads (each at most about 2 MiB).
QUEUE_PIECES = 8
#: Dirty bytes after which the writer flushes the file it is writing.
FLUSH_EVERY = 64 << 20

_Job = tuple[str, BinaryIO | bytes | None]


class BackgroundWriter:
    """``open_file`` / ``write`` / ``close_file`` run in order on one writer thread."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[_Job] = queue.Queue(QUEUE_PIECES)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="enoch-unpack-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        fh: BinaryIO | None = None
        dirty = 0
        while True:
            op, arg = self._jobs.get()
            if op == "stop":
                if fh is not None:  # stopped early (verification failed): just close
                    fh.close()
                return
            if self._error is not None:
                continue  # drain after a failure; the verifier raises it
            try:
                if op == "open":
                    assert not isinstance(arg, bytes) and arg is not None
                    fh, dirty = arg, 0
                elif op == "write" and fh is not None:
                    assert isinstance(arg, bytes)
                    fh.write(arg)
                    dirty += len(arg)
                    if dirty >= FLUSH_EVERY:
                        fh.flush()
                        os.fdatasync(fh.fileno())
                        dirty = 0
                elif op == "close" and fh is not None:
                    fh.flush()
                    os.fsync(fh.fileno())
                    fh.close()
                    fh = None
            except BaseException as exc:  # re-raised on the verifying thread
                self._error = exc
                if fh is not None:
                    fh.close()
                    fh = None

    def _put(self, op: str, arg: BinaryIO | bytes | None = None) -> None:
        if self._error is not None:
            raise self._error
        self._jobs.put((op, arg))

    def open_file(self, fh: BinaryIO) -> None:
        """Start writing ``fh`` (already created by the caller)."""
        self._put("open", fh)

    def write(self, piece: bytes) -> None:
        self._put("write", piece)

    def close_file(self) -> None:
        """Flush, fsync and close the current file."""
        self._put("close")

    def finish(self) -> None:
        """Wait until everything handed over is on disk; raise the writer's error, if any."""
        self._jobs.put(("stop", None))
        self._thread.join()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._thread.is_alive():
            self._jobs.put(("stop", None))
            self._thread.join()
