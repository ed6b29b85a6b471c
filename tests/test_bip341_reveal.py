"""Reveal and sweep transactions: valid for an independent library (embit),
exact weight/vsize, fees, money rules, determinism."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest

from inscriptions.transactions.envelope import parse_witnesses
from inscriptions.transactions.fees import fee_for
from inscriptions.transactions.network import parse_address
from inscriptions.plans.plan import make_plan
from inscriptions.plans.planfile import load_plan
from inscriptions.plans.recover import recover
from inscriptions.plans.reveal import open_batch, parse_fundings, reveal_all
from inscriptions.batch.rfc9162 import leaf_hash
from inscriptions.transactions.taproot import commit, tapleaf_hash, xonly_public_key
from inscriptions.transactions.txbuild import Funding, sign_reveal
from tests import independent
from tests.batchkit import SIGNET_P2TR, SIGNET_P2WPKH, small_batch
from toolkit.core.errors import UsageError

TXID = "ab" * 32


def _plan(tmp_path: Path, rate: str = "2.5", dest: str = SIGNET_P2WPKH, shard_size: int = 4096):  # type: ignore[no-untyped-def]
    batch = small_batch(tmp_path, shard_size=shard_size)
    make_plan(
        batch,
        tmp_path / "plan",
        destination=parse_address(dest, "signet"),
        postage=10_000,
        relay="standard",
        fee_rate=Decimal(rate),
        ceiling=Decimal(5),
    )
    plan, secret = load_plan(tmp_path / "plan")
    return batch, plan, secret


def test_reveal_valid_for_embit_and_carries_every_shard_and_manifest(tmp_path: Path) -> None:
    batch, plan, secret = _plan(tmp_path)
    fundings = [f"{g.group}={TXID}:{g.group}:{g.fund_sats}" for g in plan.groups]
    reveals = reveal_all(tmp_path / "plan", plan, secret, parse_fundings(fundings, plan), open_batch(plan, None))
    bodies = []
    for r, g in zip(reveals, plan.groups, strict=True):
        independent.check_script_path_spend(r.tx.raw, 0, [(g.script_pubkey, g.fund_sats)])
        tx = independent.parse(r.tx.raw)
        assert sum(out.value for out in tx.vout) + g.fee_sats == g.fund_sats
        assert g.fee_sats == fee_for(Decimal("2.5"), r.tx.vsize)  # fee = ceil(rate * vsize)
        assert [out.value for out in tx.vout] == [10_000] * len(g.items)
        bodies.extend(e.inscription.body for e in parse_witnesses([v.witness.items for v in tx.vin]))
    leaves = {s.leaf_hash for s in batch.manifest.shards}
    assert bodies[0] == batch.manifest_bytes
    assert {leaf_hash(b) for b in bodies[1:] if b is not None} == leaves
    assert len(bodies) == batch.manifest.tree_size + 1


def test_reveal_is_deterministic_and_idempotent(tmp_path: Path) -> None:
    batch, plan, secret = _plan(tmp_path)
    g = plan.groups[0]
    args = parse_fundings([f"0={TXID}:0:{g.fund_sats}"], plan)
    first = reveal_all(tmp_path / "plan", plan, secret, args, open_batch(plan, None))
    files = {p.name: p.read_bytes() for p in (tmp_path / "plan" / "reveals").iterdir()}
    second = reveal_all(tmp_path / "plan", plan, secret, args, open_batch(plan, None))
    assert first[0].tx.raw == second[0].tx.raw
    assert files == {p.name: p.read_bytes() for p in (tmp_path / "plan" / "reveals").iterdir()}
    assert list(files.values())[0] == first[0].tx.hex.encode() + b"\n"


def test_overfunded_surplus_returned_as_change(tmp_path: Path) -> None:
    _, plan, secret = _plan(tmp_path)
    g = plan.groups[0]
    funded = g.fund_sats + 50_000
    [r] = reveal_all(tmp_path / "plan", plan, secret, parse_fundings([f"0={TXID}:0:{funded}"], plan), open_batch(plan, None))
    tx = independent.parse(r.tx.raw)
    assert tx.vout[-1].value == r.change_sats > 0
    assert tx.vout[-1].script_pubkey.data == plan.destination.script_pubkey
    assert funded - sum(o.value for o in tx.vout) == r.fee_sats == fee_for(Decimal("2.5"), r.tx.vsize)
    independent.check_script_path_spend(r.tx.raw, 0, [(g.script_pubkey, funded)])


@pytest.mark.parametrize("delta", [-1, 1, 300])
def test_underfunded_or_tiny_surplus_refused(tmp_path: Path, delta: int) -> None:
    _, plan, secret = _plan(tmp_path)
    g = plan.groups[0]
    with pytest.raises(UsageError, match="underfunded" if delta < 0 else "refusing to burn"):
        reveal_all(tmp_path / "plan", plan, secret, parse_fundings([f"0={TXID}:0:{g.fund_sats + delta}"], plan), open_batch(plan, None))
    assert not (tmp_path / "plan" / "reveals").exists()


def test_recover_key_path_sweep_valid_for_embit(tmp_path: Path) -> None:
    _, plan, secret = _plan(tmp_path, shard_size=1500)
    assert len(plan.groups) >= 1
    fundings = [f"{g.group}={TXID}:{i}:{20_000 + i}" for i, g in enumerate(plan.groups)] + [f"0={'cd' * 32}:7:5000"]
    pairs = parse_fundings(fundings, plan)
    to = parse_address(SIGNET_P2TR, "signet")
    sweep = recover(tmp_path / "plan", plan, secret, pairs, to, Decimal("3"))
    spent = [(g.script_pubkey, f.sats) for g, f in pairs]
    for i, (g, _f) in enumerate(pairs):
        independent.check_key_path_spend(sweep.tx.raw, i, spent, g.internal_key, g.leaf_hash)
    tx = independent.parse(sweep.tx.raw)
    assert sweep.amount_sats == tx.vout[0].value == sum(f.sats for _, f in pairs) - sweep.fee_sats
    assert sweep.fee_sats == fee_for(Decimal(3), sweep.tx.vsize)
    assert (tmp_path / "plan" / "recovers" / f"{sweep.tx.txid}.hex").read_bytes() == sweep.tx.hex.encode() + b"\n"


def test_one_in_one_out_vsize_matches_published_formula() -> None:
    # BIP 141 weight = 3 * base size + total size, vsize = ceil(weight / 4).
    # 1-input 1-output script-path reveal to a P2TR output:
    #   base  = 4 version + 1 + 41 input + 1 + 43 P2TR output + 4 locktime = 94 bytes
    #   witness = 2 marker/flag + 1 item count + (1 + 64) signature
    #           + (CompactSize(L) + L) tapscript + (1 + 33) control block
    secret = hashlib.sha256(b"k").digest()
    internal = xonly_public_key(secret)
    dest = parse_address(SIGNET_P2TR, "signet").script_pubkey
    for body_size in (0, 100, 520, 5000, 70_000):
        script = b"\x20" + internal + b"\xac" + b"\x00\x63\x03ord\x00" + bytes(body_size) + b"\x68"
        c = commit(internal, tapleaf_hash(script))
        tx = sign_reveal(secret, c, script, Funding(TXID, 0, 100_000), [(dest, 90_000)])
        size = len(script)
        compact = 1 if size < 0xFD else 3 if size <= 0xFFFF else 5
        weight = 4 * 94 + 2 + 1 + 65 + compact + size + 34
        assert tx.weight == weight
        assert tx.vsize == -(-weight // 4)
        assert len(tx.raw) == 94 + 2 + 1 + 65 + compact + size + 34


def test_tampered_reveal_signature_rejected_by_embit(tmp_path: Path) -> None:
    _, plan, secret = _plan(tmp_path)
    g = plan.groups[0]
    [r] = reveal_all(tmp_path / "plan", plan, secret, parse_fundings([f"0={TXID}:0:{g.fund_sats}"], plan), open_batch(plan, None))
    with pytest.raises(AssertionError, match="signature invalid"):
        # Claiming a different spent amount changes the sighash.
        independent.check_script_path_spend(r.tx.raw, 0, [(g.script_pubkey, g.fund_sats + 1)])
    sig = independent.parse(r.tx.raw).vin[0].witness.items[0]
    raw = bytearray(r.tx.raw)
    raw[r.tx.raw.index(sig) + 5] ^= 1  # flip one bit of the signature
    with pytest.raises(AssertionError, match="signature invalid"):
        independent.check_script_path_spend(bytes(raw), 0, [(g.script_pubkey, g.fund_sats)])
