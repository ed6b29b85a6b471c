"""PLAN/state.json (enoch-state/1): canonical bytes (golden hash), round
trip, strict load."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from inscriptions.plans.state import Attempt, load_state, save_state, state_bytes
from toolkit.core.errors import MalformedInputError

ATTEMPTS = [
    Attempt(0, "ab" * 32, "bitcoind at http://127.0.0.1:18443", "testmempoolaccept", "accepted", "", "2026-01-02T03:04:05Z"),
    Attempt(0, "ab" * 32, "bitcoind at http://127.0.0.1:18443", "sendrawtransaction", "sending", "", "2026-01-02T03:04:05Z"),
    Attempt(3, "cd" * 32, "mempool at https://mempool.space", "POST /api/tx", "rejected", "min relay fee not met", "2026-01-02T03:04:06Z"),
]


def test_golden_bytes() -> None:
    data = state_bytes(ATTEMPTS)
    assert data.startswith(b'{"attempts":[{"answer":"","group":0,"node":"bitcoind at http://127.0.0.1:18443"')
    assert hashlib.sha256(data).hexdigest() == GOLDEN


GOLDEN = "f8c8b4f1e1c1193e0ba6ba6e6557d3542d5552fdae7fbbe3008e28151fadf6b0"


def test_round_trip(tmp_path: Path) -> None:
    assert load_state(tmp_path) == []
    save_state(tmp_path, ATTEMPTS)
    assert load_state(tmp_path) == ATTEMPTS
    assert (tmp_path / "state.json").read_bytes() == state_bytes(ATTEMPTS)
    answered = ATTEMPTS[1].answered("accepted", "x" * 1000)
    assert answered.result == "accepted" and len(answered.answer) == 500


def _doc() -> dict[str, Any]:
    return json.loads(state_bytes(ATTEMPTS))


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(format="enoch-state/2"),
        lambda d: d.update(extra=1),
        lambda d: d.update(attempts={}),
        lambda d: d["attempts"][0].update(txid="AB" * 32),
        lambda d: d["attempts"][0].update(txid="ab" * 31),
        lambda d: d["attempts"][0].update(step="getblock"),
        lambda d: d["attempts"][0].update(result="maybe"),
        lambda d: d["attempts"][0].update(group=-1),
        lambda d: d["attempts"][0].update(group=True),
        lambda d: d["attempts"][0].update(time="yesterday"),
        lambda d: d["attempts"][0].update(answer="x" * 501),
        lambda d: d["attempts"][0].pop("node"),
        lambda d: d["attempts"][0].update(extra=""),
    ],
)
def test_strict_load(tmp_path: Path, edit: Any) -> None:
    doc = _doc()
    edit(doc)
    (tmp_path / "state.json").write_text(json.dumps(doc))
    with pytest.raises(MalformedInputError):
        load_state(tmp_path)


@pytest.mark.parametrize("data", [b"", b"{", b"[]", b'{"format": "enoch-state/1"}', b"\xff"])
def test_garbage_state_is_65(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "state.json").write_bytes(data)
    with pytest.raises(MalformedInputError):
        load_state(tmp_path)
