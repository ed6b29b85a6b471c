"""An independent, deliberately plain re-derivation of SPEC R, written from the
spec text alone: it imports nothing from ``toolkit`` and shares no code with
it.  Tests compare the toolkit against it on every vector, so a vector checked
here is not just the toolkit's own output read back."""

from __future__ import annotations

import hashlib
import struct
from typing import Any

from tests.fixtures import load_json


def stream_bytes(kind: str, source: bytes, context: str, n: int) -> bytes:
    """The first n bytes of SHAKE256(lp(domain) || lp(kind) || lp(source) || lp(context))."""
    fields = [b"enoch/randomness/v1", kind.encode(), source, context.encode("utf-8")]
    absorbed = b"".join(struct.pack(">I", len(f)) + f for f in fields)
    return hashlib.shake_256(absorbed).digest(n)


class Reader:
    """Reads a stream front to back (materialised generously up front)."""

    def __init__(self, kind: str, source: bytes, context: str, size: int = 1 << 15) -> None:
        self.data = stream_bytes(kind, source, context, size)
        self.pos = 0

    def take(self, n: int) -> bytes:
        assert self.pos + n <= len(self.data), "reference stream too short for this test"
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def integer(self, lo: int, hi: int) -> int:
        n = hi - lo + 1
        bits = 0
        while (1 << bits) < n:  # bitlen(n - 1)
            bits += 1
        k = max(1, -(-bits // 8))
        while True:
            x = 0
            for byte in self.take(k):
                x = x * 256 + byte
            x %= 1 << bits  # == x & mask
            if x < n:
                return lo + x

    def shuffle(self, items: list[Any]) -> list[Any]:
        a = list(items)
        i = len(a) - 1
        while i >= 1:
            j = self.integer(0, i)
            a[i], a[j] = a[j], a[i]
            i -= 1
        return a


def yarrow_line(nibble: int) -> int:
    if nibble == 0:
        return 6
    if nibble <= 5:
        return 7
    if nibble <= 12:
        return 8
    return 9


def cast_lines(method: str, reader: Reader) -> list[int]:
    if method == "yarrow":
        b = reader.take(3)
        nibbles = [b[0] // 16, b[0] % 16, b[1] // 16, b[1] % 16, b[2] // 16, b[2] % 16]
        return [yarrow_line(x) for x in nibbles]
    if method == "coins":
        v = int.from_bytes(reader.take(3), "big")
        return [6 + bin((v >> (21 - 3 * i)) & 7).count("1") for i in range(6)]
    assert method == "static"
    b = reader.take(1)[0]
    return [7 if (b >> (7 - i)) & 1 else 8 for i in range(6)]


def king_wen_numbers() -> dict[str, int]:
    """Bottom-first line bits -> King Wen number, from the fixture table."""
    return {h["lines"]: h["number"] for h in load_json("king-wen", "king-wen.json")["hexagrams"]}


def hexagram(method: str, reader: Reader) -> dict[str, Any]:
    """lines, primary number, moving positions and relating number (or None)."""
    lines = cast_lines(method, reader)
    numbers = king_wen_numbers()
    bits = "".join("1" if v in (7, 9) else "0" for v in lines)
    moving = [i + 1 for i, v in enumerate(lines) if v in (6, 9)]
    flipped = "".join(("0" if c == "1" else "1") if (i + 1) in moving else c for i, c in enumerate(bits))
    return {
        "lines": lines,
        "primary": numbers[bits],
        "moving": moving,
        "relating": numbers[flipped] if moving else None,
    }
