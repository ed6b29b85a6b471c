"""docs/randomness.md states the derivation with numbers; check the numbers."""

from __future__ import annotations

import re
from pathlib import Path

from tests.fixtures import load_json
from toolkit.core.hexutil import block_hash_internal_from_display
from toolkit.randomness.stream import Source, stream_input

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


def _rows() -> list[list[str]]:
    table = DOC.split("Ours (")[1].split("## 6.")[0]
    wanted = ("→", "`int", "`choice", "`bytes")
    return [
        [c.strip() for c in line.strip("|").split("|")]
        for line in table.splitlines()
        if line.startswith("| ") and any(w in line for w in wanted)
    ]


def test_own_table_rows_match_the_fixture() -> None:
    ours = load_json("enoch-randomness", "vectors.json")
    casts = {(" ".join(map(str, v["lines"])), v["primary"]) for v in ours["hexagrams"]}
    casts.add(("9 7 8 6 8 7", 41))  # the --vrf-proof row, pinned in tests/test_cli_random_vrf.py
    draws = {" ".join(v["values"]) for v in ours["draws"] if v["op"] != "shuffle"}
    draws.add("6 1 3 2 5 6 5 6 1 4")  # the --vrf-proof int row, pinned there too
    checked = 0
    for row in _rows():
        output = row[-1]
        if "→" in output:
            lines, primary = output.split(" → ")[:2]
            assert (lines, int(primary.split(",")[0])) in casts, row
        else:
            assert output.split(" (")[0].replace("`", "") in draws, row
        checked += 1
    assert checked >= 13
