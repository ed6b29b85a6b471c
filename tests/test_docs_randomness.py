"""docs/randomness.md states the derivation with numbers; check the numbers."""

from __future__ import annotations

import re
from pathlib import Path

from tests.fixtures import load_json
from toolkit.hexutil import block_hash_internal_from_display
from toolkit.randomness import Source, stream_input

DOC = (Path(__file__).resolve().parent.parent / "docs" / "randomness.md").read_text(encoding="utf-8")
SPEC = load_json("spec-r", "vectors.json")


def test_worked_example_absorbed_bytes() -> None:
    block = DOC.split("is these 72 bytes:")[1].split("```")[1]
    # each line: length prefix, then (if any) the field bytes, then a comment
    hexdigits = "".join(t for line in block.splitlines() for t in line.split()[:2] if re.fullmatch(r"[0-9a-f]+", t))
    expected = stream_input("block", block_hash_internal_from_display(SPEC["stream"]["block_hash"]), "")
    assert bytes.fromhex(hexdigits) == expected


def test_worked_example_32_stream_bytes_and_draws() -> None:
    s = Source("block", block_hash_internal_from_display(SPEC["stream"]["block_hash"]), "").stream()
    assert s.read(32).hex() in DOC
    assert "**" + " ".join(map(str, SPEC["stream"]["int_1_6_x10"])) + "**" in DOC
    assert "**" + " ".join(SPEC["stream"]["shuffle_0_to_9"]) + "**" in DOC


def test_spec_table_rows_are_in_the_doc() -> None:
    for v in SPEC["hexagrams"]:
        lines = " ".join(map(str, v["lines"]))
        row = f"| `{v['block_hash']}` | \"{v['context']}\" | {v['method']} | {lines} | {v['primary']} |"
        assert row in DOC


def test_own_stream_vectors_quoted_correctly() -> None:
    quoted = [v for v in load_json("enoch-randomness", "vectors.json")["streams"] if len(v["context"]) < 300]
    assert len(quoted) == 4
    for v in quoted:
        assert f"`{v['first_64_bytes'][:32]}`" in DOC
