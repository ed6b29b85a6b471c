"""Crash-safe replacement of an output directory, and the sweep of what
killed runs left next to it (used by :func:`toolkit.core.fsio.atomic_directory`).

Every output directory ``NAME`` is built as a sibling ``.NAME.XXXXXXXX.tmp``
(``XXXXXXXX``: mkdtemp's eight random characters), locked with ``flock``
while its run is alive.  Putting it in place:

* ``NAME`` absent: one rename (``RENAME_NOREPLACE`` where available, so a
  ``NAME`` that appeared meanwhile is never replaced silently);
* ``NAME`` present (``--overwrite``): on Linux one ``renameat2`` with
  ``RENAME_EXCHANGE`` swaps the two atomically, then the old tree (now under
  the temporary name) is removed.  A kill at any moment leaves ``NAME``
  complete, old or new.  Where the kernel or file system lacks the exchange,
  two renames are used (``NAME`` -> ``.NAME.XXXXXXXX.old``, then the new one
  -> ``NAME``); a kill between them leaves no ``NAME``, and the next run
  writing ``NAME`` restores it from the ``.old`` sibling before doing
  anything else (documented recovery, docs/batch.md).

The sweep, at the start of every run writing ``NAME``: a ``.tmp`` or ``.old``
sibling whose lock can be taken belongs to a dead run.  A restorable
``.old`` is renamed back to ``NAME``; other stale siblings are removed --
except one holding a batch secret (a file named in :data:`SECRET_FILE_NAMES`,
or its own temporary), which is kept and reported with a warning naming it:
it holds keys whose addresses were never shown, and only the user decides.
Warnings go to the ``enoch`` logger; with no logging configured (the CLI)
Python prints them on stderr as they are, one line each.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolkit.core.errors import OutputExistsError

log = logging.getLogger("enoch")

#: A stale temporary holding one of these (or a temporary of one) is never
#: deleted by the sweep: ``inscribe plan``'s secret, written before any
#: address is derived from it.
SECRET_FILE_NAMES = frozenset({"batch-secret.json"})

_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
#: errno values meaning "this kernel or file system cannot do that rename".
_UNSUPPORTED = frozenset({errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP})


@functools.cache
def _libc_renameat2() -> Any:
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    except OSError:  # pragma: no cover - no C library to load
        return None


def renameat2(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2(2)`` with ``flags``; False when unavailable here (no libc
    function, or the kernel or file system does not support ``flags``)."""
    fn = _libc_renameat2()
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(src), None, str(dst))


def lock_temporary(path: Path) -> int:
    """Open and ``flock`` the fresh temporary directory ``path`` for this run;
    returns the descriptor (closing it releases the lock).  Raises
    ``FileNotFoundError`` if a sweep removed it before it was locked."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks only while a sweep inspects it
        if not os.path.samestat(os.fstat(fd), os.lstat(path)):
            raise FileNotFoundError(errno.ENOENT, "temporary directory removed by a sweep", str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd


def put_in_place(tmp: Path, target: Path, *, overwrite: bool) -> Path | None:
    """Move the finished ``tmp`` to ``target``.  Returns the path now holding
    the replaced output (to be removed by the caller), or None."""
    if not os.path.lexists(target):
        if renameat2(tmp, target, _RENAME_NOREPLACE):
            return None
        if os.path.lexists(target):  # pragma: no cover - raced, without NOREPLACE
            raise FileExistsError(errno.EEXIST, "exists", str(target))
        os.rename(tmp, target)
        return None
    if not overwrite:
        raise OutputExistsError(f"{target} exists; pass --overwrite to replace it")
    if exchange(tmp, target):
        return tmp  # the old output, now under the temporary's name
    old = old_name(tmp)
    move_aside(target, old)
    try:
        move_in(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):  # put the previous output back
            os.rename(old, target)
        raise
    return old


# The steps of a replacement, one function each so that a test can kill the
# process between them.


def exchange(tmp: Path, target: Path) -> bool:
    """Swap ``tmp`` and ``target`` atomically; False where unsupported."""
    return renameat2(tmp, target, _RENAME_EXCHANGE)


def move_aside(target: Path, old: Path) -> None:
    """Fallback step 1: the old output to its ``.old`` name."""
    os.rename(target, old)


def move_in(tmp: Path, target: Path) -> None:
    """Fallback step 2: the new output into place."""
    os.rename(tmp, target)


def discard(path: Path) -> None:
    """Remove a replaced output: best effort, never following a symlink."""
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(OSError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def old_name(tmp: Path) -> Path:
    """The ``.old`` sibling paired with a ``.tmp`` (same random part)."""
    return tmp.with_name(tmp.name[: -len(".tmp")] + ".old")


def _siblings(target: Path) -> Iterator[tuple[Path, str]]:
    parent = target.parent if str(target.parent) else Path(".")
    pattern = re.compile(re.escape(f".{target.name}.") + r"[a-z0-9_]{8}\.(tmp|old)")
    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return
    for name in names:
        m = pattern.fullmatch(name)
        if m:
            yield parent / name, m.group(1)


@contextlib.contextmanager
def _if_stale(path: Path) -> Iterator[bool]:
    """True inside when ``path`` is a directory no live run has locked (a
    dead run's); the lock is held meanwhile so no run can start using it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:  # gone, a symlink or a file: not a temporary we made
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False  # a live run
            return
        yield os.path.samestat(os.fstat(fd), os.lstat(path))
    finally:
        os.close(fd)


def _holds_secret(path: Path) -> bool:
    try:
        names = os.listdir(path)
    except OSError:
        return True  # cannot tell: keep it
    return any(n in SECRET_FILE_NAMES or any(n.startswith(f".{s}.") for s in SECRET_FILE_NAMES) for n in names)


def sweep_stale(target: Path) -> list[Path]:
    """Clean what killed runs left next to ``target`` (see the module
    docstring); returns the stale temporaries kept because they hold a secret."""
    kept: list[Path] = []
    for path, kind in _siblings(target):
        with _if_stale(path) as stale:
            if not stale:
                continue
            if kind == "old" and not os.path.lexists(target):
                tmp = path.with_name(path.name[: -len(".old")] + ".tmp")
                with _if_stale(tmp) as tmp_stale:
                    if tmp_stale or not os.path.lexists(tmp):
                        # A fallback replacement was killed between its two
                        # renames: the previous output comes back.
                        os.rename(path, target)
                        log.warning(f"warning: restored {target} from {path}, left by a run killed while replacing it")
                continue
            if _holds_secret(path):
                kept.append(path)
                log.warning(
                    f"warning: {path} was left by a killed run and holds a batch secret whose addresses were never shown; "
                    "it is kept: remove it yourself when you are sure it is not needed"
                )
                continue
            shutil.rmtree(path, ignore_errors=True)
    return kept
