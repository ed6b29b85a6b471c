"""Property tests for toolkit/core/canonical_json.py (RFC 8785 over the I-JSON
subset enoch uses) and toolkit/core/hexutil.py ``parse_hex``.

Properties: canonical_dumps(strict_loads(x)) is a fixed point; strict_loads
accepts exactly what canonical_dumps can write (no lone surrogates, integers
within +-(2**53 - 1)), and on arbitrary bytes raises only MalformedInputError;
member order is the order of UTF-16 code units (computed independently
here); parse_hex on arbitrary text raises only MalformedInputError.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from toolkit.core.canonical_json import MAX_DEPTH, canonical_dumps, strict_loads
from toolkit.core.errors import MalformedInputError
from toolkit.core.hexutil import parse_hex

FAST = settings(max_examples=200, deadline=None)
SAFE = 2**53 - 1

# Keys and strings across the BMP, astral planes and control characters
# (hypothesis' text() never generates lone surrogates).
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
documents = st.recursive(
    st.none() | st.booleans() | st.integers(-SAFE, SAFE) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=5),
    max_leaves=20,
)


def _utf16_units(key: str) -> list[int]:
    """UTF-16 code units of ``key``, computed by hand (RFC 2781 section 2.1)."""
    units: list[int] = []
    for ch in key:
        cp = ord(ch)
        if cp < 0x10000:
            units.append(cp)
        else:
            cp -= 0x10000
            units += [0xD800 | cp >> 10, 0xDC00 | cp & 0x3FF]
    return units


def _key_orders(data: bytes) -> list[list[str]]:
    """The member names of every object in ``data``, in document order."""
    orders: list[list[str]] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        orders.append([k for k, _ in pairs])
        return dict(pairs)

    json.loads(data, object_pairs_hook=hook)
    return orders


@FAST
@given(documents)
@example({"\U0001f600": 1, "\ufb33": 2, "\uffff": 3, "\ud7ff": 4})  # astral sorts before U+E000..U+FFFF
def test_canonical_dumps_is_a_fixed_point(doc: Any) -> None:
    data = canonical_dumps(doc)
    assert strict_loads(data) == doc
    assert canonical_dumps(strict_loads(data)) == data
    assert json.loads(data) == doc  # plain JSON, readable by anyone
    for names in _key_orders(data):
        assert names == sorted(names, key=_utf16_units)


@FAST
@given(documents, st.sampled_from([0, 1, 2]))
def test_any_spelling_canonicalises_to_the_same_bytes(doc: Any, indent: int) -> None:
    # Whitespace, ASCII escapes and member order do not change the canonical form.
    spelled = json.dumps(doc, indent=indent or None, ensure_ascii=bool(indent), sort_keys=indent == 2)
    assert canonical_dumps(strict_loads(spelled.encode())) == canonical_dumps(doc)


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_string_escapes_are_minimal(text: str) -> None:
    # RFC 8785 section 3.2.2.2: only '"', '\\' and U+0000..U+001F are escaped,
    # the seven short forms where JSON has them, else lowercase \u00xx.
    short = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
    expected = "".join(short.get(ch, f"\\u{ord(ch):04x}" if ord(ch) < 0x20 else ch) for ch in text)
    assert canonical_dumps(text) == f'"{expected}"'.encode("utf-8")


@FAST
@given(st.binary(max_size=200))
@example(b'"\\ud800"')  # lone surrogate: valid JSON text, not I-JSON, cannot be written back
@example(b'{"a": "\\udfff"}')
@example(b"9007199254740992")  # 2**53: outside the canonical integer range
@example(b"-9007199254740992")
@example(b"\xef\xbb\xbf{}")
@example(b"[" * 5000)
@example(b"1" * 5000)
def test_strict_loads_only_malformed_and_always_canonicalisable(data: bytes) -> None:
    try:
        value = strict_loads(data)
    except MalformedInputError:
        return
    # Whatever strict_loads accepts, canonical_dumps can write, and back.
    canonical = canonical_dumps(value)
    assert strict_loads(canonical) == value


@FAST
@given(documents.map(lambda d: json.dumps(d, ensure_ascii=True)), st.integers(0, 200))
def test_strict_loads_rejects_truncation_and_trailing_data(text: str, cut: int) -> None:
    data = text.encode()
    if len(data) > 1 and not re.fullmatch(rb"-?[0-9]+", data):  # a number's prefix is a number
        with pytest.raises(MalformedInputError):
            strict_loads(data[: len(data) - 1 - cut % (len(data) - 1)])
    for tail in (b"x", b",", b"{}", b"0" if not data[-1:].isdigit() else b"x"):
        with pytest.raises(MalformedInputError):
            strict_loads(data + tail)


python_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(max_size=2),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner) | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=3),
    max_leaves=10,
)


def _nest(depth: int, leaf: Any) -> Any:
    for i in range(depth):
        leaf = [leaf] if i % 2 else {"k": leaf}
    return leaf


@FAST
@given(python_values)
@example({"\ud800": 1, "a": 2})  # was UnicodeEncodeError from the UTF-16 sort key
@example({"\udfff": None})
@example(["\ud83d"])
@example(_nest(MAX_DEPTH, 0))
@example(_nest(MAX_DEPTH + 1, 0))
def test_canonical_dumps_only_malformed(value: Any) -> None:
    try:
        data = canonical_dumps(value)
    except MalformedInputError as exc:
        assert "\n" not in exc.message
        return
    assert canonical_dumps(strict_loads(data)) == data


@pytest.mark.parametrize("depth", [1, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 500, 990, 5000])
@pytest.mark.parametrize("kind", ["array", "object"])
def test_nesting_bound_is_the_same_both_ways(depth: int, kind: str) -> None:
    # json.loads alone accepts ~990 levels, which canonical_dumps could not
    # then write (RecursionError, exit 70): both sides now stop at MAX_DEPTH.
    # (Regression examples live here: hypothesis cannot print 500-deep values.)
    data = b"[" * depth + b"]" * depth if kind == "array" else b'{"a":' * depth + b"0" + b"}" * depth
    if depth <= MAX_DEPTH:
        value = strict_loads(data)
        assert canonical_dumps(value) == data
    else:
        with pytest.raises(MalformedInputError, match="nested too deeply"):
            strict_loads(data)
        with pytest.raises(MalformedInputError, match="nested too deeply"):
            canonical_dumps(_nest(depth, 0))


@pytest.mark.parametrize("value", [2**53, -(2**53), 10**20])
def test_out_of_range_integers_rejected_both_ways(value: int) -> None:
    with pytest.raises(MalformedInputError):
        canonical_dumps(value)
    with pytest.raises(MalformedInputError, match="canonical JSON range"):
        strict_loads(str(value).encode())


@pytest.mark.parametrize("data", [b'"\\ud800"', b'["\\udc00x"]', b'{"\\ud83d": 1}', b'"\\ude00\\ud83d"'])
def test_lone_surrogates_rejected(data: bytes) -> None:
    with pytest.raises(MalformedInputError, match="surrogate"):
        strict_loads(data)


def test_surrogate_pairs_accepted() -> None:
    assert strict_loads(b'"\\ud83d\\ude00"') == "\U0001f600"


# --- toolkit/hexutil.parse_hex ---


@FAST
@given(st.text(max_size=80), st.none() | st.integers(0, 40))
@example("\u0660\u0661", None)  # Unicode digits are not hex
@example("0x00", None)
@example("", 0)
@example("ab\n", 1)
def test_parse_hex_only_malformed(text: str, length: int | None) -> None:
    try:
        raw = parse_hex(text, what="x", length=length)
    except MalformedInputError:
        return
    assert raw.hex() == text.lower() and (length is None or len(raw) == length)


@FAST
@given(st.binary(max_size=40), st.booleans())
def test_parse_hex_round_trip_and_strict_length(raw: bytes, upper: bool) -> None:
    text = raw.hex().upper() if upper else raw.hex()
    if raw:
        assert parse_hex(text, what="x") == raw
        assert parse_hex(text, what="x", length=len(raw)) == raw
    for bad in (text[:-1], text + "0", " " + text, text + "\n", "0x" + text):
        if bad:
            with pytest.raises(MalformedInputError):
                parse_hex(bad, what="x", length=len(raw))
    with pytest.raises(MalformedInputError):
        parse_hex(text + "00", what="x", length=len(raw))
