"""enoch-draw-request/1 and enoch-draw-receipt/1: round trips to and from
bytes, strict parsing (unknown or missing keys, wrong types, wrong format
version, non-canonical spelling: exit 65)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.drawkit import GOLDEN, Enoch, make_draw
from tests.fixtures import params
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError
from toolkit.draws.receipt import DrawReceipt
from toolkit.draws.request import DrawRequest

VECTORS = params(GOLDEN, lambda v: str(v["name"]))


def _request_bytes(vector: dict[str, Any]) -> bytes:
    return canonical_dumps(vector["request"]) + b"\n"


@pytest.mark.parametrize("vector", VECTORS)
def test_request_round_trip(vector: dict[str, Any]) -> None:
    data = _request_bytes(vector)
    request = DrawRequest.from_bytes(data)
    assert request.to_bytes() == data
    assert request.request_id_hex == vector["request_id"]
    assert DrawRequest.from_bytes(request.to_bytes()) == request


@pytest.mark.parametrize("vector", VECTORS)
def test_receipt_round_trip(enoch: Enoch, tmp_path: Path, vector: dict[str, Any]) -> None:
    _request, path = make_draw(enoch, tmp_path, vector)
    data = path.read_bytes()
    receipt = DrawReceipt.from_bytes(data)
    assert receipt.to_bytes() == data
    assert DrawReceipt.from_bytes(receipt.to_bytes()) == receipt


Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for p in parents:
            doc = doc[int(p)] if isinstance(doc, list) else doc[p]  # type: ignore[call-overload]
        key: Any = int(last) if isinstance(doc, list) else last
        if value is _DELETE:
            del doc[key]
        else:
            doc[key] = value

    return edit


_DELETE = object()

REQUEST_EDITS: list[tuple[str, Edit]] = [
    ("format version 2", _set("format", "enoch-draw-request/2")),
    ("format missing", _set("format", _DELETE)),
    ("unknown key", _set("extra", 1)),
    ("missing key", _set("context", _DELETE)),
    ("unknown entrants key", _set("entrants.extra", 1)),
    ("height string", _set("height", "80645")),
    ("height zero", _set("height", 0)),
    ("height bool", _set("height", True)),
    ("confirmations zero", _set("confirmations", 0)),
    ("confirmations above 100,000", _set("confirmations", 100_001)),
    ("confirmations 2**53-1", _set("confirmations", 2**53 - 1)),
    ("winners zero", _set("winners", 0)),
    ("count zero", _set("entrants.count", 0)),
    ("root short", _set("entrants.root", "00" * 31)),
    ("root uppercase", _set("entrants.root", "AB" * 32)),
    ("unknown network", _set("network", "testnet3")),
    ("context number", _set("context", 5)),
    ("vrf not object", _set("vrf", "x")),
    ("vrf unknown suite", _set("vrf", {"suite": "ECVRF-NOPE", "public_key": "00" * 32})),
    ("vrf short key", _set("vrf", {"suite": "ECVRF-EDWARDS25519-SHA512-TAI", "public_key": "00" * 31})),
    ("vrf extra key", _set("vrf", {"suite": "ECVRF-EDWARDS25519-SHA512-TAI", "public_key": "00" * 32, "x": 1})),
]


@pytest.mark.parametrize(("name", "edit"), REQUEST_EDITS, ids=[n for n, _ in REQUEST_EDITS])
def test_request_strict_parsing(name: str, edit: Edit) -> None:
    doc = json.loads(_request_bytes(GOLDEN[0]))
    edit(doc)
    with pytest.raises(MalformedInputError):
        DrawRequest.from_bytes(canonical_dumps(doc) + b"\n")


def _respellings(data: bytes) -> list[tuple[str, bytes]]:
    body = data[:-1]
    return [
        ("no final newline", body),
        ("two final newlines", data + b"\n"),
        ("CRLF", body + b"\r\n"),
        ("indented", json.dumps(json.loads(data), indent=1, ensure_ascii=False).encode() + b"\n"),
        ("unsorted keys", json.dumps(dict(reversed(list(json.loads(data).items()))), separators=(",", ":"),
                                     ensure_ascii=False).encode() + b"\n"),
        ("escaped letter", data.replace(b'"format"', b'"\\u0066ormat"', 1)),
        ("BOM", b"\xef\xbb\xbf" + data),
        ("trailing garbage", body + b"{}\n"),
        ("duplicate key", body[:-1] + b',"format":"enoch-draw-request/1"}\n'),
        ("not UTF-8", data.replace(b"}", b"\xff}", 1)),
        ("float", data.replace(b'"height":80645', b'"height":80645.0')),
    ]


@pytest.mark.parametrize("index", range(11))
def test_request_non_canonical_spellings_are_65(enoch: Enoch, tmp_path: Path, index: int) -> None:
    data = _request_bytes(GOLDEN[0])
    name, bad = _respellings(data)[index]
    if bad == data:
        pytest.fail(f"respelling {name!r} changed nothing")
    with pytest.raises(MalformedInputError):
        DrawRequest.from_bytes(bad)
    path = tmp_path / "request.json"
    path.write_bytes(bad)
    got = enoch("draw", "run", path, "--entrants", "/nonexistent", "--headers", "/nonexistent", "-o", tmp_path / "r")
    assert got.exit_code == 65, (name, got.stderr)


RECEIPT_EDITS: list[tuple[str, Edit]] = [
    ("format version 2", _set("format", "enoch-draw-receipt/2")),
    ("unknown key", _set("extra", None)),
    ("missing key", _set("vrf_proof", _DELETE)),
    ("request bad", _set("request.format", "x")),
    ("request_id short", _set("request_id", "00")),
    ("block extra key", _set("block.extra", 1)),
    ("block height string", _set("block.height", "80645")),
    ("block hash short", _set("block.hash", "00" * 31)),
    ("headers not list", _set("headers", "00")),
    ("headers empty", _set("headers", [])),
    ("header 79 bytes", _set("headers.0", "00" * 79)),
    ("header 81 bytes", _set("headers.0", "00" * 81)),
    ("vrf_proof not object", _set("vrf_proof", [])),
    ("vrf_proof wrong format", _set("vrf_proof", {"format": "enoch-vrf-proof/2"})),
    ("winners not list", _set("winners", {})),
    ("winner extra key", _set("winners.0.extra", 1)),
    ("winner index negative", _set("winners.0.index", -1)),
    ("winner entrant number", _set("winners.0.entrant", 1)),
    ("winner proof element short", _set("winners.0.proof", ["00"])),
    ("winner proof not list", _set("winners.0.proof", "00" * 32)),
]


@pytest.mark.parametrize(("name", "edit"), RECEIPT_EDITS, ids=[n for n, _ in RECEIPT_EDITS])
def test_receipt_strict_parsing(enoch: Enoch, tmp_path: Path, name: str, edit: Edit) -> None:
    _request, path = make_draw(enoch, tmp_path, GOLDEN[0])
    doc = json.loads(path.read_bytes())
    edit(doc)
    path.write_bytes(canonical_dumps(doc) + b"\n")
    with pytest.raises(MalformedInputError):
        DrawReceipt.from_bytes(path.read_bytes())
    got = enoch("draw", "verify", path, "--json")
    assert got.exit_code == 65 and got.json()["ok"] is False, got.stderr


@pytest.mark.parametrize("index", range(11))
def test_receipt_non_canonical_spellings_are_65(enoch: Enoch, tmp_path: Path, index: int) -> None:
    _request, path = make_draw(enoch, tmp_path, GOLDEN[0])
    data = path.read_bytes()
    name, bad = _respellings(data)[index]
    if name == "float":
        bad = data.replace(b'"confirmations":6', b'"confirmations":6.0')
    if name == "duplicate key":
        bad = data[:-2] + b',"format":"enoch-draw-receipt/1"}\n'
    assert bad != data, name
    with pytest.raises(MalformedInputError):
        DrawReceipt.from_bytes(bad)
