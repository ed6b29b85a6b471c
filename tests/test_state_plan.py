"""PLAN/state.json read against its plan (SPEC C: an edited plan-directory
file is malformed data, exit 65 naming the entry): an attempt must name one
of the plan's groups and a signed reveal of that group in ``reveals/``.
``broadcast`` and ``status`` read it through the same check."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from inscriptions.plans.state import Attempt, save_state
from tests.broadcastkit import Enoch, funding_args, make_plan
from tests.fakenode import FakeChain, fake_node

NODE = "bitcoind at http://127.0.0.1:1"
TIME = "2026-01-02T03:04:05Z"


def revealed(enoch: Enoch, tmp_path: Path) -> tuple[Path, list[str]]:
    """A four-group plan with groups 0 and 1 signed; their reveal txids."""
    plan_dir, groups = make_plan(enoch, tmp_path)
    r = enoch("inscribe", "reveal", str(plan_dir), *funding_args(groups, "ab" * 32, only=[0, 1]), "--json")
    assert r.exit_code == 0, r.stderr
    return plan_dir, [t["txid"] for t in r.json()["transactions"]]


def run_both(enoch: Enoch, plan_dir: Path) -> list[tuple[int, str]]:
    chain = FakeChain()
    with fake_node(chain) as url:
        sent = enoch("inscribe", "broadcast", str(plan_dir), "--node", f"bitcoind:{url}")
        shown = enoch("inscribe", "status", str(plan_dir), "--json")
    assert "sendrawtransaction" not in chain.calls and chain.mempool == []
    return [(sent.exit_code, sent.stderr), (shown.exit_code, shown.stderr)]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("group-beyond-plan", r"state.json attempts\[1\]: group 7 is not one of the plan's groups \(0..3\)"),
        ("unknown-txid", r"state.json attempts\[1\]: txid (ef){32} is not a signed reveal of group 0"),
        ("other-groups-txid", r"state.json attempts\[1\]: txid [0-9a-f]{64} is not a signed reveal of group 0"),
        ("unsigned-group", r"state.json attempts\[1\]: txid [0-9a-f]{64} is not a signed reveal of group 2"),
    ],
    ids=["group-beyond-plan", "unknown-txid", "other-groups-txid", "unsigned-group"],
)
def test_attempt_outside_the_plan_is_65(enoch: Enoch, tmp_path: Path, case: str, message: str) -> None:
    plan_dir, txids = revealed(enoch, tmp_path)
    good = Attempt(0, txids[0], NODE, "sendrawtransaction", "accepted", txids[0], TIME)
    bad = {
        "group-beyond-plan": Attempt(7, txids[0], NODE, "sendrawtransaction", "accepted", "", TIME),
        "unknown-txid": Attempt(0, "ef" * 32, NODE, "sendrawtransaction", "accepted", "", TIME),
        "other-groups-txid": Attempt(0, txids[1], NODE, "sendrawtransaction", "accepted", "", TIME),
        "unsigned-group": Attempt(2, txids[0], NODE, "sendrawtransaction", "accepted", "", TIME),
    }[case]
    save_state(plan_dir, [good, bad])
    for code, stderr in run_both(enoch, plan_dir):
        assert code == 65, stderr
        assert len(re.findall(message, stderr)) == 1, stderr


def test_attempts_of_the_plan_are_shown(enoch: Enoch, tmp_path: Path) -> None:
    plan_dir, txids = revealed(enoch, tmp_path)
    attempts = [Attempt(g, t, NODE, "sendrawtransaction", "rejected", "min relay fee not met", TIME) for g, t in enumerate(txids)]
    save_state(plan_dir, attempts)
    shown = enoch("inscribe", "status", str(plan_dir), "--json")
    assert shown.exit_code == 0, shown.stderr
    got = [[a["answer"] for a in g["reveals"][0]["attempts"]] if g["reveals"] else [] for g in shown.json()["groups"]]
    assert got == [["min relay fee not met"], ["min relay fee not met"]] + [[]] * (len(got) - 2)


def test_reveal_moved_out_after_a_send_is_refused(enoch: Enoch, tmp_path: Path) -> None:
    # A reveal that was sent may still confirm: hiding its file (e.g. to get
    # past "two commit outputs") must not let another outpoint's reveal go out.
    plan_dir, txids = revealed(enoch, tmp_path)
    save_state(plan_dir, [Attempt(0, txids[0], NODE, "sendrawtransaction", "sending", "", TIME)])
    moved = tmp_path / "moved"
    moved.mkdir()
    for f in (plan_dir / "reveals").glob("group-0000-*"):
        shutil.move(f, moved / f.name)
    for code, stderr in run_both(enoch, plan_dir):
        assert code == 65 and "put its file back" in stderr, stderr
    state = json.loads((plan_dir / "state.json").read_bytes())
    assert len(state["attempts"]) == 1  # nothing more was recorded
