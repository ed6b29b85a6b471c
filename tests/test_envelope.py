"""ord envelopes: round trips and ord's parsing edge cases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inscriptions.transactions.envelope import (
    Inscription,
    build_envelope,
    decode_pointer,
    encode_pointer,
    envelope_size,
    parse_tapscript,
    parse_witnesses,
    tapscript_from_witness,
)
from inscriptions.transactions.tapscript import OP_CHECKSIG, push, tokenize
from toolkit.core.errors import MalformedInputError

KEY = bytes(range(32))
PREFIX = push(KEY) + bytes([OP_CHECKSIG])


def full(**kw: object) -> Inscription:
    base = dict(
        body=b"hello",
        content_type=b"text/plain",
        content_encoding=b"gzip",
        metaprotocol=b"enoch",
        parents=(bytes(32) + b"\x01",),
        delegate=bytes(33),
        pointer=encode_pointer(10000),
        metadata=b"\xa0",
    )
    base.update(kw)
    return Inscription(**base)  # type: ignore[arg-type]


def test_round_trip_all_fields() -> None:
    ins = full()
    [env] = parse_tapscript(PREFIX + build_envelope(ins))
    assert env.inscription == ins
    assert not (env.incomplete_field or env.duplicate_field or env.unrecognized_even_field or env.pushnum)


def test_ord_field_order_and_one_byte_tag_pushes() -> None:
    [env] = parse_tapscript(build_envelope(full()))
    assert [k for k, _ in env.raw_fields] == [b"\x01", b"\x09", b"\x07", b"\x03", b"\x0b", b"\x02", b"\x05"]
    script = build_envelope(Inscription(body=b"", content_type=b"a"))
    # OP_FALSE OP_IF push("ord") 01 01 (tag as data push, never OP_1) 01 'a' OP_0 OP_ENDIF
    assert script.hex() == "0063036f7264" + "0101" + "0161" + "00" + "68"


@pytest.mark.parametrize("size,pushes", [(0, 0), (1, 1), (519, 1), (520, 1), (521, 2), (1040, 2), (1041, 3)])
def test_body_split_at_520(size: int, pushes: int) -> None:
    body = bytes(i % 251 for i in range(size))
    script = build_envelope(Inscription(body=body))
    instrs = tokenize(script)
    body_pushes = instrs[4:-1]  # OP_0 OP_IF "ord" OP_0 <pushes> OP_ENDIF
    assert len(body_pushes) == pushes
    assert all(len(i.data or b"") <= 520 for i in body_pushes)
    [env] = parse_tapscript(script)
    assert env.inscription.body == body
    assert envelope_size(Inscription(body=body)) == len(script)


def test_empty_body_and_absent_body() -> None:
    [empty] = parse_tapscript(build_envelope(Inscription(body=b"", content_type=b"x")))
    assert empty.inscription.body == b""
    [none] = parse_tapscript(build_envelope(Inscription(content_type=b"x")))
    assert none.inscription.body is None


def test_metadata_520_boundary() -> None:
    build_envelope(Inscription(metadata=bytes(520)))
    with pytest.raises(MalformedInputError, match="520"):
        build_envelope(Inscription(metadata=bytes(521)))


def test_multiple_envelopes_in_one_script() -> None:
    a, b = Inscription(body=b"foo", content_type=b"t"), Inscription(body=b"bar", pointer=encode_pointer(10000))
    envs = parse_tapscript(PREFIX + build_envelope(a) + build_envelope(b), input_index=3)
    assert [e.inscription for e in envs] == [a, b]
    assert [(e.input, e.offset) for e in envs] == [(3, 0), (3, 1)]


@pytest.mark.parametrize(
    "value,encoded",
    [(0, ""), (1, "01"), (255, "ff"), (256, "0001"), (10000, "1027"), (2**32, "0000000001"), (2**64 - 1, "ff" * 8)],
)
def test_pointer_encoding(value: int, encoded: str) -> None:
    assert encode_pointer(value).hex() == encoded
    assert decode_pointer(bytes.fromhex(encoded)) == value


def test_pointer_decoding_ord_rules() -> None:
    assert decode_pointer(b"\x01\x00\x00") == 1  # trailing zeros tolerated
    assert decode_pointer(bytes(8) + b"\x00") == 0
    assert decode_pointer(bytes(8) + b"\x01") is None  # a non-zero byte past the eighth
    with pytest.raises(ValueError):
        encode_pointer(2**64)


def _raw(*pushes: bytes) -> bytes:
    return bytes([0, 0x63]) + b"".join(push(p) for p in pushes) + bytes([0x68])


def test_duplicate_field_flagged() -> None:
    [env] = parse_tapscript(_raw(b"ord", b"\x01", b"a", b"\x01", b"b", b"", b"x"))
    assert env.duplicate_field and env.inscription.content_type == b"a"


def test_incomplete_field_flagged() -> None:
    [env] = parse_tapscript(_raw(b"ord", b"\x01"))
    assert env.incomplete_field and env.inscription.body is None


def test_unrecognized_even_field_flagged_odd_ignored() -> None:
    [even] = parse_tapscript(_raw(b"ord", b"\x04", b"z", b"", b"x"))
    assert even.unrecognized_even_field
    [odd] = parse_tapscript(_raw(b"ord", b"\x0f", b"z", b"", b"x"))
    assert not odd.unrecognized_even_field and odd.inscription.body == b"x"


def test_duplicate_pointer_is_also_an_unrecognized_even_leftover() -> None:
    [env] = parse_tapscript(_raw(b"ord", b"\x02", b"\x01", b"\x02", b"\x02"))
    assert env.duplicate_field and env.unrecognized_even_field and env.inscription.pointer == b"\x01"


def test_chunked_metadata_is_concatenated_but_flagged_duplicate() -> None:
    [env] = parse_tapscript(_raw(b"ord", b"\x05", b"ab", b"\x05", b"cd"))
    assert env.inscription.metadata == b"abcd" and env.duplicate_field


def test_chunked_properties_are_concatenated_like_ord() -> None:
    # ord's Tag::Properties (17) is chunked like metadata (reveal_script_chunks_properties).
    [env] = parse_tapscript(_raw(b"ord", b"\x11", b"ab", b"\x11", b"cd"))
    assert env.inscription.properties == b"abcd" and env.duplicate_field and not env.unrecognized_even_field


def test_pushnum_tag_recorded() -> None:
    script = bytes([0, 0x63]) + push(b"ord") + bytes([0x51]) + push(b"t") + bytes([0, 0x68])
    [env] = parse_tapscript(script)
    assert env.pushnum and env.inscription.content_type == b"t"


def test_stutter() -> None:
    script = bytes([0]) + _raw(b"ord", b"", b"x")
    [env] = parse_tapscript(script)
    assert env.stutter and env.inscription.body == b"x"


def test_not_an_envelope() -> None:
    assert parse_tapscript(bytes([0, 0x63]) + push(b"orc") + bytes([0x68])) == []
    assert parse_tapscript(bytes([0, 0x64]) + push(b"ord") + bytes([0x68])) == []
    assert parse_tapscript(bytes([0, 0x63]) + push(b"ord")) == []  # no OP_ENDIF
    assert parse_tapscript(bytes([0, 0x63]) + push(b"ord") + bytes([0xAC, 0x68])) == []  # opcode inside


def test_unparsable_script_yields_nothing() -> None:
    script = build_envelope(Inscription(body=b"x")) + bytes([0x4D, 0xFF])
    assert parse_tapscript(script) == []
    with pytest.raises(MalformedInputError):
        tokenize(bytes([0x4D, 0x05, 0x00, 0x01]))
    with pytest.raises(MalformedInputError):
        tokenize(bytes([0x4E, 0x00]))


def test_witness_positions() -> None:
    script = build_envelope(Inscription(body=b"x"))
    sig, cb = bytes(64), bytes(33)
    assert tapscript_from_witness([sig, script, cb]) == script
    assert tapscript_from_witness([sig, script, cb, b"\x50\x01"]) == script  # annex
    assert tapscript_from_witness([script]) is None  # key-path spend
    assert tapscript_from_witness([script, b"\x50"]) is None  # key path + annex
    assert tapscript_from_witness([]) is None
    assert len(parse_witnesses([[sig], [sig, script, cb], [sig, script, cb, b"\x50"]])) == 2


@settings(max_examples=60, deadline=None)
@given(
    body=st.one_of(st.none(), st.binary(max_size=2000)),
    ctype=st.one_of(st.none(), st.binary(max_size=300)),
    pointer=st.one_of(st.none(), st.integers(0, 2**64 - 1)),
    metadata=st.one_of(st.none(), st.binary(max_size=520)),
)
def test_size_and_round_trip_property(body: bytes | None, ctype: bytes | None, pointer: int | None, metadata: bytes | None) -> None:
    ins = Inscription(
        body=body, content_type=ctype, pointer=None if pointer is None else encode_pointer(pointer), metadata=metadata
    )
    script = build_envelope(ins)
    assert envelope_size(ins) == len(script)
    [env] = parse_tapscript(script)
    assert env.inscription == ins
