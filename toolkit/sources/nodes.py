"""Bitcoin nodes for ``--node SRC`` (SPEC T, "Nodes").

``bitcoind:URL``  JSON-RPC (auth as for fee sources: ``ENOCH_BITCOIND_COOKIE``
                  or ``ENOCH_BITCOIND_AUTH``, never argv).
``mempool:URL``   Esplora REST (mempool.space, blockstream.info, electrs).

Both go through :mod:`toolkit.sources.http` (total deadline, retries, body
cap, no redirects; exit 69 when unreachable).

**Every answer is checked before use.**  A transaction must hash to the txid
asked for (witness stripped, BIP 144), a header to the block hash asked for, a
height or a hash must have the right shape.  Decision: a node that lies is
"the source gave garbage", :class:`SourceUnavailableError` (exit 69) with a
message saying what it answered and what was expected -- not exit 1, which
enoch keeps for the user's own data failing verification.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from inscriptions.transactions.rawtx import parse_tx
from toolkit.chain.header import HEADER_SIZE, sha256d
from toolkit.core.errors import EnochError, SourceUnavailableError, TxNotFoundError, TxRejectedError, UsageError
from toolkit.core.hexutil import parse_hex
from toolkit.sources.http import HttpPolicy, JsonRpc, RpcError, check_url, parse_json, redirect_hint, request

#: A transaction is at most 4,000,000 WU, so at most 4 MB raw (8 MB of hex).
MAX_TX_BYTES = 4_000_000
_TX_ANSWER_CAP = 2 * MAX_TX_BYTES + 4096
#: No chain is this tall; a larger height is garbage.
_MAX_HEIGHT = 100_000_000
#: bitcoind's "no such transaction / block" (RPC_INVALID_ADDRESS_OR_KEY).
_RPC_NOT_FOUND = -5
#: bitcoind's "transaction already in block chain" (RPC_VERIFY_ALREADY_IN_CHAIN).
RPC_ALREADY_IN_CHAIN = -27


#: The node refused a transaction (exit 69, ``reason`` holds its words).
TxRejected = TxRejectedError


@dataclass(frozen=True)
class TxStatus:
    """Where a transaction stands: 0 confirmations = in the mempool."""

    confirmations: int
    block_height: int | None = None
    block_hash_internal: bytes | None = None


def txid_display(txid: bytes | str) -> str:
    """A txid given as 32 internal-order bytes or 64 display hex digits -> display hex."""
    if isinstance(txid, bytes):
        if len(txid) != 32:
            raise UsageError("a txid is 32 bytes")
        return txid[::-1].hex()
    try:
        return parse_hex(txid, what="txid", length=32).hex()
    except EnochError as exc:
        raise UsageError(exc.message) from None


def _garbage(where: str, what: str) -> SourceUnavailableError:
    return SourceUnavailableError(f"{where} gave garbage: {what}; refused")


def _hex_answer(where: str, value: Any, what: str, length: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise _garbage(where, f"{what} is not a hex string")
    try:
        return parse_hex(value.strip(), what=what, length=length)
    except EnochError as exc:
        raise _garbage(where, exc.message) from None


def _height_answer(where: str, value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_HEIGHT:
        raise _garbage(where, f"{what} {value!r} is not a block height")
    return value


def checked_tx(where: str, raw: bytes, txid: str) -> bytes:
    """``raw`` if it is one well-formed transaction whose txid is ``txid`` (display hex)."""
    try:
        got = parse_tx(raw).txid
    except EnochError as exc:
        raise _garbage(where, f"transaction {txid} does not parse ({exc.message})") from None
    if got != txid:
        raise _garbage(where, f"asked for transaction {txid}, got one that hashes to {got}")
    return raw


def checked_header(where: str, raw: bytes, block_hash_internal: bytes) -> bytes:
    """``raw`` if it is 80 bytes hashing to ``block_hash_internal``."""
    if len(raw) != HEADER_SIZE:
        raise _garbage(where, f"a header is {HEADER_SIZE} bytes, got {len(raw)}")
    if sha256d(raw) != block_hash_internal:
        raise _garbage(
            where,
            f"asked for header {block_hash_internal[::-1].hex()}, got one that hashes to {sha256d(raw)[::-1].hex()}",
        )
    return raw


class Node:
    """What enoch asks of a node; every answer checked before it is returned."""

    name: str

    def tip_height(self) -> int:
        """Height of the node's best block."""
        raise NotImplementedError

    def block_hash_internal_at(self, height: int) -> bytes:
        """The block hash at ``height`` on the node's best chain, internal byte order."""
        raise NotImplementedError

    def block_hash_at(self, height: int) -> bytes:
        """Alias of :meth:`block_hash_internal_at` (internal byte order)."""
        return self.block_hash_internal_at(height)

    def header(self, block_hash_internal: bytes) -> bytes:
        """The 80-byte header of that block, checked to hash to it."""
        raise NotImplementedError

    def raw_tx(self, txid: bytes | str) -> bytes:
        """The transaction (internal bytes or display hex txid), checked to hash to it;
        :class:`TxNotFoundError` when the node does not know it."""
        raise NotImplementedError

    def test_accept(self, raw: bytes) -> tuple[bool, str] | None:
        """(accepted, reason) from the node's mempool policy; None if the node cannot test."""
        return None

    def send_tx(self, raw: bytes) -> str:
        """Submit ``raw``; its display txid, checked.  A refusal is :class:`TxRejected`."""
        raise NotImplementedError

    def tx_status(self, txid: bytes | str) -> TxStatus | None:
        """Confirmations and block of a transaction; None when the node does not know it."""
        raise NotImplementedError


def _check_height_arg(height: int) -> None:
    if isinstance(height, bool) or not isinstance(height, int) or not 0 <= height <= _MAX_HEIGHT:
        raise UsageError(f"height {height!r} is out of range")


@dataclass
class BitcoindNode(Node):
    """Bitcoin Core over JSON-RPC."""

    url: str
    policy: HttpPolicy = field(default_factory=HttpPolicy)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    def __post_init__(self) -> None:
        self.name = f"bitcoind at {self.url}"
        self._rpc = JsonRpc(self.url, self.policy, self.environ)

    def tip_height(self) -> int:
        return _height_answer(self.name, self._rpc.call("getblockcount"), "getblockcount")

    def block_hash_internal_at(self, height: int) -> bytes:
        _check_height_arg(height)
        return _hex_answer(self.name, self._rpc.call("getblockhash", height), "block hash", 32)[::-1]

    def header(self, block_hash_internal: bytes) -> bytes:
        display = block_hash_internal[::-1].hex()
        raw = _hex_answer(self.name, self._rpc.call("getblockheader", display, False), "header")
        return checked_header(self.name, raw, block_hash_internal)

    def raw_tx(self, txid: bytes | str) -> bytes:
        display = txid_display(txid)
        try:
            answer = self._rpc.call("getrawtransaction", display, False, max_body=_TX_ANSWER_CAP)
        except RpcError as exc:
            if exc.rpc_code == _RPC_NOT_FOUND:
                raise TxNotFoundError(f"{self.name} does not find transaction {display} ({exc.rpc_message})") from None
            raise
        return checked_tx(self.name, _hex_answer(self.name, answer, "transaction"), display)

    def test_accept(self, raw: bytes) -> tuple[bool, str]:
        txid = parse_tx(raw).txid
        answer = self._rpc.call("testmempoolaccept", [raw.hex()], max_body=_TX_ANSWER_CAP)
        if not (isinstance(answer, list) and len(answer) == 1 and isinstance(answer[0], dict)):
            raise _garbage(self.name, "testmempoolaccept answer is not one result object")
        result = answer[0]
        if result.get("txid") != txid:
            raise _garbage(self.name, f"testmempoolaccept answered for txid {result.get('txid')!r}, not {txid}")
        allowed = result.get("allowed")
        if not isinstance(allowed, bool):
            raise _garbage(self.name, "testmempoolaccept 'allowed' is not true or false")
        reason = result.get("reject-reason", "")
        return allowed, reason if isinstance(reason, str) else repr(reason)

    def send_tx(self, raw: bytes) -> str:
        txid = parse_tx(raw).txid
        try:
            answer = self._rpc.call("sendrawtransaction", raw.hex(), max_body=_TX_ANSWER_CAP)
        except RpcError as exc:
            raise TxRejected(f"{self.name} refused {txid}: {exc.rpc_message}", exc.rpc_message, exc.rpc_code) from None
        if answer != txid:
            raise _garbage(self.name, f"sendrawtransaction answered txid {answer!r} for {txid}")
        return txid

    def tx_status(self, txid: bytes | str) -> TxStatus | None:
        display = txid_display(txid)
        try:
            answer = self._rpc.call("getrawtransaction", display, True, max_body=3 * _TX_ANSWER_CAP)
        except RpcError as exc:
            if exc.rpc_code == _RPC_NOT_FOUND:
                return self._status_from_utxo(display)
            raise
        if not isinstance(answer, dict):
            raise _garbage(self.name, "getrawtransaction (verbose) is not an object")
        checked_tx(self.name, _hex_answer(self.name, answer.get("hex"), "transaction"), display)
        confirmations = answer.get("confirmations", 0)
        if isinstance(confirmations, bool) or not isinstance(confirmations, int) or confirmations < 0:
            raise _garbage(self.name, f"confirmations {confirmations!r}")
        if confirmations == 0 or "blockhash" not in answer:
            return TxStatus(0)
        block = _hex_answer(self.name, answer["blockhash"], "block hash", 32)[::-1]
        tip = self.tip_height()
        height = tip - confirmations + 1
        if height < 0:
            raise _garbage(self.name, f"{confirmations} confirmations with the tip at height {tip}")
        return TxStatus(confirmations, height, block)


    def _status_from_utxo(self, display: str) -> TxStatus | None:
        """Without ``-txindex`` bitcoind finds only mempool transactions; a
        confirmed one whose output 0 is unspent (a reveal's first postage,
        until it is moved) is still in the UTXO set, with its confirmations."""
        out = self._rpc.call("gettxout", display, 0, True)
        if out is None:
            return None  # unknown, or output 0 spent: cannot tell without -txindex
        confirmations = out.get("confirmations") if isinstance(out, dict) else None
        if isinstance(confirmations, bool) or not isinstance(confirmations, int) or confirmations < 0:
            raise _garbage(self.name, f"gettxout confirmations {confirmations!r}")
        if confirmations == 0:
            return TxStatus(0)
        height = self.tip_height() - confirmations + 1
        if height < 0:
            raise _garbage(self.name, f"gettxout: {confirmations} confirmations, more than the chain has blocks")
        return TxStatus(confirmations, height, self.block_hash_internal_at(height))


@dataclass
class EsploraNode(Node):
    """An Esplora REST server (``mempool:URL``)."""

    url: str
    policy: HttpPolicy = field(default_factory=HttpPolicy)

    def __post_init__(self) -> None:
        self.name = f"mempool at {self.url}"

    def _get(self, path: str, *, max_body: int | None = None, missing_ok: bool = False) -> bytes | None:
        answer = request(self.url + path, self.policy, max_body=max_body)
        if missing_ok and answer.status == 404:
            return None
        if answer.status != 200:
            raise SourceUnavailableError(f"{self.name}: GET {path}: HTTP {answer.status}" + redirect_hint(answer))
        return answer.body

    def _text(self, path: str, what: str, *, max_body: int | None = None) -> str:
        return self._ascii(self._get(path, max_body=max_body) or b"", what)

    def _ascii(self, body: bytes, what: str) -> str:
        try:
            return body.decode("ascii").strip()
        except UnicodeDecodeError:
            raise _garbage(self.name, f"{what} is not ASCII") from None

    def _height(self, path: str, what: str) -> int:
        text = self._text(path, what)
        if not text.isdigit() or len(text) > 9:
            raise _garbage(self.name, f"{what} {text[:40]!r} is not a block height")
        return _height_answer(self.name, int(text), what)

    def tip_height(self) -> int:
        return self._height("/api/blocks/tip/height", "tip height")

    def block_hash_internal_at(self, height: int) -> bytes:
        _check_height_arg(height)
        return _hex_answer(self.name, self._text(f"/api/block-height/{height}", "block hash"), "block hash", 32)[::-1]

    def header(self, block_hash_internal: bytes) -> bytes:
        display = block_hash_internal[::-1].hex()
        raw = _hex_answer(self.name, self._text(f"/api/block/{display}/header", "header"), "header")
        return checked_header(self.name, raw, block_hash_internal)

    def raw_tx(self, txid: bytes | str) -> bytes:
        display = txid_display(txid)
        body = self._get(f"/api/tx/{display}/hex", max_body=_TX_ANSWER_CAP, missing_ok=True)
        if body is None:
            raise TxNotFoundError(f"{self.name} does not find transaction {display}")
        text = self._ascii(body, "transaction")
        return checked_tx(self.name, _hex_answer(self.name, text, "transaction"), display)

    def send_tx(self, raw: bytes) -> str:
        txid = parse_tx(raw).txid
        answer = request(
            self.url + "/api/tx", self.policy, data=raw.hex().encode(), headers={"Content-Type": "text/plain"}
        )
        text = answer.body[:2000].decode("utf-8", "replace").strip()
        if answer.status == 400:  # Esplora's "the node refused it", with bitcoind's words
            raise TxRejected(f"{self.name} refused {txid}: {text or 'HTTP 400'}", text, None)
        if answer.status != 200:
            raise SourceUnavailableError(f"{self.name}: POST /api/tx: HTTP {answer.status}" + redirect_hint(answer))
        if text != txid:
            raise _garbage(self.name, f"POST /api/tx answered txid {text[:80]!r} for {txid}")
        return txid

    def tx_status(self, txid: bytes | str) -> TxStatus | None:
        display = txid_display(txid)
        body = self._get(f"/api/tx/{display}/status", missing_ok=True)
        if body is None:
            return None
        status = parse_json(body, self.name)
        if not isinstance(status, dict) or not isinstance(status.get("confirmed"), bool):
            raise _garbage(self.name, "tx status is not an object with 'confirmed'")
        if not status["confirmed"]:
            return TxStatus(0)
        height = _height_answer(self.name, status.get("block_height"), "block_height")
        block = _hex_answer(self.name, status.get("block_hash"), "block hash", 32)[::-1]
        tip = self.tip_height()
        if tip < height:
            raise _garbage(self.name, f"transaction confirmed at height {height} above the tip {tip}")
        return TxStatus(tip - height + 1, height, block)


def open_node(spec: str, *, policy: HttpPolicy | None = None, environ: Mapping[str, str] | None = None) -> Node:
    """The node named by ``--node`` (``bitcoind:URL`` or ``mempool:URL``)."""
    kind, sep, arg = spec.partition(":")
    if not sep or not arg:
        raise UsageError(f"node {spec!r} must look like bitcoind:URL or mempool:URL")
    pol = policy or HttpPolicy()
    if kind == "bitcoind":
        return BitcoindNode(check_url(arg, "bitcoind"), pol, dict(os.environ) if environ is None else environ)
    if kind == "mempool":
        return EsploraNode(check_url(arg, "mempool"), pol)
    raise UsageError(f"unknown node kind {kind!r}; use bitcoind:URL or mempool:URL")
