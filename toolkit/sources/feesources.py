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

HTTP uses urllib only.  Each request has a timeout; connection failures,
timeouts and HTTP 429/502/503/504 are retried with exponential backoff; then
:class:`SourceUnavailableError` (exit 69).  An answer that is not a positive
finite number is an error too, never a fee of 0.
"""

from __future__ import annotations

import atexit
import base64
import http.client
import json
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from toolkit.core.errors import InputMissingError, SourceUnavailableError, UsageError

#: --priority name -> (mempool.space field, confirmation target in blocks)
PRIORITIES: dict[str, tuple[str, int]] = {
    "fastest": ("fastestFee", 1),
    "halfhour": ("halfHourFee", 3),
    "hour": ("hourFee", 6),
    "economy": ("economyFee", 144),
    "minimum": ("minimumFee", 1008),
}
DEFAULT_PRIORITY = "halfhour"
_RETRY_STATUS = frozenset({429, 502, 503, 504})
_MAX_BODY = 1 << 20
_IMPLAUSIBLE = Decimal(10) ** 9  # in the unit the source answers (sat/vB, BTC/kvB or sat/kB)
_NEGLIGIBLE = Decimal(10) ** -8  # below 1e-8 in any of those units an answer is garbage, not a rate


class FeeSource(Protocol):
    """Something that answers the current fee rate in sat/vB."""

    name: str

    def fetch(self) -> Decimal: ...


@dataclass(frozen=True)
class HttpPolicy:
    """Timeout per request, number of attempts and backoff base (seconds)."""

    timeout: float = 10.0
    attempts: int = 3
    backoff: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep)


def _check_url(url: str, what: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # raises ValueError for a non-numeric or out-of-range port
        (parts.hostname or "").encode("idna")  # urllib would fail on it later (UnicodeError)
    except ValueError:  # UnicodeError is a ValueError
        raise UsageError(f"{what}: {url!r} is not a valid URL") from None
    if any(c.isspace() or not c.isprintable() for c in url):
        raise UsageError(f"{what}: {url!r} is not a valid URL (whitespace or control characters)")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{what} needs an http(s) URL, got {url!r}")
    if parts.username is not None or parts.password is not None:
        raise UsageError(f"{what}: do not put credentials in the URL (argv is visible to other users); use the environment")
    return url.rstrip("/")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would resend the Authorization header (the
    bitcoind credentials) to wherever the server points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECT_OPENER = urllib.request.build_opener(_NoRedirect)


def http_request(
    url: str, policy: HttpPolicy, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """Fetch ``url`` with retries; returns (status, body) for any final HTTP answer."""
    last = "no attempt made"
    for attempt in range(max(1, policy.attempts)):
        if attempt:
            policy.sleep(policy.backoff * 2 ** (attempt - 1))
        req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
        opener = _NO_REDIRECT_OPENER.open if "Authorization" in (headers or {}) else urllib.request.urlopen
        try:
            with opener(req, timeout=policy.timeout) as resp:  # noqa: S310 (scheme checked)
                return int(resp.status), resp.read(_MAX_BODY + 1)
        except urllib.error.HTTPError as exc:
            body = exc.read(_MAX_BODY + 1) if exc.fp is not None else b""
            if exc.code not in _RETRY_STATUS:
                return exc.code, body
            last = f"HTTP {exc.code}"
        except (TimeoutError, socket.timeout):
            last = f"timed out after {policy.timeout:g} s"
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = "timed out" if isinstance(reason, (TimeoutError, socket.timeout)) else f"{reason}"
        except http.client.HTTPException as exc:  # not HTTP at all, or a broken answer
            last = f"broken HTTP answer ({type(exc).__name__})"
    raise SourceUnavailableError(f"{url}: {last} ({policy.attempts} attempts)")


def _json(body: bytes, what: str) -> Any:
    if len(body) > _MAX_BODY:
        raise SourceUnavailableError(f"{what} answered more than {_MAX_BODY} bytes")
    try:
        return json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SourceUnavailableError(f"{what} answered something that is not JSON") from None


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

    def _auth(self) -> str | None:
        # Credentials stay bytes (Basic auth is base64 of bytes): a cookie
        # file or variable that is not UTF-8 is sent as given, never a crash.
        cookie = self.environ.get("ENOCH_BITCOIND_COOKIE")
        if cookie:
            try:
                creds = Path(cookie).read_bytes().strip()
            except OSError as exc:
                raise InputMissingError(f"cannot read bitcoind cookie file {cookie}: {exc.strerror}") from None
        else:
            creds = os.fsencode(self.environ.get("ENOCH_BITCOIND_AUTH", ""))
        if not creds:
            return None
        return "Basic " + base64.b64encode(creds).decode("ascii")

    def fetch(self) -> Decimal:
        request = {"jsonrpc": "1.0", "id": "enoch", "method": "estimatesmartfee", "params": [self.conf_target]}
        headers = {"Content-Type": "application/json"}
        auth = self._auth()
        if auth:
            headers["Authorization"] = auth
        status, body = http_request(self.url, self.policy, data=json.dumps(request).encode(), headers=headers)
        if 300 <= status < 400:
            raise SourceUnavailableError(
                f"bitcoind at {self.url} answered a redirect (HTTP {status}); credentials are never sent to a "
                "redirect target: give the final URL"
            )
        if status == 401:
            raise SourceUnavailableError(
                f"bitcoind at {self.url} refused the credentials (set ENOCH_BITCOIND_COOKIE or ENOCH_BITCOIND_AUTH)"
            )
        answer = _json(body, f"bitcoind at {self.url}")
        if not isinstance(answer, dict):
            raise SourceUnavailableError(f"bitcoind at {self.url} answered an unexpected JSON shape")
        error = answer.get("error")
        if error:
            message = error.get("message", error) if isinstance(error, dict) else error
            raise SourceUnavailableError(f"bitcoind at {self.url}: {message}")
        if status != 200:
            raise SourceUnavailableError(f"bitcoind at {self.url}: HTTP {status}")
        result = answer.get("result")
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
        status, body = http_request(endpoint, self.policy, headers={"Accept": "application/json"})
        if status != 200:
            raise SourceUnavailableError(f"{endpoint}: HTTP {status}")
        answer = _json(body, endpoint)
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
            service = factory(network=self.network, timeout=self.timeout)
            fee = service.estimatefee(blocks=self.blocks)
        except Exception as exc:  # bitcoinlib raises many types; all mean "no answer"
            raise SourceUnavailableError(f"bitcoinlib ({self.network}) failed: {type(exc).__name__}: {exc}") from None
        # bitcoinlib falls back to a built-in default fee when no provider
        # answers; a default is not an estimate, so it is refused.
        if not getattr(service, "results", None) and not getattr(service, "results_cache_n", 0):
            raise SourceUnavailableError(f"bitcoinlib ({self.network}): no provider answered")
        return positive_rate(fee, f"bitcoinlib ({self.network}) estimate") / 1000


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
        return BitcoindSource(_check_url(arg, "bitcoind"), target, pol)
    if kind == "mempool":
        return MempoolSource(_check_url(arg, "mempool"), field_name, pol)
    if kind == "bitcoinlib":
        if arg not in _BITCOINLIB_NETWORKS:
            raise UsageError(f"bitcoinlib network {arg!r} unknown; choose one of {', '.join(_BITCOINLIB_NETWORKS)}")
        return BitcoinlibSource(_BITCOINLIB_NETWORKS[arg], target, pol.timeout)
    raise UsageError(f"unknown fee source kind {kind!r}; use bitcoind:, mempool: or bitcoinlib:")
