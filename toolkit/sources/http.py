"""The one HTTP and JSON-RPC client of enoch's online sources (SPEC I "Fee
ceiling", SPEC T "Nodes"): fee sources and nodes both go through it.

Guarantees (each one a hardening decision, see issue 12 defects 1 and 2):

* **A total deadline per attempt.**  ``HttpPolicy.timeout`` bounds connect +
  request + headers + body together, not each socket read: a watchdog shuts
  the socket down when the deadline passes, and the body loop checks the wall
  clock between chunks.  A server trickling one byte every 5 s cannot keep an
  attempt alive; 3 attempts at the default 10 s end in about 31.5 s (10 + 0.5
  + 10 + 1 + 10).  Only requests that may move more than the default 1 MiB
  (a transaction sent or fetched) get more time, at 100 kB/s for the excess
  (:func:`attempt_deadline`).  (Name resolution is the one step a socket cannot bound;
  nodes are usually given by address.)
* **A body size cap** (``max_body``); a larger answer is refused unread.
* **Retries with exponential backoff** for connection failures, timeouts and
  HTTP 429/502/503/504; other answers are returned to the caller.
* **Proxies for https only** (``https_proxy``/``no_proxy``), as a CONNECT
  tunnel: see :func:`https_proxy`.
* **No redirects, ever.**  A redirect would resend the credentials to
  wherever the server points; the caller is told to give the final URL.
* **Credentials from the environment only**: ``ENOCH_BITCOIND_COOKIE`` (path
  of bitcoind's ``.cookie``) or ``ENOCH_BITCOIND_AUTH`` (``user:password``),
  never argv, never the URL.
* **JSON that cannot hurt**: every garbage answer (not UTF-8, not JSON, nested
  100,000 deep, a 5,000-digit integer, ``1e9999999999999999999``) is
  :class:`SourceUnavailableError` (exit 69, "source gave garbage"), never a
  crash.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from toolkit.core.errors import SourceUnavailableError, UsageError
from toolkit.core.fsio import read_input

RETRY_STATUS = frozenset({429, 502, 503, 504})
DEFAULT_MAX_BODY = 1 << 20
#: A JSON number longer than this is garbage from any source we talk to (a
#: fee rate, a height, an amount): refused before int()/Decimal() see it.
_MAX_NUMBER_TEXT = 100
_CHUNK = 1 << 16


@dataclass(frozen=True)
class HttpPolicy:
    """Total deadline per attempt (s), attempts, backoff base (s), body cap (bytes)."""

    timeout: float = 10.0
    attempts: int = 3
    backoff: float = 0.5
    max_body: int = DEFAULT_MAX_BODY
    sleep: Callable[[float], None] = field(default=time.sleep)


@dataclass(frozen=True)
class HttpAnswer:
    """A final HTTP answer: status, body and the ``Location`` header if any."""

    status: int
    body: bytes
    location: str | None = None


def check_url(url: str, what: str) -> str:
    """An http(s) URL without credentials, whitespace or control characters (trailing ``/`` dropped)."""
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # raises ValueError for a non-numeric or out-of-range port
        (parts.hostname or "").encode("idna")  # would fail later (UnicodeError)
    except ValueError:  # UnicodeError is a ValueError
        raise UsageError(f"{what}: {url!r} is not a valid URL") from None
    if any(c.isspace() or not c.isprintable() for c in url):
        raise UsageError(f"{what}: {url!r} is not a valid URL (whitespace or control characters)")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{what} needs an http(s) URL, got {url!r}")
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            f"{what}: do not put credentials in the URL (argv is visible to other users); use the environment"
        )
    return url.rstrip("/")


class _Timeout(Exception):
    """The attempt's total deadline passed."""


class _TooLarge(Exception):
    """The answer is larger than the cap."""


def https_proxy(host: str) -> tuple[str, int] | None:
    """The ``https_proxy`` of the environment for ``host`` (honouring
    ``no_proxy``), as (host, port); None for a direct connection.

    Decision: only https goes through a proxy, as a CONNECT tunnel, so the
    proxy sees the destination host and port, never a request, an answer or
    the bitcoind credentials.  Plain http is always direct."""
    proxy = urllib.request.getproxies().get("https")
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
    try:
        port = parts.port or 8080
    except ValueError:
        return None
    return (parts.hostname, port) if parts.scheme == "http" and parts.hostname else None


def _attempt(url: str, method: str, data: bytes | None, headers: Mapping[str, str], timeout: float, cap: int) -> HttpAnswer:
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "", parts.port
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        proxy = https_proxy(host)
        if proxy is None:
            conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPSConnection(*proxy, timeout=timeout, context=ssl.create_default_context())
            conn.set_tunnel(host, port)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    fired = threading.Event()

    def abort() -> None:
        # Runs on the watchdog thread: unblock whatever read is pending.
        fired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    deadline = time.monotonic() + timeout
    watchdog = threading.Timer(timeout, abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            conn.connect()
            # The watchdog cannot reach a socket that did not exist yet: if
            # the deadline passed during connect, stop here; otherwise no
            # single read may outlast what is left.
            left = deadline - time.monotonic()
            if fired.is_set() or left <= 0 or conn.sock is None:
                raise _Timeout
            conn.sock.settimeout(left)
            conn.request(method, path, body=data, headers=dict(headers))
            resp = conn.getresponse()
            declared = resp.getheader("Content-Length")
            if declared is not None and declared.strip().isdigit() and int(declared) > cap:
                raise _TooLarge
            chunks: list[bytes] = []
            size = 0
            while True:
                if fired.is_set() or time.monotonic() >= deadline:
                    raise _Timeout
                chunk = resp.read1(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise _TooLarge
                chunks.append(chunk)
        except (OSError, http.client.HTTPException):
            # A read cut short by the watchdog surfaces as EOF or a reset.
            if fired.is_set():
                raise _Timeout from None
            raise
        if fired.is_set():  # an EOF forced by the watchdog is not the end of the body
            raise _Timeout
        return HttpAnswer(int(resp.status), b"".join(chunks), resp.getheader("Location"))
    finally:
        watchdog.cancel()
        conn.close()


#: Slowest transfer rate still waited for (bytes/s), beyond the default body
#: cap: a 4 MB transaction (8 MB of hex) may take 80 s more on a slow link.
MIN_RATE = 100_000


def attempt_deadline(policy: HttpPolicy, cap: int, data: bytes | None) -> float:
    """The total deadline of one attempt: ``policy.timeout``, plus time to
    move an upload or an allowed body larger than the default cap at
    :data:`MIN_RATE` (fee sources keep exactly ``policy.timeout``)."""
    extra = max(0, cap - DEFAULT_MAX_BODY) + (len(data) if data else 0)
    return policy.timeout + extra / MIN_RATE


def request(
    url: str,
    policy: HttpPolicy,
    *,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    max_body: int | None = None,
    method: str | None = None,
) -> HttpAnswer:
    """One HTTP exchange with retries.  Returns the final answer (any status
    but the retried ones); raises :class:`SourceUnavailableError` when no
    attempt got an answer or the answer is over the size cap."""
    cap = policy.max_body if max_body is None else max_body
    verb = method or ("POST" if data is not None else "GET")
    budget = attempt_deadline(policy, cap, data)
    last = "no attempt made"
    attempts = max(1, policy.attempts)
    for attempt in range(attempts):
        if attempt:
            policy.sleep(policy.backoff * 2 ** (attempt - 1))
        try:
            answer = _attempt(url, verb, data, headers or {}, budget, cap)
        except _TooLarge:
            raise SourceUnavailableError(f"{url}: answered more than {cap} bytes") from None
        except _Timeout:
            last = f"timed out (no complete answer within {budget:g} s)"
            continue
        except (TimeoutError, socket.timeout):
            last = f"timed out after {budget:g} s"
            continue
        except ssl.SSLError as exc:
            last = f"TLS failed ({exc.reason or exc})"
            continue
        except http.client.HTTPException as exc:  # not HTTP at all, or a broken answer
            last = f"broken HTTP answer ({type(exc).__name__})"
            continue
        except (ConnectionError, OSError) as exc:
            last = exc.strerror or str(exc) or type(exc).__name__
            continue
        if answer.status in RETRY_STATUS:
            last = f"HTTP {answer.status}"
            continue
        return answer
    raise SourceUnavailableError(f"{url}: {last} ({attempts} attempts)")


def _number(text: str, kind: Callable[[str], Any]) -> Any:
    if len(text) > _MAX_NUMBER_TEXT:
        raise ValueError("number too long")
    return kind(text)


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON number")


def parse_json(body: bytes, what: str) -> Any:
    """Strict JSON (numbers with a fraction or exponent as Decimal); any
    garbage is :class:`SourceUnavailableError` naming ``what``."""
    try:
        return json.loads(
            body.decode("utf-8"),
            parse_float=lambda t: _number(t, Decimal),
            parse_int=lambda t: _number(t, int),
            parse_constant=_no_constant,
        )
    # RecursionError: absurdly deep nesting; ValueError covers JSONDecodeError,
    # UnicodeDecodeError and over-long numbers; InvalidOperation: exponents
    # Decimal cannot hold.
    except (RecursionError, ValueError, InvalidOperation):
        raise SourceUnavailableError(f"{what} answered something that is not JSON within limits (source gave garbage)") from None


#: A bitcoind cookie file is about 75 bytes; anything over 4 KiB is not one.
MAX_COOKIE_BYTES = 4096


def bitcoind_auth(environ: Mapping[str, str]) -> str | None:
    """The ``Authorization`` header value from ``ENOCH_BITCOIND_COOKIE`` or
    ``ENOCH_BITCOIND_AUTH`` (never argv), or None."""
    # Credentials stay bytes (Basic auth is base64 of bytes): a cookie file or
    # variable that is not UTF-8 is sent as given, never a crash.
    cookie = environ.get("ENOCH_BITCOIND_COOKIE")
    if cookie:
        # Bounded read: a cookie is "__cookie__:" and 64 hex digits.
        creds = read_input(cookie, what="bitcoind cookie file", limit=MAX_COOKIE_BYTES).strip()
    else:
        creds = os.fsencode(environ.get("ENOCH_BITCOIND_AUTH", ""))
    if not creds:
        return None
    return "Basic " + base64.b64encode(creds).decode("ascii")


class RpcError(SourceUnavailableError):
    """bitcoind answered a JSON-RPC error object (``code``, ``rpc_message``)."""

    def __init__(self, message: str, rpc_code: int | None = None, rpc_message: str = "") -> None:
        super().__init__(message)
        self.rpc_code = rpc_code
        self.rpc_message = rpc_message

    def _init_args(self) -> tuple[Any, ...]:
        return (self.message, self.rpc_code, self.rpc_message)


@dataclass
class JsonRpc:
    """bitcoind JSON-RPC 1.0 over :func:`request`."""

    url: str
    policy: HttpPolicy = field(default_factory=HttpPolicy)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    def call(self, method: str, *params: Any, max_body: int | None = None) -> Any:
        """The ``result`` of ``method(params)``; an error object is :class:`RpcError`."""
        payload = {"jsonrpc": "1.0", "id": "enoch", "method": method, "params": list(params)}
        headers = {"Content-Type": "application/json"}
        auth = bitcoind_auth(self.environ)
        if auth:
            headers["Authorization"] = auth
        answer = request(self.url, self.policy, data=json.dumps(payload).encode(), headers=headers, max_body=max_body)
        where = f"bitcoind at {self.url}"
        if 300 <= answer.status < 400:
            raise SourceUnavailableError(
                f"{where} answered a redirect (HTTP {answer.status}); credentials are never sent to a "
                "redirect target: give the final URL"
            )
        if answer.status == 401:
            raise SourceUnavailableError(f"{where} refused the credentials (set ENOCH_BITCOIND_COOKIE or ENOCH_BITCOIND_AUTH)")
        reply = parse_json(answer.body, where)
        if not isinstance(reply, dict):
            raise SourceUnavailableError(f"{where} answered an unexpected JSON shape")
        error = reply.get("error")
        if error:
            code = error.get("code") if isinstance(error, dict) else None
            text = error.get("message", error) if isinstance(error, dict) else error
            text = text if isinstance(text, str) else repr(text)
            raise RpcError(f"{where}: {method}: {text}", code if isinstance(code, int) else None, text)
        if answer.status != 200:
            raise SourceUnavailableError(f"{where}: {method}: HTTP {answer.status}")
        if "result" not in reply:
            raise SourceUnavailableError(f"{where}: {method}: answer has no result")
        return reply["result"]


def redirect_hint(answer: HttpAnswer) -> str:
    """``"; it redirects to LOCATION: give the final URL"`` for a 3xx answer, else ``""``."""
    if 300 <= answer.status < 400:
        where = repr(answer.location) if answer.location else "elsewhere"
        return f"; it redirects to {where} (redirects are never followed): give the final URL"
    return ""
