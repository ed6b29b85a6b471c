"""The SPEC H header chain file: hex lines (blank and # lines ignored) or raw
records, strict, streaming; round trip with format_header_file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import fixture_path
from toolkit.chain.headerfile import MAX_LINE, format_header_file, parse_header_stream, read_header_file
from toolkit.core.errors import InputMissingError, MalformedInputError

LINES = fixture_path("mainnet-headers", "mainnet-headers-80001-100000.txt").read_text(encoding="ascii").split()[:5]
HEADERS = [bytes.fromhex(line) for line in LINES]


def test_round_trip(tmp_path: Path) -> None:
    data = format_header_file(HEADERS)
    assert data == ("\n".join(LINES) + "\n").encode()
    f = tmp_path / "h.txt"
    f.write_bytes(data)
    assert list(read_header_file(f)) == HEADERS
    with pytest.raises(ValueError):
        format_header_file([HEADERS[0][:79]])


def test_comments_blanks_crlf_and_case() -> None:
    # Accepted (docs/randomness.md): CRLF line ends, hex digits in either case,
    # blank lines (empty, or spaces and tabs only), "#" comment lines, no final newline.
    mixed = LINES[2][:80].upper() + LINES[2][80:]
    text = f"# heights 80001..\r\n\n \t\r\n{LINES[0].upper()}\r\n#\tmore\n{LINES[1]}\r\n{mixed}"
    assert list(parse_header_stream([text.encode()])) == HEADERS[:3]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (f"{LINES[0]} \n{LINES[1]}\n", "line 1: spaces or tabs around the header"),
        (f"{LINES[0]}\n{LINES[1]}\t\r\n", "line 2: spaces or tabs around the header"),
        (f"{LINES[0]}\n  {LINES[1]}\n", "line 2: spaces or tabs around the header"),
        (f"{LINES[0]}\n\t# indented comment\n", "line 2: spaces or tabs around the header"),
        (f"{LINES[0]}\r{LINES[1]}\n", "line 1: a carriage return may only end a line"),
        (f"{LINES[0]}\r\r\n", "line 1: a carriage return may only end a line"),
        (f"{LINES[0]}\n\r# comment\n", "line 2: a carriage return may only end a line"),
        (f"{LINES[0]}\n \r \n", "line 2: a carriage return may only end a line"),
        (f"{LINES[0]}\n\f\n", "line 2: not printable ASCII"),
        (f"{LINES[0]}\n{LINES[1]}\x0b\n", "line 2: not printable ASCII"),
    ],
    ids=["trailing-space", "trailing-tab-crlf", "leading-spaces", "indented-comment", "lone-cr", "double-cr",
         "cr-before-comment", "cr-inside-blank", "form-feed", "vertical-tab"],
)  # fmt: skip
def test_anything_else_around_a_line_is_refused(text: str, match: str) -> None:
    with pytest.raises(MalformedInputError, match=match):
        list(parse_header_stream([text.encode()]))


def test_chunk_boundaries_do_not_matter() -> None:
    data = format_header_file(HEADERS)
    for size in (1, 7, 80, 161, 333):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        assert list(parse_header_stream(chunks)) == HEADERS
    raw = b"".join(HEADERS)
    assert list(parse_header_stream([raw[i : i + 33] for i in range(0, len(raw), 33)])) == HEADERS


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "the input is empty"),
        (b"\n# only a comment\n\n", "the input is blank"),
        (LINES[0].encode() + b"\n" + LINES[1][:-2].encode() + b"\n", "line 2: block header must be 80 bytes"),
        (LINES[0].encode() + b"00\n", "line 1: block header must be 80 bytes"),
        (LINES[0].encode() + b" # trailing comment\n", "line 1: block header is not hex"),
        (LINES[0].encode() + b"\n0x" + LINES[1].encode(), "line 2: block header: give plain hex"),
        (LINES[0].encode() + "\né\n".encode(), "line 2: not printable ASCII"),
        (LINES[0].encode() + b"\n" + b"0" * (MAX_LINE + 1), "line 2: longer than"),
        (b"".join(HEADERS) + b"\x00", "raw headers must be consecutive 80-byte records; got 401 bytes"),
    ],
)
def test_malformed(data: bytes, match: str) -> None:
    with pytest.raises(MalformedInputError, match=match):
        list(parse_header_stream([data]))


def test_a_huge_line_is_refused_without_reading_it_all() -> None:
    def chunks() -> object:
        yield LINES[0].encode() + b"\n"
        while True:
            yield b"0" * 65536

    with pytest.raises(MalformedInputError, match="line 2: longer than"):
        list(parse_header_stream(chunks()))  # type: ignore[arg-type]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputMissingError, match="does not exist"):
        read_header_file(tmp_path / "nope")
    with pytest.raises(InputMissingError, match="is a directory"):
        read_header_file(tmp_path)
