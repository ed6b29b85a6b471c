"""RFC 8785 canonical JSON, and the strict loader."""

from __future__ import annotations

import pytest

from toolkit.core.canonical_json import canonical_dumps, strict_loads
from toolkit.core.errors import MalformedInputError


def test_rfc8785_sorting_example() -> None:
    # RFC 8785 section 3.2.3: members sorted by UTF-16 code units.
    obj = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = [k for k in strict_loads(canonical_dumps(obj))]
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_escapes_and_compactness() -> None:
    assert canonical_dumps({"b": [1, True, None], "a": "x\n\"\u001f\u00e9"}) == (
        b'{"a":"x\\n\\"\\u001f\xc3\xa9","b":[1,true,null]}'
    )


@pytest.mark.parametrize("bad", [1.5, 2**53, {"k": float("nan")}, b"bytes"])
def test_refuses_non_canonical_values(bad: object) -> None:
    with pytest.raises(MalformedInputError):
        canonical_dumps(bad)


def test_round_trip() -> None:
    obj = {"z": {"y": [0, -1, 2**53 - 1]}, "\u00e9": ""}
    assert canonical_dumps(strict_loads(canonical_dumps(obj))) == canonical_dumps(obj)


@pytest.mark.parametrize(
    "data",
    [b'{"a":1,"a":2}', b'{"a":NaN}', b'{"a":1.0}', b"\xff", b'{"a":', b""],
    ids=["duplicate", "nan", "float", "not-utf8", "truncated", "empty"],
)
def test_strict_loads_rejects(data: bytes) -> None:
    with pytest.raises(MalformedInputError):
        strict_loads(data)
