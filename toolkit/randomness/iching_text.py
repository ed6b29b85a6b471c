"""Human rendering of a cast hexagram: the six lines drawn top to bottom,
moving lines marked, then glyph, number and names of primary and relating."""

from __future__ import annotations

import json
from typing import Any

from toolkit.randomness.iching import Casting
from toolkit.randomness.kingwen import Hexagram

_YANG = "━━━━━━━━━"
_YIN = "━━━   ━━━"
# The traditional marks of moving lines: 9 (old yang) a circle, 6 (old yin) a cross.
_DRAW = {6: (_YIN, "x  moving"), 7: (_YANG, ""), 8: (_YIN, ""), 9: (_YANG, "o  moving")}


def _name(h: Hexagram) -> str:
    return f"{h.glyph}  {h.number:>2}  {h.name_pinyin} {h.name_chinese}  {h.name_english}"


def _source_line(source: dict[str, Any]) -> str:
    parts = []
    if "block_hash" in source:
        parts.append(f"block {source['block_hash']}")
    if source["kind"] == "vrf":
        parts.append(f"vrf beta {source['beta']}")
    parts.append("context " + json.dumps(source["context"], ensure_ascii=False))
    return "  ".join(parts)


def render_casting(casting: Casting, source: dict[str, Any]) -> str:
    """The text ``enoch hexagram`` prints."""
    out = [_source_line(source) + f"  method {casting.method}", ""]
    for position in range(6, 0, -1):  # top line first, as a hexagram is drawn
        value = casting.lines[position - 1]
        drawing, mark = _DRAW[value]
        out.append(f"  {position}  {drawing}  {value}  {mark}".rstrip())
    out.append("")
    out.append(f"primary   {_name(casting.primary)}")
    if casting.relating is None:
        out.append("relating  none (no moving lines)")
    else:
        moving = ", ".join(str(p) for p in casting.moving)
        out.append(f"relating  {_name(casting.relating)}   (moving lines {moving})")
    return "\n".join(out)
