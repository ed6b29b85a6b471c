"""Collect the files to pack from ``SRC...`` arguments.

* A file argument is stored under its own name (the basename of the path as
  given, even if it is a symlink the user named explicitly).
* A directory argument contributes every file below it, stored relative to
  it.  A symlink inside it is followed only if its target lies inside the
  same directory (otherwise refused, exit 2), and directory symlink loops are
  refused.  FIFOs, sockets and devices are refused (exit 2).
* Two inputs with the same stored path, a stored path that is both a file
  and the directory of another (``a`` and ``a/b``), a path that is not valid
  Unicode or not storable (see :mod:`inscriptions.batch.relpath`), and an input
  with no files at all are refused, before anything is compressed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from inscriptions.batch.relpath import (
    MAX_PATH_BYTES,
    check_no_prefix_conflicts,
    check_relative_path,
    path_sort_key,
)
from toolkit.core.errors import (
    InputMissingError,
    MalformedInputError,
    UsageError,
    VerificationError,
)
from toolkit.core.fsio import display_path


@dataclass(frozen=True)
class InputFile:
    """A file to pack: its stored relative path and where to read it."""

    path: str
    source: Path
    size: int


def _stored(parts: list[str], where: Path) -> str:
    rel = "/".join(parts)
    try:
        return check_relative_path(rel)
    except MalformedInputError as exc:
        raise MalformedInputError(f"cannot store {display_path(where)}: {exc.message}") from None


def _inside(root: str, target: str) -> bool:
    return os.path.commonpath([root, target]) == root


def _walk(root: str, directory: str, parts: list[str], ancestors: frozenset[str], out: list[InputFile]) -> None:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        raise InputMissingError(f"cannot read directory {display_path(directory)}: {exc.strerror}") from None
    for entry in entries:
        shown = display_path(entry.path)
        if len(os.fsencode("/".join([*parts, entry.name]))) > MAX_PATH_BYTES:
            # Checked before the OS is asked (which would fail with
            # ENAMETOOLONG, "unreadable"): the stored path is too long (65).
            _stored([*parts, entry.name], Path(entry.path))
        real = os.path.realpath(entry.path)
        if entry.is_symlink() and not _inside(root, real):
            raise UsageError(f"symlink {shown} points outside the source directory; refusing to pack it")
        try:
            st = os.stat(real)
        except OSError:
            raise InputMissingError(f"cannot read {shown} (dangling symlink or unreadable)") from None
        if stat.S_ISDIR(st.st_mode):
            if real in ancestors:
                raise UsageError(f"symlink loop at {shown}; refusing to pack it")
            _walk(root, real, [*parts, entry.name], ancestors | {real}, out)
        elif stat.S_ISREG(st.st_mode):
            out.append(InputFile(_stored([*parts, entry.name], Path(entry.path)), Path(real), st.st_size))
        else:
            raise UsageError(f"{shown} is not a regular file (FIFO, socket or device); refusing to pack it")


def collect_inputs(sources: list[Path]) -> list[InputFile]:
    """All files to pack, sorted by stored path (UTF-8 bytes)."""
    found: list[InputFile] = []
    for src in sources:
        try:
            st = os.stat(src)
        except FileNotFoundError:
            raise InputMissingError(f"input {display_path(src)} does not exist") from None
        except OSError as exc:
            raise InputMissingError(f"cannot read input {display_path(src)}: {exc.strerror}") from None
        if stat.S_ISDIR(st.st_mode):
            root = os.path.realpath(src)
            _walk(root, root, [], frozenset({root}), found)
        elif stat.S_ISREG(st.st_mode):
            name = Path(os.path.abspath(src)).name
            found.append(InputFile(_stored([name], src), Path(os.path.realpath(src)), st.st_size))
        else:
            raise UsageError(f"{display_path(src)} is not a regular file or directory; refusing to pack it")
    if not found:
        raise InputMissingError("nothing to pack: the inputs contain no files")
    found.sort(key=lambda f: path_sort_key(f.path))
    for a, b in zip(found, found[1:], strict=False):
        if a.path == b.path:
            raise UsageError(f"two inputs would both be stored as {a.path!r}")
    try:
        check_no_prefix_conflicts([f.path for f in found])
    except VerificationError as exc:  # the manifest would be inconsistent: say so before packing
        raise UsageError(f"inputs conflict: {exc.reason}") from None
    return found


def check_output_outside(sources: list[Path], out: Path, what: str = "source") -> None:
    """Refuse an output directory inside a source directory (a later
    ``--overwrite`` run would pack the previous batch into the new one), and
    a source inside (or equal to) the output: ``--overwrite`` replaces the
    whole output directory, which would delete the source."""
    target = os.path.realpath(out)
    for src in sources:
        real = os.path.realpath(src)
        if os.path.isdir(src) and _inside(real, target):
            raise UsageError(f"output {display_path(out)} is inside the {what} directory {display_path(src)}")
        if _inside(target, real):
            raise UsageError(f"the {what} {display_path(src)} is inside the output {display_path(out)}; --overwrite would delete it")
