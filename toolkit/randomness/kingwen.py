"""The King Wen table of the 64 hexagrams, loaded from the package data file
``toolkit/data/king-wen.json`` (a copy of the project's reference table).

Every entry is validated on load: 64 hexagrams numbered 1..64, each 6-line
pattern exactly once, trigram composition consistent with the lines, and the
glyph at U+4DC0 + number - 1 (the Unicode block is in King Wen order).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.core.errors import InternalError


@dataclass(frozen=True)
class Trigram:
    """One of the eight trigrams of the table."""

    key: str
    lines: str  # bottom line first, "1" = yang
    name_pinyin: str
    name_chinese: str
    name_english: str
    image: str
    glyph: str


@dataclass(frozen=True)
class Hexagram:
    """One of the 64 hexagrams, in King Wen numbering."""

    number: int  # King Wen number 1..64
    lines: str  # six "0"/"1" characters, bottom (line 1) first, "1" = yang
    name_english: str
    name_pinyin: str
    name_chinese: str
    glyph: str
    lower: Trigram
    upper: Trigram

    def summary(self) -> dict[str, Any]:
        """The ``primary`` / ``relating`` object of ``hexagram --json`` (SPEC C)."""
        return {
            "number": self.number,
            "name": self.name_english,
            "lines": self.lines,
            "name_pinyin": self.name_pinyin,
            "name_chinese": self.name_chinese,
            "glyph": self.glyph,
        }


@dataclass(frozen=True)
class KingWenTable:
    """The validated table, by number and by line pattern."""

    hexagrams: tuple[Hexagram, ...]  # index = number - 1
    by_lines: dict[str, Hexagram]

    def by_number(self, number: int) -> Hexagram:
        """The hexagram with King Wen ``number`` (1..64)."""
        if not 1 <= number <= 64:
            raise ValueError("hexagram numbers are 1..64")
        return self.hexagrams[number - 1]


def _bad(message: str) -> InternalError:
    return InternalError(f"packaged King Wen table is corrupt: {message}")


def parse_table(doc: dict[str, Any]) -> KingWenTable:
    """Build and validate the table from the JSON document."""
    trigrams = {
        t["key"]: Trigram(
            t["key"], t["lines"], t["name_pinyin"], t["name_chinese"], t["name_english"], t["image"], t["unicode"]
        )
        for t in doc["trigrams"]
    }
    if sorted(t.lines for t in trigrams.values()) != sorted(format(i, "03b") for i in range(8)):
        raise _bad("trigrams are not the 8 three-line patterns")
    hexagrams: list[Hexagram] = []
    for number, entry in enumerate(doc["hexagrams"], start=1):
        lower, upper = trigrams[entry["lower_trigram"]], trigrams[entry["upper_trigram"]]
        h = Hexagram(
            entry["number"],
            entry["lines"],
            entry["name_english"],
            entry["name_pinyin"],
            entry["name_chinese"],
            entry["unicode"],
            lower,
            upper,
        )
        if h.number != number:
            raise _bad(f"entry {number} has number {h.number}")
        if h.lines != lower.lines + upper.lines:
            raise _bad(f"hexagram {number}: lines do not match its trigrams")
        if h.glyph != chr(0x4DC0 + number - 1):
            raise _bad(f"hexagram {number}: glyph is not U+{0x4DC0 + number - 1:04X}")
        hexagrams.append(h)
    by_lines = {h.lines: h for h in hexagrams}
    if len(hexagrams) != 64 or len(by_lines) != 64:
        raise _bad("expected 64 hexagrams with distinct line patterns")
    return KingWenTable(tuple(hexagrams), by_lines)


@cache
def table() -> KingWenTable:
    """The packaged table (read and validated once per process)."""
    # A plain path (package data is installed next to the module): cheaper
    # to import than importlib.resources, which matters for cold start.
    raw = (Path(__file__).resolve().parent.parent / "data" / "king-wen.json").read_bytes()
    return parse_table(json.loads(raw))
