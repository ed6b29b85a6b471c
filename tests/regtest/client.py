"""A minimal JSON-RPC client for tests (urllib, 127.0.0.1 only)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any


class RpcFailure(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        self.status, self.code, self.message = status, code, message
        super().__init__(f"HTTP {status}, RPC error {code}: {message}")


def post(url: str, payload: Any, auth: str | None, timeout: float = 10.0) -> tuple[int, Any]:
    """(HTTP status, decoded body or None) of one POST."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("the test client talks to 127.0.0.1 only")
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if auth is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, (json.loads(body) if body.strip() else None)


def call(url: str, auth: str, method: str, *params: Any) -> Any:
    """``result`` of a JSON-RPC 1.0 call, or :class:`RpcFailure`."""
    status, reply = post(url, {"jsonrpc": "1.0", "id": "t", "method": method, "params": list(params)}, auth)
    if reply is None:
        raise RpcFailure(status, 0, "empty reply")
    if reply.get("error"):
        raise RpcFailure(status, reply["error"]["code"], reply["error"]["message"])
    return reply["result"]
