"""What the harness remembers about the chain the kernel accepted: the UTXO
set, every confirmed transaction (a txindex), and the in-memory mempool.

The ledger only follows the kernel: :meth:`Ledger.connect` is called after
the kernel made a block the tip, never before."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tests.regtest.codec import TxInfo

Outpoint = tuple[bytes, int]  # (txid in internal byte order, output index)


@dataclass(frozen=True)
class Coin:
    script: bytes
    value: int
    height: int
    coinbase: bool


@dataclass(frozen=True)
class Confirmed:
    info: TxInfo
    block_hash: bytes
    height: int


@dataclass(frozen=True)
class PoolEntry:
    info: TxInfo
    fee: int
    spent: tuple[Coin, ...]
    replaces: tuple[bytes, ...] = ()  # txids a replacement evicts (conflicts and their descendants)


class Ledger:
    def __init__(self) -> None:
        self.utxos: dict[Outpoint, Coin] = {}
        self.txindex: dict[bytes, Confirmed] = {}
        self.mempool: dict[bytes, PoolEntry] = {}  # insertion order = a valid block order
        self.pool_spends: dict[Outpoint, bytes] = {}

    # -- chain ------------------------------------------------------------
    def connect(self, block_hash: bytes, height: int, txs: Iterable[TxInfo]) -> None:
        """Apply a block the kernel accepted (coinbase first)."""
        for info in txs:
            if not info.is_coinbase:
                for txin in info.tx.vin:
                    self.utxos.pop((bytes(txin.prevout.hash), txin.prevout.n), None)
            for n, out in enumerate(info.tx.vout):
                script = bytes(out.scriptPubKey)
                if not script.startswith(b"\x6a"):  # OP_RETURN never enters the UTXO set
                    self.utxos[(info.txid, n)] = Coin(script, int(out.nValue), height, info.is_coinbase)
            self.txindex[info.txid] = Confirmed(info, block_hash, height)
            self._evict(info)

    def _evict(self, confirmed: TxInfo) -> None:
        """Drop the confirmed tx from the mempool, and whatever it conflicts with."""
        self.remove_from_pool(confirmed.txid)
        for txin in [] if confirmed.is_coinbase else confirmed.tx.vin:
            other = self.pool_spends.get((bytes(txin.prevout.hash), txin.prevout.n))
            if other is not None:
                self.remove_from_pool(other)

    # -- mempool ----------------------------------------------------------
    def add_to_pool(self, entry: PoolEntry) -> None:
        """Evict what ``entry`` replaces, then add it (last: a valid block order)."""
        for txid in entry.replaces:
            self.remove_from_pool(txid)
        self.mempool[entry.info.txid] = entry
        for txin in entry.info.tx.vin:
            self.pool_spends[(bytes(txin.prevout.hash), txin.prevout.n)] = entry.info.txid

    def remove_from_pool(self, txid: bytes) -> None:
        """Remove a mempool transaction and, recursively, its descendants."""
        entry = self.mempool.pop(txid, None)
        if entry is None:
            return
        for txin in entry.info.tx.vin:
            self.pool_spends.pop((bytes(txin.prevout.hash), txin.prevout.n), None)
        for n in range(len(entry.info.tx.vout)):
            child = self.pool_spends.get((txid, n))
            if child is not None:
                self.remove_from_pool(child)

    def pool_coin(self, outpoint: Outpoint) -> Coin | None:
        """An output created by a mempool transaction (height -1)."""
        entry = self.mempool.get(outpoint[0])
        if entry is None or outpoint[1] >= len(entry.info.tx.vout):
            return None
        out = entry.info.tx.vout[outpoint[1]]
        return Coin(bytes(out.scriptPubKey), int(out.nValue), -1, False)

    def coin(self, outpoint: Outpoint) -> Coin | None:
        """Core's mempool coins view: a confirmed coin or a mempool output,
        whether or not a mempool transaction spends it (conflicts are found
        through ``pool_spends``, as Core's GetConflictTx does)."""
        return self.utxos.get(outpoint) or self.pool_coin(outpoint)

    def descendants(self, txid: bytes) -> list[bytes]:
        """``txid`` and every mempool transaction spending from it, recursively
        (Core's CalculateDescendants, the entry itself included)."""
        found = [txid]
        for parent in found:
            for n in range(len(self.mempool[parent].info.tx.vout)):
                child = self.pool_spends.get((parent, n))
                if child is not None and child not in found:
                    found.append(child)
        return found

    def ancestors(self, info: TxInfo) -> set[bytes]:
        """The mempool transactions ``info`` spends from, recursively."""
        found: set[bytes] = set()
        todo = [info]
        while todo:
            for txin in todo.pop().tx.vin:
                parent = bytes(txin.prevout.hash)
                if parent in self.mempool and parent not in found:
                    found.add(parent)
                    todo.append(self.mempool[parent].info)
        return found
