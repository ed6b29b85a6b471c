"""The one renderer: results to stdout (text or JSON), errors and progress to stderr.

Commands return a :class:`Result`; nothing else in enoch writes to stdout,
except ``hexagram --batch``, which streams JSON Lines (records in the
:func:`dumps_json` dialect, pre-rendered by ``toolkit.cli.hexagram_batch``).
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO, runtime_checkable

from toolkit.core.errors import EnochError


@runtime_checkable
class Result(Protocol):
    """What a command returns.  ``exit_code`` is 0 unless the result itself
    is a negative answer (e.g. ``vrf verify`` of an invalid proof -> 1)."""

    exit_code: int

    def to_json(self) -> dict[str, Any]: ...

    def to_text(self) -> str: ...


@dataclass
class SimpleResult:
    """A ready-made :class:`Result` for commands whose text form is a few lines."""

    data: dict[str, Any]
    text: str
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        return self.data

    def to_text(self) -> str:
        return self.text


@dataclass
class StreamedResult:
    """A :class:`Result` too large to build in memory (``inscribe reveal`` of
    a 100 MB batch): ``data[key]`` is the list that ``items()`` produces one
    element at a time, and ``lines()`` the text form, one line at a time.
    :func:`render` writes either as it goes; the JSON bytes are exactly those
    of :func:`dumps_json` of the whole object.  Everything that can fail
    should have failed before: a failure while streaming ends the output early
    (reported on stderr, exit 66)."""

    data: dict[str, Any]
    key: str
    items: Callable[[], Iterator[dict[str, Any]]]
    lines: Callable[[], Iterator[str]]
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        return self.data | {self.key: list(self.items())}

    def to_text(self) -> str:
        return "\n".join(self.lines())

    def json_parts(self) -> Iterator[str]:
        """The pieces of ``dumps_json(self.to_json())``, in order."""
        yield "{"
        for n, k in enumerate(sorted(self.data.keys() | {self.key})):
            yield (", " if n else "") + json.dumps(k, ensure_ascii=False) + ": "
            if k != self.key:
                yield json.dumps(self.data[k], ensure_ascii=False, sort_keys=True)
                continue
            yield "["
            for m, item in enumerate(self.items()):
                yield (", " if m else "") + dumps_json(item)
            yield "]"
        yield "}"


def dumps_json(obj: dict[str, Any]) -> str:
    """The JSON dialect of stdout: UTF-8, compact-but-readable, sorted keys."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def printable(text: str) -> str:
    """``text`` with lone surrogates (undecodable bytes of a file name or argv,
    decoded with surrogateescape) shown as ``\\udcxx``: writing them to a
    strict UTF-8 stream would raise, and raw they would make stdout invalid UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def render(result: Result, *, json_mode: bool, out: TextIO | None = None) -> None:
    """Print ``result`` on stdout as text or as exactly one JSON object."""
    stream = out if out is not None else sys.stdout
    if stream is None:  # started with stdout closed (`>&-`)
        raise OSError("stdout is closed")
    if isinstance(result, StreamedResult):
        parts = result.json_parts() if json_mode else (line + "\n" for line in result.lines())
        for part in parts:
            stream.write(printable(part))
        if json_mode:
            stream.write("\n")
    elif json_mode:
        stream.write(printable(dumps_json(result.to_json())) + "\n")
    else:
        text = printable(result.to_text())
        if text:
            stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()


def error_object(code: str, message: str) -> dict[str, Any]:
    """SPEC C's ``--json`` failure object."""
    return {"ok": False, "error": {"code": code, "message": message}}


def render_error(code: str, message: str, *, json_mode: bool) -> None:
    """Report a failure: one line on stderr, plus the JSON error object on
    stdout in ``--json`` mode (SPEC C).  Never raises for an unprintable
    message (a file name that is not UTF-8): that would become a traceback."""
    # One line, always; control characters quoted from user input (a NUL or
    # an escape sequence in an address or file name) are shown escaped.
    message = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        for ch in printable(message).replace("\n", " ")
    )
    # Best effort: a closed or full stdout/stderr must not turn an error into a traceback.
    with contextlib.suppress(OSError, AttributeError):
        if json_mode:
            sys.stdout.write(dumps_json(error_object(code, message)) + "\n")
            sys.stdout.flush()
    with contextlib.suppress(OSError, AttributeError):
        sys.stderr.write(f"enoch: error: {message}\n")
        sys.stderr.flush()


def render_enoch_error(exc: EnochError, *, json_mode: bool) -> None:
    """:func:`render_error` for one of enoch's own errors."""
    render_error(exc.code, exc.message, json_mode=json_mode)


def info(message: str) -> None:
    """A diagnostic line on stderr (never stdout)."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@dataclass
class Progress:
    """A minimal progress bar on stderr, drawn only when stderr is a TTY.

    Library code takes a ``Callable[[int], None]`` and calls it with the
    amount of work done since the last call; pass ``Progress.advance``.
    """

    total: int
    label: str
    enabled: bool = field(default_factory=lambda: sys.stderr.isatty())
    done: int = 0
    _last_draw: float = 0.0

    def advance(self, amount: int) -> None:
        """Count ``amount`` more units done; redraw at most ten times a second."""
        self.done += amount
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_draw < 0.1 and self.done < self.total:
            return
        self._last_draw = now
        frac = min(1.0, self.done / self.total) if self.total else 1.0
        width = 30
        filled = int(frac * width)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {frac * 100:5.1f}%")
        sys.stderr.flush()

    def close(self) -> None:
        """End the bar's line (when the bar is enabled)."""
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()
