"""``enoch inscribe plan``: from a verified batch to a plan directory.

Plan directory (``"format": "enoch-plan/1"``)::

    batch-secret.json   {"format": "enoch-batch-secret/1", "secret": hex}, mode 0600
    plan.json           canonical JSON, see :meth:`Plan.to_json`
    reveals/            signed reveal transactions (written by ``reveal``)
    recovers/           signed sweeps (written by ``recover``)

The directory is built atomically: the secret is written (0600, fsynced,
directory fsynced) first, addresses are derived from it, plan.json is
written, and only then is the directory renamed into place and its parent
fsynced.  A crash at any point leaves no plan or a complete one, and no
address exists anywhere before its secret is durable.  An existing plan is
never overwritten: its commit addresses may already hold funds.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from inscriptions.batch.verify import VerifiedBatch
from inscriptions.transactions.fees import fee_for, fmt_rate
from inscriptions.transactions.groups import (
    STANDARD_WEIGHT,
    Group,
    Item,
    batch_items,
    group_inscriptions,
    pack_groups,
    reveal_script,
)
from inscriptions.transactions.network import Destination, address_from_script
from inscriptions.transactions.taproot import commit, derive_group_secret, tapleaf_hash, xonly_public_key
from inscriptions.transactions.network import txout_size
from inscriptions.transactions.txbuild import dummy_reveal_weight, reveal_weight
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import InternalError, OutputExistsError, UsageError
from toolkit.core.fsio import atomic_directory, atomic_write, output_errors

PLAN_FORMAT = "enoch-plan/1"
MAX_MONEY = 21_000_000 * 100_000_000
SECRET_FORMAT = "enoch-batch-secret/1"
SECRET_NAME = "batch-secret.json"
PLAN_NAME = "plan.json"


@dataclass(frozen=True)
class PlannedGroup:
    """One group of a plan: its inscriptions, keys, commit output and reveal cost."""

    group: int
    items: tuple[Item, ...]
    internal_key: bytes
    leaf_hash: bytes
    script_pubkey: bytes
    commit_address: str
    reveal_weight: int
    fee_sats: int
    postage_sats: int
    #: Extra sats the funding carries for a fee bump (``plan --bump-headroom``);
    #: ``None`` in plans made without one.
    headroom_sats: int | None = None

    @property
    def reveal_vsize(self) -> int:
        return (self.reveal_weight + 3) // 4

    @property
    def fund_sats(self) -> int:
        return self.postage_sats + self.fee_sats + (self.headroom_sats or 0)

    def is_standard(self) -> bool:
        """Whether the reveal is within Bitcoin Core's standard weight (400,000 WU)."""
        return self.reveal_weight <= STANDARD_WEIGHT

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "internal_key": self.internal_key.hex(),
            "leaf_hash": self.leaf_hash.hex(),
            "commit_script_pubkey": self.script_pubkey.hex(),
            "commit_address": self.commit_address,
            "reveal_weight": self.reveal_weight,
            "reveal_vsize": self.reveal_vsize,
            "fee_sats": self.fee_sats,
            "postage_sats": self.postage_sats,
            "fund_sats": self.fund_sats,
            "standard": self.is_standard(),
            "inscriptions": [item.to_json() for item in self.items],
        } | ({} if self.headroom_sats is None else {"headroom_sats": self.headroom_sats})


@dataclass(frozen=True)
class Plan:
    """The contents of ``plan.json`` (see :func:`make_plan`)."""

    network: str
    destination: Destination
    postage: int
    relay: str
    fee_rate: Decimal
    ceiling: Decimal
    batch_path: Path
    root: bytes
    tree_size: int
    manifest_sha256: bytes
    groups: tuple[PlannedGroup, ...]
    #: Where surplus and headroom return (``--change``; the destination if not given).
    change: Destination | None = None
    #: ``--bump-headroom``: the rate every funding is asked for (``None``: no headroom).
    bump_headroom: Decimal | None = None

    def headroom(self) -> Headroom:
        """The plan's bump headroom (only for plans made with ``--bump-headroom``)."""
        if self.bump_headroom is None:
            raise InternalError("this plan has no bump headroom")
        return Headroom(self.bump_headroom, self.change_to)

    @property
    def change_to(self) -> Destination:
        """The address that receives change outputs."""
        return self.destination if self.change is None else self.change

    def to_json(self) -> dict[str, Any]:
        # The two v0.2 keys are written only when used, so that plans made
        # without them are byte-identical to earlier versions' (and load there).
        extra: dict[str, Any] = {}
        if self.change is not None or self.bump_headroom is not None:
            extra = {
                "change": self.change_to.address,
                "bump_headroom": None if self.bump_headroom is None else fmt_rate(self.bump_headroom),
            }
        return extra | {
            "format": PLAN_FORMAT,
            "network": self.network,
            "destination": self.destination.address,
            "postage": self.postage,
            "relay": self.relay,
            "fee_rate": fmt_rate(self.fee_rate),
            "ceiling": fmt_rate(self.ceiling),
            "batch": {
                "path": str(self.batch_path),
                "root": self.root.hex(),
                "tree_size": self.tree_size,
                "manifest_sha256": self.manifest_sha256.hex(),
            },
            "groups": [g.to_json() for g in self.groups],
        }


def existing_plan_message(out: Path) -> str:
    """Why an existing plan directory is refused (there is no --overwrite)."""
    return (
        f"{out} exists; a plan is never overwritten, because replacing its batch secret would lose every sat "
        "sent to its commit addresses: choose another -o, or delete it yourself once you are sure none of its "
        "commit addresses was ever funded"
    )


def secret_to_bytes(secret: bytes) -> bytes:
    """The bytes of ``batch-secret.json`` for ``secret``."""
    return canonical_dumps({"format": SECRET_FORMAT, "secret": secret.hex()}) + b"\n"


def body_reader(batch: VerifiedBatch) -> Callable[[Item], bytes]:
    """Item -> inscription body, re-checked against the manifest."""

    def body(item: Item) -> bytes:
        return batch.manifest_bytes if item.shard is None else batch.shard_bytes(item.shard)

    return body


@dataclass(frozen=True)
class Headroom:
    """``--bump-headroom``: the rate fundings are asked for, and where the difference returns."""

    rate: Decimal
    change: Destination


def headroom_sats(fee_sats: int, weight_with_change: int, rate: Decimal, headroom: Headroom) -> int:
    """Sats a group's funding carries beyond postage and fee: enough for the
    reveal at ``headroom.rate`` with a change output, and never less than that
    change output's cost plus its dust limit (so the reveal signed at the plan
    rate always has a valid change output)."""
    vsize = (weight_with_change + 3) // 4
    fee = max(fee_for(headroom.rate, vsize), fee_for(rate, vsize) + headroom.change.dust_limit)
    return fee - fee_sats


def plan_group(
    index: int,
    group: Group,
    batch: VerifiedBatch,
    secret: bytes,
    destination: Destination,
    postage: int,
    rate: Decimal,
    headroom: Headroom | None = None,
) -> PlannedGroup:
    """Keys, commit address, exact weight and fee of one group."""
    internal = xonly_public_key(derive_group_secret(secret, index))
    inscriptions = group_inscriptions(group, batch.manifest, postage, body_reader(batch))
    script = reveal_script(internal, inscriptions)
    if len(script) != group.script_size:
        raise InternalError(f"group {index}: script is {len(script)} bytes, packing assumed {group.script_size}")
    c = commit(internal, tapleaf_hash(script))
    outputs = [(destination.script_pubkey, postage)] * len(group.items)
    weight = dummy_reveal_weight(c, script, outputs)  # a real serialization, 64-byte signature
    if weight != group.weight:
        raise InternalError(f"group {index}: serialized weight {weight} differs from the packing estimate {group.weight}")
    vsize = (weight + 3) // 4
    fee = fee_for(rate, vsize)
    extra = None
    if headroom is not None:
        with_change = reveal_weight(len(script), [spk for spk, _ in outputs] + [headroom.change.script_pubkey])
        extra = headroom_sats(fee, with_change, rate, headroom)
    return PlannedGroup(
        group=index,
        items=group.items,
        internal_key=internal,
        leaf_hash=c.leaf_hash,
        script_pubkey=c.script_pubkey,
        commit_address=address_from_script(c.script_pubkey, destination.network),
        reveal_weight=weight,
        fee_sats=fee,
        postage_sats=postage * len(group.items),
        headroom_sats=extra,
    )


def make_plan(
    batch: VerifiedBatch,
    out: Path,
    *,
    destination: Destination,
    postage: int,
    relay: str,
    fee_rate: Decimal,
    ceiling: Decimal,
    change: Destination | None = None,
    bump_headroom: Decimal | None = None,
) -> Plan:
    """Write the plan directory ``out`` (atomically) and return the plan.

    The caller holds :func:`inscriptions.plans.plandir.parent_lock`
    of ``out`` (two plans racing for one name: the second is told it exists)."""
    if postage < destination.dust_limit:
        raise UsageError(
            f"--postage {postage} is below the dust limit of {destination.address} ({destination.dust_limit} sats)"
        )
    headroom = None
    if bump_headroom is not None:
        if change is None:
            raise UsageError("--bump-headroom needs --change ADDR (where the unused headroom returns)")
        if not fee_rate <= bump_headroom <= ceiling:
            raise UsageError(
                f"--bump-headroom {fmt_rate(bump_headroom)} must be between the fee rate {fmt_rate(fee_rate)} and "
                f"the ceiling {fmt_rate(ceiling)} sat/vB"
            )
        headroom = Headroom(bump_headroom, change)
    if change is not None and change.network != destination.network:
        raise UsageError("--change must be an address of the plan's network")
    if os.path.lexists(out):
        raise OutputExistsError(existing_plan_message(out))
    items = batch_items(batch.manifest, len(batch.manifest_bytes))
    if postage * len(items) > MAX_MONEY:
        raise UsageError(f"--postage {postage} x {len(items)} inscriptions is more than 21 million BTC")
    # With headroom every reveal carries a change output: keep room for it
    # (and for a longer output count) within the relay budget.
    reserve = 0 if headroom is None else 4 * (txout_size(headroom.change.script_pubkey) + 2)
    groups = pack_groups(
        items, batch.manifest, relay=relay, postage=postage, destination_script=destination.script_pubkey, reserve=reserve
    )
    try:
        return _write_plan(batch, out, groups, destination, postage, relay, fee_rate, ceiling, change, headroom)
    except OutputExistsError:  # appeared meanwhile (atomic_directory would say "pass --overwrite")
        raise OutputExistsError(existing_plan_message(out)) from None


def _write_plan(
    batch: VerifiedBatch,
    out: Path,
    groups: list[Group],
    destination: Destination,
    postage: int,
    relay: str,
    fee_rate: Decimal,
    ceiling: Decimal,
    change: Destination | None,
    headroom: Headroom | None,
) -> Plan:
    with output_errors(out), atomic_directory(out, mode=0o700) as tmp:  # holds the batch secret
        secret = secrets.token_bytes(32)
        # The secret is durable (0600, fsynced, directory fsynced) before any
        # key or address is derived from it.
        atomic_write(tmp / SECRET_NAME, secret_to_bytes(secret), mode=0o600)
        planned = tuple(
            plan_group(i, g, batch, secret, destination, postage, fee_rate, headroom) for i, g in enumerate(groups)
        )
        plan = Plan(
            network=destination.network,
            destination=destination,
            postage=postage,
            relay=relay,
            fee_rate=fee_rate,
            ceiling=ceiling,
            batch_path=batch.path.resolve(),
            root=batch.manifest.root,
            tree_size=batch.manifest.tree_size,
            manifest_sha256=hashlib.sha256(batch.manifest_bytes).digest(),
            groups=planned,
            change=change,
            bump_headroom=None if headroom is None else headroom.rate,
        )
        too_big = [g for g in planned if g.fund_sats > MAX_MONEY]
        if too_big:
            raise UsageError(f"group {too_big[0].group} would need {too_big[0].fund_sats} sats, more than 21 million BTC")
        atomic_write(tmp / PLAN_NAME, canonical_dumps(plan.to_json()) + b"\n")
    return plan
