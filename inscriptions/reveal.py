"""``enoch inscribe reveal`` and ``recover``: sign spends of funded commit outputs.

Reveal: for each ``GROUP=TXID:VOUT:SATS`` the reveal script is rebuilt from
the batch and must hash to the plan's leaf (else nothing is signed).  Money
rules: an output holding less than the plan's ``fund_sats`` is refused (the
fee would fall below the plan); an exact amount pays the planned fee; a
surplus is never burnt as fee: it returns to the destination as a change
output when it covers that output's extra fee and the dust limit, otherwise
the reveal is refused.  Signed transactions are written into
``PLAN_DIR/reveals/`` before they are returned; signing is deterministic, so
running reveal again gives byte-identical files.

Recover: key-path sweep (tweaked group key) of any commit outputs to one
address at ``ceil(rate * vsize)``; needs only the plan and its secret.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from inscriptions.batch import VerifiedBatch, read_manifest
from inscriptions.fees import fee_for
from inscriptions.groups import Group, group_inscriptions, reveal_script
from inscriptions.network import Destination
from inscriptions.plan import MAX_MONEY, Plan, PlannedGroup, body_reader
from inscriptions.taproot import commit, derive_group_secret, tapleaf_hash
from inscriptions.txbuild import Funding, SignedTx, reveal_weight, sign_reveal, sign_sweep, sweep_weight
from toolkit.errors import InputMissingError, InternalError, UsageError, VerificationError
from toolkit.fsio import atomic_write, fsync_dir

_FUNDING = re.compile(r"(\d{1,9})=([0-9a-fA-F]{64}):(\d{1,10}):(\d{1,16})")


def parse_funding(text: str) -> tuple[int, Funding]:
    """``GROUP=TXID:VOUT:SATS`` (txid in display hex) -> (group, funding)."""
    m = _FUNDING.fullmatch(text.strip())
    if not m:
        raise UsageError(f"--funding {text!r} must look like GROUP=TXID:VOUT:SATS (txid: 64 hex digits)")
    group, txid, vout, sats = int(m[1]), m[2].lower(), int(m[3]), int(m[4])
    if vout >= 2**32 or not 0 < sats <= MAX_MONEY:
        raise UsageError(f"--funding {text!r}: output index or amount out of range")
    return group, Funding(txid, vout, sats)


def parse_fundings(texts: Sequence[str], plan: Plan) -> list[tuple[PlannedGroup, Funding]]:
    if not texts:
        raise UsageError("give at least one --funding GROUP=TXID:VOUT:SATS")
    out: list[tuple[PlannedGroup, Funding]] = []
    seen: set[tuple[str, int]] = set()
    for text in texts:
        group, funding = parse_funding(text)
        if group >= len(plan.groups):
            raise UsageError(f"--funding {text!r}: the plan has groups 0..{len(plan.groups) - 1}")
        if (funding.txid, funding.vout) in seen:
            raise UsageError(f"--funding {text!r}: outpoint given twice")
        seen.add((funding.txid, funding.vout))
        out.append((plan.groups[group], funding))
    return out


def open_batch(plan: Plan, batch_dir: Path | None) -> VerifiedBatch:
    """The plan's batch, pinned by the manifest hash; shard bytes are checked
    against the manifest's leaf hashes as they are read, and the rebuilt
    reveal script must match the committed leaf."""
    path = batch_dir or plan.batch_path
    if not (path / "manifest.json").is_file():
        raise InputMissingError(f"batch directory {path} has no manifest.json (moved? pass --batch DIR)")
    manifest, raw = read_manifest(path / "manifest.json")
    if hashlib.sha256(raw).digest() != plan.manifest_sha256:
        raise VerificationError(f"the manifest in {path} is not the one this plan was made from")
    return VerifiedBatch(path, manifest, raw)


@dataclass(frozen=True)
class Reveal:
    group: int
    funding: Funding
    tx: SignedTx
    fee_sats: int
    change_sats: int


def reveal_outputs(plan: Plan, group: PlannedGroup, script_size: int, funded: int) -> tuple[list[tuple[bytes, int]], int, int]:
    """Outputs, fee and change for ``funded`` sats; enforces the money rules."""
    dest = plan.destination
    outputs = [(dest.script_pubkey, plan.postage)] * len(group.items)
    if funded < group.fund_sats:
        raise UsageError(
            f"group {group.group} is underfunded: the commit output holds {funded} sats, the plan needs "
            f"{group.fund_sats} (postage {group.postage_sats} + fee {group.fee_sats}); "
            "sweep it back with `enoch inscribe recover` and fund the exact amount"
        )
    if funded == group.fund_sats:
        return outputs, group.fee_sats, 0
    with_change = outputs + [(dest.script_pubkey, 0)]
    vsize = (reveal_weight(script_size, [spk for spk, _ in with_change]) + 3) // 4
    fee = fee_for(plan.fee_rate, vsize)
    change = funded - group.postage_sats - fee
    if change < dest.dust_limit:
        raise UsageError(
            f"group {group.group} is overfunded by {funded - group.fund_sats} sats, too little for a change output "
            f"(needs {fee - group.fee_sats + dest.dust_limit} more than the plan); refusing to burn it as fee: "
            "sweep it back with `enoch inscribe recover` and fund exactly "
            f"{group.fund_sats} sats"
        )
    return outputs + [(dest.script_pubkey, change)], fee, change


def sign_group(plan: Plan, secret: bytes, batch: VerifiedBatch, group: PlannedGroup, funding: Funding) -> Reveal:
    items = Group(group.items, 0, 0)
    inscriptions = group_inscriptions(items, batch.manifest, plan.postage, body_reader(batch))
    script = reveal_script(group.internal_key, inscriptions)
    if tapleaf_hash(script) != group.leaf_hash:
        raise VerificationError(f"group {group.group}: the batch no longer produces the committed reveal script")
    c = commit(group.internal_key, group.leaf_hash)
    outputs, fee, change = reveal_outputs(plan, group, len(script), funding.sats)
    tx = sign_reveal(derive_group_secret(secret, group.group), c, script, funding, outputs)
    if funding.sats - sum(v for _, v in outputs) != fee or fee != fee_for(plan.fee_rate, tx.vsize):
        raise InternalError(f"group {group.group}: fee arithmetic does not add up")
    return Reveal(group.group, funding, tx, fee, change)


def _store(path: Path, data: bytes) -> None:
    """Write once; an identical existing file is fine (idempotent re-runs)."""
    if not path.parent.is_dir():
        path.parent.mkdir()
        fsync_dir(path.parent.parent)
    if path.exists():
        if path.read_bytes() != data:
            raise InternalError(f"{path} exists with different content; refusing to replace a signed transaction")
        return
    atomic_write(path, data)


def reveal_all(
    plan_dir: Path, plan: Plan, secret: bytes, fundings: Sequence[tuple[PlannedGroup, Funding]], batch: VerifiedBatch
) -> list[Reveal]:
    """Sign every funded group, then write all transactions into the plan."""
    reveals = [sign_group(plan, secret, batch, g, f) for g, f in fundings]
    for r in reveals:
        _store(plan_dir / "reveals" / f"group-{r.group:04d}-{r.funding.txid}-{r.funding.vout}.hex", r.tx.hex_bytes + b"\n")
    return reveals


@dataclass(frozen=True)
class Sweep:
    tx: SignedTx
    fee_sats: int
    amount_sats: int


def recover(
    plan_dir: Path, plan: Plan, secret: bytes, fundings: Sequence[tuple[PlannedGroup, Funding]], to: Destination, rate: Decimal
) -> Sweep:
    """Key-path sweep of ``fundings`` to ``to``; written to ``PLAN_DIR/recovers/``."""
    total = sum(f.sats for _, f in fundings)
    if total > MAX_MONEY:
        raise UsageError("the fundings add up to more than 21 million BTC")
    vsize = (sweep_weight(len(fundings), to.script_pubkey) + 3) // 4
    fee = fee_for(rate, vsize)
    amount = total - fee
    if amount < to.dust_limit:
        raise UsageError(f"sweeping {total} sats at {rate} sat/vB leaves {amount} sats, below the dust limit {to.dust_limit}")
    keys = [(derive_group_secret(secret, g.group), commit(g.internal_key, g.leaf_hash)) for g, _ in fundings]
    tx = sign_sweep(keys, [f for _, f in fundings], (to.script_pubkey, amount))
    if tx.vsize != vsize:
        raise InternalError("sweep vsize differs from the prediction")
    _store(plan_dir / "recovers" / f"{tx.txid}.hex", tx.hex_bytes + b"\n")
    return Sweep(tx, fee, amount)
