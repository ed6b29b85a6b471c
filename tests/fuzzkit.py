"""The parser fuzz machinery (targets, hostile values, mutation), shared by the bounded hypothesis run
(tests/test_fuzz_parsers.py) and the long runs (tests/fuzz_long.py).

Each target is a parser entry point that takes bytes, plus valid seed inputs
(the list is tests/fuzz_targets.py).
Inputs are the seeds mutated (bytes flipped, cut, spliced with hostile
tokens; for JSON documents one value replaced by a hostile value) or plain
random bytes.  The property: a parser returns, or raises an ``EnochError``
subclass (exit 1, 2, 65, 69 with a message) -- never anything else, which the
CLI would report as exit 70, an internal error.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from toolkit.core.errors import EnochError

#: Values a hostile editor puts into a JSON document (as JSON text).
HOSTILE_JSON = [
    "null", "true", "false", "0", "-1", "1", "9007199254740991", "9007199254740992", "18446744073709551616",
    "1" * 5000, "-" + "9" * 400, "1.5", "1e400", "1E+999999999", "-0", "[]", "{}", '""', '"0"', '"-1"',
    '"1E+999999999"', '"NaN"', '"Infinity"', '"1e-999999999"', '"' + "00" * 34 + '"', '"' + "ff" * 32 + '"',
    '"' + "0" * 64 + '"', '"\\u0000"', '"\\ud800"', '"a\\u202eb"', '"' + "a" * 5000 + '"', '"../x"', '"/abs"',
    '"zz"', '"\\u0661"', "[" * 2000 + "]" * 2000, '{"a":' * 500 + "1" + "}" * 500,
]  # fmt: skip
#: Byte strings spliced into raw inputs.
HOSTILE_BYTES = [
    b"\x00", b"\xff", b"\xff" * 9, b"\x80", b"\xc0\x80", b"\xed\xa0\x80", b"\r", b"\n", b"\x1b[2J", b"\xe2\x80\xae",
    b"\x4c\xff", b"\x4d\xff\xff", b"\x4e\xff\xff\xff\xff", b"\xfd\xff\xff", b"\xfe\xff\xff\xff\xff",
    b"\xff\xff\xff\xff\xff\xff\xff\xff\xff", b"1E+999999999", b"[" * 1000, b'"', b"\\", b"\\u", b"-", b"0x",
]  # fmt: skip


@dataclass(frozen=True)
class Target:
    """A parser under test: ``parse(data)`` and the valid inputs to mutate."""

    name: str
    parse: Callable[[bytes], object]
    seeds: Callable[[], list[bytes]]
    json_seeds: bool = False


def run_target(target: Target, data: bytes) -> BaseException | None:
    """Run one input; return the non-enoch exception it raised, if any."""
    try:
        target.parse(data)
    except EnochError:
        return None
    except Exception as exc:  # the finding
        return exc
    return None


# --- mutation ------------------------------------------------------------------


def mutate(seed: bytes, rng: random.Random, *, json_doc: bool) -> bytes:
    """One mutated input from ``seed``."""
    choice = rng.randrange(8 if json_doc else 6)
    if choice >= 6:
        return _json_replace(seed, rng)
    data = bytearray(seed)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6) if data else 4
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:  # flip a bit
            i = min(pos, len(data) - 1)
            data[i] ^= 1 << rng.randrange(8)
        elif op == 1:  # cut
            del data[pos:]
        elif op == 2:  # delete a span
            del data[pos : pos + rng.randint(1, 16)]
        elif op == 3 and data:  # set a byte
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op == 4:  # splice in a hostile token
            data[pos:pos] = rng.choice(HOSTILE_BYTES)
        else:  # duplicate a span
            data[pos:pos] = data[pos : pos + rng.randint(1, 64)]
    return bytes(data)


def _json_replace(seed: bytes, rng: random.Random) -> bytes:
    """Replace one value anywhere in a JSON document by a hostile value,
    keeping the rest canonical (sorted keys, no whitespace), so the parser
    gets past the syntax and shape checks to the field checks."""
    doc = json.loads(seed)
    slots: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in node:
                slots.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for i in range(len(node)):
                slots.append((node, i))
                walk(node[i])

    walk(doc)
    marker = "\x00HOSTILE\x00"
    if slots:
        container, key = rng.choice(slots)
        if isinstance(container, dict) and rng.random() < 0.1:
            del container[key]
        else:
            container[key] = marker
    else:
        doc = marker
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace(json.dumps(marker), rng.choice(HOSTILE_JSON)).encode("utf-8", "surrogatepass")


def json_variants(seed: bytes) -> list[bytes]:
    """Every single-field edit of a JSON document: each value (lists cut to
    their first two items) replaced by each hostile value, and each key
    deleted.  Systematic, so a bounded run covers every field's checks."""
    doc = json.loads(seed)
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node[:2]) if isinstance(node, list) else ()
        for key, child in items:
            paths.append((*path, key))
            walk(child, (*path, key))

    walk(doc, ())
    marker = "\x00HOSTILE\x00"
    out: list[bytes] = []
    for path in paths:
        variant = json.loads(seed)
        container = variant
        for key in path[:-1]:
            container = container[key]
        container[path[-1]] = marker
        rendered = json.dumps(variant, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        out += [rendered.replace(json.dumps(marker), value).encode("utf-8", "surrogatepass") for value in HOSTILE_JSON]
        if isinstance(container, dict):
            del container[path[-1]]
            out.append(json.dumps(variant, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    return out


def text(data: bytes) -> str:
    """Bytes as the text a command line would give (undecodable bytes as surrogates)."""
    return data.decode("utf-8", "surrogateescape")
