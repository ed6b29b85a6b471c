"""Mempool acceptance, Bitcoin Core's order and reject reasons for the rules
we model: transaction sanity, standardness (weight <= 400,000 WU, dust,
version), finality, inputs, coinbase maturity, fees, the minimum relay fee,
replace-by-fee (:mod:`~tests.regtest.replacement`), and every input's script
checked by libbitcoinkernel with all consensus flags including taproot (the
kernel does not expose policy-only flags)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.regtest import replacement
from tests.regtest.codec import TxInfo
from tests.regtest.ledger import Coin, Ledger, PoolEntry
from tests.regtest.rejection import ALREADY_KNOWN, MISSING_INPUTS, REJECTED, Rejection, format_money

MAX_MONEY = 21_000_000 * 100_000_000
COINBASE_MATURITY = 100
LOCKTIME_THRESHOLD = 500_000_000

ScriptCheck = Callable[[bytes, int, list[tuple[bytes, int]]], bool]


@dataclass(frozen=True)
class Policy:
    min_relay_sat_per_kvb: int = 1_000  # 1 sat/vB
    incremental_relay_sat_per_kvb: int = 1_000  # -incrementalrelayfee, RBF rule 4
    full_rbf: bool = True  # Core 28's default, Core 29's only mode (see replacement)
    dust_relay_sat_per_kvb: int = 3_000
    max_standard_weight: int = 400_000


def dust_threshold(script: bytes, dust_rate: int) -> int:
    """Core's GetDustThreshold: the cost of spending the output at the dust rate."""
    if script.startswith(b"\x6a"):
        return 0
    size = 8 + len_compact(len(script)) + len(script)
    is_witness_program = 4 <= len(script) <= 42 and (script[0] == 0 or 0x51 <= script[0] <= 0x60) and script[1] == len(script) - 2
    size += 32 + 4 + 1 + 107 // 4 + 4 if is_witness_program else 32 + 4 + 1 + 107 + 4
    return size * dust_rate // 1000


def len_compact(n: int) -> int:
    return 1 if n < 0xFD else 3 if n <= 0xFFFF else 5


def _sanity(info: TxInfo) -> None:
    tx = info.tx
    if not tx.vin:
        raise Rejection(REJECTED, "bad-txns-vin-empty")
    if not tx.vout:
        raise Rejection(REJECTED, "bad-txns-vout-empty")
    total = 0
    for out in tx.vout:
        if out.nValue < 0:
            raise Rejection(REJECTED, "bad-txns-vout-negative")
        if out.nValue > MAX_MONEY:
            raise Rejection(REJECTED, "bad-txns-vout-toolarge")
        total += out.nValue
        if total > MAX_MONEY:
            raise Rejection(REJECTED, "bad-txns-txouttotal-toolarge")
    outpoints = [(bytes(i.prevout.hash), i.prevout.n) for i in tx.vin]
    if len(set(outpoints)) != len(outpoints):
        raise Rejection(REJECTED, "bad-txns-inputs-duplicate")
    if info.is_coinbase:
        raise Rejection(REJECTED, "coinbase")
    if any(i.prevout.is_null() for i in tx.vin):
        raise Rejection(REJECTED, "bad-txns-prevout-null")


def _standard(info: TxInfo, policy: Policy) -> None:
    if not 1 <= info.tx.nVersion <= 3:
        raise Rejection(REJECTED, "version")
    if info.weight > policy.max_standard_weight:
        raise Rejection(REJECTED, "tx-size")
    if len(info.tx.serialize(include_witness=False)) < 65:
        raise Rejection(REJECTED, "tx-size-small")
    for out in info.tx.vout:
        if out.nValue < dust_threshold(bytes(out.scriptPubKey), policy.dust_relay_sat_per_kvb):
            raise Rejection(REJECTED, "dust")


def _final(info: TxInfo, next_height: int, now: int) -> None:
    locktime = info.tx.nLockTime
    if locktime == 0 or all(i.nSequence == 0xFFFFFFFF for i in info.tx.vin):
        return
    limit = next_height if locktime < LOCKTIME_THRESHOLD else now
    if locktime >= limit:
        raise Rejection(REJECTED, "non-final")


def _inputs(info: TxInfo, ledger: Ledger, next_height: int) -> list[Coin]:
    coins = [ledger.coin((bytes(i.prevout.hash), i.prevout.n)) for i in info.tx.vin]
    present = [c for c in coins if c is not None]
    if len(present) != len(coins):
        if any((info.txid, n) in ledger.utxos for n in range(len(info.tx.vout))):
            raise Rejection(ALREADY_KNOWN, "txn-already-known")
        raise Rejection(MISSING_INPUTS, "bad-txns-inputs-missingorspent")
    for coin in present:
        if coin.coinbase and next_height - coin.height < COINBASE_MATURITY:
            depth = next_height - coin.height
            raise Rejection(REJECTED, "bad-txns-premature-spend-of-coinbase", f"tried to spend coinbase at depth {depth}")
    return present


def check(
    info: TxInfo, ledger: Ledger, *, next_height: int, now: int, policy: Policy, scripts: ScriptCheck, allow_replacement: bool = True
) -> PoolEntry:
    """The mempool entry ``info`` would make (with what it replaces), or
    :class:`Rejection`; Core's order (PreChecks, ReplacementChecks, scripts)."""
    _sanity(info)
    _standard(info, policy)
    _final(info, next_height, now)
    if any(e.info.wtxid == info.wtxid for e in ledger.mempool.values()):
        raise Rejection(ALREADY_KNOWN, "txn-already-in-mempool")
    if info.txid in ledger.mempool:
        raise Rejection(ALREADY_KNOWN, "txn-same-nonwitness-data-in-mempool")
    conflicts = replacement.direct_conflicts(info, ledger, allow=allow_replacement, full_rbf=policy.full_rbf)
    coins = _inputs(info, ledger, next_height)
    value_in = sum(c.value for c in coins)
    value_out = sum(int(o.nValue) for o in info.tx.vout)
    if value_in < value_out:
        raise Rejection(REJECTED, "bad-txns-in-belowout", f"value in ({format_money(value_in)}) < value out ({format_money(value_out)})")
    fee = value_in - value_out
    min_fee = -(-policy.min_relay_sat_per_kvb * info.vsize // 1000)
    if fee < min_fee:
        raise Rejection(REJECTED, "min relay fee not met", f"{fee} < {min_fee}")
    replacement.check_not_spending_conflicts(info, ledger, conflicts)
    replaces: tuple[bytes, ...] = ()
    if conflicts:
        replaces = replacement.replacement_checks(info, fee, ledger, conflicts, policy.incremental_relay_sat_per_kvb)
    spent = [(c.script, c.value) for c in coins]
    for index in range(len(coins)):
        if not scripts(info.raw, index, spent):
            reason = "mandatory-script-verify-flag-failed (libbitcoinkernel script verification failed)"
            raise Rejection(REJECTED, reason, f"input {index} of {info.txid_hex}")
    return PoolEntry(info, fee, tuple(coins), replaces)
