"""Fee sources against local HTTP servers speaking the real JSON shapes."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.httpfake import Reply, serve
from toolkit.core.errors import InputMissingError, SourceUnavailableError, UsageError
from toolkit.sources.feesources import BitcoindSource, BitcoinlibSource, HttpPolicy, MempoolSource, parse_fee_source

FAST = HttpPolicy(timeout=0.3, attempts=3, backoff=0.0, sleep=lambda _s: None)
MEMPOOL = json.dumps({"fastestFee": 12, "halfHourFee": 8, "hourFee": 6, "economyFee": 3, "minimumFee": 1.5}).encode()


def rpc(result: Any, error: Any = None) -> bytes:
    return json.dumps({"result": result, "error": error, "id": "enoch"}).encode()


@pytest.mark.parametrize("priority,expected", [("fastest", "12"), ("halfhour", "8"), ("economy", "3"), ("minimum", "1.5")])
def test_mempool_priorities(priority: str, expected: str) -> None:
    with serve(Reply(body=MEMPOOL)) as (url, script):
        rate = parse_fee_source(f"mempool:{url}/", priority=priority, policy=FAST).fetch()
    assert rate == Decimal(expected)
    assert script.requests[0][:2] == ("GET", "/api/v1/fees/recommended")


def test_mempool_retries_503_then_succeeds() -> None:
    sleeps: list[float] = []
    policy = HttpPolicy(timeout=1, attempts=3, backoff=0.5, sleep=sleeps.append)
    with serve(Reply(503), Reply(503), Reply(body=MEMPOOL)) as (url, script):
        assert MempoolSource(url, "hourFee", policy).fetch() == 6
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]  # exponential backoff


def test_mempool_503_forever_is_unavailable() -> None:
    with serve(Reply(503)) as (url, script):
        with pytest.raises(SourceUnavailableError, match="HTTP 503"):
            MempoolSource(url, "hourFee", FAST).fetch()
    assert len(script.requests) == 3


def test_timeout_is_unavailable() -> None:
    with serve(Reply(body=MEMPOOL, delay=1.0)) as (url, _):
        with pytest.raises(SourceUnavailableError, match="timed out"):
            MempoolSource(url, "hourFee", HttpPolicy(timeout=0.2, attempts=2, backoff=0, sleep=lambda _s: None)).fetch()


def test_connection_refused_is_unavailable() -> None:
    with serve(Reply()) as (url, _):
        pass  # server closed: nothing listens any more
    with pytest.raises(SourceUnavailableError):
        MempoolSource(url, "hourFee", FAST).fetch()


@pytest.mark.parametrize(
    "body",
    [
        b"<html>garbage</html>",
        b"",
        b"[]",
        json.dumps({"hourFee": -1}).encode(),
        json.dumps({"hourFee": 0}).encode(),
        json.dumps({"hourFee": "5"}).encode(),
        json.dumps({"hourFee": None}).encode(),
        json.dumps({"hourFee": True}).encode(),
        json.dumps({"fastestFee": 3}).encode(),
        b'{"hourFee": NaN}',
        b'{"hourFee": Infinity}',
        b'{"hourFee": 1e400}',
        b'{"hourFee": 1e-30}',  # not 0, but garbage all the same
        b'{"hourFee": 1e-1000000}',
    ],
)
def test_mempool_garbage_is_error_never_zero(body: bytes) -> None:
    with serve(Reply(body=body)) as (url, _):
        with pytest.raises(SourceUnavailableError):
            MempoolSource(url, "hourFee", FAST).fetch()


def test_mempool_404_not_retried() -> None:
    with serve(Reply(404, b"not found")) as (url, script):
        with pytest.raises(SourceUnavailableError, match="HTTP 404"):
            MempoolSource(url, "hourFee", FAST).fetch()
    assert len(script.requests) == 1


def test_bitcoind_estimatesmartfee_with_user_pass_from_env() -> None:
    with serve(Reply(body=rpc({"feerate": 0.00004321, "blocks": 3}))) as (url, script):
        source = BitcoindSource(url, 3, FAST, environ={"ENOCH_BITCOIND_AUTH": "alice:s3cret"})
        assert source.fetch() == Decimal("4.321")  # exact: BTC/kvB * 100000, no float rounding
    method, _path, headers, body = script.requests[0]
    assert method == "POST"
    assert json.loads(body)["method"] == "estimatesmartfee" and json.loads(body)["params"] == [3]
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"alice:s3cret").decode()


def test_bitcoind_cookie_file(tmp_path: Path) -> None:
    cookie = tmp_path / ".cookie"
    cookie.write_text("__cookie__:abc123\n")
    with serve(Reply(body=rpc({"feerate": 0.0001, "blocks": 2}))) as (url, script):
        assert BitcoindSource(url, 1, FAST, environ={"ENOCH_BITCOIND_COOKIE": str(cookie)}).fetch() == 10
    assert script.requests[0][2]["Authorization"] == "Basic " + base64.b64encode(b"__cookie__:abc123").decode()
    with pytest.raises(InputMissingError):
        BitcoindSource(url, 1, FAST, environ={"ENOCH_BITCOIND_COOKIE": str(tmp_path / "none")}).fetch()


def test_bitcoind_credentials_that_are_not_utf8_are_sent_as_bytes(tmp_path: Path) -> None:
    # A cookie file of arbitrary bytes was a UnicodeDecodeError (exit 70).
    cookie = tmp_path / ".cookie"
    cookie.write_bytes(b"u:\xff\xfe\n")
    env_auth = "u:" + b"\xff".decode("utf-8", "surrogateescape")  # os.environ's form of a non-UTF-8 value
    for environ in ({"ENOCH_BITCOIND_COOKIE": str(cookie)}, {"ENOCH_BITCOIND_AUTH": env_auth}):
        with serve(Reply(body=rpc({"feerate": 0.0001, "blocks": 2}))) as (url, script):
            assert BitcoindSource(url, 1, FAST, environ=environ).fetch() == 10
        raw = b"u:\xff\xfe" if "ENOCH_BITCOIND_COOKIE" in environ else b"u:\xff"
        assert script.requests[0][2]["Authorization"] == "Basic " + base64.b64encode(raw).decode()


def test_bitcoind_credentials_never_follow_a_redirect() -> None:
    answer = rpc({"feerate": 0.00002, "blocks": 3})
    with serve(Reply(body=answer)) as (other, elsewhere):
        with serve(Reply(302, b"", headers={"Location": other + "/steal"})) as (url, _):
            with pytest.raises(SourceUnavailableError, match="redirect"):
                BitcoindSource(url, 3, FAST, environ={"ENOCH_BITCOIND_AUTH": "alice:s3cret"}).fetch()
    assert elsewhere.requests == []


@pytest.mark.parametrize(
    "reply,match",
    [
        (Reply(body=rpc({"errors": ["Insufficient data or no feerate found"], "blocks": 0})), "Insufficient data"),
        (Reply(500, rpc(None, {"code": -32601, "message": "Method not found"})), "Method not found"),
        (Reply(401, b""), "credentials"),
        (Reply(body=rpc({"feerate": -1, "blocks": 2})), "not a positive"),
        (Reply(body=rpc({"feerate": 0, "blocks": 2})), "not a positive"),
        (Reply(body=b"garbage"), "not JSON"),
        (Reply(body=rpc("nonsense")), "no fee estimate"),
    ],
)
def test_bitcoind_errors(reply: Reply, match: str) -> None:
    with serve(reply) as (url, _):
        with pytest.raises(SourceUnavailableError, match=match):
            BitcoindSource(url, 3, FAST, environ={}).fetch()


@pytest.mark.parametrize(
    "spec",
    ["bitcoind", "bitcoind:", "ftp:x", "mempool:ftp://x", "bitcoind:http://user:pw@127.0.0.1:8332", "bitcoinlib:dogecoin"],
)
def test_bad_specs(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_fee_source(spec)


def test_credentials_in_url_refused_with_hint() -> None:
    with pytest.raises(UsageError, match="credentials"):
        parse_fee_source("bitcoind:http://u:p@127.0.0.1:8332")


class FakeService:
    def __init__(self, fee: Any, answered: bool) -> None:
        self.fee, self.results, self.results_cache_n = fee, ({"x": fee} if answered else {}), 0

    def estimatefee(self, blocks: int) -> Any:
        return self.fee


def test_bitcoinlib_sat_per_kb() -> None:
    src = BitcoinlibSource("bitcoin", 3, service_factory=lambda **_: FakeService(4500, True))
    assert src.fetch() == Decimal("4.5")


@pytest.mark.parametrize("fee,answered", [(4500, False), (0, True), (-5, True), (None, True), ("x", True)])
def test_bitcoinlib_default_or_garbage_refused(fee: Any, answered: bool) -> None:
    src = BitcoinlibSource("bitcoin", 3, service_factory=lambda **_: FakeService(fee, answered))
    with pytest.raises(SourceUnavailableError):
        src.fetch()


def test_bitcoinlib_exception_is_unavailable() -> None:
    def boom(**_: Any) -> Any:
        raise RuntimeError("no providers")

    with pytest.raises(SourceUnavailableError, match="no providers"):
        BitcoinlibSource("bitcoin", 3, service_factory=boom).fetch()


def test_bitcoinlib_kept_out_of_home(tmp_path: Path) -> None:
    code = (
        "from toolkit.sources.feesources import isolate_bitcoinlib_home; isolate_bitcoinlib_home();"
        "import bitcoinlib.services.services, os; print(os.environ['BCL_DATA_DIR'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "BCL_DATA_DIR"} | {"HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert not (tmp_path / ".bitcoinlib").exists()
    assert not proc.stdout.strip().startswith(str(tmp_path))
    assert not os.path.exists(proc.stdout.strip())  # the private directory is removed at exit


def test_server_not_speaking_http_is_unavailable() -> None:
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)

    def answer() -> None:
        for _ in range(3):
            conn, _addr = srv.accept()
            conn.recv(1024)
            conn.sendall(b"SSH-2.0-OpenSSH\r\ngarbage\r\n\r\n")
            conn.close()

    threading.Thread(target=answer, daemon=True).start()
    url = f"http://127.0.0.1:{srv.getsockname()[1]}"
    try:
        with pytest.raises(SourceUnavailableError, match="broken HTTP answer"):
            MempoolSource(url, "hourFee", FAST).fetch()
    finally:
        srv.close()


@pytest.mark.parametrize(
    "spec",
    [
        "mempool:http://[::1", "mempool:http://host:port", "mempool:http://host:99999",
        "mempool:http://" + "a" * 70 + ".invalid",  # IDNA label too long: was a UnicodeError, exit 70
        "mempool:http://127.0.0.1:1/a b", "bitcoind:http://127.0.0.1:1/\x00",
    ],
)  # fmt: skip
def test_invalid_urls_are_usage_errors(spec: str) -> None:
    with pytest.raises(UsageError, match="not a valid URL"):
        parse_fee_source(spec)


def test_bitcoinlib_that_never_answers_is_bounded() -> None:
    # bitcoinlib's timeout is per provider request; a provider trickling its
    # answer kept `enoch fees` waiting without bound.  The whole estimate has a deadline.
    import threading
    import time

    release = threading.Event()

    class Stuck(FakeService):
        def estimatefee(self, blocks: int) -> Any:
            release.wait(10)
            return self.fee

    src = BitcoinlibSource("bitcoin", 3, service_factory=lambda **_: Stuck(4500, True), deadline=0.3)
    start = time.monotonic()
    try:
        with pytest.raises(SourceUnavailableError, match=r"no answer within 0.3 s"):
            src.fetch()
        assert time.monotonic() - start < 2
    finally:
        release.set()
