"""A tiny bitcoin-cli for the regtest harness (no bitcoin-cli needed)::

    python -m tests.regtest.cli [-named] [-rpcurl=URL] [-rpccookiefile=PATH] METHOD [ARGS...]

The URL and cookie default to ``ENOCH_REGTEST_URL`` and
``ENOCH_BITCOIND_COOKIE``, the lines ``python -m tests.regtest`` prints (and
writes to ``DATADIR/node.env``).  As bitcoin-cli does: arguments are strings
except the parameters Core's client table parses as JSON (numbers, booleans,
arrays, objects); ``-named`` takes ``name=value``; a string result is printed
as is, any other as JSON indented by 2, null as nothing; an RPC error goes to
stderr as ``error code: N`` / ``error message:`` and exits with ``abs(N)``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tests.regtest.client import post

URL_ENV, COOKIE_ENV = "ENOCH_REGTEST_URL", "ENOCH_BITCOIND_COOKIE"

# Parameter names of the methods the harness serves, in order; the starred
# ones are parsed as JSON (Core's vRPCConvertParams), the others are strings.
PARAMS: dict[str, tuple[str, ...]] = {
    "getblockcount": (),
    "getbestblockhash": (),
    "getblockchaininfo": (),
    "getblockhash": ("*height",),
    "getblockheader": ("blockhash", "*verbose"),
    "getrawtransaction": ("txid", "*verbose", "blockhash"),
    "getrawmempool": ("*verbose",),
    "gettxout": ("txid", "*n", "*include_mempool"),
    "sendrawtransaction": ("hexstring", "*maxfeerate", "*maxburnamount"),
    "testmempoolaccept": ("*rawtxs", "*maxfeerate"),
    "estimatesmartfee": ("*conf_target", "estimate_mode"),
    "generatetoaddress": ("*nblocks", "address", "*maxtries"),
    "getnewaddress": ("label", "address_type"),
    "send": ("*outputs", "*conf_target", "estimate_mode", "*fee_rate", "*options"),
    "sendmany": ("dummy", "*amounts", "*minconf", "comment"),
}


class Usage(Exception):
    """A command line this client cannot send."""


def _value(method: str, name: str, index: int | None, text: str) -> Any:
    names = PARAMS.get(method, ())
    starred = f"*{name}" in names if index is None else index < len(names) and names[index].startswith("*")
    if not starred:
        return text
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError:
        raise Usage(f"Error parsing JSON: {text}") from None


def request(argv: Sequence[str]) -> tuple[str, str, str, Any]:
    """(url, cookie path, method, params) from a bitcoin-cli style command line."""
    url, cookie, named = os.environ.get(URL_ENV, ""), os.environ.get(COOKIE_ENV, ""), False
    args = list(argv)
    while args and args[0].startswith("-"):
        option, _, value = args.pop(0).partition("=")
        if option == "-named":
            named = True
        elif option == "-rpcurl" and value:
            url = value
        elif option == "-rpccookiefile" and value:
            cookie = value
        else:
            raise Usage(f"unknown option {option} (-named, -rpcurl=URL, -rpccookiefile=PATH)")
    if not args:
        raise Usage("no method given: python -m tests.regtest.cli [-named] METHOD [ARGS...]")
    if not url or not cookie:
        raise Usage(f"set {URL_ENV} and {COOKIE_ENV} (python -m tests.regtest prints them) or pass -rpcurl= and -rpccookiefile=")
    method, rest = args[0], args[1:]
    params: Any
    if named:
        params = {}
        for item in rest:
            name, eq, text = item.partition("=")
            if not eq:
                raise Usage(f"No '=' in named argument '{item}', this needs to be present for every argument (even if it is empty)")
            params[name] = _value(method, name, None, text)
    else:
        params = [_value(method, "", i, text) for i, text in enumerate(rest)]
    return url, cookie, method, params


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        url, cookie_path, method, params = request(sys.argv[1:] if argv is None else argv)
        with open(cookie_path, encoding="ascii") as fh:
            auth = fh.read().strip()
    except Usage as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read the cookie file {cookie_path}: {exc}", file=sys.stderr)
        return 1
    payload = {"jsonrpc": "1.0", "id": "cli", "method": method, "params": params}
    try:
        status, reply = post(url, json.loads(json.dumps(payload, default=_default)), auth, timeout=60.0)
    except (OSError, ValueError) as exc:
        print(f"error: Could not connect to the server {url} ({exc})", file=sys.stderr)
        return 1
    if status == 401 or not isinstance(reply, dict):
        print(f"error: {'Authorization failed: incorrect cookie' if status == 401 else f'HTTP {status}, no JSON-RPC reply'}", file=sys.stderr)
        return 1
    error = reply.get("error")
    if error:
        print(f"error code: {error['code']}\nerror message:\n{error['message']}", file=sys.stderr)
        return abs(int(error["code"])) % 256 or 1
    result = reply.get("result")
    if result is not None:
        print(result if isinstance(result, str) else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
