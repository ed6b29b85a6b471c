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

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from inscriptions.batch.verify import MANIFEST_NAME, VerifiedBatch
from inscriptions.transactions.fees import fee_for, fmt_rate
from inscriptions.transactions.groups import RELAY_BUDGETS, STANDARD_WEIGHT, Group, group_inscriptions, reveal_script
from inscriptions.transactions.network import Destination
from inscriptions.transactions.plan import MAX_MONEY, Plan, PlannedGroup, body_reader
from inscriptions.transactions.rawtx import MAX_TX_HEX_TEXT, parse_tx
from inscriptions.transactions.taproot import commit, derive_group_secret, tapleaf_hash
from inscriptions.transactions.txbuild import Funding, SignedTx, reveal_weight, sign_reveal, sign_sweep, sweep_weight
from toolkit.core.errors import (
    InputMissingError,
    InternalError,
    MalformedInputError,
    OutputExistsError,
    UsageError,
    VerificationError,
)
from toolkit.core.fsio import atomic_write, fsync_dir, output_errors, read_input
from toolkit.core.hexutil import parse_hex

_FUNDING = re.compile(r"([0-9]{1,9})=([0-9a-fA-F]{64}):([0-9]{1,10}):([0-9]{1,16})")  # ASCII digits only


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
    """Every ``--funding`` of ``plan``, paired with its group; an outpoint may appear once."""
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
    if not (path / MANIFEST_NAME).is_file():
        raise InputMissingError(f"batch directory {path} has no {MANIFEST_NAME} (moved? pass --batch DIR)")
    return VerifiedBatch.pinned(path, plan.manifest_sha256)


@dataclass(frozen=True)
class Reveal:
    """A signed reveal of one group, with its fee and change (0 if none)."""

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
    weight = reveal_weight(script_size, [spk for spk, _ in with_change])
    fee = fee_for(plan.fee_rate, (weight + 3) // 4)
    change = funded - group.postage_sats - fee
    refuse = (
        f"group {group.group} is overfunded by {funded - group.fund_sats} sats; refusing to burn it as fee: "
        f"sweep it back with `enoch inscribe recover` and fund exactly {group.fund_sats} sats"
    )
    if change < dest.dust_limit:
        need = fee - group.fee_sats + dest.dust_limit
        raise UsageError(f"{refuse} (a change output needs at least {need} sats more than the plan)")
    # The change output must not cost the reveal the relay policy the plan
    # promised: a "standard" group stays at or below 400,000 WU, any group
    # within its relay budget.
    limit = STANDARD_WEIGHT if group.is_standard() else RELAY_BUDGETS[plan.relay]
    if weight > limit:
        raise UsageError(f"{refuse} (a change output would make the reveal {weight} WU, above {limit} WU)")
    return outputs + [(dest.script_pubkey, change)], fee, change


def sign_group(plan: Plan, secret: bytes, batch: VerifiedBatch, group: PlannedGroup, funding: Funding) -> Reveal:
    """Rebuild, check and sign the reveal of ``group`` spending ``funding``."""
    items = Group(group.items, 0, 0)
    inscriptions = group_inscriptions(items, batch.manifest, plan.postage, body_reader(batch))
    script = reveal_script(group.internal_key, inscriptions)
    if tapleaf_hash(script) != group.leaf_hash:
        raise VerificationError(f"group {group.group}: the batch no longer produces the committed reveal script")
    # Checked here, not when loading: recover must work from any plan whose
    # keys check out, reveal only from one whose numbers are all consistent.
    weight = reveal_weight(len(script), [plan.destination.script_pubkey] * len(group.items))
    if weight != group.reveal_weight or group.fee_sats != fee_for(plan.fee_rate, group.reveal_vsize):
        raise VerificationError(
            f"group {group.group}: plan.json gives a reveal of {group.reveal_weight} WU for {group.fee_sats} sats, "
            f"its script makes {weight} WU at {fmt_rate(plan.fee_rate)} sat/vB (plan.json was edited); nothing was signed"
        )
    c = commit(group.internal_key, group.leaf_hash)
    outputs, fee, change = reveal_outputs(plan, group, len(script), funding.sats)
    tx = sign_reveal(derive_group_secret(secret, group.group), c, script, funding, outputs)
    if funding.sats - sum(v for _, v in outputs) != fee or fee != fee_for(plan.fee_rate, tx.vsize):
        raise InternalError(f"group {group.group}: fee arithmetic does not add up")
    return Reveal(group.group, funding, tx, fee, change)


def _reveal_path(plan_dir: Path, r: Reveal) -> Path:
    return plan_dir / "reveals" / f"group-{r.group:04d}-{r.funding.txid}-{r.funding.vout}.hex"


def _signed_amount(plan: Plan, stored: bytes) -> int | None:
    """The commit output amount a stored reveal was signed for (its outputs
    plus its fee at the plan's rate), or None if it does not parse."""
    try:
        tx = parse_tx(parse_hex(stored.decode("ascii", "replace").strip(), what="stored reveal"))
    except MalformedInputError:
        return None
    return sum(value for value, _ in tx.outputs) + fee_for(plan.fee_rate, (tx.weight + 3) // 4)


def _check_earlier(plan: Plan, plan_dir: Path, r: Reveal) -> None:
    """A reveal stored for the same outpoint must be this one.  A different
    one means the same commit output was given two different amounts, and at
    most one of them is right (a signature commits to the amount): the user
    must decide; a signed transaction is never replaced silently."""
    path = _reveal_path(plan_dir, r)
    if not os.path.lexists(path):
        return
    stored = read_input(path, what="stored reveal", limit=MAX_TX_HEX_TEXT)
    if stored == r.tx.hex_bytes + b"\n":
        return
    earlier = _signed_amount(plan, stored)
    if earlier is None or earlier == r.funding.sats:
        raise OutputExistsError(
            f"group {r.group}: {path} holds a different transaction for outpoint {r.funding.txid}:{r.funding.vout} "
            "and this amount (was it or plan.json edited?); nothing was written: delete it only if you are sure "
            "it was never broadcast"
        )
    then = f"{earlier} sats"
    raise OutputExistsError(
        f"group {r.group}: {path} already holds a reveal of outpoint {r.funding.txid}:{r.funding.vout} signed for "
        f"{then}, now given as {r.funding.sats} sats; an output has one amount, so one of them is wrong: check it "
        f"in your wallet or a block explorer, then either pass that amount or, if {r.funding.sats} is right, "
        "delete that file and run reveal again; nothing was written"
    )


def _store(path: Path, data: bytes) -> None:
    """Write once; an identical existing file is fine (idempotent re-runs)."""
    with output_errors(path):
        if not path.parent.is_dir():
            if os.path.lexists(path.parent):
                raise OutputExistsError(f"{path.parent} exists and is not a directory")
            path.parent.mkdir()
            fsync_dir(path.parent.parent)
        if not os.path.lexists(path):
            atomic_write(path, data)


def reveal_all(
    plan_dir: Path, plan: Plan, secret: bytes, fundings: Sequence[tuple[PlannedGroup, Funding]], batch: VerifiedBatch
) -> list[Reveal]:
    """Sign every funded group, then write all transactions into the plan
    (after checking that none conflicts with one stored earlier)."""
    reveals = [sign_group(plan, secret, batch, g, f) for g, f in fundings]
    for r in reveals:
        _check_earlier(plan, plan_dir, r)
    for r in reveals:
        _store(_reveal_path(plan_dir, r), r.tx.hex_bytes + b"\n")
    return reveals


@dataclass(frozen=True)
class Sweep:
    """A signed key-path sweep, its fee and the amount it sends."""

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
        raise UsageError(
            f"sweeping {total} sats at {fmt_rate(rate)} sat/vB leaves {amount} sats, below the dust limit {to.dust_limit}"
        )
    keys = [(derive_group_secret(secret, g.group), commit(g.internal_key, g.leaf_hash)) for g, _ in fundings]
    tx = sign_sweep(keys, [f for _, f in fundings], (to.script_pubkey, amount))
    if tx.vsize != vsize:
        raise InternalError("sweep vsize differs from the prediction")
    _store(plan_dir / "recovers" / f"{tx.txid}.hex", tx.hex_bytes + b"\n")  # named by txid: same name, same bytes
    return Sweep(tx, fee, amount)
