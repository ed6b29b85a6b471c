"""The entrants file of a draw (SPEC D) and its RFC 9162 Merkle tree.

Parsing, exactly: split the file on ``\\n`` only (a final ``\\n`` ends the last
line, it does not start an empty one); strip one trailing ``\\r`` per line; the
file must be UTF-8; an empty line or a duplicate (same bytes) is malformed
(exit 65).  Leaf ``i`` of the tree is the UTF-8 bytes of entrant ``i``, in file
order: ``root = MTH(entrants)`` of RFC 9162.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from inscriptions.batch.rfc9162 import root_and_paths
from toolkit.core.errors import MalformedInputError

_WHAT = "entrants file"


@dataclass(frozen=True)
class Entrants:
    """The parsed entrants: their UTF-8 bytes (the Merkle leaves) in file order."""

    raw: tuple[bytes, ...]

    @property
    def count(self) -> int:
        """n, the number of entrants."""
        return len(self.raw)

    def name(self, index: int) -> str:
        """Entrant ``index`` as text (valid UTF-8: checked when parsed)."""
        return self.raw[index].decode("utf-8")

    def leaf_hashes(self) -> list[bytes]:
        """RFC 9162 leaf hashes, ``SHA-256(0x00 || entrant)``, in file order."""
        sha256 = hashlib.sha256  # inlined leaf_hash: this runs a million times
        return [sha256(b"\x00" + e).digest() for e in self.raw]

    def root(self) -> bytes:
        """The RFC 9162 Merkle Tree Hash over the entrants."""
        return self.root_and_proofs(())[0]

    def root_and_proofs(self, indices: Sequence[int]) -> tuple[bytes, list[list[bytes]]]:
        """The root and the inclusion proofs (audit paths) of ``indices``, one pass."""
        return root_and_paths(self.leaf_hashes(), indices)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def parse_entrants(data: bytes) -> Entrants:
    """Parse an entrants file strictly (SPEC D); ``MalformedInputError`` (65) names the line."""
    # UTF-8 is checked on the whole file: \n and \r are ASCII, so splitting
    # never cuts a multi-byte sequence and the file decodes iff every line does.
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedInputError(f"{_WHAT}: line {_line_of(data, exc.start)} is not valid UTF-8") from None
    lines = data.split(b"\n")
    if lines[-1] == b"":  # a final \n ends the last line; it does not start an empty one
        lines.pop()
    if not lines:
        raise MalformedInputError(f"{_WHAT} has no entrants")
    if b"\r" in data:  # one \r only: "a\r\r" is the entrant "a\r"
        lines = [line[:-1] if line[-1:] == b"\r" else line for line in lines]
    # Fast path for a million entrants: one set, then the slow loop only to
    # name the offending line.
    distinct = set(lines)
    if len(distinct) != len(lines) or b"" in distinct:
        _refuse_bad_line(lines)
    return Entrants(tuple(lines))


def _refuse_bad_line(lines: list[bytes]) -> None:
    seen: dict[bytes, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line:
            raise MalformedInputError(f"{_WHAT}: line {number} is empty")
        first = seen.setdefault(line, number)
        if first != number:
            raise MalformedInputError(f"{_WHAT}: line {number} repeats line {first}")
    raise AssertionError("no empty or repeated line")  # pragma: no cover
