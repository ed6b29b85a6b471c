"""Reveal money rules and plan integrity found in review: a second reveal of
one outpoint with another amount, a change output breaking the promised
relay policy, hand-edited plan.json files, identical shards in decode."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from inscriptions.transactions.decode import check_against_manifest, decode_tx
from inscriptions.transactions.fees import fee_for
from inscriptions.transactions.groups import STANDARD_WEIGHT
from inscriptions.transactions.metadata import InscriptionMetadata
from inscriptions.plans.planfile import load_plan
from inscriptions.plans.reveal import open_batch, parse_fundings, reveal_all, reveal_outputs
from inscriptions.transactions.txbuild import reveal_weight
from tests.batchkit import SIGNET_P2WPKH, make_batch, noise, small_batch
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import OutputExistsError, UsageError, VerificationError

TXID = "ab" * 32
Enoch = Callable[..., Any]


def _plan(enoch: Enoch, batch: Path, out: Path, rate: str = "2.05") -> dict[str, Any]:
    r = enoch("inscribe", "plan", str(batch), "-o", str(out), "--destination", SIGNET_P2WPKH, "--network", "signet",
              "--fee-rate", rate)  # fmt: skip
    assert r.exit_code == 0, r.stderr
    doc: dict[str, Any] = json.loads((out / "plan.json").read_text())
    return doc


def _edit(plan: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads((plan / "plan.json").read_text())
    change(doc)
    (plan / "plan.json").write_bytes(canonical_dumps(doc) + b"\n")


def test_second_reveal_of_an_outpoint_with_another_amount(enoch: Enoch, tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    fund = _plan(enoch, batch.path, tmp_path / "plan")["groups"][0]["fund_sats"]
    plan = tmp_path / "plan"
    assert enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:0:{fund}").exit_code == 0
    [stored] = (plan / "reveals").iterdir()
    before = stored.read_bytes()
    for extra in ([], ["--json"]):
        r = enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:0:{fund + 50_000}", *extra)
        assert r.exit_code == 2, r.stderr  # a user situation, not an internal error (70)
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
        assert f"signed for {fund} sats" in r.stderr and f"now given as {fund + 50_000} sats" in r.stderr
        assert "delete" in r.stderr
        if extra:
            assert r.json()["error"]["code"] == "output_exists"
    assert stored.read_bytes() == before and len(list((plan / "reveals").iterdir())) == 1
    # Same amount again: idempotent.
    assert enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:0:{fund}").exit_code == 0
    # A stored file that was tampered with is not overwritten either.
    stored.write_bytes(b"garbage\n")
    r = enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:0:{fund}")
    assert r.exit_code == 2 and "different transaction" in r.stderr and stored.read_bytes() == b"garbage\n"
    # The user decides the new amount is right: after deleting the files named
    # in the message (the reveal and its funding record) it is signed.
    record = plan / "fundings" / stored.name.replace(".hex", ".json")
    assert str(record) in r.stderr or "different transaction" in r.stderr
    stored.unlink()
    record.unlink()
    assert enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:0:{fund + 50_000}").exit_code == 0


def test_conflict_writes_no_other_reveal(tmp_path: Path) -> None:
    path = make_batch(tmp_path, {"a.bin": noise(450_000, 3)}, shard_size=120_000)
    from inscriptions.batch.verify import verify_batch
    from inscriptions.transactions.network import parse_address
    from inscriptions.plans.plan import make_plan

    make_plan(verify_batch(path), tmp_path / "plan", destination=parse_address(SIGNET_P2WPKH, "signet"), postage=10_000,
              relay="standard", fee_rate=Decimal(1), ceiling=Decimal(5))  # fmt: skip
    plan, secret = load_plan(tmp_path / "plan")
    assert len(plan.groups) >= 2
    g0, g1 = plan.groups[:2]
    batch = open_batch(plan, None)
    reveal_all(tmp_path / "plan", plan, secret, parse_fundings([f"1={TXID}:1:{g1.fund_sats}"], plan), batch)
    both = parse_fundings([f"0={TXID}:0:{g0.fund_sats}", f"1={TXID}:1:{g1.fund_sats + 1000}"], plan)
    with pytest.raises(OutputExistsError, match="group 1"):
        reveal_all(tmp_path / "plan", plan, secret, both, batch)
    assert [p.name.split("-")[1] for p in (tmp_path / "plan" / "reveals").iterdir()] == ["0001"]


def test_change_never_breaks_the_promised_relay_policy(tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    from inscriptions.transactions.network import parse_address
    from inscriptions.plans.plan import make_plan

    dest = parse_address(SIGNET_P2WPKH, "signet")
    make_plan(batch, tmp_path / "plan", destination=dest, postage=10_000, relay="standard", fee_rate=Decimal(1),
              ceiling=Decimal(5))  # fmt: skip
    plan, _ = load_plan(tmp_path / "plan")
    # A script size whose reveal is standard alone but not with a change output.
    size = next(
        s for s in range(399_000, 400_000)
        if reveal_weight(s, [dest.script_pubkey]) <= STANDARD_WEIGHT < reveal_weight(s, [dest.script_pubkey] * 2)
    )  # fmt: skip
    weight = reveal_weight(size, [dest.script_pubkey])
    fee = fee_for(plan.fee_rate, (weight + 3) // 4)
    group = dataclasses.replace(plan.groups[0], items=plan.groups[0].items[:1], reveal_weight=weight, fee_sats=fee,
                                postage_sats=10_000)  # fmt: skip
    assert group.is_standard()
    assert reveal_outputs(plan, group, size, group.fund_sats)[1] == fee  # exact funding is fine
    with pytest.raises(UsageError, match=f"above {STANDARD_WEIGHT} WU"):
        reveal_outputs(plan, group, size, group.fund_sats + 100_000)


def test_hand_edited_plan_is_refused_before_signing(enoch: Enoch, tmp_path: Path) -> None:
    batch = small_batch(tmp_path)
    doc = _plan(enoch, batch.path, tmp_path / "plan")
    plan, g = tmp_path / "plan", doc["groups"][0]
    original = (plan / "plan.json").read_bytes()

    def heavier(d: dict[str, Any], fee_delta: int = 0, weight: int | None = None) -> None:
        x = d["groups"][0]
        x["reveal_weight"] = weight or x["reveal_weight"] + 4
        x["reveal_vsize"] = (x["reveal_weight"] + 3) // 4
        x["standard"] = x["reveal_weight"] <= STANDARD_WEIGHT
        x["fee_sats"] = fee_for(Decimal(d["fee_rate"]), x["reveal_vsize"]) + fee_delta
        x["fund_sats"] = x["postage_sats"] + x["fee_sats"]

    cases: list[tuple[Callable[[dict[str, Any]], None], int, str]] = [
        (heavier, 1, "was edited"),  # consistent numbers, wrong for the script
        (lambda d: heavier(d, 3), 1, "was edited"),
        (lambda d: d.update(ceiling="2"), 65, "above the ceiling"),
        (lambda d: d.update(fee_rate="2.050"), 65, "canonical"),
        (lambda d: d.update(postage=100), 65, "dust limit"),
        (lambda d: d.update(relay="standard") or heavier(d, weight=400_004), 65, "above the standard relay budget"),
    ]
    for n, (change, code, words) in enumerate(cases, start=1):
        (plan / "plan.json").write_bytes(original)
        _edit(plan, change)
        # Funded as the edited plan asks: the edit itself must be caught.
        fund = json.loads((plan / "plan.json").read_text())["groups"][0]["fund_sats"]
        r = enoch("inscribe", "reveal", str(plan), "--funding", f"0={TXID}:{n}:{fund}", "--json")
        assert r.exit_code == code, r.stderr
        assert words in r.stderr and "Traceback" not in r.stderr
        assert not (plan / "reveals").exists()
    # recover needs only keys that check out: an edited fee does not lock the funds in.
    (plan / "plan.json").write_bytes(original)
    _edit(plan, lambda d: heavier(d, 3))
    r = enoch("inscribe", "recover", str(plan), "--funding", f"0={TXID}:0:{g['fund_sats']}", "--to", SIGNET_P2WPKH,
              "--fee-rate", "1")  # fmt: skip
    assert r.exit_code == 0, r.stderr


def test_decode_accepts_identical_shards_by_their_metadata(enoch: Enoch, tmp_path: Path) -> None:
    path = make_batch(tmp_path, {"a.txt": b"same\n", "b.txt": b"same\n", "e1.txt": b"", "e2.txt": b""})
    fund = _plan(enoch, path, tmp_path / "plan")["groups"][0]["fund_sats"]
    hextx = enoch("inscribe", "reveal", str(tmp_path / "plan"), "--funding", f"0={TXID}:0:{fund}").stdout.strip()
    r = enoch("inscribe", "decode", hextx, "--manifest", str(path / "manifest.json"), "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["batch"]["roles"] == ["manifest", "shard 0", "shard 1", "shard 2", "shard 3"]
    # Metadata naming a shard whose bytes differ from the body is still refused.
    from inscriptions.batch.verify import verify_batch

    batch = verify_batch(path)
    decoded = decode_tx(bytes.fromhex(hextx))
    wrong = InscriptionMetadata(batch.manifest.root, batch.manifest.tree_size, 2).to_bytes()  # an empty-file shard
    env = decoded.envelopes[1]  # body "same\n" (shard 0)
    bad = dataclasses.replace(env, inscription=dataclasses.replace(env.inscription, metadata=wrong))
    with pytest.raises(VerificationError, match="different batch position"):
        check_against_manifest(dataclasses.replace(decoded, envelopes=[bad]), batch.manifest, batch.manifest_bytes)


@pytest.mark.parametrize(
    "text",
    [
        f"\u0660={TXID}:0:5000",  # non-ASCII digit
        f"0={TXID}:\u0661:5000",
        f"0={TXID[:-1]}:0:5000",
        f"0={TXID}0:0:5000",
        f"0={TXID}:4294967296:5000",
        f"0={TXID}:0:0",
        f"0={TXID}:0:2100000000000001",
        f"0={TXID}:0:-1",
        f"0 = {TXID}:0:5000",
        f"0={TXID}:0:5000:1",
    ],
)
def test_funding_text_is_strict(text: str) -> None:
    from inscriptions.plans.reveal import parse_funding

    with pytest.raises(UsageError):
        parse_funding(text)


def test_decode_of_a_transaction_without_inscriptions(enoch: Enoch, tmp_path: Path) -> None:
    legacy = "01000000" "01" + "11" * 32 + "00000000" "00" "ffffffff" "01" "e803000000000000" "01" "51" "00000000"
    r = enoch("inscribe", "decode", legacy, "--json")
    assert r.exit_code == 0 and r.json()["inscriptions"] == []
    batch = small_batch(tmp_path)
    r = enoch("inscribe", "decode", legacy, "--manifest", str(batch.path / "manifest.json"), "--json")
    assert r.exit_code == 1 and "carries no inscriptions" in r.json()["error"]["message"]
    # A witness marker with every witness stack empty is malformed, not "no inscriptions".
    marked = legacy[:8] + "0001" + legacy[8:-8] + "00" + legacy[-8:]
    assert enoch("inscribe", "decode", marked, "--json").exit_code == 65
