"""Helpers shared by the batch tests: small deterministic content and
manifest surgery (edit a manifest and re-canonicalise it)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolkit.core.canonical_json import canonical_dumps


def noise(n: int, tag: bytes = b"noise") -> bytes:
    return hashlib.shake_256(tag).digest(n)


def write_files(root: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (relative POSIX path -> bytes) below ``root``; return ``root``."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def make_tree(root: Path) -> Path:
    """A small source tree: several shards at --shard-size 4096, a unicode
    name, an empty file and a nested directory."""
    files = {
        "a.json": b"".join(b'{"id":%d,"v":"%s"}\n' % (i, hashlib.sha256(b"%d" % i).hexdigest()[:12].encode()) for i in range(900)),
        "img/noise.bin": noise(9000),
        "empty.txt": b"",
        "\u00fcber/\u2713 caf\u00e9.html": "<p>\u00e9nochien</p>\n".encode(),
    }
    return write_files(root, files)


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (relative POSIX path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def edit_manifest(batch: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``change`` to the manifest JSON and write it back canonically."""
    path = batch / "manifest.json"
    doc = json.loads(path.read_bytes())
    change(doc)
    path.write_bytes(canonical_dumps(doc))


def flip_hex(value: str) -> str:
    """Change the first hex digit (still valid lowercase hex)."""
    return ("1" if value[0] == "0" else "0") + value[1:]
