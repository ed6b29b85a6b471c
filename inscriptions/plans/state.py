"""``PLAN/state.json``: what ``broadcast`` did, written before each send.

Format (RFC 8785 canonical JSON, written atomically)::

    {"format": "enoch-state/1",
     "attempts": [{"group": 0, "txid": display hex, "node": "bitcoind at URL",
                   "step": "testmempoolaccept" | "sendrawtransaction" | "POST /api/tx",
                   "result": "sending" | "accepted" | "rejected" | "unavailable",
                   "answer": the node's words, "time": "YYYY-MM-DDTHH:MM:SSZ"}, ...]}

An attempt is recorded as ``"sending"`` and the file made durable *before*
the transaction leaves the machine; the node's answer then replaces that
result.  A crash in between leaves ``"sending"``: the transaction may or may
not have reached the node.  That is safe, because reveals are deterministic:
a rerun of ``broadcast`` sends the very same bytes (the same txid), never a
different transaction for the same funding.

``broadcast`` and ``status`` read the file against the plan
(:func:`load_plan_state`): every attempt must name one of the plan's groups
and a signed reveal of that group in ``reveals/`` (exit 65 otherwise).
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from inscriptions.schema import int_field, load_versioned, located, obj, str_field
from inscriptions.plans.plandir import read_plan_file
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError
from toolkit.core.fsio import atomic_write, output_errors

STATE_NAME = "state.json"
#: state.json holds a few hundred bytes per broadcast attempt (bounded read).
MAX_STATE_FILE = 64 * 1024 * 1024
STATE_FORMAT = "enoch-state/1"
STEPS = frozenset({"testmempoolaccept", "sendrawtransaction", "POST /api/tx"})
RESULTS = frozenset({"sending", "accepted", "rejected", "unavailable"})
_TXID = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
#: A node's answer is kept, but never more than this many characters of it.
MAX_ANSWER = 500


@dataclass(frozen=True)
class Attempt:
    """One step of one broadcast: what was sent where, and what came back."""

    group: int
    txid: str
    node: str
    step: str
    result: str
    answer: str
    time: str

    def answered(self, result: str, answer: str) -> Attempt:
        """This attempt with the node's answer."""
        return Attempt(self.group, self.txid, self.node, self.step, result, answer[:MAX_ANSWER], self.time)


def _attempt(value: Any, where: str) -> Attempt:
    o = obj(value, where, {"group", "txid", "node", "step", "result", "answer", "time"})
    a = Attempt(int_field(o, "group"), *(str_field(o, k) for k in ("txid", "node", "step", "result", "answer", "time")))
    if not _TXID.fullmatch(a.txid):
        raise MalformedInputError("txid must be 64 lowercase hex digits")
    if a.step not in STEPS or a.result not in RESULTS:
        raise MalformedInputError(f"unknown step {a.step!r} or result {a.result!r}")
    if not _TIME.fullmatch(a.time) or len(a.answer) > MAX_ANSWER:
        raise MalformedInputError("time must be YYYY-MM-DDTHH:MM:SSZ and answer at most 500 characters")
    return a


def load_state(plan_dir: Path) -> list[Attempt]:
    """The recorded attempts (none when the plan was never broadcast)."""
    path = plan_dir / STATE_NAME
    if not os.path.lexists(path):
        return []
    data = read_plan_file(path, what="state", limit=MAX_STATE_FILE)  # regular files only, bounded
    o = load_versioned(data, STATE_NAME, STATE_FORMAT, {"format", "attempts"})
    if not isinstance(o["attempts"], list):
        raise MalformedInputError(f"{STATE_NAME}: attempts must be a list")
    out = []
    for i, value in enumerate(o["attempts"]):
        with located(f"{STATE_NAME} attempts[{i}]"):
            out.append(_attempt(value, f"attempts[{i}]"))
    return out


def load_plan_state(plan_dir: Path, signed: Mapping[int, Collection[str]]) -> list[Attempt]:
    """:func:`load_state`, every attempt checked against the plan directory:
    ``signed`` maps each of the plan's groups to the txids of its signed
    reveals.  An attempt naming another group, or a txid that is not a
    signed reveal of its group, is malformed (exit 65 naming the entry):
    ``broadcast`` only records reveals it found in ``reveals/``, so the file
    was edited, or a reveal that was sent (and may still confirm) was moved
    away -- sending another reveal of that group could inscribe it twice."""
    attempts = load_state(plan_dir)
    for i, a in enumerate(attempts):
        where = f"{STATE_NAME} attempts[{i}]"
        if a.group not in signed:
            raise MalformedInputError(f"{where}: group {a.group} is not one of the plan's groups (0..{len(signed) - 1})")
        if a.txid not in signed[a.group]:
            raise MalformedInputError(
                f"{where}: txid {a.txid} is not a signed reveal of group {a.group} in reveals/; if its reveal file "
                "was moved away, put its file back (a reveal that was sent may still confirm)"
            )
    return attempts


def state_bytes(attempts: list[Attempt]) -> bytes:
    """The canonical bytes of ``state.json``."""
    return canonical_dumps({"format": STATE_FORMAT, "attempts": [asdict(a) for a in attempts]})


def save_state(plan_dir: Path, attempts: list[Attempt]) -> None:
    """Replace ``state.json`` atomically (temp file, fsync, rename)."""
    path = plan_dir / STATE_NAME
    with output_errors(path):
        atomic_write(path, state_bytes(attempts), overwrite=True)
