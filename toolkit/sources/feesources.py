"""Online fee-rate sources for ``--fee-source`` (SPEC I, "Fee ceiling").

``bitcoind:URL``   JSON-RPC ``estimatesmartfee``; BTC/kvB x 100,000 = sat/vB.
                   Credentials never come from argv: ``ENOCH_BITCOIND_COOKIE``
                   (path of bitcoind's ``.cookie``) or ``ENOCH_BITCOIND_AUTH``
                   (``user:password``).
``mempool:URL``    REST ``URL/api/v1/fees/recommended``; field chosen by
                   ``--priority``.
``bitcoinlib:NET`` bitcoinlib's ``Service.estimatefee`` (sat/kB), imported
                   only here; its data directory is a private temporary
                   directory unless ``BCL_DATA_DIR`` is set.

HTTP goes through :mod:`toolkit.sources.http` (the one client shared with the
nodes): a total deadline per attempt, a body cap, retries with backoff, no
redirects, then :class:`SourceUnavailableError` (exit 69).  An answer that is
not a positive finite number is an error too, never a fee of 0.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from toolkit.core.errors import SourceUnavailableError, UsageError
from toolkit.sources.http import HttpPolicy, JsonRpc, check_url, parse_json, redirect_hint, request

__all__ = ["HttpPolicy", "FeeSource", "BitcoindSource", "MempoolSource", "BitcoinlibSource", "parse_fee_source"]

T = TypeVar("T")

#: --priority name -> (mempool.space field, confirmation target in blocks)
PRIORITIES: dict[str, tuple[str, int]] = {
    "fastest": ("fastestFee", 1),
    "halfhour": ("halfHourFee", 3),
    "hour": ("hourFee", 6),
    "economy": ("economyFee", 144),
    "minimum": ("minimumFee", 1008),
}
DEFAULT_PRIORITY = "halfhour"
_IMPLAUSIBLE = Decimal(10) ** 9  # in the unit the source answers (sat/vB, BTC/kvB or sat/kB)
_NEGLIGIBLE = Decimal(10) ** -8  # below 1e-8 in any of those units an answer is garbage, not a rate


class FeeSource(Protocol):
    """Something that answers the current fee rate in sat/vB."""

    name: str

    def fetch(self) -> Decimal: ...


def positive_rate(value: Any, what: str) -> Decimal:
    """A finite positive Decimal from a JSON number; anything else is an error."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise SourceUnavailableError(f"{what} is missing or not a number ({value!r})")
    rate = Decimal(value)
    if not rate.is_finite() or rate <= 0:
        raise SourceUnavailableError(f"{what} is not a positive fee rate ({value})")
    if rate > _IMPLAUSIBLE:
        raise SourceUnavailableError(f"{what} is implausibly large ({value})")
    if rate < _NEGLIGIBLE or rate.as_tuple().exponent < -20:  # type: ignore[operator]
        raise SourceUnavailableError(f"{what} is not a plausible fee rate ({value})")
    return rate


@dataclass
class BitcoindSource:
    """``estimatesmartfee`` over bitcoind JSON-RPC (``bitcoind:URL``)."""

    url: str
    conf_target: int
    policy: HttpPolicy = field(default_factory=HttpPolicy)
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    name: str = "bitcoind"

    def fetch(self) -> Decimal:
        result = JsonRpc(self.url, self.policy, self.environ).call("estimatesmartfee", self.conf_target)
        if not isinstance(result, dict) or "feerate" not in result:
            errors = result.get("errors") if isinstance(result, dict) else None
            raise SourceUnavailableError(f"bitcoind at {self.url} has no fee estimate ({errors or result!r})")
        return positive_rate(result["feerate"], "bitcoind feerate") * 100_000


@dataclass
class MempoolSource:
    """The mempool.space REST fee estimate (``mempool:URL``)."""

    url: str
    field_name: str
    policy: HttpPolicy = field(default_factory=HttpPolicy)
    name: str = "mempool"

    def fetch(self) -> Decimal:
        endpoint = self.url + "/api/v1/fees/recommended"
        reply = request(endpoint, self.policy, headers={"Accept": "application/json"})
        if reply.status != 200:
            raise SourceUnavailableError(f"{endpoint}: HTTP {reply.status}" + redirect_hint(reply))
        answer = parse_json(reply.body, endpoint)
        if not isinstance(answer, dict):
            raise SourceUnavailableError(f"{endpoint} answered an unexpected JSON shape")
        return positive_rate(answer.get(self.field_name), f"{endpoint} field {self.field_name}")


def isolate_bitcoinlib_home() -> None:
    """Point bitcoinlib at a private temporary data directory unless the user
    configured one; bitcoinlib otherwise creates ~/.bitcoinlib on import."""
    if not os.environ.get("BCL_DATA_DIR"):
        private = tempfile.mkdtemp(prefix="enoch-bitcoinlib-")
        os.environ["BCL_DATA_DIR"] = private
        atexit.register(shutil.rmtree, private, ignore_errors=True)  # its cache and log, not the user's


@dataclass
class BitcoinlibSource:
    """bitcoinlib's fee estimate (``bitcoinlib:NETWORK``)."""

    network: str
    blocks: int
    timeout: float = 10.0
    service_factory: Callable[..., Any] | None = None
    name: str = "bitcoinlib"
    #: bitcoinlib's own timeout is per request and it asks several providers in
    #: turn: the whole estimate gets the same bound as three HTTP attempts.
    deadline: float = 32.0

    def fetch(self) -> Decimal:
        factory = self.service_factory
        if factory is None:
            isolate_bitcoinlib_home()
            try:
                from bitcoinlib.services.services import Service
            except Exception as exc:  # bitcoinlib failing to import is a source failure
                raise SourceUnavailableError(f"bitcoinlib is unavailable: {exc}") from None
            factory = Service
        try:
            service, fee = _within(self.deadline, lambda: _estimate(factory, self.network, self.timeout, self.blocks))
        except TimeoutError:
            raise SourceUnavailableError(f"bitcoinlib ({self.network}): no answer within {self.deadline:g} s") from None
        except Exception as exc:  # bitcoinlib raises many types; all mean "no answer"
            raise SourceUnavailableError(f"bitcoinlib ({self.network}) failed: {type(exc).__name__}: {exc}") from None
        # bitcoinlib falls back to a built-in default fee when no provider
        # answers; a default is not an estimate, so it is refused.
        if not getattr(service, "results", None) and not getattr(service, "results_cache_n", 0):
            raise SourceUnavailableError(f"bitcoinlib ({self.network}): no provider answered")
        return positive_rate(fee, f"bitcoinlib ({self.network}) estimate") / 1000


def _estimate(factory: Callable[..., Any], network: str, timeout: float, blocks: int) -> tuple[Any, Any]:
    service = factory(network=network, timeout=timeout)
    return service, service.estimatefee(blocks=blocks)


def _within(seconds: float, work: Callable[[], T]) -> T:
    """``work()`` on a daemon thread; :class:`TimeoutError` if it is not done in
    ``seconds`` (the thread is abandoned: a stuck provider cannot be interrupted,
    but it no longer holds the command)."""
    box: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            box.append(work())
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TimeoutError
    if failure:
        raise failure[0]
    return box[0]


_BITCOINLIB_NETWORKS = {"mainnet": "bitcoin", "bitcoin": "bitcoin", "testnet": "testnet", "signet": "signet"}


def parse_fee_source(spec: str, *, priority: str = DEFAULT_PRIORITY, policy: HttpPolicy | None = None) -> FeeSource:
    """Build the source named by ``--fee-source`` (``KIND:ARG``)."""
    if priority not in PRIORITIES:
        raise UsageError(f"unknown priority {priority!r}; choose one of {', '.join(PRIORITIES)}")
    field_name, target = PRIORITIES[priority]
    kind, sep, arg = spec.partition(":")
    if not sep or not arg:
        raise UsageError(f"fee source {spec!r} must look like bitcoind:URL, mempool:URL or bitcoinlib:NETWORK")
    pol = policy or HttpPolicy()
    if kind == "bitcoind":
        return BitcoindSource(check_url(arg, "bitcoind"), target, pol)
    if kind == "mempool":
        return MempoolSource(check_url(arg, "mempool"), field_name, pol)
    if kind == "bitcoinlib":
        if arg not in _BITCOINLIB_NETWORKS:
            raise UsageError(f"bitcoinlib network {arg!r} unknown; choose one of {', '.join(_BITCOINLIB_NETWORKS)}")
        return BitcoinlibSource(_BITCOINLIB_NETWORKS[arg], target, pol.timeout)
    raise UsageError(f"unknown fee source kind {kind!r}; use bitcoind:, mempool: or bitcoinlib:")
