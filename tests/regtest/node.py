"""A regtest node for tests: libbitcoinkernel's chainstate plus a mempool,
a UTXO view and a one-key P2TR wallet that receives every coinbase.

Thread-safe (one lock): the JSON-RPC server calls it from its own thread."""

from __future__ import annotations

import math
import struct
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from tests.regtest import blocks, policy
from tests.regtest.codec import TxInfo, display_hex, internal_bytes, parse_tx
from tests.regtest.kernel import Kernel
from tests.regtest.keys import TaprootKey, build_spend, script_for
from tests.regtest.ledger import Coin, Ledger, Outpoint, PoolEntry

COINBASE_MATURITY = policy.COINBASE_MATURITY
FUND_FEE_RATE = 2  # sat/vB paid by fund()
CHANGE_DUST = 330  # a P2TR change output below this is left as fee


class RegtestNode:
    """The chain, mempool and wallet behind the harness.

    * :meth:`mine` mines the mempool (or exactly the given transactions) into
      one block and returns its hash once the kernel made it the tip.
    * :meth:`fund` pays a regtest address or scriptPubKey from a matured
      coinbase with a signed transaction, accepted by the mempool rules and
      then mined (``confirm=False`` leaves it in the mempool).
    """

    def __init__(
        self,
        datadir: Path,
        *,
        rules: policy.Policy = policy.Policy(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.datadir = datadir
        self.rules = rules
        self.clock = clock
        self.kernel = Kernel(datadir / "kernel")
        self.ledger = Ledger()
        self.wallet = TaprootKey(b"wallet")
        self.fee_estimate: Decimal | None = Decimal(1)  # sat/vB for estimatesmartfee; None: no estimate
        self.lock = threading.RLock()

    def close(self) -> None:
        with self.lock:
            self.kernel.close()

    # -- chain ------------------------------------------------------------
    def height(self) -> int:
        return self.kernel.height()

    def _tip_time(self) -> int:
        return int(struct.unpack_from("<I", self.kernel.header_at(self.height()), 68)[0])

    def _block_fees(self, txs: Sequence[TxInfo]) -> int:
        """Fees of ``txs`` in block order; unknown inputs or a negative fee
        count as 0 (the kernel judges such a block, not us)."""
        created: dict[Outpoint, int] = {}
        total = 0
        for info in txs:
            value_in = 0
            for txin in info.tx.vin:
                outpoint = (bytes(txin.prevout.hash), txin.prevout.n)
                coin = self.ledger.utxos.get(outpoint)
                value_in += coin.value if coin else created.get(outpoint, 0)
            value_out = sum(int(o.nValue) for o in info.tx.vout)
            total += max(0, value_in - value_out)
            created.update({(info.txid, n): int(o.nValue) for n, o in enumerate(info.tx.vout)})
        return total

    def mine(self, txs: Sequence[bytes | str] | None = None, *, to: str | bytes | None = None) -> str:
        """Mine one block; return its hash (display hex) once it is the tip.

        ``txs=None`` takes the whole mempool; otherwise exactly ``txs`` (raw
        bytes or hex, in block order) go in, unchecked by the mempool rules.
        Raises :class:`~tests.regtest.kernel.BlockRejected` when the kernel
        refuses the block (the tip does not move, the mempool is kept)."""
        with self.lock:
            if txs is None:
                infos = [e.info for e in self.ledger.mempool.values()]
            else:
                infos = [parse_tx(bytes.fromhex(t) if isinstance(t, str) else t) for t in txs]
            height = self.height() + 1
            raw = blocks.assemble(
                prev_hash=self.kernel.tip_hash(),
                height=height,
                timestamp=max(self._tip_time() + 1, int(self.clock())),
                payout_script=self.wallet.script_pubkey if to is None else script_for(to),
                txs=infos,
                fees=self._block_fees(infos),
            )
            block_hash = self.kernel.submit_block(raw)
            coinbase = parse_tx(_coinbase_bytes(raw, infos))
            self.ledger.connect(block_hash, height, [coinbase, *infos])
            return display_hex(block_hash)

    def generate(self, n: int, *, to: str | bytes | None = None) -> list[str]:
        """Mine ``n`` blocks (the first takes the mempool); their hashes."""
        with self.lock:
            return [self.mine(None if i == 0 else [], to=to) for i in range(n)]

    # -- mempool ----------------------------------------------------------
    def accept(self, raw: bytes, *, dry_run: bool = False, allow_replacement: bool = True) -> PoolEntry:
        """Mempool acceptance (Core's rules as modelled in :mod:`policy`);
        raises :class:`~tests.regtest.rejection.Rejection`. Accepting a
        replacement evicts what it replaces (``entry.replaces``)."""
        with self.lock:
            info = parse_tx(raw)
            entry = policy.check(
                info,
                self.ledger,
                next_height=self.height() + 1,
                now=int(self.clock()),
                policy=self.rules,
                scripts=self.kernel.verify_input,
                allow_replacement=allow_replacement,
            )
            if not dry_run:
                self.ledger.add_to_pool(entry)
            return entry

    def admit(self, entry: PoolEntry) -> None:
        """Add an entry :meth:`accept` made with ``dry_run`` (same lock hold),
        evicting what it replaces."""
        with self.lock:
            self.ledger.add_to_pool(entry)

    # -- wallet -----------------------------------------------------------
    def wallet_coins(self) -> list[tuple[Outpoint, Coin]]:
        """The wallet's spendable coins, oldest first."""
        with self.lock:
            next_height = self.height() + 1
            return [
                (op, coin)
                for op, coin in sorted(self.ledger.utxos.items(), key=lambda kv: kv[1].height)
                if coin.script == self.wallet.script_pubkey
                and op not in self.ledger.pool_spends
                and not (coin.coinbase and next_height - coin.height < COINBASE_MATURITY)
            ]

    def fund(self, address_or_script: str | bytes, sats: int, *, confirm: bool = True) -> tuple[str, int]:
        """Pay ``sats`` to a regtest address or scriptPubKey; (txid, vout).

        Needs a matured wallet coin (mine 101 blocks first). The transaction
        goes through :meth:`accept` and, with ``confirm``, is mined at once."""
        with self.lock:
            info = self.pay([(script_for(address_or_script), sats)])
            if confirm:
                self.mine()
            return info.txid_hex, 0

    def pay(self, outputs: Sequence[tuple[bytes, int]], *, fee_rate: Decimal | int = FUND_FEE_RATE) -> TxInfo:
        """One wallet transaction paying every (scriptPubKey, sats) of
        ``outputs`` in order, change last, ``fee_rate`` sat/vB; put in the
        mempool through :meth:`accept` (Rejection), not mined. RuntimeError
        when the matured coins do not cover it."""
        with self.lock:
            want = sum(sats for _, sats in outputs)
            chosen: list[tuple[bytes, int, int]] = []
            for (txid, n), coin in self.wallet_coins():
                chosen.append((txid, n, coin.value))
                if sum(c[2] for c in chosen) >= want + 10_000:
                    break
            have = sum(c[2] for c in chosen)
            if have < want + 10_000:
                raise RuntimeError(f"wallet has {have} spendable sats, {want} asked: mine 101 blocks first")
            change_output = (self.wallet.script_pubkey, 0)
            draft = parse_tx(build_spend(self.wallet, chosen, [*outputs, change_output]))
            change = have - want - math.ceil(fee_rate * draft.vsize)
            change_outputs = [(self.wallet.script_pubkey, change)] if change >= CHANGE_DUST else []
            raw = build_spend(self.wallet, chosen, [*outputs, *change_outputs])
            self.accept(raw)
            return parse_tx(raw)

    def transaction(self, txid_hex: str) -> tuple[TxInfo, bytes | None, int]:
        """(tx, block hash or None if in the mempool, height or -1); KeyError."""
        with self.lock:
            txid = internal_bytes(txid_hex)
            if txid in self.ledger.mempool:
                return self.ledger.mempool[txid].info, None, -1
            found = self.ledger.txindex[txid]
            return found.info, found.block_hash, found.height


def _coinbase_bytes(block: bytes, others: Sequence[TxInfo]) -> bytes:
    """The coinbase of an assembled block: what follows the header and tx
    count, minus the other transactions."""
    rest = block[80 + _compact_len(block[80]) :]
    tail = sum(len(t.raw) for t in others)
    return rest[: len(rest) - tail] if tail else rest


def _compact_len(first: int) -> int:
    return {0xFD: 3, 0xFE: 5, 0xFF: 9}.get(first, 1)
