"""``enoch inscribe estimate``: what inscribing a batch would cost, from the
same grouping and exact weights ``plan`` uses, without a secret or a file.

The weights are those of the signed reveals ``plan`` would make (``plan``
re-serialises each group and requires the same weight): an x-only key has the
same size whatever the secret, so no key is needed to know them.  Without a
destination the outputs are assumed to pay a P2TR address (34-byte script).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from inscriptions.batch.verify import VerifiedBatch
from inscriptions.transactions.fees import fee_for
from inscriptions.transactions.groups import Group, batch_items, pack_groups
from inscriptions.transactions.network import dust_threshold
from toolkit.core.errors import UsageError

#: A P2TR output script (OP_1 <32 bytes>): the default destination shape.
P2TR_SCRIPT = bytes([0x51, 0x20]) + bytes(32)


@dataclass(frozen=True)
class GroupCost:
    """One reveal: its inscriptions, virtual size and fee."""

    group: Group
    vsize: int
    fee_sats: int


@dataclass(frozen=True)
class Estimate:
    """The reveal groups of a batch at one fee rate."""

    groups: tuple[GroupCost, ...]
    postage: int

    @property
    def total_vbytes(self) -> int:
        return sum(g.vsize for g in self.groups)

    @property
    def total_fee_sats(self) -> int:
        return sum(g.fee_sats for g in self.groups)

    @property
    def postage_sats(self) -> int:
        return self.postage * sum(len(g.group.items) for g in self.groups)


def estimate_batch(
    batch: VerifiedBatch, *, relay: str, postage: int, rate: Decimal, destination_script: bytes = P2TR_SCRIPT
) -> Estimate:
    """Group the batch as ``plan`` would and price every reveal at ``rate``;
    a postage ``plan`` would refuse (below the destination's dust limit) is
    refused here too, rather than priced."""
    dust = dust_threshold(destination_script)
    if postage < dust:
        raise UsageError(f"--postage {postage} is below the dust limit of the destination ({dust} sats)")
    items = batch_items(batch.manifest, len(batch.manifest_bytes))
    groups = pack_groups(items, batch.manifest, relay=relay, postage=postage, destination_script=destination_script)
    costs = []
    for g in groups:
        vsize = (g.weight + 3) // 4
        costs.append(GroupCost(g, vsize, fee_for(rate, vsize)))
    return Estimate(tuple(costs), postage)
