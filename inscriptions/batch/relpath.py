"""Relative paths as a batch stores them: POSIX, normalised, never escaping.

A stored path is a non-empty sequence of ``/``-separated components, none of
them empty, ``.`` or ``..``; no leading ``/``; no backslash (a separator on
Windows), NUL or other control characters, no bidirectional controls
(U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069); valid Unicode.  Such a path joined
onto a directory can only name something inside it.  Paths are ordered by
their UTF-8 bytes (SPEC I).
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from toolkit.core.errors import MalformedInputError, VerificationError

MAX_PATH_BYTES = 4096
#: Unicode's Bidi_Control characters (ALM, LRM, RLM, LRE..RLO, LRI..PDI):
#: invisible, they make a path display as another ("txt.exe" shown as
#: "exe.txt"), so they are refused like control characters.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_relative_path(path: str) -> str:
    """Return ``path`` if it is a valid stored path, else raise ``MalformedInputError``."""
    if not isinstance(path, str) or not path:
        raise MalformedInputError("path is empty")
    try:
        raw = path.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedInputError(f"path {path!r} is not valid Unicode") from None
    if len(raw) > MAX_PATH_BYTES:
        raise MalformedInputError(f"path {path[:40]!r}... is longer than {MAX_PATH_BYTES} bytes")
    if any(unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS for ch in path) or "\\" in path:
        raise MalformedInputError(f"path {path!r} contains a control character, a bidirectional control or a backslash")
    if path.startswith("/"):
        raise MalformedInputError(f"path {path!r} is absolute")
    for part in path.split("/"):
        if part in ("", ".", ".."):
            raise MalformedInputError(f"path {path!r} is not normalised or escapes the batch")
    return path


def path_sort_key(path: str) -> bytes:
    """The order of stored paths: their UTF-8 bytes."""
    return path.encode("utf-8")


def check_no_prefix_conflicts(paths: list[str]) -> None:
    """Refuse a file that is also a directory of another file ("a" and "a/b")."""
    names = set(paths)
    for path in paths:
        parts = path.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in names:
                raise VerificationError(f"path {prefix!r} is both a file and a directory of {path!r}")


def portability_conflicts(paths: list[str]) -> list[tuple[str, str]]:
    """Pairs of distinct paths that name the same file where names are
    compared case-insensitively after Unicode normalisation (NFC vs NFD
    ``café``, ``README`` vs ``readme``).  Both are valid stored paths; only a
    warning is due, since unpacking them on such a filesystem fails cleanly."""
    seen: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    for path in paths:
        key = unicodedata.normalize("NFC", path).casefold()
        if key in seen:
            pairs.append((seen[key], path))
        else:
            seen[key] = path
    return pairs


def safe_join(root: Path, path: str) -> Path:
    """``root / path`` after checking ``path``; the result is inside ``root``."""
    check_relative_path(path)
    target = root.joinpath(*path.split("/"))
    root_abs = os.path.abspath(root)
    if os.path.commonpath([root_abs, os.path.abspath(target)]) != root_abs:  # belt and braces
        raise MalformedInputError(f"path {path!r} escapes the output directory")
    return target
