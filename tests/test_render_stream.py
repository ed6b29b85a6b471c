"""StreamedResult: the renderer's streaming path writes exactly the bytes of
the one-shot JSON/text forms (the --json contract of SPEC C)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from toolkit.cli.render import SimpleResult, StreamedResult, dumps_json, render


def _result(items: list[dict[str, Any]], data: dict[str, Any]) -> StreamedResult:
    def gen() -> Iterator[dict[str, Any]]:
        yield from items

    return StreamedResult(data, "transactions", gen, lambda: (str(i["hex"]) for i in items))


@pytest.mark.parametrize(
    "items,data",
    [
        ([], {}),
        ([{"hex": "00" * 10, "z": [1, {"b": None, "a": "é"}]}], {"index": "p/index.json"}),
        ([{"hex": "ab", "n": 1}, {"hex": "cd", "n": 2}], {"a": 1, "zz": {"y": [True, "\u2603"]}, "ok": "x\ny"}),
    ],
)
def test_streamed_json_equals_one_shot(items: list[dict[str, Any]], data: dict[str, Any]) -> None:
    result = _result(items, data)
    out = io.StringIO()
    render(result, json_mode=True, out=out)
    assert out.getvalue() == dumps_json(data | {"transactions": items}) + "\n"
    assert json.loads(out.getvalue())["transactions"] == items
    text = io.StringIO()
    render(result, json_mode=False, out=text)
    one_shot = io.StringIO()
    render(SimpleResult({}, "\n".join(i["hex"] for i in items)), json_mode=False, out=one_shot)
    assert text.getvalue() == one_shot.getvalue()


def test_items_are_produced_lazily() -> None:
    produced: list[int] = []

    def gen() -> Iterator[dict[str, Any]]:
        for n in range(3):
            produced.append(n)
            yield {"n": n}

    written: list[str] = []

    class Sink(io.StringIO):
        def write(self, s: str) -> int:
            written.append(f"{len(produced)}:{s}")
            return len(s)

    render(StreamedResult({}, "transactions", gen, lambda: iter(())), json_mode=True, out=Sink())
    # Item n is written before item n + 1 is produced: one at a time in memory.
    assert [w for w in written if '"n"' in w] == ['1:{"n": 0}', '2:, {"n": 1}', '3:, {"n": 2}']
