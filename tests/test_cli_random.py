"""``enoch hexagram`` and ``enoch random`` through the CLI: every SPEC R vector,
the JSON shapes of SPEC C, golden human output, and clean failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests import spec_r_reference as ref
from tests.conftest import CliResult
from tests.fixtures import load_json, params

SPEC = load_json("spec-r", "vectors.json")
OURS = load_json("enoch-randomness", "vectors.json")
MAINNET = load_json("mainnet-headers", "mainnet-headers.json")["headers"]
Enoch = Callable[..., CliResult]
B = SPEC["stream"]["block_hash"]
GENESIS = MAINNET[0]


def _ident(v: dict[str, Any]) -> str:
    return f"{v['block_hash'][-6:]}-{v['method']}-{len(v['context'])}"


@pytest.mark.parametrize("vec", params(SPEC["hexagrams"] + OURS["hexagrams"], _ident))
def test_hexagram_json_vectors(enoch: Enoch, vec: dict[str, Any]) -> None:
    r = enoch("hexagram", "--block-hash", vec["block_hash"], "--context", vec["context"], "--method", vec["method"], "--json")
    assert r.exit_code == 0, r.stderr
    obj = r.json()
    assert obj["source"] == {"kind": "block", "block_hash": vec["block_hash"], "context": vec["context"]}
    assert obj["method"] == vec["method"]
    assert obj["lines"] == vec["lines"]
    assert obj["moving"] == vec["moving"]
    assert obj["primary"]["number"] == vec["primary"]
    bits = "".join("1" if v in (7, 9) else "0" for v in vec["lines"])
    assert obj["primary"]["lines"] == bits
    if vec["relating"] is None:
        assert obj["relating"] is None
    else:
        assert obj["relating"]["number"] == vec["relating"]
        assert isinstance(obj["relating"]["name"], str) and len(obj["relating"]["lines"]) == 6


def test_default_method_is_yarrow(enoch: Enoch) -> None:
    vec = SPEC["hexagrams"][0]
    assert enoch("hexagram", "--block-hash", vec["block_hash"], "--json").json()["lines"] == vec["lines"]


GOLDEN_TEXT = """\
block 000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f  context "quest:42"  method yarrow

  6  ━━━   ━━━  8
  5  ━━━━━━━━━  7
  4  ━━━   ━━━  8
  3  ━━━━━━━━━  7
  2  ━━━━━━━━━  7
  1  ━━━━━━━━━  9  o  moving

primary   ䷄   5  xū 需  Waiting (Nourishment)
relating  ䷯  48  jǐng 井  The Well   (moving lines 1)
"""


def test_golden_human_output(enoch: Enoch) -> None:
    r = enoch("hexagram", "--block-hash", GENESIS["hash"], "--context", "quest:42")
    assert (r.exit_code, r.stdout, r.stderr) == (0, GOLDEN_TEXT, "")


def test_human_output_marks_old_yin_and_no_relating(enoch: Enoch) -> None:
    moving = enoch("hexagram", "--block-hash", B, "--method", "coins").stdout
    assert "  6  ━━━   ━━━  6  x  moving" in moving  # line 6 (drawn on top) is an old yin
    assert "䷡  34" in moving and "䷨  41" in moving and "(moving lines 3, 4, 6)" in moving
    still = enoch("hexagram", "--block-hash", B, "--method", "static", "--context", "quest:42").stdout
    assert "relating  none (no moving lines)" in still and "moving" not in still.split("relating")[0]


@pytest.mark.parametrize("hdr", params(MAINNET, lambda h: f"height-{h['height']}"))
def test_header_gives_the_same_randomness_as_its_hash(enoch: Enoch, hdr: dict[str, Any]) -> None:
    for method in ("yarrow", "coins", "static"):
        by_hash = enoch("hexagram", "--block-hash", hdr["hash"], "--method", method, "--context", "h", "--json")
        by_header = enoch("hexagram", "--header", hdr["header_hex"], "--method", method, "--context", "h", "--json")
        assert by_hash.exit_code == by_header.exit_code == 0
        assert by_hash.stdout == by_header.stdout
    by_hash = enoch("random", "bytes", "32", "--block-hash", hdr["hash"], "--json")
    by_header = enoch("random", "bytes", "32", "--header", hdr["header_hex"], "--json")
    assert by_hash.stdout == by_header.stdout


def test_header_failing_pow_is_exit_1(enoch: Enoch) -> None:
    bad = GENESIS["header_hex"][:-8] + "00000000"  # nonce changed
    for args in (("hexagram",), ("random", "int", "1", "6")):
        r = enoch(*args, "--header", bad)
        assert r.exit_code == 1 and "verification failed" in r.stderr and "Traceback" not in r.stderr
        j = enoch(*args, "--header", bad, "--json")
        assert j.exit_code == 1 and j.json()["error"]["code"] == "verification_failed"


def test_spec_stream_vectors_through_cli(enoch: Enoch) -> None:
    v = SPEC["stream"]
    assert enoch("random", "bytes", "16", "--block-hash", B, "--json").json()["values"] == [v["first_16_bytes"]]
    r = enoch("random", "int", "1", "6", "--count", "10", "--block-hash", B, "--json")
    assert r.json()["values"] == v["int_1_6_x10"]
    r = enoch("random", "shuffle", *[str(i) for i in range(10)], "--block-hash", B, "--json")
    assert r.json()["values"] == v["shuffle_0_to_9"]  # SPEC C: one list for shuffle
    text = enoch("random", "int", "1", "6", "--count", "10", "--block-hash", B)
    assert text.stdout.split() == [str(x) for x in v["int_1_6_x10"]]
    assert enoch("random", "shuffle", *[str(i) for i in range(10)], "--block-hash", B).stdout.split() == v["shuffle_0_to_9"]


def _cli_args(vec: dict[str, Any]) -> list[str]:
    op, args = vec["op"], [str(a) for a in vec["args"]]
    return ["random", op, "--block-hash", vec["block_hash"], "--context", vec["context"], "--count", str(vec["count"]), "--json", "--", *args]


@pytest.mark.parametrize("vec", params(OURS["draws"], lambda v: f"{v['op']}-{'-'.join(map(str, v['args']))[:30]}"))
def test_own_draw_vectors_through_cli(enoch: Enoch, vec: dict[str, Any]) -> None:
    r = enoch(*_cli_args(vec))
    assert r.exit_code == 0, r.stderr
    values = r.json()["values"]
    if vec["op"] == "int":
        values = [str(x) for x in values]
    assert values == vec["values"]


def _reader(context: str = "") -> ref.Reader:
    return ref.Reader("block", bytes.fromhex(B)[::-1], context)


def test_negative_bounds_need_no_separator(enoch: Enoch) -> None:
    r = enoch("random", "int", "-5", "-1", "--block-hash", B, "--count", "3", "--json")
    reader = _reader()
    assert r.exit_code == 0 and r.json()["values"] == [reader.integer(-5, -1) for _ in range(3)]
    plus = enoch("random", "int", "-5", "+5", "--block-hash", B, "--json")
    assert plus.exit_code == 0 and plus.json()["values"] == [_reader().integer(-5, 5)]


def test_choice_output(enoch: Enoch) -> None:
    r = enoch("random", "choice", "heads", "tails", "--block-hash", B, "--count", "4", "--json")
    reader = _reader()
    assert r.exit_code == 0 and r.json()["values"] == [["heads", "tails"][reader.integer(0, 1)] for _ in range(4)]
    assert r.json()["source"] == {"kind": "block", "block_hash": B, "context": ""}


@pytest.mark.parametrize("count", [None, "1"])
def test_single_shuffle_is_one_flat_list(enoch: Enoch, count: str | None) -> None:
    # SPEC C: `random --json` -> {"values": [...]}, "one list for shuffle".
    extra = ["--count", count] if count else []
    r = enoch("random", "shuffle", "a", "b", "c", "d", "--block-hash", B, *extra, "--json")
    assert r.exit_code == 0 and r.json()["values"] == _reader().shuffle(["a", "b", "c", "d"])
    assert r.stdout.count("\n") == 1


def test_repeated_shuffle_is_a_list_of_lists(enoch: Enoch) -> None:
    r = enoch("random", "shuffle", "a", "b", "c", "d", "--block-hash", B, "--count", "3", "--json")
    reader = _reader()
    assert r.exit_code == 0 and r.json()["values"] == [reader.shuffle(["a", "b", "c", "d"]) for _ in range(3)]
    text = enoch("random", "shuffle", "a", "b", "c", "d", "--block-hash", B, "--count", "3")
    assert text.stdout.splitlines() == [" ".join(v) for v in r.json()["values"]]


BAD_HASHES = [
    ("zz" * 32, "not hex"),
    ("00" * 31, "32 bytes"),
    ("00" * 33, "32 bytes"),
    ("0x" + "00" * 31, "0x prefix"),
    ("0" * 63, "odd number"),
    ("", "empty"),
]


@pytest.mark.parametrize(("bad", "why"), BAD_HASHES)
@pytest.mark.parametrize("command", [("hexagram",), ("random", "bytes", "4")])
def test_bad_block_hash_is_exit_65_one_line(enoch: Enoch, command: tuple[str, ...], bad: str, why: str) -> None:
    r = enoch(*command, "--block-hash", bad)
    assert r.exit_code == 65
    assert r.stdout == "" and r.stderr.count("\n") == 1 and why in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("bad", ["00" * 79, "00" * 81, "gg" * 80, ""])
def test_bad_header_hex_is_exit_65(enoch: Enoch, bad: str) -> None:
    r = enoch("hexagram", "--header", bad, "--json")
    assert r.exit_code == 65 and r.json()["error"]["code"] == "malformed_input"
    assert r.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ("hexagram",),
        ("hexagram", "--block-hash", B, "--header", GENESIS["header_hex"]),
        ("hexagram", "--method", "dice", "--block-hash", B),
        ("hexagram", "--batch", "-", "--block-hash", B),
        ("random", "int", "6", "1", "--block-hash", B),
        ("random", "int", "1", "x", "--block-hash", B),
        ("random", "bytes", "0", "--block-hash", B),
        ("random", "bytes", "4", "--block-hash", B, "--count", "0"),
        ("random", "bytes", "1048576", "--block-hash", B, "--count", "17"),
        ("random", "choice", "--block-hash", B),
        ("random", "shuffle", "--block-hash", B),
        ("random", "dice", "--block-hash", B),
        ("random", "bytes", "4"),
    ],
)
def test_usage_errors_are_exit_2(enoch: Enoch, args: tuple[str, ...]) -> None:
    r = enoch(*args)
    assert r.exit_code == 2 and "Traceback" not in r.stderr and r.stdout == ""
    j = enoch(*args, "--json")
    assert j.exit_code == 2 and j.stdout.count("\n") == 1 and "Traceback" not in j.stderr
    assert j.json()["ok"] is False and j.json()["error"]["code"] == "usage_error"
