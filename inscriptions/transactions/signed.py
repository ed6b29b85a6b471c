"""The signed reveals a plan directory holds (``PLAN/reveals/*.hex``), read
back for ``broadcast`` and ``status``.

Every file named ``group-GGGG-*.hex`` is one signed version of group G's
reveal (``reveal`` writes the first, ``bump`` later ones).  Each is parsed
strictly and must be a script-path spend of the group's leaf (its witness
script hashes to the plan's leaf hash).  Versions of a group are told apart
by the outpoint they spend and by their fee.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from inscriptions.transactions.fees import fee_for
from inscriptions.transactions.groups import STANDARD_WEIGHT
from inscriptions.transactions.plan import Plan, PlannedGroup
from inscriptions.transactions.plandir import read_plan_file
from inscriptions.transactions.rawtx import Tx, parse_tx
from inscriptions.transactions.revealstore import MAX_TX_FILE
from inscriptions.transactions.taproot import tapleaf_hash
from toolkit.core.errors import MalformedInputError
from toolkit.core.hexutil import parse_hex

REVEALS_DIR = "reveals"
_NAME = re.compile(r"group-([0-9]{4,9})-[0-9a-z.-]+\.hex")


@dataclass(frozen=True)
class StoredReveal:
    """One signed version of a group's reveal, as stored in the plan directory."""

    group: int
    path: Path
    tx: Tx
    raw: bytes
    inscriptions: int

    @property
    def outpoint(self) -> tuple[str, int]:
        """The commit output it spends: (txid display hex, vout)."""
        return self.tx.inputs[0].txid, self.tx.inputs[0].vout

    @property
    def paid_out(self) -> int:
        """Sum of its outputs (postage and change); less is left for the fee."""
        return sum(value for value, _ in self.tx.outputs)

    @property
    def standard(self) -> bool:
        """Within the 400,000 WU relay limit (otherwise: submit to a miner)."""
        return self.tx.weight <= STANDARD_WEIGHT

    def inscription_ids(self) -> list[str]:
        """ord's ids of the envelopes of input 0: ``<txid>i<n>`` (SPEC T)."""
        return [f"{self.tx.txid}i{n}" for n in range(self.inscriptions)]


def _spends_group(tx: Tx, group: PlannedGroup) -> bool:
    """A script-path spend whose tapscript (second-to-last witness item) is the group's leaf."""
    if len(tx.inputs) != 1 or len(tx.witnesses[0]) != 3:
        return False
    return tapleaf_hash(tx.witnesses[0][1]) == group.leaf_hash


def stored_reveals(plan_dir: Path, plan: Plan) -> list[StoredReveal]:
    """Every signed reveal version in ``plan_dir``, by group then file name.
    A file that does not parse or does not spend its group's commit output is
    malformed (exit 65): the plan directory was edited."""
    folder = plan_dir / REVEALS_DIR
    if not folder.is_dir():
        return []
    found: list[StoredReveal] = []
    for path in sorted(folder.iterdir()):
        m = _NAME.fullmatch(path.name)
        if not m:
            continue
        group = int(m[1])
        if group >= len(plan.groups):
            raise MalformedInputError(f"{path}: the plan has no group {group}")
        text = read_plan_file(path, what="stored reveal", limit=MAX_TX_FILE).decode("ascii", "replace").strip()
        raw = parse_hex(text, what=f"stored reveal {path}")
        try:
            tx = parse_tx(raw)
        except MalformedInputError as exc:
            raise MalformedInputError(f"{path}: {exc.message}") from None
        planned = plan.groups[group]
        if not _spends_group(tx, planned):
            raise MalformedInputError(f"{path} is not a reveal of group {group} (its script is not the plan's)")
        found.append(StoredReveal(group, path, tx, raw, len(planned.items)))
    return found


def funded_amount(plan: Plan, versions: list[StoredReveal]) -> int:
    """The commit output's amount, inferred offline: every version pays out
    less than it, and the version signed at the plan's rate pays exactly
    ``amount - ceil(rate * vsize)``; the largest such sum is the amount."""
    return max(v.paid_out + fee_for(plan.fee_rate, (v.tx.weight + 3) // 4) for v in versions)
