"""``hexagram --batch``: one block hash per input line -> one JSON Lines record
per hash, streamed.

Input: display-order block hashes, 64 hex digits per line (either case,
surrounding whitespace ignored, blank lines skipped).  The first malformed line
stops the batch with a :class:`MalformedInputError` naming its line number;
records of the lines before it have already been yielded.

Each record is exactly ``dumps_json(obj)`` of the single ``hexagram --json``
object.  Since a casting has only 4096 possible outcomes per method, the JSON
around the block hash is rendered once per outcome and reused (tested against
the plain rendering).
"""

from __future__ import annotations

import binascii
import contextlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from toolkit.core.errors import InputMissingError, MalformedInputError
from toolkit.core.fsio import display_path, stdin_binary
from toolkit.randomness.iching import BlockCaster, casting_for_index
from toolkit.cli.render import dumps_json

#: JSON-escaped as "\u0000"; only the block hash precedes ``context`` (the one
#: user-controlled string) in sorted-key order, so its first occurrence is ours.
_PLACEHOLDER = "\x00"
#: Longest input line: a block hash is 64 hex digits; the rest of the cap is
#: room for surrounding whitespace (and CRLF).  A longer line stops the batch
#: (exit 65) as soon as its first MAX_LINE_BYTES + 1 bytes are seen, so
#: ``/dev/zero`` or a file without newlines ends at once.
MAX_LINE_BYTES = 1024


def record_json(casting_json: dict[str, object], block_hash_display: str, context: str) -> str:
    """The JSON Lines record (no newline) for one block hash."""
    obj = dict(casting_json)
    obj["source"] = {"kind": "block", "block_hash": block_hash_display, "context": context}
    return dumps_json(obj)


class _Templates:
    """Per-outcome (head, tail) UTF-8 byte strings around the block hash."""

    def __init__(self, method: str, context: str) -> None:
        self.method = method
        self.context = context
        self.slots: list[tuple[bytes, bytes] | None] = [None] * 4096

    def build(self, index: int) -> tuple[bytes, bytes]:
        casting = casting_for_index(self.method, index)
        text = record_json(casting.to_json(), _PLACEHOLDER, self.context)
        head, sep, tail = text.partition(json.dumps(_PLACEHOLDER))
        assert sep, "placeholder not found"
        pair = ((head + '"').encode("utf-8"), ('"' + tail + "\n").encode("utf-8"))
        self.slots[index] = pair
        return pair


def _bad_line(number: int, raw: bytes) -> MalformedInputError:
    if len(raw) > MAX_LINE_BYTES:
        return MalformedInputError(f"--batch line {number}: longer than {MAX_LINE_BYTES} bytes (one block hash per line)")
    line = raw.strip()
    if line.isascii() and len(line) != 64:
        why = f"expected a 64-hex-digit block hash, got {len(line)} characters"
    else:
        why = "not a hex block hash"
    return MalformedInputError(f"--batch line {number}: {why}")


def hexagram_jsonl(
    chunks: Iterable[bytes],
    *,
    context: str,
    method: str,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """For each input chunk, yield the JSON Lines (UTF-8) of the complete
    lines it finishes, so output streams as input arrives."""
    caster = BlockCaster(context, method)
    templates = _Templates(method, context)
    slots = templates.slots
    index = caster.index
    unhexlify = binascii.unhexlify
    number = 0
    carry = b""  # the unfinished last line, never longer than MAX_LINE_BYTES
    for chunk in _with_final(chunks):
        if progress is not None and chunk:
            progress(len(chunk))
        if chunk:
            # Only the short carry is copied, never the chunk again: linear time
            # however the input is split.
            lines = chunk.split(b"\n")
            if carry:
                lines[0] = carry + lines[0]
            carry = lines.pop()
        else:  # end of input: the last line may lack its newline
            lines, carry = [carry], b""
        out: list[bytes] = []
        append = out.append
        for raw in lines:
            number += 1
            line = raw.strip()
            if not line and len(raw) <= MAX_LINE_BYTES:
                continue
            try:
                if len(line) != 64 or len(raw) > MAX_LINE_BYTES:
                    raise ValueError
                # 64 hex digits -> exactly 32 bytes; unhexlify takes no
                # whitespace, sign or prefix.
                hash_internal = unhexlify(line)[::-1]
            except ValueError:  # binascii.Error is a ValueError
                if out:
                    yield b"".join(out)
                raise _bad_line(number, raw) from None
            i = index(hash_internal)
            head, tail = slots[i] or templates.build(i)
            append(head)
            append(line.lower())
            append(tail)
        if out:
            yield b"".join(out)
        if len(carry) > MAX_LINE_BYTES:  # refused before the rest of the line is read
            raise _bad_line(number + 1, carry)


def _with_final(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks (empty ones dropped), then one empty chunk marking the end."""
    for chunk in chunks:
        if chunk:
            yield chunk
    yield b""


def file_chunks(path: str, size: int = 1 << 16) -> tuple[Iterator[bytes], int | None]:
    """Chunks of a file (``-`` = stdin) as they become readable, and the total
    size when it is a regular file (for the progress bar).  Each chunk is at
    most one underlying read, so lines arriving on a pipe are answered without
    waiting for more input."""

    def unreadable(exc: OSError) -> InputMissingError:  # missing, a directory, no permission, EIO: exit 66
        return InputMissingError(f"cannot read --batch file {display_path(path)}: {exc.strerror or exc}")

    try:
        fh: BinaryIO = stdin_binary("--batch input") if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise unreadable(exc) from None
    total: int | None = None
    with contextlib.suppress(OSError, ValueError):  # io.UnsupportedOperation is both
        st = os.fstat(fh.fileno())
        total = st.st_size if stat.S_ISREG(st.st_mode) else None

    def chunks() -> Iterator[bytes]:
        read1 = getattr(fh, "read1", fh.read)
        try:
            while True:
                try:
                    chunk = read1(size)
                except OSError as exc:  # a read error is the input's, never "cannot write the output"
                    raise unreadable(exc) from None
                if not chunk:
                    break
                yield chunk
        finally:
            if path != "-":
                fh.close()

    return chunks(), total
