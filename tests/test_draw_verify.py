"""draw verify: every field of a valid receipt, tampered so the receipt stays
well-formed, is exit 1 with a reason naming the failed step; draw run refuses
what it cannot prove (exit 1) and what it may not do (exit 2)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.drawkit import ENTRANTS, GOLDEN, HEADERS, Enoch, commit_args, make_draw, vrf_key_file, vrf_public_key
from toolkit.core.canonical_json import canonical_dumps

BLOCK, VRF = GOLDEN
Tamper = Callable[[dict[str, Any]], None]
OTHER_HASH = "00000000" + "11" * 28


def _flip(hex_text: str, at: int = -1) -> str:
    raw = bytearray.fromhex(hex_text)
    raw[at] ^= 1
    return raw.hex()


def _rehash(doc: dict[str, Any]) -> None:
    doc["request_id"] = hashlib.sha256(canonical_dumps(doc["request"])).hexdigest()


def _request(key: str, value: Any, *, rehash: bool) -> Tamper:
    def tamper(doc: dict[str, Any]) -> None:
        target = doc["request"]
        *parents, last = key.split(".")
        for p in parents:
            target = target[p]
        target[last] = value(target[last]) if callable(value) else value
        if rehash:
            _rehash(doc)

    return tamper


def _do(fn: Callable[[dict[str, Any]], Any]) -> Tamper:
    def tamper(doc: dict[str, Any]) -> None:
        fn(doc)

    return tamper


REQUEST_FIELDS: list[tuple[str, Any]] = [
    ("network", "testnet4"),
    ("height", lambda h: h + 1),
    ("confirmations", lambda c: c + 1),
    ("context", "raffle #2"),
    ("winners", lambda k: k - 1),
    ("entrants.count", lambda n: n + 1),
    ("entrants.root", lambda r: _flip(r)),
    ("vrf", {"suite": "ECVRF-EDWARDS25519-SHA512-TAI", "public_key": vrf_public_key(17)}),
]

COMMON: list[tuple[str, Tamper]] = [
    *[(f"request.{k}", _request(k, v, rehash=False)) for k, v in REQUEST_FIELDS],
    *[(f"request.{k} (id recomputed)", _request(k, v, rehash=True)) for k, v in REQUEST_FIELDS],
    ("request winners above count (id recomputed)", _request("winners", 30, rehash=True)),
    ("request_id", lambda d: d.update(request_id=_flip(d["request_id"]))),
    ("block.height", lambda d: d["block"].update(height=d["block"]["height"] + 1)),
    ("block.hash", lambda d: d["block"].update(hash=OTHER_HASH)),
    ("headers: first dropped (unanchored)", _do(lambda d: d["headers"].pop(0))),
    ("headers: last dropped (confirmations)", _do(lambda d: d["headers"].pop())),
    ("headers: one in the middle dropped", _do(lambda d: d["headers"].pop(3))),
    ("headers: two swapped", _do(lambda d: d["headers"].insert(4, d["headers"].pop(5)))),
    ("headers: nonce of block H changed", _do(lambda d: d["headers"].__setitem__(5, _flip(d["headers"][5])))),
    ("headers: merkle root of the tip changed", _do(lambda d: d["headers"].__setitem__(-1, _flip(d["headers"][-1], 40)))),
    ("headers: duplicated tip", _do(lambda d: d["headers"].append(d["headers"][-1]))),
    ("winners: index", _do(lambda d: d["winners"][0].update(index=(d["winners"][0]["index"] + 1) % 25))),
    ("winners: entrant", _do(lambda d: d["winners"][1].update(entrant="mallory2"))),
    ("winners: entrant of another line", _do(lambda d: d["winners"][1].update(entrant="alice"))),
    ("winners: proof element", _do(lambda d: d["winners"][0]["proof"].__setitem__(0, _flip(d["winners"][0]["proof"][0])))),
    ("winners: proof truncated", _do(lambda d: d["winners"][0]["proof"].pop())),
    ("winners: proof extended", _do(lambda d: d["winners"][0]["proof"].append("00" * 32))),
    ("winners: reordered", _do(lambda d: d["winners"].reverse())),
    ("winners: one dropped", _do(lambda d: d["winners"].pop())),
    ("winners: one added", _do(lambda d: d["winners"].append(dict(d["winners"][0])))),
]

BLOCK_ONLY: list[tuple[str, Tamper]] = [
    ("vrf_proof added", lambda d: d.update(vrf_proof={
        "format": "enoch-vrf-proof/1", "suite": "ECVRF-EDWARDS25519-SHA512-TAI", "public_key": vrf_public_key(16),
        "alpha": "", "pi": "00" * 80, "beta": "00" * 64})),
]


def _proof(key: str, value: Any) -> Tamper:
    return lambda d: d["vrf_proof"].update({key: value(d["vrf_proof"][key]) if callable(value) else value})


VRF_ONLY: list[tuple[str, Tamper]] = [
    ("vrf_proof removed", lambda d: d.update(vrf_proof=None)),
    ("vrf_proof.pi", _proof("pi", _flip)),
    ("vrf_proof.pi (c)", _proof("pi", lambda p: _flip(p, 40))),
    ("vrf_proof.beta", _proof("beta", _flip)),
    ("vrf_proof.alpha", _proof("alpha", _flip)),
    ("vrf_proof.public_key", _proof("public_key", lambda _: vrf_public_key(17))),
    ("vrf_proof.context", _proof("context", lambda c: c[:-1] + "0")),
    ("vrf_proof.block_hash", _proof("block_hash", lambda _: OTHER_HASH)),
]

CASES = [(BLOCK, n, t) for n, t in COMMON + BLOCK_ONLY] + [(VRF, n, t) for n, t in COMMON + VRF_ONLY]


@pytest.mark.parametrize(("vector", "name", "tamper"), CASES, ids=[f"{v['name']}:{n}" for v, n, _ in CASES])
def test_every_tampered_field_is_exit_1(
    enoch: Enoch, tmp_path: Path, vector: dict[str, Any], name: str, tamper: Tamper
) -> None:
    _request_path, path = make_draw(enoch, tmp_path, vector)
    doc = json.loads(path.read_bytes())
    tamper(doc)
    data = canonical_dumps(doc) + b"\n"
    assert data != path.read_bytes(), "the tamper changed nothing"
    path.write_bytes(data)
    got = enoch("draw", "verify", path, "--json")
    assert got.exit_code == 1, (name, got.stdout, got.stderr)
    body = got.json()
    assert body["valid"] is False and body["reason"].startswith("step ")
    text = enoch("draw", "verify", path)
    assert text.exit_code == 1 and text.stdout.startswith("INVALID draw receipt: step ")


def test_request_and_entrants_files_must_match(enoch: Enoch, tmp_path: Path) -> None:
    request, receipt = make_draw(enoch, tmp_path, BLOCK)
    assert enoch("draw", "verify", receipt, "--request", request, "--entrants", ENTRANTS).exit_code == 0
    other = tmp_path / "other.json"
    args = dict(BLOCK["args"], context="raffle #2")
    assert enoch(*commit_args(args), "-o", other).exit_code == 0
    got = enoch("draw", "verify", receipt, "--request", other)
    assert got.exit_code == 1 and "step 1" in got.stdout
    swapped = tmp_path / "entrants.txt"
    lines = ENTRANTS.read_bytes().splitlines(keepends=True)
    swapped.write_bytes(b"".join([lines[1], lines[0], *lines[2:]]))  # same set, another order
    got = enoch("draw", "verify", receipt, "--entrants", swapped)
    assert got.exit_code == 1 and "step 7" in got.stdout
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"a\na\n")
    assert enoch("draw", "verify", receipt, "--entrants", bad).exit_code == 65


def _run(enoch: Enoch, request: Path, out: Path, *extra: Any, headers: Path = HEADERS, entrants: Path = ENTRANTS) -> Any:
    return enoch("draw", "run", request, "--entrants", entrants, "--headers", headers, *extra, "-o", out)


def test_run_refuses_other_entrants_and_short_chains(enoch: Enoch, tmp_path: Path) -> None:
    request, _ = make_draw(enoch, tmp_path, BLOCK)
    out = tmp_path / "out.json"
    swapped = tmp_path / "swapped.txt"
    lines = ENTRANTS.read_bytes().splitlines(keepends=True)
    swapped.write_bytes(b"".join([lines[1], lines[0], *lines[2:]]))
    got = _run(enoch, request, out, entrants=swapped)
    assert got.exit_code == 1 and "Merkle root" in got.stderr
    fewer = tmp_path / "fewer.txt"
    fewer.write_bytes(b"".join(lines[:-1]))
    assert _run(enoch, request, out, entrants=fewer).exit_code == 1
    # Headers through 80649: block 80645 has 5 confirmations of the 6 required.
    short = tmp_path / "short.txt"
    short.write_text("\n".join(HEADERS.read_text().split()[:50]) + "\n")
    got = _run(enoch, request, out, headers=short)
    assert got.exit_code == 1 and "only 5 confirmations" in got.stderr
    # Headers from 80641: no checkpoint at or below the height reachable.
    late = tmp_path / "late.txt"
    late.write_text("\n".join(HEADERS.read_text().split()[41:]) + "\n")
    assert _run(enoch, request, out, headers=late).exit_code == 1
    assert not out.exists()


def test_run_needs_exactly_the_requested_vrf_key(enoch: Enoch, tmp_path: Path) -> None:
    request, receipt = make_draw(enoch, tmp_path, VRF)
    block_request, _ = make_draw(enoch, tmp_path, BLOCK)
    out = tmp_path / "out.json"
    got = _run(enoch, request, out)
    assert got.exit_code == 2 and "--vrf-key" in got.stderr
    got = _run(enoch, request, out, "--vrf-key", vrf_key_file(tmp_path, 17, "other.json"))
    assert got.exit_code == 2 and "not the key the request names" in got.stderr
    got = _run(enoch, request, out, "--vrf-key", vrf_key_file(tmp_path, 19, "ell2.json"))  # same secret, other suite
    assert got.exit_code == 2
    got = _run(enoch, block_request, out, "--vrf-key", vrf_key_file(tmp_path, 16, "k16.json"))
    assert got.exit_code == 2 and "names no VRF key" in got.stderr
    assert not out.exists()
    # The VRF output, not the block, decides: the same rules without the key draw differently.
    doc = json.loads(receipt.read_bytes())
    assert [w["index"] for w in doc["winners"]] == VRF["winners"]
    assert doc["vrf_proof"]["context"] == doc["request_id"]


def test_run_refuses_more_winners_than_entrants(enoch: Enoch, tmp_path: Path) -> None:
    doc = dict(BLOCK["request"], winners=26)
    request = tmp_path / "request.json"
    request.write_bytes(canonical_dumps(doc) + b"\n")
    got = _run(enoch, request, tmp_path / "out.json")
    assert got.exit_code == 2 and "cannot draw 26 winners from 25 entrants" in got.stderr


def test_commit_refuses_an_invalid_vrf_key(enoch: Enoch, tmp_path: Path) -> None:
    args = commit_args(VRF["args"])
    i = args.index("--vrf-public-key")
    args[i + 1] = "01" + "00" * 31  # y = 1: the identity point, small order
    got = enoch(*args, "-o", tmp_path / "r.json")
    assert got.exit_code == 65 and "small order" in got.stderr
    without_suite = [a for a in commit_args(VRF["args"]) if a not in ("--vrf-suite", VRF["args"]["vrf_suite"])]
    assert enoch(*without_suite, "-o", tmp_path / "r.json").exit_code == 2


def test_a_draw_at_a_checkpoint_height(enoch: Enoch, tmp_path: Path) -> None:
    """Block 80,639 is a checkpoint: the receipt's chain starts at it (anchored
    by that header) rather than 2,016 blocks earlier, which the file lacks."""
    request = tmp_path / "request.json"
    receipt = tmp_path / "receipt.json"
    args = dict(BLOCK["args"], height=80639, confirmations=2)
    assert enoch(*commit_args(args), "-o", request).exit_code == 0
    got = _run(enoch, request, receipt)
    assert got.exit_code == 0, got.stderr
    doc = json.loads(receipt.read_bytes())
    assert doc["headers"] == HEADERS.read_text().split()[39:41]
    assert doc["block"]["hash"] == "0000000000235b1ec6656d8e91f3dde3b6ab9ad7e75b332e4da9355ce60d860e"
    assert enoch("draw", "verify", receipt, "--request", request).exit_code == 0
    # One block later, the chain must reach back to the checkpoint at 80,639.
    args = dict(BLOCK["args"], height=80640, confirmations=2)
    assert enoch(*commit_args(args), "-o", request, "--overwrite").exit_code == 0
    assert _run(enoch, request, receipt, "--overwrite").exit_code == 0
    assert json.loads(receipt.read_bytes())["headers"] == HEADERS.read_text().split()[40:42]


def test_run_refuses_a_height_far_past_the_checkpoints(enoch: Enoch, tmp_path: Path) -> None:
    # commit refuses such a height (--height is at most MAX_HEIGHT), but a
    # request file can be written by hand: run must refuse it, not hang.
    request = tmp_path / "request.json"
    assert enoch(*commit_args(BLOCK["args"]), "-o", request).exit_code == 0
    obj = json.loads(request.read_bytes())
    obj["height"] = 2**53 - 10
    request.write_bytes(canonical_dumps(obj) + b"\n")
    got = _run(enoch, request, tmp_path / "receipt.json")
    assert got.exit_code == 1 and "a newer enoch is needed" in got.stderr
