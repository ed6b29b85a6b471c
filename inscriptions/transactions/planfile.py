"""Reading a plan directory back (strict), for ``reveal`` and ``recover``.

Besides the JSON shape, every group is re-derived from the secret: its
internal key, commit scriptPubKey and address must be what ``plan`` wrote,
so a plan.json edited by hand or paired with the wrong secret is refused
(exit 1) before anything is signed.
"""

from __future__ import annotations

import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

from inscriptions.transactions.fees import fmt_rate
from inscriptions.transactions.groups import RELAY_BUDGETS, Item
from inscriptions.transactions.network import address_from_script, parse_address
from inscriptions.transactions.plan import PLAN_FORMAT, PLAN_NAME, SECRET_FORMAT, SECRET_NAME, Plan, PlannedGroup
from inscriptions.schema import Obj, hex_field, int_field, load_versioned, obj, parse_lower_hex, str_field
from inscriptions.transactions.taproot import commit, derive_group_secret, xonly_public_key
from toolkit.core.errors import InputMissingError, MalformedInputError, VerificationError
from toolkit.core.fsio import read_input

#: Size limits of the plan directory's JSON files (bounded reads, exit 65
#: beyond).  The secret file is one 32-byte hex string; plan.json holds about
#: a kilobyte per group and at most one group per shard of a batch whose
#: manifest is within MAX_MANIFEST_BYTES (a few hundred thousand shards).
MAX_SECRET_BYTES = 4096
MAX_PLAN_BYTES = 1 << 29

_PLAN_KEYS = {"format", "network", "destination", "postage", "relay", "fee_rate", "ceiling", "batch", "groups"}
_BATCH_KEYS = {"path", "root", "tree_size", "manifest_sha256"}
_GROUP_KEYS = {
    "group", "internal_key", "leaf_hash", "commit_script_pubkey", "commit_address", "reveal_weight",
    "reveal_vsize", "fee_sats", "postage_sats", "fund_sats", "standard", "inscriptions",
}  # fmt: skip


def _decimal(o: Obj, key: str) -> Decimal:
    text = str_field(o, key)
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise MalformedInputError(f"plan {key} {text!r} is not a decimal") from None
    if not value.is_finite() or value <= 0:
        raise MalformedInputError(f"plan {key} must be positive")
    if fmt_rate(value) != text:
        raise MalformedInputError(f"plan {key} {text!r} is not in canonical form ({fmt_rate(value)!r})")
    return value


def _item(value: Any, where: str) -> Item:
    o = obj(value, where, None)
    if o.get("kind") == "manifest":
        obj(o, where, {"kind", "content_type", "body_size"})
        return Item(None, str_field(o, "content_type"), int_field(o, "body_size"))
    obj(o, where, {"kind", "shard", "content_type", "body_size"})
    if o["kind"] != "shard":
        raise MalformedInputError(f"{where}: unknown kind {o['kind']!r}")
    return Item(int_field(o, "shard"), str_field(o, "content_type"), int_field(o, "body_size"))


def _group(value: Any, where: str, network: str, postage: int, rate: Decimal, relay: str) -> PlannedGroup:
    o = obj(value, where, _GROUP_KEYS)
    items = o["inscriptions"]
    if not isinstance(items, list) or not items:
        raise MalformedInputError(f"{where}: inscriptions must be a non-empty list")
    group = PlannedGroup(
        group=int_field(o, "group"),
        items=tuple(_item(v, f"{where}.inscriptions[{i}]") for i, v in enumerate(items)),
        internal_key=hex_field(o, "internal_key", 32),
        leaf_hash=hex_field(o, "leaf_hash", 32),
        script_pubkey=hex_field(o, "commit_script_pubkey", 34),
        commit_address=str_field(o, "commit_address"),
        reveal_weight=int_field(o, "reveal_weight", minimum=1),
        fee_sats=int_field(o, "fee_sats", minimum=1),
        postage_sats=int_field(o, "postage_sats", minimum=1),
    )
    if group.to_json() != o:
        raise MalformedInputError(f"{where}: derived fields (vsize, fund, standard) are inconsistent")
    if group.postage_sats != postage * len(group.items):
        raise MalformedInputError(f"{where}: postage_sats does not match postage x inscriptions")
    if group.reveal_weight > RELAY_BUDGETS[relay]:
        raise MalformedInputError(f"{where}: reveal_weight is above the {relay} relay budget")
    if address_from_script(group.script_pubkey, network) != group.commit_address:
        raise MalformedInputError(f"{where}: commit address does not match its scriptPubKey")
    return group


def load_secret(plan_dir: Path) -> bytes:
    """The batch secret; refuses a secret file readable by others."""
    path = plan_dir / SECRET_NAME
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputMissingError(f"{path} is missing: without it no commit output can be spent") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise VerificationError(f"{path} is readable by other users (mode {stat.S_IMODE(mode):o}); chmod 600 it")
    o = load_versioned(read_input(path, what="batch secret", limit=MAX_SECRET_BYTES), SECRET_NAME, SECRET_FORMAT, {"format", "secret"})
    return parse_lower_hex(o["secret"], "secret", 32)


def load_plan(plan_dir: Path) -> tuple[Plan, bytes]:
    """Parse plan.json and the secret, and check that they belong together."""
    if not plan_dir.is_dir():
        what = "is not a directory" if plan_dir.exists() else "does not exist"
        raise InputMissingError(f"plan directory {plan_dir} {what}")
    raw = read_input(plan_dir / PLAN_NAME, what="plan", limit=MAX_PLAN_BYTES)
    o = load_versioned(raw, PLAN_NAME, PLAN_FORMAT, _PLAN_KEYS)
    network = str_field(o, "network")
    destination = parse_address(str_field(o, "destination"), network)
    postage, rate = int_field(o, "postage", minimum=1), _decimal(o, "fee_rate")
    relay = str_field(o, "relay")
    if relay not in RELAY_BUDGETS:
        raise MalformedInputError(f"{PLAN_NAME}: unknown relay {relay!r}")
    if postage < destination.dust_limit:
        raise MalformedInputError(f"{PLAN_NAME}: postage {postage} is below the destination's dust limit")
    b = obj(o["batch"], "batch", _BATCH_KEYS)
    groups = o["groups"]
    if not isinstance(groups, list) or not groups:
        raise MalformedInputError(f"{PLAN_NAME}: groups must be a non-empty list")
    plan = Plan(
        network=network,
        destination=destination,
        postage=postage,
        relay=relay,
        fee_rate=rate,
        ceiling=_decimal(o, "ceiling"),
        batch_path=Path(str_field(b, "path")),
        root=hex_field(b, "root", 32),
        tree_size=int_field(b, "tree_size", minimum=1),
        manifest_sha256=hex_field(b, "manifest_sha256", 32),
        groups=tuple(_group(g, f"groups[{i}]", network, postage, rate, relay) for i, g in enumerate(groups)),
    )
    if plan.fee_rate > plan.ceiling:
        raise MalformedInputError(f"{PLAN_NAME}: fee_rate is above the ceiling; plan never writes such a plan")
    if [g.group for g in plan.groups] != list(range(len(plan.groups))):
        raise MalformedInputError(f"{PLAN_NAME}: groups must be numbered 0, 1, 2, ...")
    secret = load_secret(plan_dir)
    for g in plan.groups:
        if xonly_public_key(derive_group_secret(secret, g.group)) != g.internal_key:
            raise VerificationError(f"group {g.group}: {SECRET_NAME} does not belong to this plan")
        if commit(g.internal_key, g.leaf_hash).script_pubkey != g.script_pubkey:
            raise VerificationError(f"group {g.group}: commit scriptPubKey does not match its key and leaf")
    return plan, secret
