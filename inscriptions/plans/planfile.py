"""Reading a plan directory back (strict), for ``reveal``, ``recover`` and ``bump``.

Every field of plan.json is checked for shape and range before use (exit 65
naming the field): rates in plain decimal notation within (0, 100,000]
sat/vB, amounts within 21 million BTC, weights within the block, commit
scriptPubKeys of P2TR shape, the items of all groups being exactly the
manifest and then every leaf in order.  Then every group is re-derived from
the secret: its internal key, commit scriptPubKey and address must be what
``plan`` wrote, so a plan.json edited by hand or paired with the wrong secret
is refused (exit 1) before anything is signed.  ``reveal`` and ``bump``
then hold the batch fields (root, tree size) and every body size against the
manifest plan.json pins (:mod:`inscriptions.plans.reveal`, exit 1).  Files are read with
:func:`~inscriptions.plans.plandir.read_plan_file` (regular files
only, bounded: a FIFO never hangs).

Plans written before v0.2 have no ``change``/``bump_headroom`` keys (nor
``headroom_sats`` in groups) and load unchanged.
"""

from __future__ import annotations

import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

from inscriptions.schema import Obj, hex_field, int_field, load_versioned, located, obj, parse_lower_hex, str_field
from inscriptions.transactions.fees import MAX_RATE, _RATE_TEXT, fmt_rate
from inscriptions.transactions.groups import RELAY_BUDGETS, Item
from inscriptions.plans.index import MAX_TREE_SIZE
from inscriptions.transactions.network import NETWORKS, Destination, address_from_script, parse_address
from inscriptions.plans.plan import (
    MAX_MONEY,
    PLAN_FORMAT,
    PLAN_NAME,
    SECRET_FORMAT,
    SECRET_NAME,
    Plan,
    PlannedGroup,
)
from inscriptions.plans.plandir import read_plan_file
from inscriptions.transactions.taproot import commit, derive_group_secret, xonly_public_key
from toolkit.core.errors import EnochError, InputMissingError, MalformedInputError, VerificationError
from toolkit.core.fsio import display_path

_PLAN_KEYS = {"format", "network", "destination", "postage", "relay", "fee_rate", "ceiling", "batch", "groups"}
_HEADROOM_KEYS = frozenset({"change", "bump_headroom"})  # v0.2, written together or not at all
_BATCH_KEYS = {"path", "root", "tree_size", "manifest_sha256"}
_GROUP_KEYS = {
    "group", "internal_key", "leaf_hash", "commit_script_pubkey", "commit_address", "reveal_weight",
    "reveal_vsize", "fee_sats", "postage_sats", "fund_sats", "standard", "inscriptions",
}  # fmt: skip
#: Size limits of the plan directory's JSON files (bounded reads, exit 65
#: beyond).  plan.json of a 4 GB tree is far below MAX_PLAN_FILE; the secret
#: file is one 32-byte hex string.
MAX_PLAN_FILE = 512 * 1024 * 1024
MAX_SECRET_FILE = 4096
#: Upper bounds for integers that are sizes inside one transaction.
MAX_TX_WEIGHT = 4_000_000
MAX_CONTENT_TYPE = 520


def _rate(o: Obj, key: str) -> Decimal:
    text = str_field(o, key)
    # The same notation as --fee-rate: never an exponent (Decimal("1E+999999999")
    # parses, and then overflows every context it meets).
    if not _RATE_TEXT.fullmatch(text):
        raise MalformedInputError(f"plan {key} {text[:40]!r} is not a plain decimal sat/vB rate")
    value = Decimal(text)
    if not 0 < value <= MAX_RATE:
        raise MalformedInputError(f"plan {key} must be above 0 and at most {MAX_RATE} sat/vB")
    if fmt_rate(value) != text:
        raise MalformedInputError(f"plan {key} {text!r} is not in canonical form ({fmt_rate(value)!r})")
    return value


def _int(o: Obj, key: str, lo: int, hi: int) -> int:
    value = int_field(o, key, minimum=lo)
    if value > hi:
        raise MalformedInputError(f"{key} must be at most {hi}, got {value}")
    return value


def _address(o: Obj, key: str, network: str) -> Destination:
    try:
        return parse_address(str_field(o, key), network)
    except EnochError as exc:
        raise MalformedInputError(f"plan {key}: {exc.message}") from None


def _item(value: Any, where: str, tree_size: int) -> Item:
    o = obj(value, where, None)
    with located(where):
        if o.get("kind") == "manifest":
            obj(o, where, {"kind", "content_type", "body_size"})
            shard = None
        else:
            obj(o, where, {"kind", "shard", "content_type", "body_size"})
            if o["kind"] != "shard":
                raise MalformedInputError(f"unknown kind {str(o['kind'])[:40]!r}")
            shard = _int(o, "shard", 0, tree_size - 1)
        content_type = str_field(o, "content_type")
        if len(content_type.encode()) > MAX_CONTENT_TYPE:
            raise MalformedInputError(f"content_type is longer than {MAX_CONTENT_TYPE} bytes")
        return Item(shard, content_type, _int(o, "body_size", 0, MAX_TX_WEIGHT))


def _group(value: Any, where: str, plan: Obj, network: str, postage: int, relay: str, tree_size: int) -> PlannedGroup:
    o = obj(value, where, _GROUP_KEYS, frozenset({"headroom_sats"}))
    with located(where):
        if ("headroom_sats" in o) != (plan.get("bump_headroom") is not None):
            raise MalformedInputError("headroom_sats must be present exactly when the plan has a bump_headroom")
        items = o["inscriptions"]
        if not isinstance(items, list) or not 0 < len(items) <= tree_size + 1:
            raise MalformedInputError("inscriptions must be a non-empty list of at most tree_size + 1 items")
        spk = hex_field(o, "commit_script_pubkey", 34)
        if spk[:2] != b"\x51\x20":
            raise MalformedInputError("commit_script_pubkey is not a P2TR output script (51 20 <32-byte key>)")
        if _int(o, "reveal_weight", 1, MAX_TX_WEIGHT) > RELAY_BUDGETS[relay]:
            raise MalformedInputError(f"reveal_weight is above the {relay} relay budget ({RELAY_BUDGETS[relay]} WU)")
        group = PlannedGroup(
            group=_int(o, "group", 0, 2**32 - 1),
            items=tuple(_item(v, f"inscriptions[{i}]", tree_size) for i, v in enumerate(items)),
            internal_key=hex_field(o, "internal_key", 32),
            leaf_hash=hex_field(o, "leaf_hash", 32),
            script_pubkey=spk,
            commit_address=str_field(o, "commit_address"),
            reveal_weight=o["reveal_weight"],
            fee_sats=_int(o, "fee_sats", 1, MAX_MONEY),
            postage_sats=_int(o, "postage_sats", 1, MAX_MONEY),
            headroom_sats=_int(o, "headroom_sats", 0, MAX_MONEY) if "headroom_sats" in o else None,
        )
        if group.fund_sats > MAX_MONEY:
            raise MalformedInputError("fund_sats is more than 21 million BTC")
        if group.to_json() != o:
            raise MalformedInputError("derived fields (vsize, fund, standard) are inconsistent")
        if group.postage_sats != postage * len(group.items):
            raise MalformedInputError("postage_sats does not match postage x inscriptions")
        if address_from_script(group.script_pubkey, network) != group.commit_address:
            raise MalformedInputError("commit address does not match its scriptPubKey")
    return group


def load_secret(plan_dir: Path) -> bytes:
    """The batch secret; refuses a secret file readable by others."""
    path = plan_dir / SECRET_NAME
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputMissingError(f"{path} is missing: without it no commit output can be spent") from None
    except OSError as exc:
        raise InputMissingError(f"cannot read {display_path(path)}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise VerificationError(f"{path} is readable by other users (mode {stat.S_IMODE(mode):o}); chmod 600 it")
    data = read_plan_file(path, what="batch secret", limit=MAX_SECRET_FILE)
    o = load_versioned(data, SECRET_NAME, SECRET_FORMAT, {"format", "secret"})
    return parse_lower_hex(o["secret"], "secret", 32)


def _batch_path(b: Obj) -> Path:
    text = str_field(b, "path")
    if not text or "\x00" in text or len(text.encode()) > 4096:
        raise MalformedInputError("batch.path must be a non-empty path of at most 4096 bytes without NUL")
    return Path(text)


def parse_plan(raw: bytes) -> Plan:
    """Parse and range-check plan.json (no secret, no batch)."""
    o = load_versioned(raw, PLAN_NAME, PLAN_FORMAT, _PLAN_KEYS, _HEADROOM_KEYS)
    if len(_HEADROOM_KEYS & set(o)) == 1:
        raise MalformedInputError(f"{PLAN_NAME}: change and bump_headroom come together")
    network = str_field(o, "network")
    if network not in NETWORKS:
        raise MalformedInputError(f"{PLAN_NAME}: unknown network {network[:40]!r}")
    destination = _address(o, "destination", network)
    relay = str_field(o, "relay")
    if relay not in RELAY_BUDGETS:
        raise MalformedInputError(f"{PLAN_NAME}: unknown relay {relay[:40]!r}")
    postage, rate, ceiling = _int(o, "postage", 1, MAX_MONEY), _rate(o, "fee_rate"), _rate(o, "ceiling")
    if postage < destination.dust_limit:
        raise MalformedInputError(f"{PLAN_NAME}: postage {postage} is below the destination's dust limit")
    if rate > ceiling:
        raise MalformedInputError(f"{PLAN_NAME}: fee_rate is above the ceiling; plan never writes such a plan")
    change, headroom = None, None
    if "change" in o:
        change = _address(o, "change", network)
        if o["bump_headroom"] is not None:
            headroom = _rate(o, "bump_headroom")
            if not rate <= headroom <= ceiling:
                raise MalformedInputError(f"{PLAN_NAME}: bump_headroom must be between fee_rate and ceiling")
    b = obj(o["batch"], "batch", _BATCH_KEYS)
    with located("batch"):
        tree_size = _int(b, "tree_size", 1, MAX_TREE_SIZE)
        batch_path, root, manifest_sha256 = _batch_path(b), hex_field(b, "root", 32), hex_field(b, "manifest_sha256", 32)
    groups = o["groups"]
    if not isinstance(groups, list) or not 0 < len(groups) <= tree_size + 1:
        raise MalformedInputError(f"{PLAN_NAME}: groups must be a non-empty list of at most tree_size + 1 groups")
    plan = Plan(
        network=network, destination=destination, postage=postage, relay=relay, fee_rate=rate, ceiling=ceiling,
        batch_path=batch_path, root=root, tree_size=tree_size, manifest_sha256=manifest_sha256,
        groups=tuple(_group(g, f"groups[{i}]", o, network, postage, relay, tree_size) for i, g in enumerate(groups)),
        change=change, bump_headroom=headroom,
    )  # fmt: skip
    if [g.group for g in plan.groups] != list(range(len(plan.groups))):
        raise MalformedInputError(f"{PLAN_NAME}: groups must be numbered 0, 1, 2, ...")
    # The index (and every inscription id) rests on this: the manifest first,
    # then every leaf once, in order.
    shards = [item.shard for g in plan.groups for item in g.items]
    if shards != [None, *range(tree_size)]:
        raise MalformedInputError(f"{PLAN_NAME}: the groups must hold the manifest, then every shard 0..tree_size-1 in order")
    return plan


def load_plan(plan_dir: Path) -> tuple[Plan, bytes]:
    """Parse plan.json and the secret, and check that they belong together."""
    if not plan_dir.is_dir():
        what = "is not a directory" if plan_dir.exists() else "does not exist"
        raise InputMissingError(f"plan directory {plan_dir} {what}")
    plan = parse_plan(read_plan_file(plan_dir / PLAN_NAME, what="plan", limit=MAX_PLAN_FILE))
    secret = load_secret(plan_dir)
    for g in plan.groups:
        if xonly_public_key(derive_group_secret(secret, g.group)) != g.internal_key:
            raise VerificationError(f"group {g.group}: {SECRET_NAME} does not belong to this plan")
        if commit(g.internal_key, g.leaf_hash).script_pubkey != g.script_pubkey:
            raise VerificationError(f"group {g.group}: commit scriptPubKey does not match its key and leaf")
    return plan, secret
