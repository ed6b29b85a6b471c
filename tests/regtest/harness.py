"""One object for a test: a kernel-backed regtest node and its RPC server."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.regtest.client import call
from tests.regtest.node import RegtestNode
from tests.regtest.rpc import Methods
from tests.regtest.server import RpcServer
from tests.regtest.wallet_rpc import WalletMethods


class Regtest:
    """``node`` (chain, mempool, wallet) + ``server`` (JSON-RPC).

    ``url``, ``auth`` (user:password), ``cookie_path``; ``mine(n)``,
    ``mine_txs(raws)``, ``fund(addr, sats)``, ``rpc(method, *params)``,
    ``fee_rate`` (what estimatesmartfee answers, sat/vB), ``stop()``."""

    def __init__(
        self, datadir: Path, *, premine: int = 0, idle_timeout: float = 60.0, lifetime: float = 600.0, port: int = 0
    ) -> None:
        datadir.mkdir(parents=True, exist_ok=True)
        self.node = RegtestNode(datadir)
        methods = Methods(self.node)
        methods.table.update(WalletMethods(self.node).table)
        self.server = RpcServer(methods, datadir, idle_timeout=idle_timeout, lifetime=lifetime, port=port)
        if premine:
            self.node.generate(premine)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def auth(self) -> str:
        return self.server.auth

    @property
    def cookie_path(self) -> Path:
        return self.server.cookie_path

    @property
    def fee_rate(self) -> Decimal | None:
        return self.node.fee_estimate

    @fee_rate.setter
    def fee_rate(self, rate: Decimal | float | str | None) -> None:
        self.node.fee_estimate = None if rate is None else Decimal(str(rate))

    def mine(self, n: int = 1, *, to: str | bytes | None = None) -> list[str]:
        """Mine ``n`` blocks (the first one takes the mempool)."""
        return self.node.generate(n, to=to)

    def mine_txs(self, raws: list[bytes | str]) -> str:
        """Mine exactly ``raws`` into one block, unchecked by mempool policy."""
        return self.node.mine(raws)

    def fund(self, address_or_script: str | bytes, sats: int, *, confirm: bool = True) -> tuple[str, int]:
        return self.node.fund(address_or_script, sats, confirm=confirm)

    def rpc(self, method: str, *params: Any) -> Any:
        return call(self.url, self.auth, method, *params)

    def stop(self) -> None:
        self.server.stop()
        self.node.close()
