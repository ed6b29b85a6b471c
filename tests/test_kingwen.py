"""The packaged King Wen table equals the fixture copy, and is validated on load."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import fixture_path, load_json
from toolkit.core.errors import InternalError
from toolkit.randomness.kingwen import parse_table, table

PACKAGED = Path(__file__).resolve().parent.parent / "toolkit" / "data" / "king-wen.json"
FIXTURE = load_json("king-wen", "king-wen.json")


def test_package_data_equals_fixture() -> None:
    assert PACKAGED.read_bytes() == fixture_path("king-wen", "king-wen.json").read_bytes()


def test_table_matches_fixture_entry_by_entry() -> None:
    kw = table()
    for entry in FIXTURE["hexagrams"]:
        h = kw.by_number(entry["number"])
        assert (h.lines, h.name_english, h.name_pinyin, h.name_chinese, h.glyph) == (
            entry["lines"], entry["name_english"], entry["name_pinyin"], entry["name_chinese"], entry["unicode"]
        )
        assert (h.lower.key, h.upper.key) == (entry["lower_trigram"], entry["upper_trigram"])
        assert kw.by_lines[entry["lines"]] is h
        assert int(h.lines[::-1], 2) == entry["value_top_msb"]


@pytest.mark.parametrize(
    ("number", "lines", "name"),
    [(1, "111111", "The Creative"), (2, "000000", "The Receptive"), (11, "111000", "Peace"),
     (12, "000111", "Standstill (Stagnation)"), (63, "101010", "After Completion"), (64, "010101", "Before Completion")],
)
def test_well_known_hexagrams(number: int, lines: str, name: str) -> None:
    h = table().by_number(number)
    assert (h.lines, h.name_english) == (lines, name)


def _corrupt(mutate: Any) -> dict[str, Any]:
    doc = copy.deepcopy(FIXTURE)
    mutate(doc)
    return doc


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["hexagrams"].pop(),
        lambda d: d["hexagrams"][0].update(number=2),
        lambda d: d["hexagrams"][5].update(lines=d["hexagrams"][6]["lines"]),
        lambda d: d["hexagrams"][9].update(unicode="X"),
        lambda d: d["trigrams"][0].update(lines="000"),
    ],
)
def test_corrupt_tables_are_refused(mutate: Any) -> None:
    with pytest.raises(InternalError):
        parse_table(_corrupt(mutate))


def test_by_number_range() -> None:
    with pytest.raises(ValueError):
        table().by_number(65)


def test_fixture_is_the_json_it_claims() -> None:
    assert json.loads(PACKAGED.read_text(encoding="utf-8"))["hexagrams"][0]["number"] == 1
