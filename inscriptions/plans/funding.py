"""Which commit outputs fund which groups: ``--funding G=TXID:VOUT:SATS`` and
``--funding-tx`` (SPEC T, "Funding in one transaction").

A funding transaction is parsed with the strict :mod:`rawtx` parser and its
outputs are matched to the plan's commit scriptPubKeys.  An output paying no
group is ignored (and listed); a group paid by two outputs of the transaction
is refused (which one should be revealed?  the other would have to be
recovered: the user decides); a group paid less than the plan asks is
refused.  Nothing is signed unless every matched output is acceptable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from inscriptions.plans.plan import MAX_MONEY, Plan, PlannedGroup
from inscriptions.transactions.rawtx import parse_tx
from inscriptions.transactions.txbuild import Funding
from toolkit.core.errors import UsageError
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
    out: list[tuple[PlannedGroup, Funding]] = []
    for text in texts:
        group, funding = parse_funding(text)
        if group >= len(plan.groups):
            raise UsageError(f"--funding {text!r}: the plan has groups 0..{len(plan.groups) - 1}")
        out.append((plan.groups[group], funding))
    check_distinct(out)
    return out


def check_distinct(pairs: Sequence[tuple[PlannedGroup, Funding]]) -> None:
    """An outpoint may fund one reveal only."""
    seen: set[tuple[str, int]] = set()
    for group, f in pairs:
        if (f.txid, f.vout) in seen:
            raise UsageError(f"group {group.group}: outpoint {f.txid}:{f.vout} given twice")
        seen.add((f.txid, f.vout))


@dataclass(frozen=True)
class Unrelated:
    """An output of a funding transaction that pays no group of the plan."""

    vout: int
    sats: int
    script_pubkey: bytes


@dataclass(frozen=True)
class FundingMatch:
    """The groups a funding transaction pays, and the outputs it ignores."""

    txid: str
    pairs: tuple[tuple[PlannedGroup, Funding], ...]
    unrelated: tuple[Unrelated, ...]


def parse_funding_tx_text(text: bytes) -> bytes:
    """Raw transaction bytes from hex text (whitespace around and inside ignored)."""
    return parse_hex("".join(text.decode("ascii", "replace").split()), what="funding transaction")


def match_funding_tx(raw: bytes, plan: Plan) -> FundingMatch:
    """Match the outputs of the funding transaction ``raw`` to ``plan``'s groups."""
    tx = parse_tx(raw)
    by_script = {g.script_pubkey: g for g in plan.groups}
    pairs: list[tuple[PlannedGroup, Funding]] = []
    paid: dict[int, int] = {}
    unrelated: list[Unrelated] = []
    for vout, (sats, spk) in enumerate(tx.outputs):
        group = by_script.get(spk)
        if group is None:
            unrelated.append(Unrelated(vout, sats, spk))
            continue
        if group.group in paid:
            raise UsageError(
                f"funding transaction {tx.txid} pays group {group.group} twice (outputs {paid[group.group]} and {vout}); "
                "nothing was signed: reveal one with --funding G=TXID:VOUT:SATS and sweep the other back with "
                "`enoch inscribe recover`"
            )
        paid[group.group] = vout
        if sats < group.fund_sats:
            raise UsageError(
                f"funding transaction {tx.txid} output {vout} pays group {group.group} {sats} sats, the plan needs "
                f"{group.fund_sats}; nothing was signed: sweep it back with `enoch inscribe recover`"
            )
        pairs.append((group, Funding(tx.txid, vout, sats)))
    if not pairs:
        raise UsageError(f"funding transaction {tx.txid} pays no commit address of this plan")
    return FundingMatch(tx.txid, tuple(pairs), tuple(unrelated))
