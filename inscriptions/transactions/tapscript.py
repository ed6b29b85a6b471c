"""Script pushes and tokenising, the subset of Bitcoin Script that ord envelopes use.

``push(data)`` emits the smallest *explicit data push* for ``data`` (an empty
push is ``OP_0``).  It never turns one-byte data into ``OP_1``..``OP_16``: ord
tags must be one-byte data pushes (``01 01``), SPEC I.

``tokenize`` splits a script into opcodes the way rust-bitcoin's
``Script::instructions`` does (which ord uses): non-minimal pushes are
accepted, a push running past the end of the script is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.core.errors import MalformedInputError

OP_0 = 0x00
OP_PUSHDATA1 = 0x4C
OP_PUSHDATA2 = 0x4D
OP_PUSHDATA4 = 0x4E
OP_1NEGATE = 0x4F
OP_1 = 0x51
OP_16 = 0x60
OP_IF = 0x63
OP_ENDIF = 0x68
OP_CHECKSIG = 0xAC

#: Consensus limit on one stack element (MAX_SCRIPT_ELEMENT_SIZE).
MAX_PUSH = 520


def push_size(length: int) -> int:
    """Serialized size of :func:`push` of ``length`` bytes."""
    if length < OP_PUSHDATA1:
        return 1 + length
    if length <= 0xFF:
        return 2 + length
    if length <= 0xFFFF:
        return 3 + length
    return 5 + length


def push(data: bytes) -> bytes:
    """Minimal explicit data push of ``data`` (``OP_0`` for empty)."""
    n = len(data)
    if n < OP_PUSHDATA1:
        return bytes([n]) + data
    if n <= 0xFF:
        return bytes([OP_PUSHDATA1, n]) + data
    if n <= 0xFFFF:
        return bytes([OP_PUSHDATA2]) + n.to_bytes(2, "little") + data
    return bytes([OP_PUSHDATA4]) + n.to_bytes(4, "little") + data


@dataclass(frozen=True)
class Instruction:
    """One script instruction: ``data`` is set for pushes (``OP_0`` included)."""

    opcode: int
    data: bytes | None

    @property
    def is_push(self) -> bool:
        return self.data is not None


def tokenize(script: bytes) -> list[Instruction]:
    """Split ``script`` into instructions; a truncated push is malformed."""
    out: list[Instruction] = []
    i = 0
    n = len(script)
    while i < n:
        op = script[i]
        i += 1
        if op > OP_PUSHDATA4:
            out.append(Instruction(op, None))
            continue
        if op < OP_PUSHDATA1:
            size = op
        else:
            width = {OP_PUSHDATA1: 1, OP_PUSHDATA2: 2, OP_PUSHDATA4: 4}[op]
            if i + width > n:
                raise MalformedInputError(f"script truncated inside a push length at byte {i - 1}")
            size = int.from_bytes(script[i : i + width], "little")
            i += width
        if i + size > n:
            raise MalformedInputError(f"script truncated: push of {size} bytes at byte {i} runs past the end")
        out.append(Instruction(op, script[i : i + size]))
        i += size
    return out
