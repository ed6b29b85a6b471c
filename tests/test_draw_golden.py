"""SPEC D golden draws: fixed requests over real mainnet headers give fixed
winners, and a re-derivation from docs/draws.md alone (tests/draw_reference.py,
no enoch draw or randomness code) agrees on every value."""

from __future__ import annotations

import hashlib
import re
import json
from pathlib import Path
from typing import Any

import pytest

from tests import draw_reference as ref
from tests.drawkit import ENTRANTS, GOLDEN, HEADERS, HEADERS_FIRST_HEIGHT, Enoch, make_draw
from tests.fixtures import params

VECTORS = params(GOLDEN, lambda v: str(v["name"]))


@pytest.mark.parametrize("vector", VECTORS)
def test_golden_draw_bytes(enoch: Enoch, tmp_path: Path, vector: dict[str, Any]) -> None:
    request, receipt = make_draw(enoch, tmp_path, vector)
    assert hashlib.sha256(request.read_bytes()).hexdigest() == vector["request_sha256"]
    assert hashlib.sha256(receipt.read_bytes()).hexdigest() == vector["receipt_sha256"]
    doc = json.loads(receipt.read_bytes())
    assert doc["request"] == vector["request"] and doc["request_id"] == vector["request_id"]
    assert doc["block"] == vector["block"]
    assert [w["index"] for w in doc["winners"]] == vector["winners"]
    assert [w["entrant"] for w in doc["winners"]] == vector["entrants"]
    got = enoch("draw", "verify", receipt, "--request", request, "--entrants", ENTRANTS, "--json")
    assert got.exit_code == 0 and got.json()["valid"] is True


@pytest.mark.parametrize("vector", VECTORS)
def test_golden_draw_rederived_from_the_docs(enoch: Enoch, tmp_path: Path, vector: dict[str, Any]) -> None:
    _request, receipt = make_draw(enoch, tmp_path, vector)
    doc = json.loads(receipt.read_bytes())
    names = ref.entrants(ENTRANTS.read_bytes())
    request = vector["request"]
    # The request: the entrants' count and root, and its id.
    assert request["entrants"] == {"count": len(names), "root": ref.mth(names).hex()}
    assert ref.request_id(request) == vector["request_id"]
    # Block H, read from the fixture's headers by height.
    chain = [line for line in HEADERS.read_text().split("\n") if line]
    block = ref.block_hash_internal(chain, HEADERS_FIRST_HEIGHT, request["height"])
    assert block[::-1].hex() == vector["block"]["hash"]
    # The receipt carries headers from just after checkpoint 80639 through H + C - 1.
    start = 80640 - HEADERS_FIRST_HEIGHT
    assert doc["headers"] == chain[start : request["height"] + request["confirmations"] - HEADERS_FIRST_HEIGHT]
    beta = None
    if request["vrf"] is not None:
        proof = doc["vrf_proof"]
        assert bytes.fromhex(proof["alpha"]) == ref.vrf_alpha(block, request)
        assert proof["public_key"] == request["vrf"]["public_key"]
        beta = bytes.fromhex(proof["beta"])
        assert proof["beta"] == vector["beta"]
    assert ref.winners(request, block, beta) == vector["winners"]
    assert [names[i].decode() for i in vector["winners"]] == vector["entrants"]
    for w in doc["winners"]:
        assert [p.hex() for p in ref.path(w["index"], names)] == w["proof"]


def test_reference_rejects_what_the_docs_reject() -> None:
    # The reference is a real parser, not a copy of the toolkit's answers.
    assert ref.entrants(b"a\r\nb\n") == [b"a", b"b"]
    assert ref.entrants(b"a\r\r\nb") == [b"a\r", b"b"]
    for bad in (b"a\n\nb\n", b"a\na\n", b"\n"):
        with pytest.raises(AssertionError):
            ref.entrants(bad)
    with pytest.raises(UnicodeDecodeError):
        ref.entrants(b"\xff\n")


def test_outputs_to_stdout_and_json(enoch: Enoch, tmp_path: Path) -> None:
    vector = GOLDEN[0]
    request, receipt = make_draw(enoch, tmp_path, vector)
    from tests.drawkit import commit_args

    got = enoch(*commit_args(vector["args"]), "-o", "-")
    assert got.exit_code == 0 and got.stdout.encode() == request.read_bytes()
    assert got.stderr.endswith(f"request id: {vector['request_id']}\n")  # after the past-height warning
    got = enoch(*commit_args(vector["args"]), "-o", tmp_path / "again.json", "--json")
    assert got.json()["request_id"] == vector["request_id"] and got.json()["request"] == vector["request"]
    got = enoch("draw", "run", request, "--entrants", ENTRANTS, "--headers", HEADERS, "-o", "-")
    assert got.exit_code == 0 and got.stdout.encode() == receipt.read_bytes()
    body = enoch("draw", "verify", receipt, "--json").json()
    assert body["block"]["confirmations"] == 6 and re.fullmatch("[0-9a-f]{64}", body["block"]["chainwork"])
    assert [w["index"] for w in body["winners"]] == vector["winners"]
    text = enoch("draw", "verify", receipt).stdout.splitlines()
    assert text[0].startswith("valid draw: 3 of 25 entrants, block 80645 ") and text[-1].startswith("checked: ")
    assert len(text) == 2 + 3 + 1 and "n°23" in text[4]
