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
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from toolkit.core.errors import InputMissingError, OutputExistsError, UsageError


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
    if not parent.is_dir():
        raise InputMissingError(f"output directory {parent} does not exist")
    try:
        _write_and_rename(path, parent, data, overwrite=overwrite, mode=mode)
    except OSError as exc:  # no permission, read-only or full file system, ...
        raise InputMissingError(f"cannot write {path}: {exc.strerror or exc}") from None


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
    exits normally its contents are fsynced and it is renamed to ``target``.
    On any exception the temporary directory is removed and ``target`` is
    untouched.  An existing ``target`` is replaced only with ``overwrite``.
    ``mode`` is the final directory's permission bits; by default those of a
    plain ``mkdir`` under the current umask (mkdtemp alone would leave 0700).
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    if not overwrite and os.path.lexists(target):
        raise OutputExistsError(f"{target} exists; pass --overwrite to replace it")
    if not parent.is_dir():
        raise InputMissingError(f"output directory {parent} does not exist")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    try:
        yield tmp
        os.chmod(tmp, _default_dir_mode() if mode is None else mode)
        fsync_tree(tmp)
        old: Path | None = None
        if os.path.lexists(target):
            if not overwrite:
                raise OutputExistsError(f"{target} exists; pass --overwrite to replace it")
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.rmdir(old)
            os.rename(target, old)
        os.rename(tmp, target)
        fsync_dir(parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        # The new output is in place; removing the replaced one is best
        # effort and must not turn a success into an error.  A replaced
        # symlink is unlinked, never followed.
        if old.is_symlink() or not old.is_dir():
            with contextlib.suppress(OSError):
                old.unlink()
        else:
            shutil.rmtree(old, ignore_errors=True)


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


def open_input(path: Path | str, *, what: str = "input") -> BinaryIO:
    """Open an input file for streaming reads; ``-`` means stdin (not to be
    closed by the caller).  Missing or unreadable -> exit 66."""
    if str(path) == "-":
        return stdin_binary(what)
    if str(path) == "":  # Path("") is "." -- a directory, which would confuse the message
        raise InputMissingError(f"no {what} given (empty file name)")
    try:
        handle = Path(path).open("rb")
    except FileNotFoundError:
        raise InputMissingError(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise InputMissingError(f"{what} {path} is a directory, expected a file") from None
    except OSError as exc:
        raise InputMissingError(f"cannot read {what} {path}: {exc.strerror}") from None
    return handle


def read_error(path: Path | str, what: str, exc: OSError) -> InputMissingError:
    """The exit-66 error for an ``OSError`` while reading an opened input."""
    where = "from stdin" if str(path) == "-" else str(path)
    if isinstance(exc, IsADirectoryError):
        return InputMissingError(f"{what} {path} is a directory, expected a file")
    return InputMissingError(f"cannot read {what} {where}: {exc.strerror or exc}")


def read_input(path: Path | str, *, what: str = "input") -> bytes:
    """Read a whole input file; ``-`` means stdin.  Missing -> exit 66."""
    handle = open_input(path, what=what)
    try:
        return handle.read()
    except OSError as exc:
        raise read_error(path, what, exc) from None
    finally:
        if str(path) != "-":
            handle.close()
