"""The plan directory's file discipline: one lock, and reads that cannot hang.

Every command that reads or writes a plan directory (``plan``, ``reveal``,
``recover``, ``bump``, ``broadcast``, ``status``) holds :func:`plan_lock`
while it does: an exclusive ``flock`` on ``PLAN/.lock``.  A second run waits
up to ``ENOCH_LOCK_WAIT`` seconds (default 60) and then finds the work of the
first on disk (identical content is success), or gives up with exit 75
("busy", retry later).  ``plan`` itself, whose directory does not exist yet,
locks the parent directory instead (:func:`parent_lock`).

Every file inside a plan directory is read with :func:`read_plan_file`:
opened with ``O_NONBLOCK`` (a FIFO planted as ``plan.json`` must not hang
``reveal``), required to be a regular file, and read up to a size limit.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from toolkit.core.errors import BusyError, InputMissingError, MalformedInputError, UsageError
from toolkit.core.fsio import NotRegularFileError, display_path, read_regular

LOCK_NAME = ".lock"
DEFAULT_WAIT_S = 60.0
_POLL_S = 0.05


def lock_wait() -> float:
    """Seconds to wait for a busy plan directory (``ENOCH_LOCK_WAIT``, default 60)."""
    text = os.environ.get("ENOCH_LOCK_WAIT", "")
    if not text:
        return DEFAULT_WAIT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86_400:  # also refuses NaN
        raise UsageError(f"ENOCH_LOCK_WAIT={text!r} must be a number of seconds from 0 to 86400")
    return value


@contextlib.contextmanager
def _flock(fd: int, what: str, wait: float | None) -> Iterator[None]:
    deadline = time.monotonic() + (lock_wait() if wait is None else wait)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise InputMissingError(f"cannot lock {what}: {exc.strerror}") from None
        if time.monotonic() >= deadline:
            raise BusyError(f"{what} is busy: another enoch command is working on it; nothing was done, retry later")
        time.sleep(_POLL_S)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def plan_lock(plan_dir: Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock of an existing plan directory."""
    if not plan_dir.is_dir():
        what = "is not a directory" if os.path.lexists(plan_dir) else "does not exist"
        raise InputMissingError(f"plan directory {display_path(plan_dir)} {what}")
    path = plan_dir / LOCK_NAME
    try:
        fd = _open_lock_file(path)
    except FileNotFoundError:
        # A read-only plan directory (a backup, a read-only mount) without a
        # lock file: nothing can be written there anyway; lock the directory
        # itself so that readers (status, fund) still work.
        with parent_lock(path, wait=wait):
            yield
        return
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise MalformedInputError(f"{display_path(path)} is not a regular file")
        with _flock(fd, f"plan directory {display_path(plan_dir)}", wait):
            yield
    finally:
        os.close(fd)


def _open_lock_file(path: Path) -> int:
    """Open (creating it if possible) the lock file; FileNotFoundError when
    it is absent and cannot be created (read-only directory)."""
    # O_NOFOLLOW: a symlink planted as the lock file is refused, never followed.
    flags = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o600)
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise InputMissingError(f"cannot open the lock file {display_path(path)}: {exc.strerror}") from None
    try:
        return os.open(path, os.O_RDONLY | flags)  # flock needs no write access
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise InputMissingError(f"cannot open the lock file {display_path(path)}: {exc.strerror}") from None


@contextlib.contextmanager
def parent_lock(target: Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold a lock on the directory that will contain ``target`` (for ``plan``)."""
    parent = target.parent if str(target.parent) else Path(".")
    try:
        fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise InputMissingError(f"output directory {display_path(parent)}: {exc.strerror}") from None
    try:
        with _flock(fd, f"output directory {display_path(parent)}", wait):
            yield
    finally:
        os.close(fd)


def read_plan_file(path: Path, *, what: str, limit: int) -> bytes:
    """A whole regular file of at most ``limit`` bytes; never blocks on a
    FIFO or device.  Missing or unreadable: exit 66; not a regular file or
    too large: exit 65."""
    try:
        data = read_regular(path, limit)
    except FileNotFoundError:
        raise InputMissingError(f"{what} {display_path(path)} does not exist") from None
    except NotRegularFileError:
        raise MalformedInputError(f"{what} {display_path(path)} is not a regular file") from None
    except OSError as exc:
        raise InputMissingError(f"cannot read {what} {display_path(path)}: {exc.strerror}") from None
    if len(data) > limit:
        raise MalformedInputError(f"{what} {display_path(path)} is larger than {limit} bytes")
    return data

