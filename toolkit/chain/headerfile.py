"""The header chain file (SPEC H): one 80-byte header in hex per line, blank
lines and ``#`` comment lines ignored, read as a stream in bounded memory.

Also accepted, as ``header verify --file`` always has: raw consecutive 80-byte
records.  The layout is decided by the first 80 bytes: printable ASCII text
is hex lines, anything else raw records.  A raw header always holds 0x00
bytes there (the last bytes of its previous-block hash in internal order are
that hash's leading zeros; all zero for the genesis block), so a raw chain
of real headers is never read as text; and a hex file with a typo stays a
malformed text line rather than turning into "raw" garbage.

Strict both ways (docs/randomness.md, "Header chain file"): a line ends with
LF or CRLF (files written on Windows); after that it is empty or only spaces
and tabs (blank), starts with ``#`` (a comment), or is exactly 160 hex digits
in either case (``bitcoin-cli`` prints lowercase; some tools uppercase) and
nothing else -- no blanks around the digits, no CR but the one before LF.
Lines are printable ASCII of at most :data:`MAX_LINE` bytes, raw input is a
whole number of records, and an input with no header is malformed (exit 65,
naming the line).
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Final

from toolkit.chain.header import HEADER_SIZE
from toolkit.core.errors import MalformedInputError
from toolkit.core.fsio import open_input, read_error
from toolkit.core.hexutil import parse_hex

#: The longest line accepted (a header line is 160 digits; room for a comment).
MAX_LINE: Final = 4096
_CHUNK: Final = 1 << 16
_TEXT: Final = frozenset(range(0x20, 0x7F)) | frozenset(b"\t\r\n")
_BLANKS: Final = b" \t"


def _header_line(line: bytes, number: int) -> bytes | None:
    if line.endswith(b"\r"):  # CRLF: the CR belongs to the line end
        line = line[:-1]
    if len(line) == 2 * HEADER_SIZE:
        # Fast path for the common exact line: unhexlify is strict (hex
        # digits only, either case, no blanks, no sign); anything else takes
        # the slow path below, which finds the precise message.
        try:
            return binascii.unhexlify(line)
        except binascii.Error:
            pass
    if not _TEXT.issuperset(line):
        raise MalformedInputError(f"line {number}: not printable ASCII text")
    if b"\r" in line:
        raise MalformedInputError(f"line {number}: a carriage return may only end a line (CRLF)")
    if not line.strip(_BLANKS):
        return None  # blank
    if line.startswith(b"#"):
        return None  # comment
    # Format decision: a header line is the digits alone (an indented or
    # padded line is a malformed line, not a header to guess at).
    if line[0] in _BLANKS or line[-1] in _BLANKS:
        raise MalformedInputError(f"line {number}: spaces or tabs around the header (a line is exactly 160 hex digits)")
    try:
        return parse_hex(line.decode("ascii"), what="block header", length=HEADER_SIZE)
    except MalformedInputError as exc:
        raise MalformedInputError(f"line {number}: {exc.message}") from None


def _text_headers(chunks: Iterable[bytes]) -> Iterator[bytes]:
    pending = b""
    number = 0
    found = False
    for chunk in chunks:
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            number += 1
            if len(line) > MAX_LINE:
                raise MalformedInputError(f"line {number}: longer than {MAX_LINE} bytes")
            header = _header_line(line, number)
            if header is not None:
                found = True
                yield header
        if len(pending) > MAX_LINE:
            raise MalformedInputError(f"line {number + 1}: longer than {MAX_LINE} bytes")
    if pending:
        header = _header_line(pending, number + 1)
        if header is not None:
            found = True
            yield header
    if not found:
        raise MalformedInputError("no block header found (the input is blank)")


def _raw_headers(chunks: Iterable[bytes]) -> Iterator[bytes]:
    pending = b""
    total = 0
    for chunk in chunks:
        total += len(chunk)
        data = pending + chunk
        whole = len(data) - len(data) % HEADER_SIZE
        for i in range(0, whole, HEADER_SIZE):
            yield data[i : i + HEADER_SIZE]
        pending = data[whole:]
    if pending:
        raise MalformedInputError(
            f"raw headers must be consecutive {HEADER_SIZE}-byte records; got {total} bytes"
            " (for hex give one header per line)"
        )


def parse_header_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Headers (80 bytes each) from an input given as byte chunks, in order."""
    it = iter(chunks)
    head = b""
    for chunk in it:
        head += chunk
        if len(head) >= HEADER_SIZE:
            break
    if not head:
        raise MalformedInputError("no block header found (the input is empty)")
    rest = _prepend(head, it)
    if _TEXT.issuperset(head[:HEADER_SIZE]):
        return _text_headers(rest)
    return _raw_headers(rest)


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _chunks(handle: BinaryIO, path: Path | str) -> Iterator[bytes]:
    try:
        while chunk := handle.read(_CHUNK):
            yield chunk
    except OSError as exc:
        raise read_error(path, "header file", exc) from None
    finally:
        if str(path) != "-":
            handle.close()


def read_header_file(path: Path | str) -> Iterator[bytes]:
    """Stream the headers of a header chain file (``-`` = stdin).  The file is
    opened now (missing: exit 66); malformed content raises
    :class:`MalformedInputError` (exit 65) when the reader gets there."""
    handle = open_input(path, what="header file")
    return parse_header_stream(_chunks(handle, path))


def format_header_file(headers: Iterable[bytes]) -> bytes:
    """The text file :func:`read_header_file` reads: one lowercase hex header per line."""
    out = bytearray()
    for header in headers:
        if len(header) != HEADER_SIZE:
            raise ValueError(f"a block header is {HEADER_SIZE} bytes")
        out += header.hex().encode("ascii") + b"\n"
    return bytes(out)
