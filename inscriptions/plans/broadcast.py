"""``enoch inscribe broadcast`` and ``status`` (SPEC T, "Broadcast and status").

The library does not know how to reach a node: the CLI passes in something
with the :class:`BroadcastNode` methods (``toolkit.sources.nodes`` provides
them, every answer already checked).

Broadcast, per selected group: a group whose reveal (any signed version) is
already confirmed is left alone; otherwise the latest version (``bump``
writes version K+1 at a higher fee) is submitted.  A group with reveals of
two different commit outputs is refused (it would be inscribed twice).  A reveal over 400,000 WU is
never sent to a node: it is listed for direct submission to a miner.  Each
send is recorded in ``state.json`` *before* it happens (see
:mod:`inscriptions.plans.state`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from inscriptions.transactions.groups import STANDARD_WEIGHT
from inscriptions.plans.plan import Plan
from inscriptions.plans.revealstore import StoredReveal, read_tx_file, signed_reveals
from inscriptions.plans.state import Attempt, load_plan_state, save_state
from inscriptions.transactions.rawtx import parse_tx
from inscriptions.transactions.taproot import tapleaf_hash
from toolkit.core.errors import MalformedInputError, SourceUnavailableError, TxRejectedError, UsageError


class Confirmation(Protocol):
    """What a node says about one transaction (0 confirmations: in its mempool)."""

    @property
    def confirmations(self) -> int: ...

    @property
    def block_height(self) -> int | None: ...


class BroadcastNode(Protocol):
    """What broadcast and status need from a node."""

    name: str

    def test_accept(self, raw: bytes) -> tuple[bool, str] | None: ...

    def send_tx(self, raw: bytes) -> str: ...

    def tx_status(self, txid: bytes | str) -> Confirmation | None: ...

    def raw_tx(self, txid: bytes | str) -> bytes: ...


#: Answers meaning "I have it already" (bitcoind reject reasons, RPC_VERIFY_ALREADY_IN_CHAIN and
#: its text as Esplora relays it): the reveal is out there, nothing was refused.
_ALREADY = ("txn-already-in-mempool", "txn-already-known", "already in block chain", "already in utxo set", '"code":-27')
_RPC_ALREADY_IN_CHAIN = -27


def already_known(reason: str, rpc_code: int | None = None) -> bool:
    """Whether a refusal only says the node already has the transaction."""
    return rpc_code == _RPC_ALREADY_IN_CHAIN or any(a in reason.lower() for a in _ALREADY)


def utc_now() -> str:
    """The current time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass(frozen=True)
class Outcome:
    """What broadcast did for one group: ``action`` is one of ``sent``,
    ``in-mempool``, ``known`` (the node answered it has it already),
    ``confirmed``, ``rejected``, ``miner`` or ``unsigned``."""

    group: int
    action: str
    txid: str | None = None
    answer: str = ""
    path: Path | None = None


def versions_by_group(plan_dir: Path, plan: Plan) -> dict[int, list[StoredReveal]]:
    """Signed versions per group, by outpoint then version (1 = the plan's rate, then bumps)."""
    out: dict[int, list[StoredReveal]] = {g.group: [] for g in plan.groups}
    for r in signed_reveals(plan_dir, plan):
        out[r.group].append(r)
    return out


def plan_attempts(plan_dir: Path, by_group: dict[int, list[StoredReveal]]) -> list[Attempt]:
    """``state.json``'s attempts, each naming a signed reveal of ``by_group``
    (:func:`versions_by_group`); what ``broadcast`` and ``status`` read."""
    return load_plan_state(plan_dir, {g: {v.txid for v in versions} for g, versions in by_group.items()})


def outpoint(r: StoredReveal) -> tuple[str, int]:
    """The commit output a reveal spends (txid display hex, vout)."""
    return r.funding.txid, r.funding.vout


def _one_outpoint(group: int, versions: list[StoredReveal]) -> None:
    # Two funded commit outputs of one group are two reveals of the same
    # inscriptions: broadcasting both would inscribe everything twice.
    outpoints = sorted({f"{t}:{v}" for t, v in map(outpoint, versions)})
    if len(outpoints) > 1:
        raise UsageError(
            f"group {group} has reveals for {len(outpoints)} commit outputs ({', '.join(outpoints)}); sending both "
            "would inscribe it twice: sweep the extra output with `enoch inscribe recover`, move its reveal file out "
            "of reveals/ (only one never sent), or leave the group out (--group)"
        )


def select_groups(plan: Plan, groups: Sequence[int]) -> list[int]:
    """The ``--group`` choices (all groups when none), checked against the plan."""
    for g in groups:
        if not 0 <= g < len(plan.groups):
            raise UsageError(f"--group {g}: the plan has groups 0..{len(plan.groups) - 1}")
    return sorted(set(groups)) if groups else [g.group for g in plan.groups]


def _check_is_reveal(raw: bytes, leaf_hash: bytes, path: Path) -> None:
    """Before a transaction leaves the machine: it must be a script-path spend
    of this group's committed leaf (a file swapped in reveals/ is refused)."""
    tx = parse_tx(raw)
    witness = tx.witnesses[0] if len(tx.inputs) == 1 else ()
    if len(witness) != 3 or tapleaf_hash(witness[1]) != leaf_hash:
        raise MalformedInputError(f"{path} is not a reveal of its group (its script is not the committed one); nothing sent")


@dataclass
class _Recorder:
    plan_dir: Path
    attempts: list[Attempt]
    now: Callable[[], str]

    def begin(self, group: int, txid: str, node: str, step: str) -> int:
        self.attempts.append(Attempt(group, txid, node, step, "sending", "", self.now()))
        save_state(self.plan_dir, self.attempts)  # durable before anything is sent
        return len(self.attempts) - 1

    def answer(self, index: int, result: str, answer: str) -> None:
        self.attempts[index] = self.attempts[index].answered(result, answer)
        save_state(self.plan_dir, self.attempts)


def _send(rec: _Recorder, node: BroadcastNode, r: StoredReveal, raw: bytes, step: str) -> Outcome:
    index = rec.begin(r.group, r.txid, node.name, step)
    try:
        txid = node.send_tx(raw)
    except TxRejectedError as exc:
        rec.answer(index, "rejected", exc.reason)
        action = "known" if already_known(exc.reason, exc.rpc_code) else "rejected"
        return Outcome(r.group, action, r.txid, exc.reason, r.path)
    except SourceUnavailableError as exc:
        rec.answer(index, "unavailable", exc.message)
        raise
    rec.answer(index, "accepted", txid)
    return Outcome(r.group, "sent", txid, "", r.path)


def broadcast(
    plan_dir: Path,
    plan: Plan,
    node: BroadcastNode,
    groups: Sequence[int] = (),
    *,
    send_step: str = "sendrawtransaction",
    now: Callable[[], str] = utc_now,
) -> list[Outcome]:
    """Submit the latest signed reveal of each selected group (see module doc)."""
    chosen = select_groups(plan, groups)
    by_group = versions_by_group(plan_dir, plan)
    for g in chosen:
        _one_outpoint(g, by_group[g])
    rec = _Recorder(plan_dir, plan_attempts(plan_dir, by_group), now)
    outcomes: list[Outcome] = []
    for g in chosen:
        versions = by_group[g]
        if not versions:
            outcomes.append(Outcome(g, "unsigned"))
            continue
        latest = versions[-1]
        known = {v.txid: node.tx_status(v.txid) for v in versions}  # asking never sends anything
        confirmed = [t for t, s in known.items() if s is not None and s.confirmations > 0]
        if confirmed:
            outcomes.append(Outcome(g, "confirmed", confirmed[0]))
            continue
        if latest.weight > STANDARD_WEIGHT:
            # Over 400,000 WU: no node relays it; sending would only leak it.
            outcomes.append(Outcome(g, "miner", latest.txid, f"{latest.weight} WU", latest.path))
            continue
        if known[latest.txid] is not None:
            outcomes.append(Outcome(g, "in-mempool", latest.txid, "", latest.path))
            continue
        raw = read_tx_file(latest.path)
        _check_is_reveal(raw, plan.groups[g].leaf_hash, latest.path)
        test = node.test_accept(raw)
        if test is not None:
            index = rec.begin(g, latest.txid, node.name, "testmempoolaccept")
            ok, reason = test
            rec.answer(index, "accepted" if ok else "rejected", reason)
            if not ok:
                action = "known" if already_known(reason) else "rejected"
                outcomes.append(Outcome(g, action, latest.txid, reason, latest.path))
                continue
        outcomes.append(_send(rec, node, latest, raw, send_step))
    return outcomes


@dataclass(frozen=True)
class VersionStatus:
    """One signed version of a group's reveal, with what is known about it."""

    reveal: StoredReveal
    fee_sats: int
    confirmations: int | None
    block_height: int | None
    attempts: list[Attempt] = field(default_factory=list)


@dataclass(frozen=True)
class GroupStatus:
    """Everything ``status`` shows about one group."""

    group: int
    commit_address: str
    fund_sats: int
    funding: tuple[str, int] | None
    amount_sats: int | None
    amount_from: str
    versions: list[VersionStatus]

    @property
    def confirmed(self) -> VersionStatus | None:
        """The version that confirmed, if any."""
        return next((v for v in self.versions if v.confirmations), None)

    def inscription_ids(self) -> list[str]:
        """Ids of the confirmed version, else of the latest one (they change with a bump)."""
        chosen = self.confirmed or (self.versions[-1] if self.versions else None)
        return [i.id for i in chosen.reveal.inscriptions] if chosen else []
