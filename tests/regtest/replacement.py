"""Replace-by-fee for one transaction, as Bitcoin Core 28/29 does it
(doc/policy/mempool-replacements.md; ``policy/rbf.cpp`` and MemPoolAccept's
PreChecks and ReplacementChecks in ``validation.cpp``), with Core's reasons
and details.

Rule 1 (signalling): full RBF, Core 28's default (``-mempoolfullrbf=1``) and
Core 29's only behaviour, so any mempool transaction may be replaced;
``Policy(full_rbf=False)`` is Core <= 27's default: a conflict that does not
signal BIP 125 itself (an input nSequence <= 0xfffffffd; inherited signalling
is not honoured, CVE-2021-31876) is ``txn-mempool-conflict``.  Then, in
Core's order: rule 6 (a higher feerate than every direct conflict), rule 5
(at most 100 direct conflicts counted with their descendants), rule 2 (no
new unconfirmed inputs), rule 3 (at least the fees of everything evicted)
and rule 4 (plus the incremental relay feerate times its own vsize).  Not
modelled: TRUC (v3) sibling eviction, package RBF, the cluster mempool's
feerate-diagram check (Core 30)."""

from __future__ import annotations

from tests.regtest.codec import COIN, TxInfo, display_hex
from tests.regtest.ledger import Ledger
from tests.regtest.rejection import REJECTED, Rejection, format_money

MAX_REPLACEMENT_CANDIDATES = 100
MAX_BIP125_RBF_SEQUENCE = 0xFFFFFFFD


def signals_opt_in(info: TxInfo) -> bool:
    """BIP 125 explicit signalling: some input's nSequence <= 0xfffffffd."""
    return any(txin.nSequence <= MAX_BIP125_RBF_SEQUENCE for txin in info.tx.vin)


def direct_conflicts(info: TxInfo, ledger: Ledger, *, allow: bool, full_rbf: bool) -> list[bytes]:
    """The mempool transactions spending an outpoint ``info`` spends (PreChecks).

    ``allow=False`` is testmempoolaccept of several transactions (Core's
    PackageTestAccept): any conflict is ``bip125-replacement-disallowed``."""
    found: list[bytes] = []
    for txin in info.tx.vin:
        other = ledger.pool_spends.get((bytes(txin.prevout.hash), txin.prevout.n))
        if other is None or other in found:
            continue
        if not allow:
            raise Rejection(REJECTED, "bip125-replacement-disallowed")
        if not full_rbf and not signals_opt_in(ledger.mempool[other].info):
            raise Rejection(REJECTED, "txn-mempool-conflict")
        found.append(other)
    return found


def check_not_spending_conflicts(info: TxInfo, ledger: Ledger, conflicts: list[bytes]) -> None:
    """A transaction may not spend from one it replaces (EntriesAndTxidsDisjoint)."""
    ancestors = ledger.ancestors(info)
    for txid in conflicts:
        if txid in ancestors:
            debug = f"{info.txid_hex} spends conflicting transaction {display_hex(txid)}"
            raise Rejection(REJECTED, "bad-txns-spends-conflicting-tx", debug)


def _per_kvb(fee: int, vsize: int) -> int:
    """CFeeRate(fee, vsize) of Core 28/29: sat per 1000 vB, truncated."""
    return fee * 1000 // vsize


def _feerate_text(per_kvb: int) -> str:
    """CFeeRate::ToString(): BTC/kvB with 8 decimals."""
    return f"{per_kvb // COIN}.{per_kvb % COIN:08d} BTC/kvB"


def replacement_checks(info: TxInfo, fee: int, ledger: Ledger, conflicts: list[bytes], incremental_sat_per_kvb: int) -> tuple[bytes, ...]:
    """Rules 6, 5, 2, 3 and 4 in Core's order; the txids to evict (the
    direct conflicts and their descendants, mempool order), or Rejection."""
    txid = info.txid_hex
    new_rate = _per_kvb(fee, info.vsize)
    for other in conflicts:  # rule 6: only the direct conflicts' own feerates
        entry = ledger.mempool[other]
        old_rate = _per_kvb(entry.fee, entry.info.vsize)
        if new_rate <= old_rate:
            debug = f"rejecting replacement {txid}; new feerate {_feerate_text(new_rate)} <= old feerate {_feerate_text(old_rate)}"
            raise Rejection(REJECTED, "insufficient fee", debug)
    count = 0
    for other in conflicts:  # rule 5: descendants counted per conflict, as Core over-counts
        count += len(ledger.descendants(other))
        if count > MAX_REPLACEMENT_CANDIDATES:
            debug = f"rejecting replacement {txid}; too many potential replacements ({count} > {MAX_REPLACEMENT_CANDIDATES})"
            raise Rejection(REJECTED, "too many potential replacements", debug)
    evicted: list[bytes] = []
    for other in conflicts:
        evicted += [d for d in ledger.descendants(other) if d not in evicted]
    parents = {bytes(txin.prevout.hash) for d in evicted for txin in ledger.mempool[d].info.tx.vin}
    for index, txin in enumerate(info.tx.vin):  # rule 2
        parent = bytes(txin.prevout.hash)
        if parent not in parents and parent in ledger.mempool:
            raise Rejection(REJECTED, "replacement-adds-unconfirmed", f"replacement {txid} adds unconfirmed input, idx {index}")
    replaced_fees = sum(ledger.mempool[d].fee for d in evicted)
    if fee < replaced_fees:  # rule 3
        debug = f"rejecting replacement {txid}, less fees than conflicting txs; {format_money(fee)} < {format_money(replaced_fees)}"
        raise Rejection(REJECTED, "insufficient fee", debug)
    relay = -(-incremental_sat_per_kvb * info.vsize // 1000)  # rule 4: CFeeRate::GetFee rounds up
    if fee - replaced_fees < relay:
        debug = (
            f"rejecting replacement {txid}, not enough additional fees to relay; "
            f"{format_money(fee - replaced_fees)} < {format_money(relay)}"
        )
        raise Rejection(REJECTED, "insufficient fee", debug)
    return tuple(evicted)
