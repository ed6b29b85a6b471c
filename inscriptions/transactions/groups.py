"""What a batch inscribes and how inscriptions are packed into reveal groups.

Every shard becomes one inscription (its file's content type, content
encoding ``gzip`` or ``br`` as the manifest's compressor says, CBOR metadata naming batch root, tree size and shard
index); the manifest is inscribed first (``application/json``, metadata
flagged ``manifest``).  Items are packed greedily, in that order, into groups
whose signed reveal weighs at most the relay budget:

* ``standard``: 400,000 WU (Bitcoin Core's MAX_STANDARD_TX_WEIGHT);
* ``direct``: 3,992,000 WU, the 4,000,000 WU block limit minus the 8,000 WU
  Bitcoin Core reserves for the block header and coinbase.

Within a group, inscription ``p`` goes to output ``p`` (each output pays the
postage): the first rides the first sat by default, the others carry a pointer
tag ``p * postage`` (ord's sat offset into the outputs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from inscriptions.transactions.envelope import Inscription, build_envelope, encode_pointer, envelope_size
from inscriptions.batch.manifest import Manifest
from inscriptions.transactions.metadata import InscriptionMetadata
from inscriptions.transactions.tapscript import OP_CHECKSIG, push
from inscriptions.transactions.txbuild import reveal_weight
from toolkit.core.errors import UsageError

STANDARD_WEIGHT = 400_000
DIRECT_WEIGHT = 4_000_000 - 8_000
RELAY_BUDGETS = {"standard": STANDARD_WEIGHT, "direct": DIRECT_WEIGHT}
MANIFEST_CONTENT_TYPE = "application/json"
KEY_SCRIPT_SIZE = 34  # push of a 32-byte x-only key + OP_CHECKSIG


@dataclass(frozen=True)
class Item:
    """One inscription of the batch; ``shard`` is ``None`` for the manifest."""

    shard: int | None
    content_type: str
    body_size: int

    @property
    def label(self) -> str:
        return "manifest" if self.shard is None else f"shard {self.shard:06d}"

    def to_json(self) -> dict[str, object]:
        kind = {"kind": "manifest"} if self.shard is None else {"kind": "shard", "shard": self.shard}
        return kind | {"content_type": self.content_type, "body_size": self.body_size}


def batch_items(manifest: Manifest, manifest_size: int) -> list[Item]:
    """The manifest, then every shard in leaf order."""
    items = [Item(None, MANIFEST_CONTENT_TYPE, manifest_size)]
    items.extend(Item(s.index, manifest.file_for_shard(s.index).content_type, s.gz_size) for s in manifest.shards)
    return items


def inscription_for(item: Item, body: bytes | None, position: int, postage: int, manifest: Manifest) -> Inscription:
    """The envelope fields of ``item`` at ``position`` in its group (``body``
    ``None``: every field but the body, for size computations)."""
    meta = InscriptionMetadata(manifest.root, manifest.tree_size, item.shard)
    return Inscription(
        body=body,
        content_type=item.content_type.encode(),
        content_encoding=None if item.shard is None else manifest.content_encoding.encode(),
        pointer=encode_pointer(position * postage) if position else None,
        metadata=meta.to_bytes(),
    )


def reveal_script(internal_key: bytes, inscriptions: Sequence[Inscription]) -> bytes:
    """``<key> OP_CHECKSIG`` followed by one envelope per inscription."""
    return b"".join([push(internal_key), bytes([OP_CHECKSIG]), *(build_envelope(i) for i in inscriptions)])


def _item_size(item: Item, position: int, postage: int, manifest: Manifest) -> int:
    # The body's bytes do not change the envelope's size, only its length does.
    return envelope_size(inscription_for(item, None, position, postage, manifest)) + _body_size(item.body_size)


def _body_size(n: int) -> int:
    return envelope_size(Inscription(body=bytes(n))) - envelope_size(Inscription())


def _largest_fitting_body(item: Item, budget: int, postage: int, manifest: Manifest, dest: bytes) -> int:
    lo, hi = 0, 4_000_000
    while lo < hi:
        mid = (lo + hi + 1) // 2
        probe = Item(item.shard, item.content_type, mid)
        if reveal_weight(KEY_SCRIPT_SIZE + _item_size(probe, 0, postage, manifest), [dest]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lo


@dataclass(frozen=True)
class Group:
    """Items packed into one reveal, its tapscript size and signed weight."""

    items: tuple[Item, ...]
    script_size: int
    weight: int


def pack_groups(
    items: Sequence[Item], manifest: Manifest, *, relay: str, postage: int, destination_script: bytes, reserve: int = 0
) -> list[Group]:
    """Greedy packing of ``items`` into groups within the relay budget, less
    ``reserve`` WU kept free (for a change output)."""
    budget = RELAY_BUDGETS[relay] - reserve
    groups: list[Group] = []
    current: list[Item] = []
    size = KEY_SCRIPT_SIZE

    def weight_with(extra: int, count: int) -> int:
        return reveal_weight(size + extra, [destination_script] * count)

    for item in items:
        extra = _item_size(item, len(current), postage, manifest)
        if current and weight_with(extra, len(current) + 1) <= budget:
            current.append(item)
            size += extra
            continue
        if current:
            groups.append(Group(tuple(current), size, weight_with(0, len(current))))
            current, size = [], KEY_SCRIPT_SIZE
            extra = _item_size(item, 0, postage, manifest)
        alone = weight_with(extra, 1)
        if alone > budget:
            fits = _largest_fitting_body(item, budget, postage, manifest, destination_script)
            raise UsageError(oversize_message(item, alone, budget, relay, fits))
        current, size = [item], size + extra
    if current:
        groups.append(Group(tuple(current), size, weight_with(0, len(current))))
    return groups


def oversize_message(item: Item, weight: int, budget: int, relay: str, fits: int) -> str:
    """Why ``item`` fits no reveal of the ``relay`` budget, and both ways out."""
    head = f"{item.label} ({item.body_size} bytes) needs a reveal of {weight} WU, above the {budget} WU {relay} budget"
    if item.shard is None:
        return f"{head}; pack fewer files per batch" + (" or use --relay direct" if relay == "standard" else "")
    if relay == "standard":
        # SPEC I names 390000: a round size below the largest body a standard
        # 1-input reveal holds (``fits``, about 397 KB with the manifest's fields).
        return (
            f"{head}; either plan with --relay direct (the reveal must then be submitted to a miner directly) "
            f"or re-pack with `enoch pack --shard-size 390000` (at most {fits} fits)"
        )
    return f"{head}; re-pack with `enoch pack --shard-size {fits}` or smaller"


def group_inscriptions(
    group: Group, manifest: Manifest, postage: int, body: Callable[[Item], bytes]
) -> list[Inscription]:
    """Full inscriptions (with bodies) of ``group``."""
    return [inscription_for(item, body(item), p, postage, manifest) for p, item in enumerate(group.items)]
