"""SPEC T "Funding in one transaction": `inscribe fund` formats and
`reveal --funding-tx` matching (exact, over, under, double, unrelated)."""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from inscriptions.plans.fundfmt import btc
from inscriptions.plans.plan import Plan
from inscriptions.plans.planfile import load_plan
from tests import independent
from tests.batchkit import SIGNET_P2WPKH, make_batch, noise

P2WPKH_SPK = bytes.fromhex("0014751e76e8199196d454941c45d1b3a323f1433bd6")  # SIGNET_P2WPKH's script


def funding_tx(outputs: list[tuple[bytes, int]]) -> bytes:
    """A legacy-serialized transaction with one dummy input and ``outputs``."""
    body = (2).to_bytes(4, "little") + b"\x01" + hashlib.sha256(b"prev").digest() + b"\x00" * 4 + b"\x00" + b"\xff" * 4
    body += bytes([len(outputs)])
    for spk, sats in outputs:
        body += sats.to_bytes(8, "little") + bytes([len(spk)]) + spk
    return body + b"\x00" * 4


def segwit(raw: bytes) -> bytes:
    """``raw`` (from :func:`funding_tx`) with a BIP 144 witness for its input:
    same txid, as a wallet's P2WPKH/P2TR payment would be."""
    return raw[:4] + b"\x00\x01" + raw[4:-4] + b"\x01\x40" + bytes(range(64)) + raw[-4:]


def txid_of(raw: bytes) -> str:
    return hashlib.sha256(hashlib.sha256(raw).digest()).digest()[::-1].hex()


@pytest.fixture
def planned(enoch: Any, tmp_path: Path) -> tuple[Path, Plan]:
    batch = make_batch(tmp_path, {"a.bin": noise(450_000, 5), "b.txt": b"hello\n"}, shard_size=120_000)
    r = enoch("inscribe", "plan", str(batch), "-o", str(tmp_path / "plan"), "--destination", SIGNET_P2WPKH,
              "--network", "signet", "--fee-rate", "1.5")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    plan, _ = load_plan(tmp_path / "plan")
    assert len(plan.groups) >= 2
    return tmp_path / "plan", plan


def _reveal(enoch: Any, plan_dir: Path, raw: bytes, *extra: str) -> Any:
    path = plan_dir.parent / "funding.hex"
    path.write_text(raw.hex() + "\n")
    return enoch("inscribe", "reveal", str(plan_dir), "--funding-tx", str(path), "--json", *extra)


def test_exact_payment_with_unrelated_outputs(enoch: Any, planned: tuple[Path, Plan]) -> None:
    plan_dir, plan = planned
    outs = [(P2WPKH_SPK, 12_345)] + [(g.script_pubkey, g.fund_sats) for g in plan.groups] + [(b"\x6a\x01\x00", 0)]
    raw = funding_tx(outs)
    r = _reveal(enoch, plan_dir, raw)
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["funding_tx"]["txid"] == txid_of(raw)
    assert [(o["vout"], o["sats"]) for o in data["funding_tx"]["ignored_outputs"]] == [(0, 12_345), (len(outs) - 1, 0)]
    assert data["funding_tx"]["ignored_outputs"][0]["address"] == SIGNET_P2WPKH
    assert "output 0 (12345 sats to " in r.stderr and "pays no group: ignored" in r.stderr
    for tx, g in zip(data["transactions"], plan.groups, strict=True):
        assert tx["funding"] == {"txid": txid_of(raw), "vout": g.group + 1, "sats": g.fund_sats}
        assert tx["change_sats"] == 0 and tx["fee_sats"] == g.fee_sats
        spent = independent.parse(bytes.fromhex(tx["hex"])).vin[0]
        assert (spent.txid.hex(), spent.vout) == (txid_of(raw), g.group + 1)
        independent.check_script_path_spend(bytes.fromhex(tx["hex"]), 0, [(g.script_pubkey, g.fund_sats)])
    # The same transaction from stdin: identical (deterministic) and idempotent.
    import sys

    sys.stdin = io.TextIOWrapper(io.BytesIO(raw.hex().encode()))
    try:
        again = enoch("inscribe", "reveal", str(plan_dir), "--funding-tx", "-", "--json")
    finally:
        sys.stdin = sys.__stdin__
    assert again.exit_code == 0 and again.json()["transactions"] == data["transactions"]


def test_segwit_funding_tx_matches_by_its_txid(enoch: Any, planned: tuple[Path, Plan]) -> None:
    plan_dir, plan = planned
    g0 = plan.groups[0]
    legacy = funding_tx([(P2WPKH_SPK, 1000), (g0.script_pubkey, g0.fund_sats)])
    r = _reveal(enoch, plan_dir, segwit(legacy))
    assert r.exit_code == 0, r.stderr
    assert r.json()["transactions"][0]["funding"] == {"txid": txid_of(legacy), "vout": 1, "sats": g0.fund_sats}


def test_overpaid_group_gets_change(enoch: Any, planned: tuple[Path, Plan]) -> None:
    plan_dir, plan = planned
    g0 = plan.groups[0]
    r = _reveal(enoch, plan_dir, funding_tx([(g0.script_pubkey, g0.fund_sats + 40_000)]))
    assert r.exit_code == 0, r.stderr
    [tx] = r.json()["transactions"]
    assert tx["change_sats"] > 0 and tx["fee_sats"] + tx["change_sats"] + g0.postage_sats == g0.fund_sats + 40_000
    assert tx["fee_sats"] == -(-tx["vsize"] * 15 // 10)


@pytest.mark.parametrize("case", ["under", "double", "unrelated-only", "both-options"])
def test_refusals_write_nothing(enoch: Any, planned: tuple[Path, Plan], case: str) -> None:
    plan_dir, plan = planned
    g0, g1 = plan.groups[:2]
    outs = {
        "under": [(g0.script_pubkey, g0.fund_sats), (g1.script_pubkey, g1.fund_sats - 1)],
        "double": [(g0.script_pubkey, g0.fund_sats), (g1.script_pubkey, g1.fund_sats), (g0.script_pubkey, g0.fund_sats)],
        "unrelated-only": [(P2WPKH_SPK, 50_000)],
        "both-options": [(g0.script_pubkey, g0.fund_sats)],
    }[case]
    extra = ["--funding", f"0={'cd' * 32}:0:{g0.fund_sats}"] if case == "both-options" else []
    r = _reveal(enoch, plan_dir, funding_tx(outs), *extra)
    assert r.exit_code == 2, r.stderr
    words = {"under": f"pays group 1 {g1.fund_sats - 1} sats", "double": "pays group 0 twice (outputs 0 and 2)",
             "unrelated-only": "pays no commit address", "both-options": "given by --funding and paid by --funding-tx"}  # fmt: skip
    assert words[case] in r.stderr
    assert not (plan_dir / "reveals").exists() and not (plan_dir / "fundings").exists()


@pytest.mark.parametrize("text", ["zz", "00", "", "0200000001"])
def test_malformed_funding_tx_is_65(enoch: Any, planned: tuple[Path, Plan], text: str) -> None:
    plan_dir, plan = planned
    path = plan_dir.parent / "bad.hex"
    path.write_text(text)
    r = enoch("inscribe", "reveal", str(plan_dir), "--funding-tx", str(path))
    assert r.exit_code == 65, r.stderr
    trailing = funding_tx([(plan.groups[0].script_pubkey, plan.groups[0].fund_sats)]) + b"\x00"
    assert _reveal(enoch, plan_dir, trailing).exit_code == 65


def test_fund_formats(enoch: Any, planned: tuple[Path, Plan]) -> None:
    plan_dir, plan = planned
    expect = [(g.commit_address, g.fund_sats) for g in plan.groups]
    core = enoch("inscribe", "fund", str(plan_dir))
    assert core.exit_code == 0, core.stderr
    parsed = json.loads(core.stdout, parse_float=Decimal)
    assert [(a, int(v * 100_000_000)) for o in parsed for a, v in o.items()] == expect
    assert all(len(o) == 1 for o in parsed)
    bip21 = enoch("inscribe", "fund", str(plan_dir), "--format", "bip21").stdout.split()
    assert bip21 == [f"bitcoin:{a}?amount={Decimal(s) / 100_000_000:f}".rstrip("0") for a, s in expect]
    csv = enoch("inscribe", "fund", str(plan_dir), "--format", "csv").stdout.splitlines()
    assert csv == ["address,amount_sats"] + [f"{a},{s}" for a, s in expect]
    doc = json.loads(enoch("inscribe", "fund", str(plan_dir), "--format", "json").stdout)
    assert doc["total_sats"] == sum(s for _, s in expect) and doc["network"] == "signet"
    assert [(o["address"], o["sats"], o["btc"]) for o in doc["outputs"]] == [(a, s, btc(s)) for a, s in expect]
    assert enoch("inscribe", "fund", str(plan_dir), "--json").json()["outputs"] == doc["outputs"]
    # Once group 0 is revealed, fund asks only for the others (unless --all).
    g0 = plan.groups[0]
    assert _reveal(enoch, plan_dir, funding_tx([(g0.script_pubkey, g0.fund_sats)])).exit_code == 0
    rest = enoch("inscribe", "fund", str(plan_dir), "--format", "csv")
    assert rest.stdout.splitlines()[1:] == [f"{a},{s}" for a, s in expect[1:]] and "skipping groups" in rest.stderr
    assert len(enoch("inscribe", "fund", str(plan_dir), "--format", "csv", "--all").stdout.splitlines()) == len(expect) + 1


def test_btc_amounts_are_exact() -> None:
    assert [btc(n) for n in (0, 1, 67_014, 100_000_000, 2_100_000_000_000_000)] == [
        "0.00000000", "0.00000001", "0.00067014", "1.00000000", "21000000.00000000"
    ]  # fmt: skip


