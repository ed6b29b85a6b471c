"""Content types for packed files: our own fixed table, never the OS
``mimetypes`` database (which differs between machines and would make the
manifest, and so the root, machine-dependent).

Overrides (``--content-type GLOB=TYPE``) are tried first, in the order given;
a glob is matched case-sensitively against the whole relative path with
``fnmatch`` rules (``*`` also matches ``/``).  Otherwise the lowercased
extension decides; unknown extensions are ``application/octet-stream``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from inscriptions.batch.manifest import check_content_type
from toolkit.core.errors import MalformedInputError, UsageError

DEFAULT_TYPE = "application/octet-stream"

#: extension (lowercase, without the dot) -> content type, as ord serves them.
EXTENSION_TYPES: dict[str, str] = {
    "avif": "image/avif",
    "bin": "application/octet-stream",
    "css": "text/css",
    "csv": "text/csv;charset=utf-8",
    "flac": "audio/flac",
    "gif": "image/gif",
    "glb": "model/gltf-binary",
    "gltf": "model/gltf+json",
    "htm": "text/html;charset=utf-8",
    "html": "text/html;charset=utf-8",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "js": "text/javascript",
    "json": "application/json",
    "md": "text/markdown;charset=utf-8",
    "mjs": "text/javascript",
    "mp3": "audio/mpeg",
    "mp4": "video/mp4",
    "otf": "font/otf",
    "pdf": "application/pdf",
    "png": "image/png",
    "py": "application/x-python",
    "stl": "model/stl",
    "svg": "image/svg+xml",
    "toml": "application/toml",
    "ttf": "font/ttf",
    "txt": "text/plain;charset=utf-8",
    "wasm": "application/wasm",
    "wav": "audio/wav",
    "webm": "video/webm",
    "webp": "image/webp",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "xml": "application/xml",
    "yaml": "application/yaml",
    "yml": "application/yaml",
}


def parse_override(spec: str) -> tuple[str, str]:
    """``"GLOB=TYPE"`` -> ``(glob, type)``; the type is checked."""
    glob, sep, ctype = spec.partition("=")
    if not sep or not glob or not ctype:
        raise UsageError(f"--content-type expects GLOB=TYPE, got {spec!r}")
    try:
        check_content_type(ctype)
    except MalformedInputError as exc:
        raise UsageError(f"--content-type {spec!r}: {exc.message}") from None
    return glob, ctype


def content_type_for(path: str, overrides: Sequence[tuple[str, str]] = ()) -> str:
    """The content type of the file stored at relative ``path``."""
    for glob, ctype in overrides:
        if fnmatch.fnmatchcase(path, glob):
            return ctype
    name = path.rsplit("/", 1)[-1]
    if "." not in name.lstrip("."):
        return DEFAULT_TYPE
    return EXTENSION_TYPES.get(name.rsplit(".", 1)[-1].lower(), DEFAULT_TYPE)
