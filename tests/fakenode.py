"""A fake Bitcoin node on 127.0.0.1 speaking both bitcoind JSON-RPC (POST /)
and Esplora REST (/api/...) over a toy chain: for what the kernel-backed
harness (tests/regtest) does not do -- Esplora, lying on purpose
-- and for fast tests.  It does not validate scripts;
``refuse`` decides what the "mempool" rejects, a new spend of an outpoint
replaces the old one, and ``lie_*`` make it answer wrong bytes on purpose."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from inscriptions.transactions.rawtx import parse_tx
from tests.httpfake import loopback


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


@dataclass
class FakeChain:
    """Blocks (80-byte headers with their txids), a mempool, and lies to tell."""

    headers: list[bytes] = field(default_factory=list)
    block_txids: list[list[str]] = field(default_factory=list)
    txs: dict[str, bytes] = field(default_factory=dict)  # every tx ever seen, by display txid
    mempool: list[str] = field(default_factory=list)
    refuse: Callable[[bytes], str | None] = lambda _raw: None
    lie_tx: dict[str, bytes] = field(default_factory=dict)  # txid -> bytes to answer instead
    lie_header: dict[bytes, bytes] = field(default_factory=dict)  # hash internal -> bytes to answer
    lie_send_txid: str | None = None
    txindex: bool = True  # False: bitcoind's getrawtransaction finds mempool transactions only
    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not self.headers:
            self.mine()  # genesis

    def mine(self) -> bytes:
        """A new block holding the whole mempool; returns its hash (internal)."""
        with self.lock:
            prev = sha256d(self.headers[-1]) if self.headers else bytes(32)
            merkle = hashlib.sha256("".join(self.mempool).encode()).digest()
            header = (2).to_bytes(4, "little") + prev + merkle + len(self.headers).to_bytes(4, "little") + bytes(8)
            self.headers.append(header)
            self.block_txids.append(list(self.mempool))
            self.mempool.clear()
            return sha256d(header)

    def height_of(self, txid: str) -> int | None:
        for height, txids in enumerate(self.block_txids):
            if txid in txids:
                return height
        return None

    def submit(self, raw: bytes) -> tuple[str, str | None]:
        """(txid, reject reason or None) -- accepted transactions enter the mempool."""
        txid = parse_tx(raw).txid
        with self.lock:
            if txid in self.mempool or self.height_of(txid) is not None:
                return txid, None
            reason = self.refuse(raw)
            if reason is None:
                # BIP 125 in its simplest form: a new spend of an outpoint replaces the old one.
                spends = {(i.txid, i.vout) for i in parse_tx(raw).inputs}
                self.mempool[:] = [
                    t for t in self.mempool if not spends & {(i.txid, i.vout) for i in parse_tx(self.txs[t]).inputs}
                ]
                self.txs[txid] = raw
                self.mempool.append(txid)
            return txid, reason

    def tx_bytes(self, txid: str) -> bytes | None:
        if txid in self.lie_tx:
            return self.lie_tx[txid]
        if txid in self.mempool or self.height_of(txid) is not None:
            return self.txs[txid]
        return None

    def header_bytes(self, hash_internal: bytes) -> bytes | None:
        if hash_internal in self.lie_header:
            return self.lie_header[hash_internal]
        return next((h for h in self.headers if sha256d(h) == hash_internal), None)


class RpcFail(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _rpc(chain: FakeChain, method: str, params: list[Any]) -> Any:
    chain.calls.append(method)
    if method == "getblockcount":
        return len(chain.headers) - 1
    if method == "getblockhash":
        if not 0 <= params[0] < len(chain.headers):
            raise RpcFail(-8, "Block height out of range")
        return sha256d(chain.headers[params[0]])[::-1].hex()
    if method == "getblockheader":
        raw = chain.header_bytes(bytes.fromhex(params[0])[::-1])
        if raw is None:
            raise RpcFail(-5, "Block not found")
        return raw.hex()
    if method == "getrawtransaction":
        raw = chain.tx_bytes(params[0])
        if raw is None or (not chain.txindex and params[0] not in chain.mempool):
            raise RpcFail(-5, "No such mempool or blockchain transaction")
        if not params[1]:
            return raw.hex()
        height = chain.height_of(params[0])
        if height is None:
            return {"txid": params[0], "hex": raw.hex()}
        block = sha256d(chain.headers[height])[::-1].hex()
        return {"txid": params[0], "hex": raw.hex(), "blockhash": block, "confirmations": len(chain.headers) - height}
    if method == "gettxout":
        return _txout(chain, params[0], params[1])
    if method == "testmempoolaccept":
        raw = bytes.fromhex(params[0][0])
        txid = parse_tx(raw).txid
        reason = chain.refuse(raw)
        return [{"txid": txid, "allowed": True} if reason is None else {"txid": txid, "allowed": False, "reject-reason": reason}]
    if method == "sendrawtransaction":
        txid, reason = chain.submit(bytes.fromhex(params[0]))
        if reason is not None:
            raise RpcFail(-26, reason)
        return chain.lie_send_txid or txid
    if method == "estimatesmartfee":
        return {"feerate": 0.00002, "blocks": params[0]}
    raise RpcFail(-32601, "Method not found")


def _txout(chain: FakeChain, txid: str, n: int) -> Any:
    raw = chain.tx_bytes(txid)
    if raw is None or n >= len(parse_tx(raw).outputs):
        return None
    if any((i.txid, i.vout) == (txid, n) for t in chain.txs if chain.tx_bytes(t) for i in parse_tx(chain.txs[t]).inputs):
        return None  # spent (in a block or the mempool)
    height = chain.height_of(txid)
    value = parse_tx(raw).outputs[n][0]
    confirmations = 0 if height is None else len(chain.headers) - height
    return {"bestblock": sha256d(chain.headers[-1])[::-1].hex(), "confirmations": confirmations, "value": value / 1e8}


def _rest(chain: FakeChain, method: str, path: str, body: bytes) -> tuple[int, bytes]:
    chain.calls.append(f"{method} {path}")
    if method == "POST" and path == "/api/tx":
        txid, reason = chain.submit(bytes.fromhex(body.decode()))
        if reason is not None:
            return 400, f'sendrawtransaction RPC error: {{"code":-26,"message":"{reason}"}}'.encode()
        return 200, (chain.lie_send_txid or txid).encode()
    if path == "/api/blocks/tip/height":
        return 200, str(len(chain.headers) - 1).encode()
    if m := re.fullmatch(r"/api/block-height/(\d+)", path):
        height = int(m[1])
        if height >= len(chain.headers):
            return 404, b"Block not found"
        return 200, sha256d(chain.headers[height])[::-1].hex().encode()
    if m := re.fullmatch(r"/api/block/([0-9a-f]{64})/header", path):
        raw = chain.header_bytes(bytes.fromhex(m[1])[::-1])
        return (404, b"Block not found") if raw is None else (200, raw.hex().encode())
    if m := re.fullmatch(r"/api/tx/([0-9a-f]{64})/hex", path):
        raw = chain.tx_bytes(m[1])
        return (404, b"Transaction not found") if raw is None else (200, raw.hex().encode())
    if m := re.fullmatch(r"/api/tx/([0-9a-f]{64})/status", path):
        if chain.tx_bytes(m[1]) is None:
            return 404, b"Transaction not found"
        mined = chain.height_of(m[1])
        if mined is None:
            return 200, b'{"confirmed":false}'
        block = sha256d(chain.headers[mined])[::-1].hex()
        return 200, json.dumps({"confirmed": True, "block_height": mined, "block_hash": block}).encode()
    return 404, b"not found"


@contextmanager
def fake_node(chain: FakeChain) -> Iterator[str]:
    """Serve ``chain`` on 127.0.0.1; yields the base URL (use bitcoind:URL or mempool:URL)."""

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            status, body = _rest(chain, "GET", self.path, b"")
            self._reply(status, body, "text/plain")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/api/"):
                status, answer = _rest(chain, "POST", self.path, body)
                self._reply(status, answer, "text/plain")
                return
            request = json.loads(body)
            try:
                reply = {"result": _rpc(chain, request["method"], request["params"]), "error": None, "id": request["id"]}
                status = 200
            except RpcFail as exc:
                reply = {"result": None, "error": {"code": exc.code, "message": exc.message}, "id": request["id"]}
                status = 500
            self._reply(status, json.dumps(reply).encode(), "application/json")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    with loopback(Handler) as url:
        yield url
