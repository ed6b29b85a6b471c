"""``--vrf-proof``: randomness from a verified VRF output (SPEC R, kind "vrf").

Records are made with the ``vrf`` package from the golden keys of
``fixtures/enoch-vrf-golden`` (their betas are pinned there); the stream is
re-derived independently from beta."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import spec_r_reference as ref
from tests.conftest import CliResult
from tests.fixtures import load_json, params
from toolkit.core.hexutil import block_hash_internal_from_display
from vrf.keys import KeyPair
from vrf.record import make_record
from vrf.suites import suite_by_name

Enoch = Callable[..., CliResult]
GOLDEN = load_json("enoch-vrf-golden", "records.json")["vectors"]
#: pinned: yarrow hexagram and `int 1 6` x10 from the edwards25519-TAI golden record, --context ""
PINNED = {"lines": [9, 7, 8, 6, 8, 7], "primary": 41, "moving": [1, 4], "relating": 64, "ints": [6, 1, 3, 2, 5, 6, 5, 6, 1, 4]}


def _record(vec: dict[str, Any]) -> dict[str, Any]:
    pair = KeyPair.from_secret(suite_by_name(vec["suite"]), bytes.fromhex(vec["secret_key"]))
    rec = make_record(pair, b"", block_hash_internal=block_hash_internal_from_display(vec["block_hash"]), context=vec["context"])
    doc = rec.to_json()
    assert doc["beta"] == vec["beta"]  # the golden record, byte for byte
    return doc


def _write(tmp_path: Path, doc: dict[str, Any]) -> str:
    p = tmp_path / "proof.json"
    p.write_text(json.dumps(doc))
    return str(p)


@pytest.mark.parametrize("vec", params(GOLDEN, lambda v: v["suite"]))
@pytest.mark.parametrize("context", ["", "round 2"])
def test_vrf_hexagram_and_draws_follow_beta(enoch: Enoch, tmp_path: Path, vec: dict[str, Any], context: str) -> None:
    path = _write(tmp_path, _record(vec))
    beta = bytes.fromhex(vec["beta"])
    r = enoch("hexagram", "--vrf-proof", path, "--context", context, "--json")
    assert r.exit_code == 0, r.stderr
    obj = r.json()
    assert obj["source"] == {
        "kind": "vrf", "beta": vec["beta"], "block_hash": vec["block_hash"], "context": context,
        "proof_context": vec["context"],
    }
    expected = ref.hexagram("yarrow", ref.Reader("vrf", beta, context))
    assert (obj["lines"], obj["moving"], obj["primary"]["number"]) == (expected["lines"], expected["moving"], expected["primary"])
    ints = enoch("random", "int", "1", "6", "--count", "10", "--vrf-proof", path, "--context", context, "--json").json()
    reader = ref.Reader("vrf", beta, context)
    assert ints["values"] == [reader.integer(1, 6) for _ in range(10)]


def test_pinned_vrf_outputs(enoch: Enoch, tmp_path: Path) -> None:
    vec = next(v for v in GOLDEN if v["suite"] == "ECVRF-EDWARDS25519-SHA512-TAI")
    path = _write(tmp_path, _record(vec))
    obj = enoch("hexagram", "--vrf-proof", path, "--json").json()
    assert [obj["lines"], obj["primary"]["number"], obj["moving"], obj["relating"]["number"]] == [
        PINNED["lines"], PINNED["primary"], PINNED["moving"], PINNED["relating"]
    ]
    assert enoch("random", "int", "1", "6", "--count", "10", "--vrf-proof", path, "--json").json()["values"] == PINNED["ints"]
    # differs from the plain block randomness of the same block (yarrow 7 7 9 8 7 8, docs)
    block = enoch("hexagram", "--block-hash", vec["block_hash"], "--json").json()
    assert block["lines"] == [7, 7, 9, 8, 7, 8] and block["lines"] != obj["lines"]


def _flip(hexstr: str, at: int = -1) -> str:
    chars = list(hexstr)
    chars[at] = "0" if chars[at] != "0" else "1"
    return "".join(chars)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.update(beta=_flip(d["beta"])),
        lambda d: d.update(pi=_flip(d["pi"], 10)),
        lambda d: d.update(block_hash=_flip(d["block_hash"])),
        lambda d: d.update(context=d["context"] + "!"),
        lambda d: d.update(alpha=_flip(d["alpha"])),
    ],
    ids=["beta", "pi", "block_hash", "context", "alpha"],
)
def test_tampered_record_is_exit_1(enoch: Enoch, tmp_path: Path, tamper: Callable[[dict[str, Any]], None]) -> None:
    doc = _record(GOLDEN[2])
    tamper(doc)
    path = _write(tmp_path, doc)
    for args in (("hexagram",), ("random", "bytes", "8")):
        r = enoch(*args, "--vrf-proof", path, "--json")
        assert r.exit_code == 1 and r.json()["error"]["code"] == "verification_failed"
        assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1


def test_malformed_missing_and_conflicting(enoch: Enoch, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = enoch("hexagram", "--vrf-proof", str(bad), "--json")
    assert r.exit_code == 65 and "not valid JSON" in r.json()["error"]["message"]
    doc = _record(GOLDEN[2])
    doc["format"] = "enoch-vrf-proof/2"
    r = enoch("hexagram", "--vrf-proof", _write(tmp_path, doc), "--json")
    assert r.exit_code == 65 and "format must be 'enoch-vrf-proof/1'" in r.json()["error"]["message"]
    r = enoch("random", "int", "1", "6", "--vrf-proof", str(tmp_path / "missing.json"), "--json")
    assert r.exit_code == 66 and r.json()["error"]["code"] == "input_missing"
    good = _write(tmp_path, _record(GOLDEN[2]))
    assert enoch("hexagram", "--vrf-proof", good, "--block-hash", GOLDEN[2]["block_hash"]).exit_code == 2
    assert enoch("hexagram", "--vrf-proof", good, "--batch", "-").exit_code == 2
