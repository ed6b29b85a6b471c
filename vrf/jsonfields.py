"""Strict field access for the small versioned JSON documents of vrf/
(key files, proof records): exact key sets, typed values, lowercase hex."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from toolkit.core.canonical_json import strict_loads
from toolkit.core.errors import MalformedInputError

_LOWER_HEX = frozenset("0123456789abcdef")


def load_object(
    data: bytes, *, what: str, fmt: str, required: Set[str], optional: Set[str] = frozenset()
) -> dict[str, Any]:
    """Parse ``data`` as one JSON object with ``"format": fmt`` and exactly
    the ``required`` keys plus any of ``optional``."""
    obj = strict_loads(data, what=what)
    if not isinstance(obj, dict):
        raise MalformedInputError(f"{what} must be a JSON object")
    if obj.get("format") != fmt:
        raise MalformedInputError(f"{what}: format must be {fmt!r}, got {obj.get('format')!r}")
    missing = sorted(required - obj.keys())
    if missing:
        raise MalformedInputError(f"{what}: missing key(s) {', '.join(missing)}")
    unknown = sorted(obj.keys() - required - optional)
    if unknown:
        raise MalformedInputError(f"{what}: unknown key(s) {', '.join(unknown)}")
    return obj


def text_field(obj: dict[str, Any], key: str, *, what: str) -> str:
    """``obj[key]``, which must be a string of valid Unicode (exit 65 otherwise)."""
    value = obj[key]
    if not isinstance(value, str):
        raise MalformedInputError(f"{what}: {key} must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedInputError(f"{what}: {key} is not valid Unicode (lone surrogate)") from None
    return value


def hex_field(obj: dict[str, Any], key: str, *, what: str, length: int | None = None) -> bytes:
    """Lowercase hex, even length, optionally an exact byte length (empty allowed
    only when ``length`` is None or 0)."""
    value = text_field(obj, key, what=what)
    if not _LOWER_HEX.issuperset(value) or len(value) % 2:
        raise MalformedInputError(f"{what}: {key} must be lowercase hex with an even number of digits")
    raw = bytes.fromhex(value)
    if length is not None and len(raw) != length:
        raise MalformedInputError(f"{what}: {key} must be {length} bytes, got {len(raw)}")
    return raw
