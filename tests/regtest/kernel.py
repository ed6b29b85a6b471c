"""libbitcoinkernel (through ``pbk``) on the regtest chain, in a directory.

``process_block`` returning proves nothing: the kernel stores a block that
passes the context-free checks and only then tries to connect it.  So
:meth:`Kernel.submit_block` waits for the ``block_checked`` validation event
of that very block, then requires the active tip to be the new block at the
expected height; otherwise it raises :class:`BlockRejected` with the kernel's
verdict and the log lines it printed (``ConnectBlock ... failed, <reason>``)."""

from __future__ import annotations

import collections
import ctypes
import itertools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pbk
from pbk.capi import KernelOpaquePtr
from pbk.script import PrecomputedTransactionData

_FAILED = re.compile(r"ConnectBlock \S+ failed, (.*)$|\] (?:AcceptBlock|ProcessNewBlock): (.*)$")
_LOG_LOCK = threading.RLock()  # re-entered: a new connection replays buffered lines
_LOG_LINES: collections.deque[tuple[int, str]] = collections.deque(maxlen=2000)
_LOG_SEQ = itertools.count()
_LOG_CONNECTION: list[Any] = []  # keeps the global kernel log connection alive


def _collect_log(message: str) -> None:
    with _LOG_LOCK:
        _LOG_LINES.append((next(_LOG_SEQ), message.rstrip("\n")))


def _log_mark() -> int:
    """Sequence number of the next kernel log line."""
    with _LOG_LOCK:
        if not _LOG_CONNECTION:
            _LOG_CONNECTION.append(pbk.LoggingConnection(_collect_log))
        return _LOG_LINES[-1][0] + 1 if _LOG_LINES else 0


def _log_since(mark: int) -> list[str]:
    with _LOG_LOCK:
        return [line for seq, line in _LOG_LINES if seq >= mark]


_Serialized = TypeVar("_Serialized", pbk.Block, pbk.Transaction)


def from_bytes(cls: type[_Serialized], raw: bytes) -> _Serialized:
    """``cls(raw)`` without pbk's ``(c_ubyte * n)(*raw)``, which costs 0.1 s
    for a 400 kB reveal: the same C constructor on a copied buffer."""
    obj: _Serialized = object.__new__(cls)
    KernelOpaquePtr.__init__(obj, (ctypes.c_ubyte * len(raw)).from_buffer_copy(raw), len(raw))
    return obj


class BlockRejected(Exception):
    """The kernel did not make the block the new tip."""

    def __init__(self, block_hash: str, reason: str, log: list[str]) -> None:
        self.block_hash = block_hash
        self.reason = reason
        self.log = log
        super().__init__(f"block {block_hash} rejected: {reason}")


@dataclass
class _Checked:
    """What ``block_checked`` reported, by block hash (display hex)."""

    verdicts: dict[str, tuple[pbk.ValidationMode, pbk.BlockValidationResult]] = field(default_factory=dict)
    connected: list[tuple[str, int]] = field(default_factory=list)


class Kernel:
    """A regtest chainstate in ``datadir`` (created fresh)."""

    def __init__(self, datadir: Path) -> None:
        _log_mark()
        self._checked = _Checked()
        self._lock = threading.RLock()
        self._callbacks = pbk.ValidationInterfaceCallbacks(
            block_checked=self._on_checked,
            block_connected=self._on_connected,
        )
        self._chainman: pbk.ChainstateManager | None = pbk.load_chainman(
            datadir, pbk.ChainType.REGTEST, self._callbacks
        )
        self.consensus = pbk.ChainParameters(pbk.ChainType.REGTEST).consensus_params

    def _on_checked(self, _user: object, block: pbk.Block, state: pbk.BlockValidationState) -> None:
        self._checked.verdicts[str(block.block_hash)] = (state.validation_mode, state.block_validation_result)

    def _on_connected(self, _user: object, block: pbk.Block, entry: pbk.BlockTreeEntry) -> None:
        self._checked.connected.append((str(block.block_hash), entry.height))

    @property
    def chainman(self) -> pbk.ChainstateManager:
        if self._chainman is None:
            raise RuntimeError("kernel closed")
        return self._chainman

    def close(self) -> None:
        with self._lock:
            self._chainman = None

    # -- the active chain -------------------------------------------------
    def height(self) -> int:
        with self._lock:
            return int(self.chainman.get_active_chain().height)

    def hash_at(self, height: int) -> bytes:
        """Block hash (internal byte order) at ``height`` of the active chain."""
        with self._lock:
            chain = self.chainman.get_active_chain()
            if not 0 <= height <= chain.height:
                raise IndexError(height)
            return bytes(chain.block_tree_entries[height].block_hash)

    def tip_hash(self) -> bytes:
        with self._lock:
            return self.hash_at(self.height())

    def header(self, block_hash: bytes) -> tuple[int, bytes] | None:
        """(height, 80-byte header) of a block in the active chain, else None."""
        with self._lock:
            entries = self.chainman.block_tree_entries
            key = pbk.BlockHash(block_hash)
            if key not in entries:
                return None
            entry = entries[key]
            chain = self.chainman.get_active_chain()
            if entry.height > chain.height or bytes(chain.block_tree_entries[entry.height].block_hash) != block_hash:
                return None
            return int(entry.height), bytes(entry.block_header)

    def header_at(self, height: int) -> bytes:
        """80-byte header of the active chain's block at ``height``."""
        with self._lock:
            chain = self.chainman.get_active_chain()
            return bytes(chain.block_tree_entries[height].block_header)

    def block_bytes(self, height: int) -> bytes:
        with self._lock:
            chain = self.chainman.get_active_chain()
            return bytes(self.chainman.blocks[chain.block_tree_entries[height]])

    # -- validation -------------------------------------------------------
    def submit_block(self, raw: bytes) -> bytes:
        """Hand a block to the kernel; return its hash once it is the tip."""
        with self._lock:
            block = from_bytes(pbk.Block, raw)
            shown = str(block.block_hash)
            expected_height = self.height() + 1
            state = block.check(self.consensus, pbk.BlockCheckFlags.ALL)
            mark = _log_mark()
            if state.validation_mode != pbk.ValidationMode.VALID:
                reason = f"context-free check failed: {state.block_validation_result.name}"
                raise BlockRejected(shown, reason, _log_since(mark))
            try:
                self.chainman.process_block(block)
            except pbk.ProcessBlockException as exc:
                raise BlockRejected(shown, f"process_block failed: {exc}", _log_since(mark)) from None
            verdict = self._checked.verdicts.get(shown)
            tip = self.chainman.get_active_chain()
            tip_hash = str(tip.block_tree_entries[tip.height].block_hash)
            log = _log_since(mark)
            if verdict is None:
                raise BlockRejected(shown, "the kernel never checked the block", log)
            if verdict[0] != pbk.ValidationMode.VALID:
                detail = next((m.group(1) or m.group(2) for line in log if (m := _FAILED.search(line))), "no reason logged")
                raise BlockRejected(shown, f"{verdict[0].name}/{verdict[1].name}: {detail}", log)
            if tip.height != expected_height or tip_hash != shown:
                raise BlockRejected(shown, f"tip is {tip_hash} at {tip.height}, not the new block", log)
            if (shown, expected_height) not in self._checked.connected:
                raise BlockRejected(shown, "no block_connected event for the new block", log)
            return bytes(block.block_hash)

    def verify_input(self, raw_tx: bytes, index: int, spent: list[tuple[bytes, int]]) -> bool:
        """Consensus script check of one input with every flag incl. taproot;
        ``spent`` lists (scriptPubKey, sats) of all inputs of the transaction."""
        tx = from_bytes(pbk.Transaction, raw_tx)
        outputs = [pbk.TransactionOutput(pbk.ScriptPubkey(spk), sats) for spk, sats in spent]
        precomputed = PrecomputedTransactionData(tx, outputs)
        script, amount = spent[index]
        # ScriptVerifyException (bad flags, missing spent outputs) is a harness
        # bug, not a verdict on the transaction: it propagates.
        return bool(pbk.ScriptPubkey(script).verify(amount, tx, precomputed, index, pbk.ScriptVerificationFlags.ALL))
