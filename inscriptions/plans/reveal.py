"""``enoch inscribe reveal``: sign the reveal of each funded group.

For each funded group the reveal script is rebuilt from the batch and must
hash to the plan's leaf (else nothing is signed).  Money rules: an output
holding less than the plan's ``fund_sats`` is refused (the fee would fall
below the plan); an exact amount pays the planned fee; a surplus (or the
planned bump headroom) is never burnt as fee: it returns to the change
address (``plan --change``, else the destination) as a change output when it
covers that output's extra fee and the dust limit, otherwise the reveal is
refused.

Signing is deterministic (BIP 340 with fixed auxiliary randomness): running
reveal again gives byte-identical transactions, which is what makes a re-run
after a crash safe.  Each transaction is written to the plan directory
(:mod:`inscriptions.plans.revealstore`) as soon as it is signed, and
then forgotten: memory holds one reveal at a time.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from inscriptions.batch.verify import MANIFEST_NAME, VerifiedBatch
from inscriptions.transactions.fees import fee_for, fmt_rate
from inscriptions.plans.funding import check_distinct, parse_funding, parse_fundings
from inscriptions.transactions.groups import RELAY_BUDGETS, STANDARD_WEIGHT, Group, group_inscriptions, reveal_script
from inscriptions.plans.plan import Plan, PlannedGroup, body_reader, headroom_sats
from inscriptions.plans.plandir import read_plan_file
from inscriptions.plans.revealstore import (
    MAX_TX_FILE,
    StoredReveal,
    describe,
    funding_path,
    funding_record,
    load_stored,
    read_funding_record,
    read_tx_file,
    reveal_path,
    signed_amount,
    store_once,
    update_index,
    versions,
)
from inscriptions.transactions.taproot import commit, derive_group_secret, tapleaf_hash
from inscriptions.transactions.txbuild import Funding, SignedTx, reveal_weight, script_size_of, sign_reveal
from toolkit.core.errors import EnochError, InputMissingError, InternalError, MalformedInputError, OutputExistsError
from toolkit.core.errors import UsageError
from toolkit.core.errors import VerificationError
from toolkit.core.fsio import display_path
from toolkit.core.hexutil import parse_hex

__all__ = ["Reveal", "open_batch", "parse_funding", "parse_fundings", "reveal_all", "iter_reveals", "sign_group"]

Outputs = list[tuple[bytes, int]]


def open_batch(plan: Plan, batch_dir: Path | None) -> VerifiedBatch:
    """The plan's batch, pinned by the manifest hash; shard bytes are checked
    against the manifest's leaf hashes as they are read, and the rebuilt
    reveal script must match the committed leaf."""
    path = batch_dir or plan.batch_path
    if not (path / MANIFEST_NAME).is_file():
        raise InputMissingError(f"batch directory {path} has no {MANIFEST_NAME} (moved? pass --batch DIR)")
    batch = VerifiedBatch.pinned(path, plan.manifest_sha256)
    # plan.json repeats the root and tree size (status shows them, index.json
    # copies them): they must be those of the manifest the plan pins.
    if (batch.manifest.root, batch.manifest.tree_size) != (plan.root, plan.tree_size):
        raise VerificationError("plan.json's batch root or tree size is not the pinned manifest's (plan.json edited?)")
    return batch


class Reveal:
    """A signed reveal of one group, with its fee and change (0 if none)."""

    def __init__(self, group: int, funding: Funding, tx: SignedTx, fee_sats: int, change_sats: int) -> None:
        self.group, self.funding, self.tx, self.fee_sats, self.change_sats = group, funding, tx, fee_sats, change_sats


def relay_limit(plan: Plan, group: PlannedGroup) -> int:
    """The weight a reveal of ``group`` may reach: a change output must not
    cost the reveal the relay policy the plan promised (a "standard" group
    stays at or below 400,000 WU, any group within its relay budget)."""
    return STANDARD_WEIGHT if group.is_standard() else RELAY_BUDGETS[plan.relay]


def reveal_outputs(plan: Plan, group: PlannedGroup, script_size: int, funded: int) -> tuple[Outputs, int, int]:
    """Outputs, fee and change for ``funded`` sats at the plan's rate; enforces the money rules."""
    outputs = [(plan.destination.script_pubkey, plan.postage)] * len(group.items)
    if funded < group.fund_sats:
        raise UsageError(
            f"group {group.group} is underfunded: the commit output holds {funded} sats, the plan needs "
            f"{group.fund_sats} (postage {group.postage_sats} + fee {group.fee_sats}"
            + (f" + bump headroom {group.headroom_sats}" if group.headroom_sats else "")
            + "); sweep it back with `enoch inscribe recover` and fund the exact amount"
        )
    if funded == group.postage_sats + group.fee_sats:
        return outputs, group.fee_sats, 0
    change_to = plan.change_to
    with_change = outputs + [(change_to.script_pubkey, 0)]
    weight = reveal_weight(script_size, [spk for spk, _ in with_change])
    fee = fee_for(plan.fee_rate, (weight + 3) // 4)
    change = funded - group.postage_sats - fee
    refuse = (
        f"group {group.group} is overfunded by {funded - group.fund_sats} sats; refusing to burn it as fee: "
        f"sweep it back with `enoch inscribe recover` and fund exactly {group.fund_sats} sats"
    )
    if change < change_to.dust_limit:
        need = fee - group.fee_sats + change_to.dust_limit
        raise UsageError(f"{refuse} (a change output needs at least {need} sats more than the plan)")
    limit = relay_limit(plan, group)
    if weight > limit:
        raise UsageError(f"{refuse} (a change output would make the reveal {weight} WU, above {limit} WU)")
    return outputs + [(change_to.script_pubkey, change)], fee, change


def check_body_sizes(batch: VerifiedBatch, group: PlannedGroup) -> None:
    """plan.json repeats each inscription's body size; the pinned manifest
    fixes it (its own length, each shard's gz_size).  Like the root and tree
    size in :func:`open_batch`, another value is a plan that is not this
    batch's (exit 1, nothing signed): the committed script never says, as
    bodies are read from the batch, not from plan.json."""
    for i, item in enumerate(group.items):
        want = len(batch.manifest_bytes) if item.shard is None else batch.manifest.shards[item.shard].gz_size
        if item.body_size != want:
            raise VerificationError(
                f"group {group.group}: inscriptions[{i}] ({item.label}) has body_size {item.body_size} in plan.json, "
                f"{want} bytes in the pinned manifest (plan.json edited?); nothing was signed"
            )


def rebuild_script(plan: Plan, batch: VerifiedBatch, group: PlannedGroup) -> bytes:
    """The group's reveal script from the batch, checked against the plan."""
    check_body_sizes(batch, group)
    inscriptions = group_inscriptions(Group(group.items, 0, 0), batch.manifest, plan.postage, body_reader(batch))
    script = reveal_script(group.internal_key, inscriptions)
    if tapleaf_hash(script) != group.leaf_hash:
        raise VerificationError(f"group {group.group}: the batch no longer produces the committed reveal script")
    # Checked here, not when loading: recover must work from any plan whose
    # keys check out, reveal only from one whose numbers are all consistent.
    dest = [plan.destination.script_pubkey] * len(group.items)
    weight = reveal_weight(len(script), dest)
    edited = weight != group.reveal_weight or group.fee_sats != fee_for(plan.fee_rate, group.reveal_vsize)
    if not edited and plan.bump_headroom is not None and group.headroom_sats is not None:
        with_change = reveal_weight(len(script), dest + [plan.change_to.script_pubkey])
        want = headroom_sats(group.fee_sats, with_change, plan.fee_rate, plan.headroom())
        edited = want != group.headroom_sats
    if edited:
        raise VerificationError(
            f"group {group.group}: plan.json gives a reveal of {group.reveal_weight} WU for {group.fee_sats} sats, "
            f"its script makes {weight} WU at {fmt_rate(plan.fee_rate)} sat/vB (plan.json was edited); nothing was signed"
        )
    return script


def sign_outputs(secret: bytes, group: PlannedGroup, script: bytes, funding: Funding, outputs: Outputs) -> SignedTx:
    """Sign the script-path spend of ``funding`` paying ``outputs``."""
    c = commit(group.internal_key, group.leaf_hash)
    return sign_reveal(derive_group_secret(secret, group.group), c, script, funding, outputs)


def sign_group(plan: Plan, secret: bytes, batch: VerifiedBatch, group: PlannedGroup, funding: Funding) -> Reveal:
    """Rebuild, check and sign the reveal of ``group`` spending ``funding`` at the plan's rate."""
    script = rebuild_script(plan, batch, group)
    outputs, fee, change = reveal_outputs(plan, group, len(script), funding.sats)
    tx = sign_outputs(secret, group, script, funding, outputs)
    if funding.sats - sum(v for _, v in outputs) != fee or fee != fee_for(plan.fee_rate, tx.vsize):
        raise InternalError(f"group {group.group}: fee arithmetic does not add up")
    return Reveal(group.group, funding, tx, fee, change)


def _conflict(plan_dir: Path, group: int, funding: Funding, earlier: int | None) -> OutputExistsError:
    signed = versions(plan_dir, group, funding)
    files = [funding_path(plan_dir, group, funding)] + [reveal_path(plan_dir, group, funding, v) for v in signed]
    where = ", ".join(display_path(p) for p in files if os.path.lexists(p))
    if earlier is None or earlier == funding.sats:
        return OutputExistsError(
            f"group {group}: {where} hold a different transaction for outpoint {funding.txid}:{funding.vout} "
            "and this amount (was it or plan.json edited?); nothing was written: delete them only if you are sure "
            "they were never broadcast"
        )
    held = "a reveal of" if signed else "a funding record of"
    return OutputExistsError(
        f"group {group}: the plan directory already holds {held} outpoint {funding.txid}:{funding.vout} signed "
        f"for {earlier} sats, now given as {funding.sats} sats; an output has one amount, so one of them is wrong: "
        f"check it in your wallet or a block explorer, then either pass that amount or, if {funding.sats} is right, "
        f"delete {where} and run reveal again; nothing was written"
    )


def check_earlier(plan_dir: Path, plan: Plan, secret: bytes, batch: VerifiedBatch, group: PlannedGroup, funding: Funding) -> None:
    """What is stored for this outpoint must be what would be signed now.  A
    different amount means the same commit output was given two amounts, and
    at most one is right (a signature commits to it): the user decides; a
    signed transaction is never replaced silently."""
    earlier: int | None = None
    record = funding_path(plan_dir, group.group, funding)
    if os.path.lexists(record):
        earlier = read_funding_record(record)[1].sats
        if earlier != funding.sats:
            raise _conflict(plan_dir, group.group, funding, earlier)
    first = reveal_path(plan_dir, group.group, funding)
    if not os.path.lexists(first):
        return
    stored = read_plan_file(first, what="stored reveal", limit=MAX_TX_FILE)
    if stored == sign_group(plan, secret, batch, group, funding).tx.hex_bytes + b"\n":
        return
    if earlier is None:
        try:
            earlier = signed_amount(plan, parse_hex(stored.decode("ascii", "replace").strip(), what="stored reveal"))
        except MalformedInputError:
            earlier = None
    raise _conflict(plan_dir, group.group, funding, earlier)


def iter_reveals(
    plan_dir: Path, plan: Plan, secret: bytes, fundings: Sequence[tuple[PlannedGroup, Funding]], batch: VerifiedBatch
) -> Iterator[StoredReveal]:
    """Sign and store every funded group's reveal, yielding each once it is
    on disk, then merge their ids into ``index.json``.  Nothing is written
    unless no outpoint conflicts with what is stored.  An outpoint signed
    before yields its latest stored version (a fee bump's, if any).  The
    caller holds :func:`~inscriptions.plans.plandir.plan_lock` and
    exhausts the iterator."""
    check_distinct(fundings)
    for group, funding in fundings:
        # Money rules first, for every group, before anything is signed or written.
        size = script_size_of(group.reveal_weight, [plan.destination.script_pubkey] * len(group.items))
        if size is None:
            raise VerificationError(f"group {group.group}: reveal_weight {group.reveal_weight} fits no reveal (plan.json was edited)")
        reveal_outputs(plan, group, size, funding.sats)
    for group, funding in fundings:
        check_earlier(plan_dir, plan, secret, batch, group, funding)
    done: list[StoredReveal] = []
    try:
        for group, funding in fundings:
            done.append(_sign_or_load(plan_dir, plan, secret, batch, group, funding))
            yield done[-1]
    except BaseException:
        # A failure half-way (or a consumer that stops early): the index still
        # gets the ids of every reveal already on disk, then the error goes on.
        with contextlib.suppress(EnochError, OSError):
            if done:
                update_index(plan_dir, plan, done)
        raise
    update_index(plan_dir, plan, done)


def _sign_or_load(
    plan_dir: Path, plan: Plan, secret: bytes, batch: VerifiedBatch, group: PlannedGroup, funding: Funding
) -> StoredReveal:
    """The latest stored version for ``funding``, or a new version 1 signed and stored."""
    record = funding_path(plan_dir, group.group, funding), funding_record(group.group, funding)
    found = versions(plan_dir, group.group, funding)
    if found:
        store_once(*record)  # earlier versions kept no record: add it
        return load_stored(plan_dir, plan, group.group, funding, found[-1])
    r = sign_group(plan, secret, batch, group, funding)
    # The funding record is written before the reveal: no reveal file exists
    # without one (and a refused signature leaves neither).
    store_once(*record)
    path = reveal_path(plan_dir, group.group, funding)
    store_once(path, r.tx.hex_bytes + b"\n")
    return describe(plan, group, funding, 1, path, r.tx)  # r is dropped: one reveal in memory at a time


def reveal_all(
    plan_dir: Path, plan: Plan, secret: bytes, fundings: Sequence[tuple[PlannedGroup, Funding]], batch: VerifiedBatch
) -> list[Reveal]:
    """:func:`iter_reveals`, with every transaction read back (small batches, tests)."""
    out = []
    for s in list(iter_reveals(plan_dir, plan, secret, fundings, batch)):
        tx = SignedTx(s.txid, read_tx_file(s.path), s.weight)
        out.append(Reveal(s.group, s.funding, tx, s.fee_sats, s.change_sats))
    return out
