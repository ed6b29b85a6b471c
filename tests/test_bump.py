"""SPEC T "Fee bump": plan --bump-headroom/--change, BIP 125 signalling,
`inscribe bump` (ceiling, funding limit, determinism, every version kept)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from inscriptions.transactions.fees import fee_for
from inscriptions.plans.index import INDEX_NAME, InscriptionIndex
from inscriptions.plans.planfile import load_plan
from tests import independent
from tests.batchkit import SIGNET_P2TR, SIGNET_P2WPKH, make_batch, noise

TXID = "ab" * 32
CHANGE_SPK = bytes.fromhex("0014751e76e8199196d454941c45d1b3a323f1433bd6")  # SIGNET_P2WPKH


def _files(plan: Path) -> dict[str, bytes]:
    return {str(p.relative_to(plan)): p.read_bytes() for p in sorted(plan.rglob("*")) if p.is_file() and p.name != ".lock"}


@pytest.fixture
def bumpable(enoch: Any, tmp_path: Path) -> tuple[Path, Any]:
    batch = make_batch(tmp_path, {"a.bin": noise(30_000, 9), "b.txt": b"hi\n"}, shard_size=8_000)
    r = enoch("inscribe", "plan", str(batch), "-o", str(tmp_path / "plan"), "--destination", SIGNET_P2TR,
              "--network", "signet", "--fee-rate", "1.5", "--ceiling", "6", "--bump-headroom", "4",
              "--change", SIGNET_P2WPKH, "--json")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert (r.json()["bump_headroom"], r.json()["change"]) == ("4", SIGNET_P2WPKH)
    plan, _ = load_plan(tmp_path / "plan")
    g = plan.groups[0]
    rev = enoch("inscribe", "reveal", str(tmp_path / "plan"), "--funding", f"0={TXID}:3:{g.fund_sats}", "--json")
    assert rev.exit_code == 0, rev.stderr
    return tmp_path / "plan", rev.json()["transactions"][0]


def test_headroom_plan_and_replaceable_reveal(bumpable: tuple[Path, Any]) -> None:
    plan_dir, v1 = bumpable
    plan, _ = load_plan(plan_dir)
    doc = json.loads((plan_dir / "plan.json").read_text())
    assert doc["bump_headroom"] == "4" and doc["change"] == SIGNET_P2WPKH
    g = plan.groups[0]
    raw = bytes.fromhex(v1["hex"])
    tx = independent.parse(raw)
    # Funded for rate 4 with the change output; signed at the plan's 1.5; the difference is change.
    assert g.fund_sats == g.postage_sats + fee_for(Decimal(4), v1["vsize"])
    assert v1["fee_sats"] == fee_for(Decimal("1.5"), v1["vsize"])
    assert tx.vout[-1].script_pubkey.data == CHANGE_SPK and tx.vout[-1].value == v1["change_sats"] > 0
    assert [i.sequence for i in tx.vin] == [0xFFFFFFFD]  # BIP 125
    independent.check_script_path_spend(raw, 0, [(g.script_pubkey, g.fund_sats)])


def test_bump_signs_a_new_version_from_the_same_output(enoch: Any, bumpable: tuple[Path, Any]) -> None:
    plan_dir, v1 = bumpable
    plan, _ = load_plan(plan_dir)
    g = plan.groups[0]
    r = enoch("inscribe", "bump", str(plan_dir), "--group", "0", "--fee-rate", "3.25", "--json")
    assert r.exit_code == 0, r.stderr
    data = r.json()
    [v2] = data["transactions"]
    assert data["new"] is True and data["replaces"] == v1["txid"] and v2["version"] == 2
    raw = bytes.fromhex(v2["hex"])
    independent.check_script_path_spend(raw, 0, [(g.script_pubkey, g.fund_sats)])
    tx = independent.parse(raw)
    assert (tx.vin[0].txid.hex(), tx.vin[0].vout) == (TXID, 3) and tx.vin[0].sequence == 0xFFFFFFFD
    assert v2["fee_sats"] == fee_for(Decimal("3.25"), v2["vsize"]) > v1["fee_sats"]
    assert v2["change_sats"] == v1["change_sats"] - (v2["fee_sats"] - v1["fee_sats"])
    assert [o.value for o in tx.vout[:-1]] == [o.value for o in independent.parse(bytes.fromhex(v1["hex"])).vout[:-1]]
    # Every version is kept; the index now holds the new ids.
    names = sorted(p.name for p in (plan_dir / "reveals").iterdir())
    assert names == [f"group-0000-{TXID}-3.hex", f"group-0000-{TXID}-3.v2.hex"]
    index = InscriptionIndex.from_bytes((plan_dir / INDEX_NAME).read_bytes())
    assert index.manifest_id == f"{v2['txid']}i0" == v2["inscriptions"][0]["id"]
    # Deterministic: the same rate again is the same version, nothing new.
    before = _files(plan_dir)
    again = enoch("inscribe", "bump", str(plan_dir), "--group", "0", "--fee-rate", "3.25", "--json")
    assert again.exit_code == 0 and again.json()["new"] is False and again.json()["transactions"] == data["transactions"]
    assert _files(plan_dir) == before
    # A lower rate than the current version is not a replacement.
    lower = enoch("inscribe", "bump", str(plan_dir), "--group", "0", "--fee-rate", "2")
    assert lower.exit_code == 2 and "must pay more" in lower.stderr and _files(plan_dir) == before
    # reveal of the same outpoint again reports the latest version.
    rev = enoch("inscribe", "reveal", str(plan_dir), "--funding", f"0={TXID}:3:{g.fund_sats}", "--json")
    assert rev.exit_code == 0 and rev.json()["transactions"][0]["txid"] == v2["txid"]


def test_bump_above_ceiling_is_75_and_signs_nothing(enoch: Any, bumpable: tuple[Path, Any]) -> None:
    plan_dir, _ = bumpable
    before = _files(plan_dir)
    r = enoch("inscribe", "bump", str(plan_dir), "--group", "0", "--fee-rate", "6.01", "--json")
    assert r.exit_code == 75 and r.json()["error"]["code"] == "fee_above_ceiling"
    assert "nothing was signed" in r.stderr and _files(plan_dir) == before


def test_bump_beyond_the_funding_names_the_highest_rate(enoch: Any, bumpable: tuple[Path, Any]) -> None:
    plan_dir, v1 = bumpable
    before = _files(plan_dir)
    r = enoch("inscribe", "bump", str(plan_dir), "--group", "0", "--fee-rate", "5.9")
    assert r.exit_code == 2 and "highest rate possible is" in r.stderr and _files(plan_dir) == before
    top = Decimal(r.stderr.split("highest rate possible is ")[1].split()[0])
    assert Decimal(4) <= top < Decimal("5.9")
    assert enoch("inscribe", "bump", str(plan_dir), "--group", "0", "--fee-rate", str(top + Decimal("0.01"))).exit_code == 2
    ok = enoch("inscribe", "bump", str(plan_dir), "--group", "0", "--fee-rate", str(top), "--json")
    assert ok.exit_code == 0, ok.stderr
    [tx] = ok.json()["transactions"]
    assert tx["fee_sats"] >= fee_for(top, tx["vsize"]) and tx["fee_sats"] + tx["change_sats"] == v1["fee_sats"] + v1["change_sats"]


def test_bump_needs_a_signed_reveal_and_a_valid_group(enoch: Any, bumpable: tuple[Path, Any]) -> None:
    plan_dir, _ = bumpable
    plan, _ = load_plan(plan_dir)
    if len(plan.groups) > 1:
        r = enoch("inscribe", "bump", str(plan_dir), "--group", "1", "--fee-rate", "3")
        assert r.exit_code == 2 and "no signed reveal" in r.stderr
    r = enoch("inscribe", "bump", str(plan_dir), "--group", str(len(plan.groups)), "--fee-rate", "3")
    assert r.exit_code == 2
    for text in ("0_0", "\u0660", " 0", "-1"):  # one integer parser: ASCII digits only
        assert enoch("inscribe", "bump", str(plan_dir), "--group", text, "--fee-rate", "3").exit_code == 2
    r = enoch("inscribe", "bump", str(plan_dir), "--group", "0", "--fee-rate", "3", "--outpoint", f"{'cd' * 32}:0")
    assert r.exit_code == 2 and "no signed reveal from" in r.stderr


@pytest.mark.parametrize(
    "extra,words",
    [
        (["--bump-headroom", "4"], "needs --change"),
        (["--bump-headroom", "7", "--change", SIGNET_P2WPKH], "between the fee rate"),
        (["--bump-headroom", "1", "--change", SIGNET_P2WPKH], "between the fee rate"),
        (["--bump-headroom", "4", "--change", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"], "signet"),
    ],
)
def test_plan_headroom_options_are_checked(enoch: Any, tmp_path: Path, extra: list[str], words: str) -> None:
    batch = make_batch(tmp_path, {"b.txt": b"hi\n"})
    r = enoch("inscribe", "plan", str(batch), "-o", str(tmp_path / "plan"), "--destination", SIGNET_P2TR,
              "--network", "signet", "--fee-rate", "1.5", "--ceiling", "6", *extra)  # fmt: skip
    assert r.exit_code in (2, 65) and words in r.stderr and not (tmp_path / "plan").exists()


def test_plan_without_headroom_is_byte_compatible(enoch: Any, tmp_path: Path) -> None:
    batch = make_batch(tmp_path, {"b.txt": b"hi\n"})
    r = enoch("inscribe", "plan", str(batch), "-o", str(tmp_path / "plan"), "--destination", SIGNET_P2TR,
              "--network", "signet", "--fee-rate", "1.5")  # fmt: skip
    assert r.exit_code == 0
    doc = json.loads((tmp_path / "plan" / "plan.json").read_text())
    assert "change" not in doc and "bump_headroom" not in doc and "headroom_sats" not in doc["groups"][0]
    # Exactly funded, no change: a bump has no room and says so.
    g = doc["groups"][0]
    assert enoch("inscribe", "reveal", str(tmp_path / "plan"), "--funding", f"0={TXID}:0:{g['fund_sats']}").exit_code == 0
    r = enoch("inscribe", "bump", str(tmp_path / "plan"), "--group", "0", "--fee-rate", "3")
    assert r.exit_code == 2 and "highest rate possible is 1.5" in r.stderr


def test_old_layout_without_funding_records(enoch: Any, bumpable: tuple[Path, Any]) -> None:
    """Plan directories revealed before funding records existed keep working:
    the amount comes from the version-1 reveal; bump and the listing agree."""
    from inscriptions.plans.revealstore import recorded_fundings, signed_reveals

    plan_dir, v1 = bumpable
    plan, _ = load_plan(plan_dir)
    for p in (plan_dir / "fundings").iterdir():
        p.unlink()
    (plan_dir / "fundings").rmdir()
    [(group, funding)] = recorded_fundings(plan_dir, plan)
    assert (group, funding.txid, funding.vout, funding.sats) == (0, TXID, 3, plan.groups[0].fund_sats)
    r = enoch("inscribe", "bump", str(plan_dir), "--group", "0", "--fee-rate", "2.5", "--json")
    assert r.exit_code == 0, r.stderr
    listed = signed_reveals(plan_dir, plan)
    assert [(s.version, s.txid) for s in listed] == [(1, v1["txid"]), (2, r.json()["transactions"][0]["txid"])]
    assert [s.fee_sats + s.change_sats for s in listed] == [v1["fee_sats"] + v1["change_sats"]] * 2
