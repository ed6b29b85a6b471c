"""Property tests for the JSON file formats of vrf/: key files
(``enoch-vrf-key/1``, vrf/keys.py) and proof records (``enoch-vrf-proof/1``,
vrf/record.py).

Properties: to_bytes/from_bytes round trips; every strict rejection (missing
and unknown keys, wrong format string, wrong types, uppercase or odd hex,
wrong lengths, truncation, trailing data) is a MalformedInputError; arbitrary
bytes and arbitrary JSON values never raise anything else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import CliResult
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError
from vrf.curves import P256_CURVE
from vrf.keys import KEY_FORMAT, KeyPair
from vrf.record import PROOF_FORMAT, ProofRecord
from vrf.suites import SUITES, Suite

FAST = settings(max_examples=200, deadline=None)
MID = settings(max_examples=60, deadline=None)

suites = st.sampled_from(SUITES)


@st.composite
def key_pairs(draw: st.DrawFn) -> KeyPair:
    suite = draw(suites)
    if suite.curve is P256_CURVE:
        sk = draw(st.integers(1, P256_CURVE.q - 1)).to_bytes(32, "big")
    else:
        sk = draw(st.binary(min_size=32, max_size=32))
    return KeyPair.from_secret(suite, sk)


@st.composite
def records(draw: st.DrawFn) -> ProofRecord:
    # from_bytes parses, it does not verify: any bytes of the right lengths
    # form a well-formed record.
    suite: Suite = draw(suites)

    def blob(n: int) -> bytes:
        return draw(st.binary(min_size=n, max_size=n))

    block = draw(st.booleans())
    return ProofRecord(
        suite=suite,
        public_key=blob(suite.curve.pt_len),
        alpha=draw(st.binary(max_size=64)),
        pi=blob(suite.pi_len),
        beta=blob(suite.h_len),
        block_hash_display=blob(32).hex() if block else None,
        context=draw(st.text(max_size=20)) if block else None,
    )


def _doc(data: bytes) -> dict[str, Any]:
    doc = json.loads(data)
    assert isinstance(doc, dict)
    return doc


def _encode(doc: Any) -> bytes:
    return json.dumps(doc).encode()


# --- round trips ---


@settings(max_examples=300, deadline=None)
@given(st.one_of(key_pairs(), records()))
def test_key_file_and_proof_record_round_trip(obj: KeyPair | ProofRecord) -> None:
    data = obj.to_bytes()
    assert data.endswith(b"\n") and data[:-1] == canonical_dumps(_doc(data))  # canonical JSON + LF
    again = type(obj).from_bytes(data)
    assert again == obj and again.to_bytes() == data


@FAST
@given(suites, st.binary(max_size=100), st.binary(max_size=100), st.binary(max_size=70),
       st.none() | st.text(alphabet="0123456789abcdefABCDEF", min_size=62, max_size=66), st.none() | st.text(max_size=5))
@example(SUITES[2], bytes(32), bytes(80), bytes(64), "AB" * 32, "")  # uppercase display hash
@example(SUITES[2], bytes(32), bytes(80), bytes(64), "ab" * 32, None)  # block hash without context
@example(SUITES[2], bytes(32), bytes(80), bytes(64), None, "")  # context without block hash
@example(SUITES[2], bytes(32), bytes(80), bytes(64), "ab" * 32, "\ud800")
@example(SUITES[0], bytes(32), bytes(81), bytes(32), None, None)  # 32-byte P-256 key
def test_every_constructible_record_round_trips(
    suite: Suite, pk: bytes, pi: bytes, beta: bytes, block_hash: str | None, context: str | None
) -> None:
    # to_bytes must never write a record that from_bytes refuses: the
    # constructor refuses (ValueError) what the parser would.
    try:
        record = ProofRecord(suite, pk, b"alpha", pi, beta, block_hash, context)
    except ValueError:
        return
    assert ProofRecord.from_bytes(record.to_bytes()) == record


@FAST
@given(suites, st.binary(max_size=40), st.binary(max_size=40))
@example(SUITES[2], bytes(32), bytes(33))
def test_every_constructible_key_pair_round_trips(suite: Suite, sk: bytes, pk: bytes) -> None:
    try:
        pair = KeyPair(suite, sk, pk)
    except (ValueError, MalformedInputError):
        return
    assert KeyPair.from_bytes(pair.to_bytes()) == pair


# --- strict rejections: one mutation of a valid document at a time ---


def _mutations(doc: dict[str, Any], hex_keys: list[str], extra: str) -> list[tuple[str, Any]]:
    """(description, mutated document) pairs, each of which must be refused."""
    out: list[tuple[str, Any]] = []
    for key in doc:
        out.append((f"missing {key}", {k: v for k, v in doc.items() if k != key}))
        out.append((f"{key} as a number", {**doc, key: 7}))
        out.append((f"{key} as null", {**doc, key: None}))
    out.append(("unknown key", {**doc, extra: "x"}))
    out.append(("format bumped", {**doc, "format": doc["format"][:-1] + "2"}))
    out.append(("format upper", {**doc, "format": doc["format"].upper()}))
    out.append(("suite lower", {**doc, "suite": doc["suite"].lower()}))
    out.append(("not an object", [doc]))
    for key in hex_keys:
        value = doc[key]
        if any(ch in "abcdef" for ch in value):
            out.append((f"{key} uppercase", {**doc, key: value.upper()}))
        out.append((f"{key} odd", {**doc, key: value + "0"}))
        out.append((f"{key} byte long", {**doc, key: value + "00"}))
        out.append((f"{key} 0x", {**doc, key: "0x" + value}))
        out.append((f"{key} spaced", {**doc, key: " " + value}))
        if value:
            out.append((f"{key} byte short", {**doc, key: value[:-2]}))
    return out


_EXTRA = st.text(min_size=1, max_size=8).filter(lambda k: k not in {"format", "suite", "context", "block_hash"})


@MID
@given(key_pairs(), _EXTRA)
def test_key_file_mutations_rejected(pair: KeyPair, extra: str) -> None:
    doc = _doc(pair.to_bytes())
    for what, bad in _mutations(doc, ["secret_key", "public_key"], extra):
        if what == "unknown key" and extra in doc:
            continue
        with pytest.raises(MalformedInputError):
            KeyPair.from_bytes(_encode(bad))
            pytest.fail(what)


@MID
@given(key_pairs(), key_pairs())
def test_key_file_foreign_public_key_rejected(pair: KeyPair, other: KeyPair) -> None:
    doc = _doc(pair.to_bytes())
    if other.public_key != pair.public_key and len(other.public_key) == len(pair.public_key):
        with pytest.raises(MalformedInputError, match="does not belong"):
            KeyPair.from_bytes(_encode({**doc, "public_key": other.public_key.hex()}))


@pytest.mark.parametrize("scalar", [0, P256_CURVE.q, P256_CURVE.q + 1, 2**256 - 1])
def test_p256_key_file_secret_out_of_range(scalar: int) -> None:
    doc = _doc(KeyPair.from_secret(SUITES[0], (1).to_bytes(32, "big")).to_bytes())
    doc["secret_key"] = scalar.to_bytes(32, "big").hex()
    with pytest.raises(MalformedInputError, match=r"\[1, q-1\]"):
        KeyPair.from_bytes(_encode(doc))


@MID
@given(records(), _EXTRA)
def test_proof_record_mutations_rejected(record: ProofRecord, extra: str) -> None:
    doc = _doc(record.to_bytes())
    hex_keys = ["public_key", "alpha", "pi", "beta"] + (["block_hash"] if "block_hash" in doc else [])
    for what, bad in _mutations(doc, hex_keys, extra):
        if what in ("alpha byte long", "alpha byte short"):
            continue  # alpha has no fixed length
        if what == "unknown key" and extra in doc:
            continue
        with pytest.raises(MalformedInputError):
            ProofRecord.from_bytes(_encode(bad))
            pytest.fail(what)
    if "block_hash" in doc:  # the two block keys come together or not at all
        for key in ("block_hash", "context"):
            with pytest.raises(MalformedInputError, match="together"):
                ProofRecord.from_bytes(_encode({k: v for k, v in doc.items() if k != key}))


@MID
@given(st.one_of(key_pairs(), records()), st.data())
def test_truncation_and_trailing_data_rejected(obj: KeyPair | ProofRecord, data: st.DataObject) -> None:
    raw = obj.to_bytes()
    parse = type(obj).from_bytes
    cut = data.draw(st.integers(1, len(raw) - 2))  # keep at least "{"; drop at least the "}"
    with pytest.raises(MalformedInputError):
        parse(raw[: len(raw) - 1 - cut])
    for tail in (b"{}", b"x", b"0", b"\x00", raw):
        with pytest.raises(MalformedInputError):
            parse(raw + tail)


# --- arbitrary input never raises anything but MalformedInputError ---


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@FAST
@given(st.binary(max_size=300))
@example(b"\xef\xbb\xbf{}")
@example(b'{"format": "enoch-vrf-key/1", "format": "enoch-vrf-key/1"}')
def test_arbitrary_bytes_only_malformed(data: bytes) -> None:
    for parse in (KeyPair.from_bytes, ProofRecord.from_bytes):
        with pytest.raises(MalformedInputError):
            parse(data)


@FAST
@given(st.sampled_from([KEY_FORMAT, PROOF_FORMAT]), st.sampled_from([s.name for s in SUITES]),
       st.dictionaries(st.sampled_from(["secret_key", "public_key", "alpha", "pi", "beta", "block_hash",
                                        "context", "suite", "x"]), json_values, max_size=8))
@example(PROOF_FORMAT, SUITES[2].name, {"block_hash": "\ud800", "context": ""})
def test_arbitrary_documents_only_malformed(fmt: str, suite: str, fields: dict[str, Any]) -> None:
    doc = {"format": fmt, "suite": suite, **fields}
    data = json.dumps(doc).encode()
    for parse in (KeyPair.from_bytes, ProofRecord.from_bytes):
        try:
            parse(data)
        except MalformedInputError:
            pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=200), records().map(lambda r: r.to_bytes())), st.integers(0, 3))
def test_cli_vrf_verify_exit_codes(enoch: Callable[..., CliResult], tmp_path: Path, data: bytes, cut: int) -> None:
    # Any proof file: 1 (does not verify) or 65 (malformed), one JSON object, never 70.
    path = tmp_path / "proof.json"
    path.write_bytes(data[: len(data) - cut])
    result = enoch("vrf", "verify", path, "--json")
    assert result.exit_code in (1, 65), result.stdout
    assert isinstance(result.json(), dict)
