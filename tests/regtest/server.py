"""Bitcoin Core's JSON-RPC over HTTP on 127.0.0.1, in a thread.

Basic auth with ``user:password`` or the cookie file (``__cookie__:<hex>``,
mode 0600, removed at stop).  JSON-RPC 1.0 style errors use Core's legacy
HTTP statuses (500, 404 method not found, 400 invalid request); "2.0"
requests always get 200.  The server stops itself after ``idle_timeout``
seconds without a request or ``lifetime`` seconds in all.  ``port`` 0
(the default) takes a free one."""

from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.regtest.rpc import (
    RPC_INVALID_REQUEST,
    RPC_METHOD_NOT_FOUND,
    RPC_MISC_ERROR,
    RPC_PARSE_ERROR,
    Methods,
    RpcError,
)

COOKIE_USER = "__cookie__"


class RpcServer:
    def __init__(
        self,
        methods: Methods,
        datadir: Path,
        *,
        user: str = "enoch",
        password: str | None = None,
        idle_timeout: float = 60.0,
        lifetime: float = 600.0,
        port: int = 0,
    ) -> None:
        self.methods = methods
        self.user = user
        self.password = password or secrets.token_hex(16)
        self.cookie_path = datadir / ".cookie"
        self._cookie = f"{COOKIE_USER}:{secrets.token_hex(32)}"
        fd = os.open(self.cookie_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self._cookie)
        self.idle_timeout, self.lifetime = idle_timeout, lifetime
        self.started = self.last_request = time.monotonic()
        self.requests = 0
        self._stopped = threading.Event()
        self._done = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/"
        self._serve = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._watchdog = threading.Thread(target=self._watch, daemon=True)
        self._serve.start()
        self._watchdog.start()

    @property
    def auth(self) -> str:
        """``user:password`` for ENOCH_BITCOIND_AUTH."""
        return f"{self.user}:{self.password}"

    @property
    def running(self) -> bool:
        return not self._stopped.is_set()

    def authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            given = base64.b64decode(header[6:], validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return False
        return any(hmac.compare_digest(given, good) for good in (self.auth, self._cookie))

    def _watch(self) -> None:
        while not self._stopped.wait(0.1):
            now = time.monotonic()
            if now - self.last_request > self.idle_timeout or now - self.started > self.lifetime:
                self.stop()

    def stop(self) -> None:
        """Stop serving (idempotent; safe from any thread)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self.cookie_path.unlink(missing_ok=True)
        self._done.set()

    def join(self, timeout: float) -> bool:
        """Wait until stopped (by anyone); True if it is."""
        if not self._done.wait(timeout):
            return False
        self._serve.join(timeout)
        return not self._serve.is_alive()

    # -- JSON-RPC ---------------------------------------------------------
    def reply(self, request: Any) -> tuple[int, Any]:
        """(HTTP status, reply object) for one request object."""
        if not isinstance(request, dict):
            return 400, _error_reply(None, RpcError(RPC_INVALID_REQUEST, "Invalid Request object"), False)
        version2 = request.get("jsonrpc") == "2.0"
        rid = request.get("id")
        try:
            result = self.methods.call(request.get("method"), request.get("params"))
        except RpcError as exc:
            status = 404 if exc.code == RPC_METHOD_NOT_FOUND else 400 if exc.code == RPC_INVALID_REQUEST else 500
            return (200 if version2 else status), _error_reply(rid, exc, version2)
        except Exception as exc:  # a kernel refusal while mining, say
            return (200 if version2 else 500), _error_reply(rid, RpcError(RPC_MISC_ERROR, str(exc)), version2)
        if version2:
            return 200, {"jsonrpc": "2.0", "result": result, "id": rid}
        return 200, {"result": result, "error": None, "id": rid}


def _error_reply(rid: Any, exc: RpcError, version2: bool) -> dict[str, Any]:
    error = {"code": exc.code, "message": exc.message}
    if version2:
        return {"jsonrpc": "2.0", "error": error, "id": rid}
    return {"result": None, "error": error, "id": rid}


def _handler_for(server: RpcServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def _send(self, status: int, body: bytes, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            server.last_request = time.monotonic()
            self._send(405, b"JSONRPC server handles only POST requests")

        def do_POST(self) -> None:
            server.last_request = time.monotonic()
            server.requests += 1
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if not server.authorized(self.headers.get("Authorization")):
                self._send(401, b"", {"WWW-Authenticate": 'Basic realm="jsonrpc"'})
                return
            reply: Any
            try:
                request = json.loads(body, parse_float=Decimal)  # amounts exact, as Core parses them
            except ValueError:
                status, reply = 500, _error_reply(None, RpcError(RPC_PARSE_ERROR, "Parse error"), False)
            else:
                if isinstance(request, list):
                    status, reply = 200, [server.reply(r)[1] for r in request]
                else:
                    status, reply = server.reply(request)
            self._send(status, (json.dumps(reply) + "\n").encode())

    return Handler
