"""The JSON-RPC methods enoch needs, with Bitcoin Core's reply shapes and
error codes (rpc/protocol.h): positional or named parameters."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from bitcointx import ChainParams

from tests.regtest import views
from tests.regtest.codec import COIN, address_to_script, display_hex, internal_bytes, parse_tx
from tests.regtest.node import RegtestNode
from tests.regtest.rejection import ALREADY_KNOWN, MISSING_INPUTS, Rejection

# rpc/protocol.h
RPC_INVALID_REQUEST = -32600
RPC_METHOD_NOT_FOUND = -32601
RPC_INVALID_PARAMS = -32602
RPC_PARSE_ERROR = -32700
RPC_MISC_ERROR = -1
RPC_TYPE_ERROR = -3
RPC_INVALID_ADDRESS_OR_KEY = -5
RPC_INVALID_PARAMETER = -8
RPC_DESERIALIZATION_ERROR = -22
RPC_VERIFY_ERROR = -25
RPC_VERIFY_REJECTED = -26
RPC_VERIFY_ALREADY_IN_CHAIN = -27

DEFAULT_MAX_FEE_RATE = Decimal("0.10")  # BTC/kvB, sendrawtransaction / testmempoolaccept
NO_SUCH_TX = "No such mempool or blockchain transaction. Use gettransaction for wallet transactions."


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(f"{code}: {message}")


Method = Callable[..., Any]


def _hash_param(value: Any, name: str) -> bytes:
    if not isinstance(value, str):
        raise RpcError(RPC_TYPE_ERROR, f"JSON value of type {type(value).__name__} is not of expected type string")
    if len(value) != 64:
        raise RpcError(RPC_INVALID_PARAMETER, f"{name} must be of length 64 (not {len(value)}, for '{value}')")
    try:
        return internal_bytes(value)
    except ValueError:
        raise RpcError(RPC_INVALID_PARAMETER, f"{name} must be hexadecimal string (not '{value}')") from None


def _int_param(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RpcError(RPC_TYPE_ERROR, f"JSON value of type {type(value).__name__} is not of expected type number")
    return value


def _fee_rate_param(value: Any) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise RpcError(RPC_TYPE_ERROR, "Amount is not a number or string") from None
    if rate < 0:
        raise RpcError(RPC_TYPE_ERROR, "Amount out of range")
    return rate


def _raw_tx(hexstring: Any) -> bytes:
    try:
        raw = bytes.fromhex(hexstring)
        parse_tx(raw)
    except (TypeError, ValueError):
        raise RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed. Make sure the tx has at least one input.") from None
    return raw


class Methods:
    """Bound RPC methods of one node; ``call`` dispatches by name."""

    def __init__(self, node: RegtestNode) -> None:
        self.node = node
        self.table: dict[str, Method] = {
            "getblockcount": self.getblockcount,
            "getbestblockhash": self.getbestblockhash,
            "getblockhash": self.getblockhash,
            "getblockheader": self.getblockheader,
            "getrawtransaction": self.getrawtransaction,
            "getrawmempool": self.getrawmempool,
            "gettxout": self.gettxout,
            "sendrawtransaction": self.sendrawtransaction,
            "testmempoolaccept": self.testmempoolaccept,
            "estimatesmartfee": self.estimatesmartfee,
            "generatetoaddress": self.generatetoaddress,
            "getblockchaininfo": self.getblockchaininfo,
        }

    def call(self, name: Any, params: Any) -> Any:
        method = self.table.get(name) if isinstance(name, str) else None
        if method is None:
            raise RpcError(RPC_METHOD_NOT_FOUND, "Method not found")
        signature = inspect.signature(method)
        if params is None:
            params = []
        if isinstance(params, dict):
            unknown = set(params) - set(signature.parameters)
            if unknown:
                raise RpcError(RPC_MISC_ERROR, f"Unknown named parameter {sorted(unknown)[0]}")
            args = params
        elif isinstance(params, list):
            if len(params) > len(signature.parameters):
                raise RpcError(RPC_MISC_ERROR, f"{name}: too many parameters")
            args = dict(zip(signature.parameters, params))
        else:
            raise RpcError(RPC_INVALID_REQUEST, "Params must be an array or object")
        missing = [p.name for p in signature.parameters.values() if p.default is p.empty and p.name not in args]
        if missing:
            raise RpcError(RPC_MISC_ERROR, f"{name}: missing required parameter {missing[0]}")
        # python-bitcointx keeps its chain parameters per thread, and a
        # server thread starts without any.
        with self.node.lock, ChainParams("bitcoin/regtest"):
            return method(**args)

    # -- chain ------------------------------------------------------------
    def getblockcount(self) -> int:
        return self.node.height()

    def getbestblockhash(self) -> str:
        return display_hex(self.node.kernel.tip_hash())

    def getblockhash(self, height: Any) -> str:
        h = _int_param(height)
        if not 0 <= h <= self.node.height():
            raise RpcError(RPC_INVALID_PARAMETER, "Block height out of range")
        return display_hex(self.node.kernel.hash_at(h))

    def getblockheader(self, blockhash: Any, verbose: Any = True) -> Any:
        kernel = self.node.kernel
        found = kernel.header(_hash_param(blockhash, "blockhash"))
        if found is None:
            raise RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found")
        height, raw = found
        if not verbose:
            return raw.hex()
        tip = kernel.height()
        raws = [kernel.header_at(h) for h in range(height + 1)]
        block = kernel.block_bytes(height)
        n_tx = block[80] if block[80] < 0xFD else int.from_bytes(block[81:83], "little")
        return views.header(
            raw,
            height=height,
            tip_height=tip,
            n_tx=n_tx,
            chain_times=[int.from_bytes(r[68:72], "little") for r in raws],
            chain_bits=[int.from_bytes(r[72:76], "little") for r in raws],
            next_hash=display_hex(kernel.hash_at(height + 1)) if height < tip else None,
        )

    def getblockchaininfo(self) -> dict[str, Any]:
        height = self.node.height()
        return {
            "chain": "regtest",
            "blocks": height,
            "headers": height,
            "bestblockhash": self.getbestblockhash(),
            "initialblockdownload": False,
            "pruned": False,
        }

    # -- transactions -----------------------------------------------------
    def getrawtransaction(self, txid: Any, verbose: Any = False, blockhash: Any = None) -> Any:
        wanted = _hash_param(txid, "parameter 1")
        try:
            info, block_hash, height = self.node.transaction(display_hex(wanted))
        except KeyError:
            raise RpcError(RPC_INVALID_ADDRESS_OR_KEY, NO_SUCH_TX) from None
        if blockhash is not None and (block_hash is None or _hash_param(blockhash, "parameter 3") != block_hash):
            raise RpcError(RPC_INVALID_ADDRESS_OR_KEY, "No such transaction found in the provided block.")
        if not verbose:
            return info.raw.hex()
        view = views.transaction(info)
        if blockhash is not None:
            view = {"in_active_chain": True, **view}
        if block_hash is not None:
            found = self.node.kernel.header(block_hash)
            assert found is not None
            when = int.from_bytes(found[1][68:72], "little")
            view.update(
                blockhash=display_hex(block_hash),
                confirmations=self.node.height() - height + 1,
                time=when,
                blocktime=when,
            )
        return view

    def getrawmempool(self, verbose: Any = False) -> Any:
        entries = self.node.ledger.mempool.values()
        if not verbose:
            return [e.info.txid_hex for e in entries]
        return {e.info.txid_hex: {"vsize": e.info.vsize, "weight": e.info.weight, "fees": {"base": views.btc(e.fee)}} for e in entries}

    def gettxout(self, txid: Any, n: Any, include_mempool: Any = True) -> Any:
        outpoint = (_hash_param(txid, "txid"), _int_param(n))
        ledger = self.node.ledger
        coin = ledger.utxos.get(outpoint)
        if include_mempool:
            if outpoint in ledger.pool_spends:
                return None
            coin = coin or ledger.pool_coin(outpoint)
        if coin is None:
            return None
        return {
            "bestblock": self.getbestblockhash(),
            "confirmations": 0 if coin.height < 0 else self.node.height() - coin.height + 1,
            "value": views.btc(coin.value),
            "scriptPubKey": views.script_pubkey(coin.script),
            "coinbase": coin.coinbase,
        }

    def _max_fee(self, rate: Decimal, vsize: int) -> int:
        return int(rate * COIN * vsize / 1000)

    def sendrawtransaction(self, hexstring: Any, maxfeerate: Any = DEFAULT_MAX_FEE_RATE, maxburnamount: Any = 0) -> str:
        raw = _raw_tx(hexstring)
        rate = _fee_rate_param(maxfeerate)
        info = parse_tx(raw)
        if info.txid in self.node.ledger.mempool:
            return info.txid_hex  # Core: already in the mempool, nothing to do
        try:
            entry = self.node.accept(raw, dry_run=True)
        except Rejection as rejection:
            if rejection.kind == MISSING_INPUTS:
                raise RpcError(RPC_VERIFY_ERROR, str(rejection)) from None
            if rejection.kind == ALREADY_KNOWN:
                raise RpcError(RPC_VERIFY_ALREADY_IN_CHAIN, "Transaction outputs already in utxo set") from None
            raise RpcError(RPC_VERIFY_REJECTED, str(rejection)) from None
        if rate and entry.fee > self._max_fee(rate, info.vsize):
            raise RpcError(RPC_VERIFY_ERROR, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)")
        self.node.admit(entry)  # Methods.call holds the node lock since the check
        return info.txid_hex

    def testmempoolaccept(self, rawtxs: Any, maxfeerate: Any = DEFAULT_MAX_FEE_RATE) -> list[dict[str, Any]]:
        """Each transaction tested on its own against the current mempool;
        with more than one, a conflict is ``bip125-replacement-disallowed``
        as in Core's package test (packages themselves are not modelled)."""
        if not isinstance(rawtxs, list):
            raise RpcError(RPC_TYPE_ERROR, "JSON value is not of expected type array")
        if not 1 <= len(rawtxs) <= 25:
            raise RpcError(RPC_INVALID_PARAMETER, "Array must contain between 1 and 25 transactions.")
        rate = _fee_rate_param(maxfeerate)
        results: list[dict[str, Any]] = []
        for hexstring in rawtxs:
            info = parse_tx(_raw_tx(hexstring))
            result: dict[str, Any] = {"txid": info.txid_hex, "wtxid": display_hex(info.wtxid)}
            try:
                entry = self.node.accept(info.raw, dry_run=True, allow_replacement=len(rawtxs) == 1)
            except Rejection as rejection:
                reason = "missing-inputs" if rejection.kind == MISSING_INPUTS else rejection.reason
                result.update({"allowed": False, "reject-reason": reason, "reject-details": str(rejection)})
            else:
                if rate and entry.fee > self._max_fee(rate, info.vsize):
                    result.update({"allowed": False, "reject-reason": "max-fee-exceeded"})
                else:
                    result.update(
                        allowed=True,
                        vsize=info.vsize,
                        fees={
                            "base": views.btc(entry.fee),
                            "effective-feerate": round(entry.fee * 1000 / info.vsize) / COIN,
                            "effective-includes": [display_hex(info.wtxid)],
                        },
                    )
            results.append(result)
        return results

    # -- fees and mining --------------------------------------------------
    def estimatesmartfee(self, conf_target: Any, estimate_mode: Any = "economical") -> dict[str, Any]:
        target = _int_param(conf_target)
        if not 1 <= target <= 1008:
            raise RpcError(RPC_INVALID_PARAMETER, "Invalid conf_target, must be between 1 and 1008")
        if str(estimate_mode).lower() not in ("unset", "economical", "conservative"):
            raise RpcError(RPC_INVALID_PARAMETER, "Invalid estimate_mode parameter, must be one of: \"unset\", \"economical\", \"conservative\"")
        estimate = self.node.fee_estimate
        if estimate is None:
            return {"errors": ["Insufficient data or no feerate found"], "blocks": 0}
        return {"feerate": float(estimate * 1000 / COIN), "blocks": max(target, 2)}

    def generatetoaddress(self, nblocks: Any, address: Any, maxtries: Any = 1_000_000) -> list[str]:
        count = _int_param(nblocks)
        try:
            script = _address_script(address)
        except ValueError:
            raise RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address") from None
        return self.node.generate(count, to=script)


def _address_script(address: Any) -> bytes:
    if not isinstance(address, str):
        raise ValueError(address)
    return address_to_script(address)
