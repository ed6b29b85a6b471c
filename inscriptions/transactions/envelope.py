"""ord inscription envelopes: build and parse them exactly as ord does (SPEC I).

Layout of one envelope inside a tapscript::

    OP_FALSE OP_IF "ord" [tag value]... OP_0 <body pushes of <= 520 bytes> OP_ENDIF

Tags are one-byte *data pushes* (``01 01``, never ``OP_1``) written in ord's
order: content_type (1), content_encoding (9), metaprotocol (7), parent (3),
delegate (11), pointer (2), metadata (5).  Parsing follows ord's rules: the
tapscript is the second-to-last witness item (third-to-last when an annex is
present), a script may hold several envelopes, and malformed envelopes are
reported through flags (``incomplete_field``, ``duplicate_field``,
``unrecognized_even_field``) rather than rejected, because ord still
indexes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from inscriptions.transactions.tapscript import (
    MAX_PUSH,
    OP_0,
    OP_1,
    OP_1NEGATE,
    OP_16,
    OP_ENDIF,
    OP_IF,
    Instruction,
    push,
    push_size,
    tokenize,
)
from toolkit.core.errors import MalformedInputError

PROTOCOL_ID = b"ord"
TAG_CONTENT_TYPE = 1
TAG_POINTER = 2
TAG_PARENT = 3
TAG_METADATA = 5
TAG_METAPROTOCOL = 7
TAG_CONTENT_ENCODING = 9
TAG_DELEGATE = 11
TAG_RUNE = 13
TAG_PROPERTIES = 17
ANNEX_PREFIX = 0x50


@dataclass(frozen=True)
class Inscription:
    """The fields of one inscription; ``None`` means the field is absent."""

    body: bytes | None = None
    content_type: bytes | None = None
    content_encoding: bytes | None = None
    metaprotocol: bytes | None = None
    parents: tuple[bytes, ...] = ()
    delegate: bytes | None = None
    pointer: bytes | None = None
    metadata: bytes | None = None
    rune: bytes | None = None
    properties: bytes | None = None


def encode_pointer(value: int) -> bytes:
    """ord's pointer encoding: little-endian with trailing zero bytes removed
    (so pointer 0 is the empty push)."""
    if not 0 <= value < 2**64:
        raise ValueError("pointer must fit in 64 bits")
    return value.to_bytes(8, "little").rstrip(b"\x00")


def decode_pointer(raw: bytes) -> int | None:
    """ord's reading of a pointer field: ``None`` if a byte past the eighth is
    non-zero, else the little-endian value of the first eight bytes."""
    if any(raw[8:]):
        return None
    return int.from_bytes(raw[:8], "little")


def _fields(ins: Inscription) -> list[tuple[int, bytes]]:
    """(tag, value) pairs in ord's serialisation order."""
    out: list[tuple[int, bytes]] = []
    for tag, value in (
        (TAG_CONTENT_TYPE, ins.content_type),
        (TAG_CONTENT_ENCODING, ins.content_encoding),
        (TAG_METAPROTOCOL, ins.metaprotocol),
    ):
        if value is not None:
            out.append((tag, value))
    out.extend((TAG_PARENT, parent) for parent in ins.parents)
    for tag, value in ((TAG_DELEGATE, ins.delegate), (TAG_POINTER, ins.pointer), (TAG_METADATA, ins.metadata)):
        if value is not None:
            out.append((tag, value))
    for tag, value in ((TAG_RUNE, ins.rune), (TAG_PROPERTIES, ins.properties)):
        if value is not None:
            out.append((tag, value))
    for tag, value in out:
        # One push per field.  Metadata is chunkable in ord, but a second
        # metadata push makes ord flag duplicate_field, so we refuse instead.
        if len(value) > MAX_PUSH:
            raise MalformedInputError(f"envelope field {tag} is {len(value)} bytes; at most {MAX_PUSH} fit in one push")
    return out


def _body_pushes(body: bytes) -> bytes:
    """The body as consecutive pushes of 520 bytes (the last one shorter)."""
    full = len(body) - len(body) % MAX_PUSH
    header = push(bytes(MAX_PUSH))[:3]  # OP_PUSHDATA2 0x0208, the same for every full chunk
    view = memoryview(body)
    # header.join puts one header between chunks; prefix one for the first.
    out = header + header.join([view[i : i + MAX_PUSH] for i in range(0, full, MAX_PUSH)]) if full else b""
    return out + (push(body[full:]) if full < len(body) else b"")


def build_envelope(ins: Inscription) -> bytes:
    """Serialise one envelope (script fragment)."""
    parts = [bytes([OP_0, OP_IF]), push(PROTOCOL_ID)]
    for tag, value in _fields(ins):
        parts.append(push(bytes([tag])))
        parts.append(push(value))
    if ins.body is not None:
        parts.append(bytes([OP_0]))
        parts.append(_body_pushes(ins.body))
    parts.append(bytes([OP_ENDIF]))
    return b"".join(parts)


def envelope_size(ins: Inscription) -> int:
    """``len(build_envelope(ins))`` without building it."""
    size = 2 + push_size(len(PROTOCOL_ID)) + 1
    for _tag, value in _fields(ins):
        size += 2 + push_size(len(value))
    if ins.body is not None:
        full, rest = divmod(len(ins.body), MAX_PUSH)
        size += 1 + full * push_size(MAX_PUSH) + (push_size(rest) if rest else 0)
    return size


@dataclass(frozen=True)
class ParsedEnvelope:
    """One envelope found in a transaction, with ord's validity flags."""

    input: int
    offset: int
    inscription: Inscription
    incomplete_field: bool = False
    duplicate_field: bool = False
    unrecognized_even_field: bool = False
    pushnum: bool = False
    stutter: bool = False
    raw_fields: tuple[tuple[bytes, bytes], ...] = field(default=(), repr=False)


def tapscript_from_witness(items: Sequence[bytes]) -> bytes | None:
    """The tapscript of a script-path spend as ord finds it: second-to-last
    witness item, third-to-last when the last item is an annex (0x50...)."""
    n = len(items)
    if n == 0:
        return None
    pos = 3 if n >= 2 and items[-1][:1] == bytes([ANNEX_PREFIX]) else 2
    if n < pos:
        return None
    return items[n - pos]


def _is_empty_push(ins: Instruction | None) -> bool:
    return ins is not None and ins.data == b""


def _raw_envelope(instrs: list[Instruction], i: int) -> tuple[int, bool, list[bytes] | None, bool]:
    """Read one envelope after its OP_FALSE at position ``i``.  Returns
    (next position, stutter, payload or None, pushnum)."""
    nxt = instrs[i] if i < len(instrs) else None
    if nxt is None or nxt.data is not None or nxt.opcode != OP_IF:
        return i, _is_empty_push(nxt), None, False
    i += 1
    nxt = instrs[i] if i < len(instrs) else None
    if nxt is None or nxt.data != PROTOCOL_ID:
        return i, _is_empty_push(nxt), None, False
    i += 1
    payload: list[bytes] = []
    pushnum = False
    while i < len(instrs):
        ins = instrs[i]
        i += 1
        if ins.data is not None:
            payload.append(ins.data)
        elif ins.opcode == OP_ENDIF:
            return i, False, payload, pushnum
        elif ins.opcode == OP_1NEGATE:
            pushnum = True
            payload.append(b"\x81")
        elif OP_1 <= ins.opcode <= OP_16:
            pushnum = True
            payload.append(bytes([ins.opcode - OP_1 + 1]))
        else:
            return i, False, None, False
    return i, False, None, False


def _take(fields: dict[bytes, list[bytes]], tag: int) -> bytes | None:
    key = bytes([tag])
    values = fields.get(key)
    if not values:
        return None
    value = values.pop(0)
    if not values:
        del fields[key]
    return value


def _to_inscription(payload: list[bytes]) -> tuple[Inscription, bool, bool, bool, tuple[tuple[bytes, bytes], ...]]:
    body_at = next((i for i, item in enumerate(payload) if i % 2 == 0 and item == b""), None)
    head = payload if body_at is None else payload[:body_at]
    incomplete = len(head) % 2 == 1
    pairs = tuple((head[i], head[i + 1]) for i in range(0, len(head) - 1, 2))
    fields: dict[bytes, list[bytes]] = {}
    for key, value in pairs:
        fields.setdefault(key, []).append(value)
    duplicate = any(len(values) > 1 for values in fields.values())
    # ord concatenates every push of its chunked tags (metadata, properties).
    metadata_parts = fields.pop(bytes([TAG_METADATA]), None)
    properties_parts = fields.pop(bytes([TAG_PROPERTIES]), None)
    ins = Inscription(
        body=None if body_at is None else b"".join(payload[body_at + 1 :]),
        content_encoding=_take(fields, TAG_CONTENT_ENCODING),
        content_type=_take(fields, TAG_CONTENT_TYPE),
        delegate=_take(fields, TAG_DELEGATE),
        metadata=b"".join(metadata_parts) if metadata_parts else None,
        metaprotocol=_take(fields, TAG_METAPROTOCOL),
        parents=tuple(fields.pop(bytes([TAG_PARENT]), [])),
        pointer=_take(fields, TAG_POINTER),
        properties=b"".join(properties_parts) if properties_parts else None,
        rune=_take(fields, TAG_RUNE),
    )
    unrecognized_even = any(key[:1] and key[0] % 2 == 0 for key in fields)
    return ins, incomplete, duplicate, unrecognized_even, pairs


def parse_tapscript(script: bytes, input_index: int = 0) -> list[ParsedEnvelope]:
    """Every envelope in ``script``.  Like ord, an unparsable script (a push
    running past the end) yields no envelopes."""
    try:
        instrs = tokenize(script)
    except MalformedInputError:
        return []
    found: list[ParsedEnvelope] = []
    stuttered = False
    i = 0
    while i < len(instrs):
        ins = instrs[i]
        i += 1
        if ins.data != b"":
            continue
        i, stutter, payload, pushnum = _raw_envelope(instrs, i)
        if payload is None:
            stuttered = stutter
            continue
        inscription, incomplete, duplicate, even, pairs = _to_inscription(payload)
        found.append(
            ParsedEnvelope(
                input=input_index,
                offset=len(found),
                inscription=inscription,
                incomplete_field=incomplete,
                duplicate_field=duplicate,
                unrecognized_even_field=even,
                pushnum=pushnum,
                stutter=stuttered,
                raw_fields=pairs,
            )
        )
    return found


def parse_witnesses(witnesses: Sequence[Sequence[bytes]]) -> list[ParsedEnvelope]:
    """Envelopes of a transaction, given each input's witness stack."""
    out: list[ParsedEnvelope] = []
    for index, items in enumerate(witnesses):
        script = tapscript_from_witness(items)
        if script is not None:
            out.extend(parse_tapscript(script, index))
    return out
