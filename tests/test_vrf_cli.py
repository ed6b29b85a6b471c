"""``enoch vrf``: keygen / prove / verify / suites through the CLI, exit
codes (0, 1, 2, 65, 66), key file mode, RFC-identical proofs."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult
from tests.fixtures import load_json, params
from vrf.keys import KeyPair, write_key_file
from vrf.suites import suite_by_name

Enoch = Callable[..., CliResult]
VECTORS: list[dict[str, Any]] = load_json("rfc9381", "rfc9381.json")["vectors"]
GENESIS = load_json("mainnet-headers", "mainnet-headers.json")["headers"][0]
ED_TAI = "ECVRF-EDWARDS25519-SHA512-TAI"


def _key_file(tmp_path: Path, vec: dict[str, Any]) -> Path:
    path = tmp_path / f"key-{vec['example']}.json"
    write_key_file(path, KeyPair.from_secret(suite_by_name(vec["suite"]), bytes.fromhex(vec["sk"])))
    return path


def _one_line_error(res: CliResult, code: int) -> None:
    assert res.exit_code == code, res
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("enoch: error: ")
    assert "Traceback" not in res.stderr


def test_suites(enoch: Enoch) -> None:
    res = enoch("vrf", "suites", "--json")
    assert res.exit_code == 0
    rows = res.json()["suites"]
    assert [(r["name"], r["suite_string"]) for r in rows] == [
        ("ECVRF-P256-SHA256-TAI", "01"), ("ECVRF-P256-SHA256-SSWU", "02"),
        ("ECVRF-EDWARDS25519-SHA512-TAI", "03"), ("ECVRF-EDWARDS25519-SHA512-ELL2", "04"),
    ]
    assert [r["name"] for r in rows if r["default"]] == [ED_TAI]


@pytest.mark.parametrize("suite", ["ECVRF-P256-SHA256-TAI", "ECVRF-EDWARDS25519-SHA512-ELL2", None])
def test_keygen_0600_never_overwrites_never_prints_secret(enoch: Enoch, tmp_path: Path, suite: str | None) -> None:
    key = tmp_path / "k.json"
    res = enoch("vrf", "keygen", "-o", key, "--json", *(["--suite", suite] if suite else []))
    assert res.exit_code == 0, res
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    doc = json.loads(key.read_bytes())
    assert set(doc) == {"format", "suite", "secret_key", "public_key"} and doc["format"] == "enoch-vrf-key/1"
    assert doc["suite"] == (suite or ED_TAI)
    assert doc["secret_key"] not in res.stdout + res.stderr
    assert res.json()["public_key"] == doc["public_key"]
    before = key.read_bytes()
    again = enoch("vrf", "keygen", "-o", key)
    _one_line_error(again, 2)
    assert key.read_bytes() == before
    assert KeyPair.from_bytes(before).to_bytes() == before  # round trip


def test_keygen_unknown_suite_and_stdout(enoch: Enoch, tmp_path: Path) -> None:
    _one_line_error(enoch("vrf", "keygen", "--suite", "ECVRF-ED25519", "-o", tmp_path / "k"), 65)
    assert not (tmp_path / "k").exists()
    res = enoch("vrf", "keygen", "-o", "-")
    _one_line_error(res, 2)
    assert res.stdout == ""


@pytest.mark.parametrize("vec", params(VECTORS, lambda v: f"example{v['example']}"))
def test_cli_proofs_are_the_rfc_proofs(enoch: Enoch, tmp_path: Path, vec: dict[str, Any]) -> None:
    key = _key_file(tmp_path, vec)
    res = enoch("vrf", "prove", "--key", key, "--alpha", vec["alpha"], "--json")
    assert res.exit_code == 0, res
    rec = res.json()
    assert (rec["pi"], rec["beta"], rec["public_key"], rec["suite"]) == (vec["pi"], vec["beta"], vec["pk"], vec["suite"])
    ok = enoch("vrf", "verify", "--suite", vec["suite"], "--public-key", vec["pk"], "--alpha", vec["alpha"],
               "--pi", vec["pi"], "--json")
    assert ok.exit_code == 0 and ok.json() == {"valid": True, "beta": vec["beta"], "suite": vec["suite"]}


def test_prove_block_hash_and_verify_file(enoch: Enoch, tmp_path: Path) -> None:
    key = _key_file(tmp_path, VECTORS[6])
    out = tmp_path / "proof.json"
    bh = GENESIS["hash"]
    res = enoch("vrf", "prove", "--key", key, "--block-hash", bh, "--context", "quest:42", "-o", out)
    assert res.exit_code == 0, res
    rec = json.loads(out.read_bytes())
    assert rec["block_hash"] == bh and rec["context"] == "quest:42"
    assert rec["alpha"] == bytes.fromhex(bh)[::-1].hex() + b"quest:42".hex()
    ver = enoch("vrf", "verify", out, "--json")
    assert ver.exit_code == 0 and ver.json() == {"valid": True, "beta": rec["beta"], "suite": ED_TAI}
    _one_line_error(enoch("vrf", "prove", "--key", key, "--block-hash", bh, "-o", out), 2)  # never overwrites
    assert json.loads(out.read_bytes()) == rec


def test_prove_header_equals_block_hash(enoch: Enoch, tmp_path: Path) -> None:
    key = _key_file(tmp_path, VECTORS[0])
    by_header = enoch("vrf", "prove", "--key", key, "--header", GENESIS["header_hex"], "--json")
    by_hash = enoch("vrf", "prove", "--key", key, "--block-hash", GENESIS["hash"], "--json")
    assert by_header.exit_code == 0 and by_header.json() == by_hash.json()
    bad_pow = GENESIS["header_hex"][:-2] + "00"  # another nonce: the hash misses the target
    assert enoch("vrf", "prove", "--key", key, "--header", bad_pow).exit_code == 1


def _record(enoch: Enoch, tmp_path: Path) -> dict[str, Any]:
    key = _key_file(tmp_path, VECTORS[9])
    rec: dict[str, Any] = enoch("vrf", "prove", "--key", key, "--block-hash", GENESIS["hash"], "--json").json()
    return rec


def _verify_doc(enoch: Enoch, tmp_path: Path, doc: dict[str, Any]) -> CliResult:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return enoch("vrf", "verify", path, "--json")


@pytest.mark.parametrize(
    "field,value",
    [("beta", "00" * 64), ("alpha", "00"), ("context", "other"),
     ("block_hash", "00000000000000000007878ec04bb2b2e12317804810f4c26033585b3f81ffaa")],
)
def test_tampered_record_is_invalid(enoch: Enoch, tmp_path: Path, field: str, value: str) -> None:
    doc = _record(enoch, tmp_path) | {field: value}
    res = _verify_doc(enoch, tmp_path, doc)
    assert res.exit_code == 1
    assert res.json()["valid"] is False and res.json()["beta"] is None
    assert res.stdout.count("\n") == 1


@pytest.mark.parametrize(
    "edit",
    [{"format": "enoch-vrf-proof/2"}, {"extra": 1}, {"pi": "zz"}, {"pi": "00"}, {"beta": "AB" * 64},
     {"suite": "ECVRF-NOPE"}, {"public_key": "00" * 33}, {"context": 5}],
)
def test_malformed_record_exit_65(enoch: Enoch, tmp_path: Path, edit: dict[str, Any]) -> None:
    _one_line_error(_verify_doc(enoch, tmp_path, _record(enoch, tmp_path) | edit), 65)


def test_record_block_keys_together(enoch: Enoch, tmp_path: Path) -> None:
    doc = _record(enoch, tmp_path)
    del doc["context"]
    _one_line_error(_verify_doc(enoch, tmp_path, doc), 65)


VEC = VECTORS[6]


@pytest.mark.parametrize(
    "args,code",
    [
        (["--suite", "ECVRF-FOO", "--public-key", VEC["pk"], "--alpha", "", "--pi", VEC["pi"]], 65),
        (["--suite", VEC["suite"], "--public-key", "xyz", "--alpha", "", "--pi", VEC["pi"]], 65),
        (["--suite", VEC["suite"], "--public-key", VEC["pk"][:-2], "--alpha", "", "--pi", VEC["pi"]], 65),
        (["--suite", VEC["suite"], "--public-key", VEC["pk"], "--alpha", "abc", "--pi", VEC["pi"]], 65),
        (["--suite", VEC["suite"], "--public-key", VEC["pk"], "--alpha", "", "--pi", VEC["pi"] + "00"], 65),
        (["--suite", VEC["suite"], "--public-key", VEC["pk"], "--alpha", "", "--pi", "0x" + VEC["pi"]], 65),
        (["--suite", VEC["suite"], "--public-key", VEC["pk"]], 2),
        (["missing.json"], 66),
    ],
)
def test_verify_bad_input(enoch: Enoch, args: list[str], code: int) -> None:
    _one_line_error(enoch("vrf", "verify", *args), code)


def test_verify_invalid_proof_exit_1_one_json_object(enoch: Enoch) -> None:
    pi = VEC["pi"][:-2] + "06"
    res = enoch("vrf", "verify", "--suite", VEC["suite"], "--public-key", VEC["pk"], "--alpha", "", "--pi", pi, "--json")
    assert res.exit_code == 1
    assert res.json()["valid"] is False and res.json()["suite"] == VEC["suite"]
    text = enoch("vrf", "verify", "--suite", VEC["suite"], "--public-key", VEC["pk"], "--alpha", "", "--pi", pi)
    assert text.exit_code == 1 and text.stdout.startswith("INVALID")


def test_no_validate_key_flag(enoch: Enoch) -> None:
    neg = next(v for v in load_json("rfc9381", "rfc9381.json")["negative_vectors"] if "validate_key" in v["expected"])
    args = ["--suite", neg["suite"], "--public-key", neg["pk"], "--alpha", neg["alpha"], "--pi", neg["pi"], "--json"]
    assert enoch("vrf", "verify", *args).exit_code == 1
    res = enoch("vrf", "verify", *args, "--no-validate-key")
    assert res.exit_code == 0 and res.json()["beta"] == neg["beta_if_accepted"]


def test_prove_usage_and_key_errors(enoch: Enoch, tmp_path: Path) -> None:
    key = _key_file(tmp_path, VEC)
    _one_line_error(enoch("vrf", "prove", "--key", key), 2)
    _one_line_error(enoch("vrf", "prove", "--key", key, "--alpha", "00", "--block-hash", GENESIS["hash"]), 2)
    _one_line_error(enoch("vrf", "prove", "--key", key, "--alpha", "00", "--context", "x"), 2)
    # undecodable command-line bytes (surrogate escapes) are not a context: 65, like hexagram/random
    _one_line_error(enoch("vrf", "prove", "--key", key, "--block-hash", GENESIS["hash"], "--context", "a\udcff"), 65)
    _one_line_error(enoch("vrf", "prove", "--key", tmp_path / "none.json", "--alpha", "00"), 66)
    doc = json.loads(key.read_bytes())
    for edit in ({"public_key": VECTORS[7]["pk"]}, {"secret_key": "00"}, {"format": "x"}):
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(doc | edit), encoding="utf-8")
        _one_line_error(enoch("vrf", "prove", "--key", bad, "--alpha", "00"), 65)
        bad.unlink()


def test_prove_warns_about_a_shared_key_file(enoch: Enoch, tmp_path: Path) -> None:
    key = _key_file(tmp_path, VEC)
    key.chmod(0o644)
    res = enoch("vrf", "prove", "--key", key, "--alpha", "00", "--json")
    assert res.exit_code == 0 and "readable by other users" in res.stderr
    assert res.json()["format"] == "enoch-vrf-proof/1"  # stdout is still exactly the record
    key.chmod(0o600)
    assert enoch("vrf", "prove", "--key", key, "--alpha", "00").stderr == ""
