"""Shared file I/O: atomic writes, atomic output directories, input reading.

Every output enoch writes goes through here, so that a crash or a refused
operation never leaves a half-written file behind (SPEC C): data is written to
a temporary file in the destination directory, fsynced, then renamed into
place, and the directory is fsynced so the rename itself is durable.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from toolkit.core.errors import InputMissingError, MalformedInputError, OutputExistsError, UsageError


def display_path(path: Path | str) -> str:
    """A filesystem path for a message, even if it is not valid UTF-8."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


@contextlib.contextmanager
def output_errors(out: Path | str) -> Iterator[None]:
    """Turn an OS error while writing the output ``out`` (read-only or full
    file system, no permission, a path that cannot hold files) into a
    one-line error instead of a crash.

    SPEC C has no code of its own for an unwritable output; like a missing
    output parent directory it is exit 66.  Used around ``atomic_directory``
    blocks, which remove their temporary directory on the way out.
    """
    try:
        yield
    except OSError as exc:
        where = display_path(exc.filename) if exc.filename else display_path(out)
        reason = exc.strerror or str(exc)
        raise InputMissingError(f"cannot write the output {display_path(out)} ({where}: {reason})") from None


def fsync_dir(path: Path) -> None:
    """fsync a directory so that renames/creations inside it are durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path | str, data: bytes, *, overwrite: bool = False, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically with permissions ``mode``.

    Refuses (``OutputExistsError``) when ``path`` exists and ``overwrite`` is
    false.  Without ``overwrite`` the final step is a hard link, which fails if
    the name appeared meanwhile, so a concurrent writer is never clobbered.
    """
    if str(path) == "":
        raise UsageError("no output file name given")
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if os.path.isdir(path):  # even with overwrite: a directory is never replaced by a file
        raise UsageError(f"{path} is a directory; give a file name")
    if not overwrite and os.path.lexists(path):
        raise OutputExistsError(f"{path} exists; pass --overwrite to replace it")
    if overwrite:
        refuse_replacing_secret(path)
    if not parent.is_dir():
        raise InputMissingError(f"output directory {parent} does not exist")
    try:
        _write_and_rename(path, parent, data, overwrite=overwrite, mode=mode)
    except OSError as exc:  # no permission, read-only or full file system, ...
        raise InputMissingError(f"cannot write {path}: {exc.strerror or exc}") from None


#: The first bytes of enoch's secret files (canonical JSON: "format" sorts
#: first): a VRF key, a plan's batch secret.
_SECRET_HEADS = (b'{"format":"enoch-vrf-key/', b'{"format":"enoch-batch-secret/')
_SECRET_NAMES = ("batch-secret.json",)


def _is_secret_file(path: Path) -> bool:
    if path.name in _SECRET_NAMES:
        return True
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        head = os.read(fd, 64)
    except OSError:
        return False
    finally:
        os.close(fd)
    return head.startswith(_SECRET_HEADS)


def refuse_replacing_secret(target: Path | str) -> None:
    """``--overwrite`` never replaces a secret: a key file, or a directory
    directly holding one (a plan directory: losing its batch secret loses
    whatever was sent to its commit addresses)."""
    target = Path(target)
    if os.path.isdir(target) and not os.path.islink(target):
        try:
            names = sorted(os.listdir(target))
        except OSError:
            names = []
        found = [target / n for n in names if _is_secret_file(target / n)]
    else:
        found = [target] if _is_secret_file(target) else []
    if found:
        where = display_path(found[0])
        raise OutputExistsError(f"{where} is a secret key; enoch never replaces it, not even with --overwrite (choose another output)")


def _write_and_rename(path: Path, parent: Path, data: bytes, *, overwrite: bool, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        # Permissions are set before any byte is written: a secret never
        # exists on disk with wider permissions than requested.
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise OutputExistsError(f"{path} exists; pass --overwrite to replace it") from None
            os.unlink(tmp)
        fsync_dir(parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def fsync_tree(root: Path) -> None:
    """fsync every regular file and directory below ``root`` (inclusive)."""
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


@contextlib.contextmanager
def atomic_directory(target: Path | str, *, overwrite: bool = False, mode: int | None = None) -> Iterator[Path]:
    """Build a directory atomically.

    Yields a fresh temporary directory next to ``target``; when the block
    exits normally its contents are fsynced and it is moved to ``target``.
    On any exception the temporary directory is removed and ``target`` is
    untouched.  An existing ``target`` is replaced only with ``overwrite``,
    crash-safely (:mod:`toolkit.core.outdir`: an atomic exchange on Linux, a
    documented recovery elsewhere).  What killed runs left next to
    ``target`` is swept first (a temporary holding a batch secret is kept
    and reported, never deleted).  ``mode`` is the final directory's
    permission bits; by default those of a plain ``mkdir`` under the current
    umask (mkdtemp alone would leave 0700).
    """
    from toolkit.core import outdir  # writers only: readers start faster without it

    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputMissingError(f"output directory {parent} does not exist")
    outdir.sweep_stale(target)  # may restore target from an interrupted replacement
    if not overwrite and os.path.lexists(target):
        raise OutputExistsError(f"{target} exists; pass --overwrite to replace it")
    if overwrite:
        refuse_replacing_secret(target)
    tmp, lock = _locked_temporary(target, parent)
    try:
        try:
            yield tmp
            os.chmod(tmp, _default_dir_mode() if mode is None else mode)
            fsync_tree(tmp)
            try:
                replaced = outdir.put_in_place(tmp, target, overwrite=overwrite)
            except FileExistsError:
                raise OutputExistsError(f"{target} exists; pass --overwrite to replace it") from None
            fsync_dir(parent)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        os.close(lock)
    if replaced is not None:
        # The new output is in place; removing the replaced one is best
        # effort and must not turn a success into an error (a kill here
        # leaves it for the next run's sweep).
        outdir.discard(replaced)


def _locked_temporary(target: Path, parent: Path) -> tuple[Path, int]:
    """A new ``.NAME.XXXXXXXX.tmp`` sibling, locked for this run's lifetime."""
    from toolkit.core import outdir

    for _ in range(5):
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
        try:
            return tmp, outdir.lock_temporary(tmp)
        except FileNotFoundError:  # a concurrent sweep took it before the lock: make another
            continue
    raise InputMissingError(f"cannot create a temporary directory next to {target}")  # pragma: no cover


def _default_dir_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def stdin_binary(what: str = "input") -> BinaryIO:
    """Binary stdin; ``InputMissingError`` (exit 66) when the process has none
    (started with stdin closed, ``<&-``: ``sys.stdin`` is then ``None``)."""
    if sys.stdin is None:
        raise InputMissingError(f"cannot read {what} from stdin: stdin is closed")
    return sys.stdin.buffer


#: Bytes read per call by the bounded reader: a huge input is refused after
#: at most ``limit + 1`` bytes, read in chunks of this size (never one
#: ``limit``-sized allocation for a small file).
_READ_CHUNK = 1 << 20


def open_input(path: Path | str, *, what: str = "input", buffered: bool = True) -> BinaryIO:
    """Open an input file for streaming reads; ``-`` means stdin (not to be
    closed by the caller).  Missing or unreadable -> exit 66.  Unbuffered
    (``buffered=False``), each read is one system call of at most the size
    asked for, so nothing past what is asked is consumed from a pipe or device."""
    if str(path) == "-":
        return stdin_binary(what)
    if str(path) == "":  # Path("") is "." -- a directory, which would confuse the message
        raise InputMissingError(f"no {what} given (empty file name)")
    try:
        handle: BinaryIO = open(path, "rb", buffering=-1 if buffered else 0)  # noqa: SIM115 -- closed by the caller
    except FileNotFoundError:
        raise InputMissingError(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise InputMissingError(f"{what} {path} is a directory, expected a file") from None
    except OSError as exc:
        raise InputMissingError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    return handle


def read_error(path: Path | str, what: str, exc: OSError) -> InputMissingError:
    """The exit-66 error for an ``OSError`` while reading an opened input."""
    where = "from stdin" if str(path) == "-" else str(path)
    if isinstance(exc, IsADirectoryError):
        return InputMissingError(f"{what} {path} is a directory, expected a file")
    return InputMissingError(f"cannot read {what} {where}: {exc.strerror or exc}")


class NotRegularFileError(OSError):
    """:func:`read_regular` found a FIFO, device, socket or directory."""


def read_regular(path: Path | str, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the regular file ``path``.

    Opened with ``O_NONBLOCK`` and checked with ``fstat`` before any read, so
    a FIFO or device planted where a file is expected (directly or through a
    symlink) never hangs or floods the reader: :class:`NotRegularFileError`.
    Other failures are the ``OSError`` of ``open``/``read``; callers map them
    to their own messages.  A result of ``limit + 1`` bytes means "too large".
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFileError(f"{display_path(path)} is not a regular file")
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(limit + 1)
    finally:
        os.close(fd)


def read_at_most(path: Path | str, *, what: str, limit: int) -> bytes:
    """The first ``limit + 1`` bytes (at most) of a file; ``-`` means stdin.

    Never reads further: a caller that finds ``limit + 1`` bytes knows the
    input is too long without having read the rest (``/dev/zero``, a
    multi-gigabyte file).  Missing or unreadable -> ``InputMissingError``
    (exit 66).  See :func:`read_input` for the usual "too large" refusal.
    """
    return _read_bounded(path, what, limit, refuse_larger=False)


def read_input(path: Path | str, *, what: str = "input", limit: int) -> bytes:
    """Read a whole input file (``-`` means stdin) of at most ``limit`` bytes.

    Every format enoch reads has a maximum size (named next to its parser);
    a larger input is ``MalformedInputError`` (exit 65, "too large") after
    reading at most ``limit + 1`` bytes -- none at all for a regular file
    whose size already says so.  Missing or unreadable -> exit 66.
    """
    data = _read_bounded(path, what, limit, refuse_larger=True)
    if len(data) > limit:
        raise _too_large(path, what, limit)
    return data


def _too_large(path: Path | str, what: str, limit: int) -> MalformedInputError:
    shown = "stdin" if str(path) == "-" else str(path)
    return MalformedInputError(f"{what} {shown} is too large (more than {limit} bytes)")


def _read_bounded(path: Path | str, what: str, limit: int, *, refuse_larger: bool) -> bytes:
    if limit < 0:
        raise ValueError("limit must be >= 0")
    handle = open_input(path, what=what, buffered=False)
    try:
        if refuse_larger:
            with contextlib.suppress(OSError, ValueError):  # stdin may be closed or a pipe
                st = os.fstat(handle.fileno())
                if stat.S_ISREG(st.st_mode) and st.st_size - handle.tell() > limit:
                    raise _too_large(path, what, limit)
        # Chunked: memory grows with what is actually read, so a small file
        # never costs a ``limit``-sized buffer, and a huge one is cut off.
        parts: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = handle.read(min(_READ_CHUNK, limit + 1 - got))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)
    except OSError as exc:
        raise read_error(path, what, exc) from None
    finally:
        if str(path) != "-":
            handle.close()
