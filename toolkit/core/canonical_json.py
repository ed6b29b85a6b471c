"""RFC 8785 (JSON Canonicalization Scheme) for the values enoch hashes or signs.

Our documents hold only objects, arrays, strings, booleans, null and integers,
so the number rule of RFC 8785 reduces to: integers within the exactly
representable IEEE-754 range, printed in decimal.  Floats are refused rather
than canonicalised, because a format that round-trips through doubles is not
one we want to hash.  Object members are sorted by the UTF-16 code units of
their names (RFC 8785 section 3.2.3), which differs from code-point order only
for characters outside the BMP.
"""

from __future__ import annotations

import json
from typing import Any

from toolkit.core.errors import MalformedInputError

_MAX_SAFE_INT = 2**53 - 1
#: Deepest nesting of arrays/objects accepted either way.  Our documents are a
#: few levels deep; the bound keeps every walk far from Python's recursion
#: limit (json.loads alone accepts ~1000 levels, which _check/_sorted and
#: json.dumps could not then handle: RecursionError, exit 70).
MAX_DEPTH = 64


def _check_text(text: str, where: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedInputError(f"string at {where} is not valid Unicode (lone surrogate)") from None


def _check(value: Any, where: str, depth: int = 0) -> None:
    """Refuse what RFC 8785 (over I-JSON) cannot express; MalformedInputError."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        _check_text(value, where)
        return
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INT:
            raise MalformedInputError(f"integer at {where} is outside the canonical JSON range")
        return
    if isinstance(value, (list, dict)) and depth >= MAX_DEPTH:
        raise MalformedInputError(f"value at {where} is nested too deeply (more than {MAX_DEPTH} levels)")
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]", depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise MalformedInputError(f"non-string object key at {where}")
            _check_text(key, f"a member name in {where}")  # before the name is used in messages
            _check(item, f"{where}[{key!r}]", depth + 1)  # repr: one line
        return
    raise MalformedInputError(f"value at {where} has type {type(value).__name__}, not allowed in canonical JSON")


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value, key=lambda k: k.encode("utf-16-be"))}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def canonical_dumps(value: Any) -> bytes:
    """Serialise ``value`` as RFC 8785 canonical JSON (UTF-8 bytes)."""
    _check(value, "$")  # after this, every string encodes and nesting is bounded
    return json.dumps(_sorted(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


_MAX_INT_CHARS = 4000


def strict_loads(data: bytes, *, what: str = "JSON") -> Any:
    """Parse JSON strictly: UTF-8 only, no duplicate keys, no NaN/Infinity,
    no floats, and only what :func:`canonical_dumps` can write back (RFC 8785
    section 3.1 requires I-JSON, RFC 7493: no lone surrogates from ``\\u``
    escapes, integers within +-(2**53 - 1)), nested at most ``MAX_DEPTH``
    deep.  Errors are ``MalformedInputError`` (exit 65)."""

    def no_dupes(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, val in pairs:
            if key in out:
                raise MalformedInputError(f"{what}: duplicate key {key!r}")
            out[key] = val
        return out

    def no_const(name: str) -> Any:
        raise MalformedInputError(f"{what}: {name} is not valid JSON")

    def no_float(text: str) -> Any:
        raise MalformedInputError(f"{what}: non-integer number {text} is not allowed")

    def bounded_int(digits: str) -> int:
        # Python refuses int() of more than 4300 digits with a bare ValueError.
        if len(digits) > _MAX_INT_CHARS:
            raise MalformedInputError(f"{what}: integer of {len(digits)} digits is too long")
        value = int(digits)
        # Security: a value canonical_dumps refuses would make a document
        # that parses but cannot be hashed or re-written (and that other
        # JSON implementations read as a rounded double).
        if abs(value) > _MAX_SAFE_INT:
            shown = digits if len(digits) <= 24 else digits[:20] + "..."
            raise MalformedInputError(f"{what}: integer {shown} is outside the canonical JSON range")
        return value

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInputError(f"{what} is not valid UTF-8") from None
    try:
        value = json.loads(
            text, object_pairs_hook=no_dupes, parse_constant=no_const, parse_float=no_float, parse_int=bounded_int
        )
    except json.JSONDecodeError as exc:
        raise MalformedInputError(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # hostile input: arrays/objects nested thousands deep
        raise MalformedInputError(f"{what}: JSON nested too deeply") from None
    # Accept only what canonical_dumps can write back: UTF-8 input cannot
    # hold a surrogate but a JSON escape \ud800 can (UnicodeEncodeError far
    # from here), and nesting is bounded.
    try:
        _check(value, "$")
    except MalformedInputError as exc:
        raise MalformedInputError(f"{what}: {exc.message}") from None
    return value
