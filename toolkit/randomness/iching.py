"""Casting I Ching hexagrams from the randomness stream (SPEC R).

Lines are generated bottom (line 1) to top (line 6); 6 = old yin, 7 = young
yang, 8 = young yin, 9 = old yang.  7 and 9 are yang ("1"), 6 and 8 yin ("0").

- ``yarrow``: 3 stream bytes; nibbles ``b0>>4, b0&15, b1>>4, b1&15, b2>>4, b2&15``
  give lines 1..6; nibble 0 -> 6, 1..5 -> 7, 6..12 -> 8, 13..15 -> 9
  (exactly 1/16, 5/16, 7/16, 3/16, the yarrow-stalk odds).
- ``coins``: 3 bytes as a 24-bit big-endian v; line i (0-based) =
  ``6 + popcount((v >> (21 - 3i)) & 7)`` (exactly 1/8, 3/8, 3/8, 1/8).
- ``static``: 1 byte b; line i (0-based) = 7 if ``(b >> (7 - i)) & 1`` else 8.

The moving lines are the 6s and 9s; the relating hexagram flips exactly those
lines, and there is none when no line moves.

A cast depends only on its six lines (4**6 = 4096 possibilities per method),
so castings are immutable and shared: each is built once per process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from toolkit.randomness.kingwen import Hexagram, table
from toolkit.core.text import context_bytes
from toolkit.randomness.stream import DOMAIN, RandomStream, lp

Method = Literal["yarrow", "coins", "static"]
METHODS: Final[tuple[str, ...]] = get_args(Method)
#: Stream bytes one cast consumes.
CAST_BYTES: Final[dict[str, int]] = {"yarrow": 3, "coins": 3, "static": 1}

_YARROW_NIBBLE: Final = (6,) + (7,) * 5 + (8,) * 7 + (9,) * 3  # index = nibble value


@dataclass(frozen=True)
class Casting:
    """One cast hexagram: the six line values, primary, moving lines, relating."""

    method: str
    lines: tuple[int, ...]  # six values in 6..9, bottom line first
    primary: Hexagram
    moving: tuple[int, ...]  # 1-based positions of the 6s and 9s
    relating: Hexagram | None

    def to_json(self) -> dict[str, Any]:
        """SPEC C's hexagram object without ``source`` (the caller adds it)."""
        return {
            "method": self.method,
            "lines": list(self.lines),
            "primary": self.primary.summary(),
            "moving": list(self.moving),
            "relating": None if self.relating is None else self.relating.summary(),
        }


def casting_from_lines(method: str, lines: tuple[int, ...]) -> Casting:
    """Build the casting for six line values (bottom first)."""
    if len(lines) != 6 or not all(6 <= v <= 9 for v in lines):
        raise ValueError("a cast is six line values in 6..9")
    primary = "".join("1" if v in (7, 9) else "0" for v in lines)
    moving = tuple(i + 1 for i, v in enumerate(lines) if v in (6, 9))
    relating = "".join(("1" if b == "0" else "0") if v in (6, 9) else b for b, v in zip(primary, lines))
    kw = table()
    return Casting(method, lines, kw.by_lines[primary], moving, kw.by_lines[relating] if moving else None)


def lines_from_bytes(method: str, data: bytes) -> tuple[int, ...]:
    """The six line values SPEC R derives from a cast's stream bytes."""
    if method not in CAST_BYTES or len(data) != CAST_BYTES[method]:
        raise ValueError(f"{method!r} casts need {CAST_BYTES.get(method, '?')} bytes")
    if method == "yarrow":
        return tuple(_YARROW_NIBBLE[n] for b in data for n in (b >> 4, b & 15))
    if method == "coins":
        v = int.from_bytes(data, "big")
        return tuple(6 + ((v >> (21 - 3 * i)) & 7).bit_count() for i in range(6))
    b = data[0]
    return tuple(7 if (b >> (7 - i)) & 1 else 8 for i in range(6))


# --- the shared-casting fast path -------------------------------------------
# A cast's six lines are encoded as index = sum((line_i - 6) * 4**i); the
# tables below map stream bytes straight to that index (or to parts of it).


def _index(lines: tuple[int, ...]) -> int:
    return sum((v - 6) << (2 * i) for i, v in enumerate(lines))


_TABLES: dict[str, tuple[tuple[int, ...], ...]] = {}
_CASTINGS: dict[str, list[Casting | None]] = {m: [None] * 4096 for m in METHODS}


def _table_for(method: str) -> tuple[tuple[int, ...], ...]:
    """Lookup tables from cast bytes to the line index, built on first use.

    yarrow and coins: an all-zero input casts six 6s (index 0) and each part
    below holds whole lines, so the parts' indexes add.  yarrow: one table per
    byte (two lines each); coins: the top 12 bits (lines 1-4) and the low 12
    bits (lines 5-6, then 6 unused bits).  static: one table, the whole index.
    """
    found = _TABLES.get(method)
    if found is None:
        if method == "yarrow":
            found = tuple(
                tuple(_index(lines_from_bytes(method, bytes(p) + bytes([b]) + bytes(2 - p))) for b in range(256))
                for p in range(3)
            )
        elif method == "coins":
            found = (
                tuple(_index(lines_from_bytes(method, (v << 12).to_bytes(3, "big"))) for v in range(4096)),
                tuple(_index(lines_from_bytes(method, v.to_bytes(3, "big"))) for v in range(4096)),
            )
        elif method == "static":
            found = (tuple(_index(lines_from_bytes(method, bytes([b]))) for b in range(256)),)
        else:
            raise ValueError(f"unknown casting method {method!r}")
        _TABLES[method] = found
    return found


def cast_index(method: str, data: bytes) -> int:
    """The line index (0..4095) of the cast made from ``data``, by table lookup
    (the batch fast path; :func:`_index` of :func:`lines_from_bytes` otherwise)."""
    t = _table_for(method)
    if method == "yarrow":
        return t[0][data[0]] + t[1][data[1]] + t[2][data[2]]
    if method == "coins":
        v = (data[0] << 16) | (data[1] << 8) | data[2]
        return t[0][v >> 12] + t[1][v & 0xFFF]
    return t[0][data[0]]


def casting_for_index(method: str, index: int) -> Casting:
    """The shared :class:`Casting` for a line index."""
    slot = _CASTINGS[method]
    found = slot[index]
    if found is None:
        lines = tuple(6 + ((index >> (2 * i)) & 3) for i in range(6))
        found = slot[index] = casting_from_lines(method, lines)
    return found


def cast(stream: RandomStream, method: str = "yarrow") -> Casting:
    """Cast one hexagram from the next bytes of ``stream``."""
    if method not in CAST_BYTES:
        raise ValueError(f"unknown casting method {method!r}")
    return casting_for_index(method, _index(lines_from_bytes(method, stream.read(CAST_BYTES[method]))))


def _block_indexer(method: str, prefix: bytes, suffix: bytes) -> Callable[[bytes], int]:
    """``hash_internal -> cast index`` for one method, with the SHAKE256 call
    and the table lookups inlined (the hot loop of ``hexagram --batch``)."""
    shake = hashlib.shake_256
    t = _table_for(method)
    if method == "yarrow":
        y0, y1, y2 = t

        def yarrow(h: bytes) -> int:
            d = shake(prefix + h + suffix).digest(3)
            return y0[d[0]] + y1[d[1]] + y2[d[2]]

        return yarrow
    if method == "coins":
        hi, lo = t

        def coins(h: bytes) -> int:
            d = shake(prefix + h + suffix).digest(3)
            return hi[(d[0] << 4) | (d[1] >> 4)] + lo[((d[1] & 15) << 8) | d[2]]

        return coins
    (s0,) = t

    def static(h: bytes) -> int:
        return s0[shake(prefix + h + suffix).digest(1)[0]]

    return static


class BlockCaster:
    """Casts the first hexagram of the ``block`` stream of many block hashes
    under one context and method -- the batch fast path.  Equal, byte for
    byte, to ``cast(Source("block", h, context).stream(), method)``."""

    def __init__(self, context: str, method: str) -> None:
        if method not in CAST_BYTES:
            raise ValueError(f"unknown casting method {method!r}")
        self.method = method
        self.prefix = lp(DOMAIN) + lp(b"block") + (32).to_bytes(4, "big")
        self.suffix = lp(context_bytes(context))
        #: ``hash_internal -> index``; the caller guarantees 32 bytes.
        self.index = _block_indexer(method, self.prefix, self.suffix)

    def __call__(self, hash_internal: bytes) -> Casting:
        if len(hash_internal) != 32:
            raise ValueError("a block hash is 32 bytes")
        return casting_for_index(self.method, self.index(hash_internal))
