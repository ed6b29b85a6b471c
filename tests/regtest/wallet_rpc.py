"""What a user needs instead of a wallet, as Bitcoin Core's wallet RPCs:
``getnewaddress``, ``send`` and ``sendmany`` (one transaction paying
several addresses, from the harness's one-key P2TR wallet that receives
every coinbase).  Amounts are BTC as Core takes them (JSON number or string,
at most 8 decimals); errors use Core's codes and words (wallet/rpc/spend.cpp).

Not modelled: coin control, ``data`` outputs, ``subtractfeefromamount``,
labels, fee estimation (``send`` pays ``fee_rate`` sat/vB, else 2)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from tests.regtest.codec import COIN, address_to_script
from tests.regtest.node import FUND_FEE_RATE, RegtestNode
from tests.regtest.rejection import Rejection
from tests.regtest.rpc import RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER, RPC_TYPE_ERROR, Method, RpcError

# rpc/protocol.h, wallet errors
RPC_WALLET_ERROR = -4
RPC_WALLET_INSUFFICIENT_FUNDS = -6
MAX_MONEY = 21_000_000 * COIN


def amount_sats(value: Any) -> int:
    """Core's AmountFromValue: a JSON number or string of BTC, 8 decimals at most."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float, str)):
        raise RpcError(RPC_TYPE_ERROR, "Amount is not a number or string")
    try:
        btc = Decimal(str(value))
    except InvalidOperation:
        raise RpcError(RPC_TYPE_ERROR, "Invalid amount") from None
    sats = btc * COIN
    if not btc.is_finite() or sats != sats.to_integral_value():
        raise RpcError(RPC_TYPE_ERROR, "Invalid amount")
    if not 0 <= sats <= MAX_MONEY:
        raise RpcError(RPC_TYPE_ERROR, "Amount out of range")
    return int(sats)


def recipients(outputs: Any) -> list[tuple[bytes, int]]:
    """(scriptPubKey, sats) in order from ``{"addr": amount, ...}`` or Core's
    ``send`` form ``[{"addr": amount}, ...]``; every address once."""
    pairs: list[tuple[Any, Any]]
    if isinstance(outputs, Mapping):
        pairs = list(outputs.items())
    elif isinstance(outputs, list) and all(isinstance(o, Mapping) for o in outputs):
        pairs = [pair for o in outputs for pair in o.items()]
    else:
        raise RpcError(RPC_TYPE_ERROR, "JSON value is not an object or array of objects as expected")
    if not pairs:
        raise RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, outputs are empty")
    seen: set[str] = set()
    result: list[tuple[bytes, int]] = []
    for address, amount in pairs:
        if address == "data":
            raise RpcError(RPC_INVALID_PARAMETER, "data outputs are not supported by the regtest harness")
        if address in seen:
            raise RpcError(RPC_INVALID_PARAMETER, f"Invalid parameter, duplicated address: {address}")
        seen.add(address)
        try:
            script = address_to_script(address)
        except ValueError:
            raise RpcError(RPC_INVALID_ADDRESS_OR_KEY, f"Invalid Bitcoin address: {address}") from None
        sats = amount_sats(amount)
        if sats <= 0:
            raise RpcError(RPC_TYPE_ERROR, "Invalid amount for send")
        result.append((script, sats))
    return result


def _sat_per_vb(value: Any) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise RpcError(RPC_TYPE_ERROR, "Amount is not a number or string") from None
    if not rate.is_finite() or not 0 < rate <= 100_000:
        raise RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, fee_rate out of range")
    return rate


class WalletMethods:
    """The wallet RPCs of one node, to merge into :class:`~tests.regtest.rpc.Methods`."""

    def __init__(self, node: RegtestNode) -> None:
        self.node = node
        self.table: dict[str, Method] = {
            "getnewaddress": self.getnewaddress,
            "send": self.send,
            "sendmany": self.sendmany,
        }

    def _pay(self, outputs: Any, fee_rate: Any = None) -> str:
        rate = Decimal(FUND_FEE_RATE) if fee_rate is None else _sat_per_vb(fee_rate)
        paid = recipients(outputs)
        try:
            return self.node.pay(paid, fee_rate=rate).txid_hex
        except RuntimeError:
            raise RpcError(RPC_WALLET_INSUFFICIENT_FUNDS, "Insufficient funds") from None
        except Rejection as rejection:
            raise RpcError(RPC_WALLET_ERROR, f"Transaction rejected: {rejection}") from None

    def getnewaddress(self, label: Any = "", address_type: Any = None) -> str:
        """The wallet's one P2TR address (``bcrt1p…``) whatever is asked."""
        return self.node.wallet.address

    def send(
        self, outputs: Any, conf_target: Any = None, estimate_mode: Any = None, fee_rate: Any = None, options: Any = None
    ) -> dict[str, Any]:
        """One transaction paying every output; ``{"txid", "complete": true}``,
        in the mempool (not mined). ``conf_target``/``estimate_mode`` are
        accepted and ignored; ``options`` must be empty."""
        if options:
            raise RpcError(RPC_INVALID_PARAMETER, "the regtest harness's send takes no options")
        return {"txid": self._pay(outputs, fee_rate), "complete": True}

    def sendmany(self, dummy: Any, amounts: Any, minconf: Any = None, comment: Any = None) -> str:
        """``sendmany "" {"addr": amount, ...}``: the txid."""
        if dummy != "":
            raise RpcError(RPC_INVALID_PARAMETER, 'Dummy value must be set to ""')
        if not isinstance(amounts, Mapping):
            raise RpcError(RPC_TYPE_ERROR, "JSON value is not an object as expected")
        return self._pay(amounts)
