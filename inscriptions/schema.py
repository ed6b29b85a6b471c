"""Strict field access for enoch's JSON formats (manifest, proofs, plan, batch secret).

Every helper raises ``MalformedInputError`` (exit 65) with the location of
the bad field.  Hex must be lowercase (the canonical form we write).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from toolkit.core.canonical_json import strict_loads
from toolkit.core.errors import MalformedInputError

Obj = dict[str, Any]
_LOWER_HEX = re.compile(r"(?:[0-9a-f]{2})*")


def obj(value: Any, where: str, keys: set[str] | None, optional: frozenset[str] = frozenset()) -> Obj:
    """``value`` as a JSON object with exactly ``keys`` plus any of
    ``optional`` (any keys if ``keys`` is None)."""
    if not isinstance(value, dict):
        raise MalformedInputError(f"{where} must be a JSON object")
    if keys is not None:
        unknown = sorted(set(value) - keys - optional)
        if unknown:
            raise MalformedInputError(f"{where}: unknown key {unknown[0]!r}")
        missing = sorted(keys - set(value))
        if missing:
            raise MalformedInputError(f"{where}: missing key {missing[0]!r}")
    return value


def str_field(o: Obj, key: str) -> str:
    """``o[key]`` as a string."""
    value = o[key]
    if not isinstance(value, str):
        raise MalformedInputError(f"{key} must be a string")
    return value


def int_field(o: Obj, key: str, *, minimum: int = 0) -> int:
    """``o[key]`` as an integer (never a bool) of at least ``minimum``."""
    value = o[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedInputError(f"{key} must be an integer")
    if value < minimum:
        raise MalformedInputError(f"{key} must be at least {minimum}, got {value}")
    return value


def parse_lower_hex(value: Any, what: str, length: int) -> bytes:
    """Lowercase hex of exactly ``length`` bytes."""
    if not isinstance(value, str) or not _LOWER_HEX.fullmatch(value) or len(value) != 2 * length:
        raise MalformedInputError(f"{what} must be {2 * length} lowercase hex digits")
    return bytes.fromhex(value)


def hex_field(o: Obj, key: str, length: int) -> bytes:
    """``o[key]`` as lowercase hex of exactly ``length`` bytes."""
    return parse_lower_hex(o[key], key, length)


def load_versioned(data: bytes, what: str, fmt: str, keys: set[str], optional: frozenset[str] = frozenset()) -> Obj:
    """Parse a versioned document: strict JSON, ``"format": fmt`` (checked
    first, so a future version gets a clear message), exactly ``keys`` plus
    any of ``optional``."""
    o = obj(strict_loads(data, what=what), what, None)
    if o.get("format") != fmt:
        shown = o.get("format")
        shown = shown[:60] if isinstance(shown, str) else shown if isinstance(shown, int | None) else type(shown).__name__
        raise MalformedInputError(f"{what} format is {shown!r}, expected {fmt!r}")
    return obj(o, what, keys, optional)


@contextlib.contextmanager
def located(where: str) -> Iterator[None]:
    """Prefix a ``MalformedInputError`` raised inside with ``where`` (e.g.
    ``shards[3]``), so the message names the entry, not just the key."""
    try:
        yield
    except MalformedInputError as exc:
        if exc.message.startswith(where):
            raise
        raise MalformedInputError(f"{where}: {exc.message}") from None
