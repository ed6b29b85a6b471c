"""vrf/record.py: the proof record format and the ``verified_output``
contract of INTERFACES.md; golden records pin the bytes."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.fixtures import load_json, params
from toolkit.core.errors import MalformedInputError, VerificationError
from toolkit.core.hexutil import block_hash_internal_from_display
from vrf.keys import KeyPair
from vrf.record import ProofRecord, make_record, verified_output
from vrf.suites import suite_by_name

GOLDEN: list[dict[str, Any]] = load_json("enoch-vrf-golden", "records.json")["vectors"]


def _make(vec: dict[str, Any]) -> ProofRecord:
    pair = KeyPair.from_secret(suite_by_name(vec["suite"]), bytes.fromhex(vec["secret_key"]))
    return make_record(pair, b"", block_hash_internal=block_hash_internal_from_display(vec["block_hash"]),
                       context=vec["context"])


@pytest.mark.parametrize("vec", params(GOLDEN, lambda v: v["suite"]))
def test_golden_record(vec: dict[str, Any]) -> None:
    record = _make(vec)
    data = record.to_bytes()
    assert (record.pi.hex(), record.beta.hex()) == (vec["pi"], vec["beta"])
    assert hashlib.sha256(data).hexdigest() == vec["record_sha256"]
    assert ProofRecord.from_bytes(data) == record  # round trip
    out = verified_output(data)
    assert (out.suite, out.beta.hex(), out.block_hash_display, out.context) == (
        vec["suite"], vec["beta"], vec["block_hash"], vec["context"])
    assert out.alpha == block_hash_internal_from_display(vec["block_hash"]) + vec["context"].encode()


def test_plain_alpha_record_round_trip() -> None:
    vec = load_json("rfc9381", "rfc9381.json")["vectors"][3]
    pair = KeyPair.from_secret(suite_by_name(vec["suite"]), bytes.fromhex(vec["sk"]))
    record = make_record(pair, bytes.fromhex(vec["alpha"]))
    assert record.pi.hex() == vec["pi"] and record.block_hash_display is None
    out = verified_output(record.to_bytes())
    assert out.beta.hex() == vec["beta"] and out.context is None


def test_verified_output_errors() -> None:
    data = _make(GOLDEN[2]).to_bytes()
    with pytest.raises(MalformedInputError, match="not valid JSON"):
        verified_output(data[:-5])
    with pytest.raises(MalformedInputError, match="must be a JSON object"):
        verified_output(b"[]")
    # the first "suite" is unknown too: match the reason, or this passes for the wrong one
    with pytest.raises(MalformedInputError, match="duplicate key 'suite'"):
        verified_output(data.replace(b'{"alpha"', b'{"suite":"x","alpha"'))
    tampered = data.replace(GOLDEN[2]["beta"].encode(), b"0" * 128)
    with pytest.raises(VerificationError, match="beta"):
        verified_output(tampered)
    other_context = data.replace(b'"context":"quest:42"', b'"context":"quest:43"')
    with pytest.raises(VerificationError, match="alpha"):
        verified_output(other_context)


def test_unicode_context_round_trip() -> None:
    vec = GOLDEN[3]
    pair = KeyPair.from_secret(suite_by_name(vec["suite"]), bytes.fromhex(vec["secret_key"]))
    internal = block_hash_internal_from_display(vec["block_hash"])
    record = make_record(pair, b"", block_hash_internal=internal, context="énoch ✓")
    assert record.alpha == internal + "énoch ✓".encode("utf-8")
    out = verified_output(record.to_bytes())
    assert out.context == "énoch ✓" and out.beta == record.beta
    with pytest.raises(MalformedInputError, match="surrogate"):
        verified_output(record.to_bytes().replace("énoch ✓".encode(), b"\\ud800"))
