"""toolkit.sources.http against hostile servers on 127.0.0.1 (issue 12,
defects 1 and 2): a total deadline per attempt, a body cap, no redirects,
garbage JSON is exit 69, and a failed poll under --wait does not end it."""

from __future__ import annotations

import itertools
import socket
import json
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from inscriptions.transactions.fees import gate
from tests.conftest import CliResult
from tests.hostile_http import answer, hostile, trickle
from tests.httpfake import Reply, serve
from toolkit.core.errors import SourceUnavailableError
from toolkit.sources.feesources import BitcoindSource, MempoolSource
from toolkit.sources.http import HttpPolicy, JsonRpc, RpcError, attempt_deadline, parse_json, request

MEMPOOL = json.dumps({"fastestFee": 12, "halfHourFee": 8, "hourFee": 6, "economyFee": 3, "minimumFee": 1}).encode()
OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"


def policy(timeout: float = 0.5, attempts: int = 3) -> HttpPolicy:
    return HttpPolicy(timeout=timeout, attempts=attempts, backoff=0.05, sleep=time.sleep)


def test_trickled_headers_hit_the_total_deadline() -> None:
    # One byte every 0.1 s: each read is quick, so a per-read timeout never
    # fires; only a total deadline ends the attempt.  The whole answer would
    # arrive after ~10 s; 3 attempts of 0.5 s must end in well under that.
    full = OK_HEAD % len(MEMPOOL) + MEMPOOL
    with hostile(trickle(full, 0.1)) as (url, accepted):
        start = time.monotonic()
        with pytest.raises(SourceUnavailableError, match=r"timed out.*3 attempts"):
            MempoolSource(url, "hourFee", policy()).fetch()
        elapsed = time.monotonic() - start
    assert len(accepted) == 3
    assert elapsed < 3 * 0.5 + 0.05 + 0.1 + 0.6  # attempts x deadline + backoff + slack


def test_trickled_body_hits_the_total_deadline() -> None:
    def slow_body() -> Iterator[bytes]:
        for byte in MEMPOOL:
            time.sleep(0.1)
            yield bytes([byte])

    with hostile(answer(OK_HEAD % len(MEMPOOL), slow_body)) as (url, _):
        start = time.monotonic()
        with pytest.raises(SourceUnavailableError, match="timed out"):
            MempoolSource(url, "hourFee", policy(attempts=2)).fetch()
        assert time.monotonic() - start < 2 * 0.5 + 0.05 + 0.6


def test_trickled_body_without_length_is_not_taken_as_complete() -> None:
    # Without Content-Length the body ends at EOF; the EOF the watchdog forces
    # must not turn a cut-off body into a (shorter) answer.
    def slow_body() -> Iterator[bytes]:
        yield b'{"hourFee": 6'
        time.sleep(2)
        yield b"}"

    head = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n"
    with hostile(answer(head, slow_body)) as (url, _):
        with pytest.raises(SourceUnavailableError, match="timed out"):
            request(url, policy(timeout=0.3, attempts=1))


def test_declared_length_over_the_cap_is_refused_unread() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n"
    with hostile(answer(head, lambda: iter([b"x" * 1000]))) as (url, accepted):
        with pytest.raises(SourceUnavailableError, match="more than 1048576 bytes"):
            MempoolSource(url, "hourFee", policy()).fetch()
    assert len(accepted) == 1  # refused, not retried


def test_endless_body_stops_at_the_cap() -> None:
    head = b"HTTP/1.0 200 OK\r\n\r\n"
    with hostile(answer(head, lambda: itertools.repeat(b"[" * 65536))) as (url, _):
        with pytest.raises(SourceUnavailableError, match="more than 4096 bytes"):
            request(url, policy(), max_body=4096)


def test_connection_refused_is_retried_then_unavailable() -> None:
    with hostile(lambda _c: None) as (url, _):
        pass
    with pytest.raises(SourceUnavailableError, match="3 attempts"):
        request(url, policy())


DEEP = b"[" * 100_000 + b"]" * 100_000
BIG_INT = b"9" * 5000


@pytest.mark.parametrize(
    "body",
    [
        DEEP,
        b'{"hourFee": ' + DEEP + b"}",
        b'{"hourFee": ' + BIG_INT + b"}",
        b'{"hourFee": 1e9999999999999999999}',
        b'{"hourFee": -1e9999999999999999999}',
        b'{"hourFee": 1' + b"0" * 4999 + b".5}",
        b'{"hourFee": NaN}',
        b"\xff\xfe",
    ],
)
def test_garbage_json_from_mempool_is_unavailable(body: bytes) -> None:
    with serve(Reply(body=body)) as (url, _):
        with pytest.raises(SourceUnavailableError, match="not JSON"):
            MempoolSource(url, "hourFee", policy()).fetch()


@pytest.mark.parametrize(
    "feerate", [b"1e9999999999999999999", BIG_INT, b"[" * 100_000 + b"]" * 100_000]
)
def test_garbage_json_from_bitcoind_is_unavailable(feerate: bytes) -> None:
    body = b'{"result": {"feerate": ' + feerate + b', "blocks": 2}, "error": null, "id": "enoch"}'
    with serve(Reply(body=body)) as (url, _):
        with pytest.raises(SourceUnavailableError, match="not JSON"):
            BitcoindSource(url, 2, policy(), environ={}).fetch()


@pytest.mark.parametrize("body", [DEEP, b'{"hourFee": 1e9999999999999999999}', b'{"hourFee": ' + BIG_INT + b"}"])
def test_cli_garbage_fee_answer_exits_69(enoch: Callable[..., CliResult], body: bytes) -> None:
    with serve(Reply(body=body)) as (url, _):
        result = enoch("fees", "--fee-source", f"mempool:{url}", "--json")
    assert result.exit_code == 69, result.stdout + result.stderr
    assert json.loads(result.stdout)["error"]["code"] == "source_unavailable"


def test_one_garbage_poll_under_wait_is_reported_and_the_wait_goes_on() -> None:
    high = json.dumps({"hourFee": 9}).encode()
    low = json.dumps({"hourFee": 2}).encode()
    reports: list[str] = []
    with serve(Reply(body=high), Reply(body=DEEP), Reply(body=b'{"hourFee": 1e9999999999999999999}'), Reply(body=low)) as (
        url,
        script,
    ):
        source = MempoolSource(url, "hourFee", policy())
        rate = gate(source.fetch, Decimal(5), wait=True, poll_interval=0.01, timeout=30, sleep=lambda _s: None, report=reports.append)
    assert rate == 2 and len(script.requests) == 4
    assert sum("not JSON" in r and "still waiting" in r for r in reports) == 2


def test_redirects_are_never_followed_even_without_credentials() -> None:
    with serve(Reply(body=MEMPOOL)) as (other, elsewhere):
        with serve(Reply(301, b"", headers={"Location": other + "/api/v1/fees/recommended"})) as (url, _):
            with pytest.raises(SourceUnavailableError, match="redirects to .* give the final URL"):
                MempoolSource(url, "hourFee", policy()).fetch()
    assert elsewhere.requests == []


def test_rpc_error_object_keeps_code_and_message() -> None:
    body = json.dumps({"result": None, "error": {"code": -26, "message": "min relay fee not met"}, "id": "enoch"})
    with serve(Reply(500, body.encode())) as (url, script):
        with pytest.raises(RpcError) as caught:
            JsonRpc(url, policy(), environ={"ENOCH_BITCOIND_AUTH": "u:p"}).call("sendrawtransaction", "00")
    assert caught.value.rpc_code == -26 and caught.value.rpc_message == "min relay fee not met"
    assert caught.value.exit_code == 69 and len(script.requests) == 1  # a 500 is an answer: not retried
    assert json.loads(script.requests[0][3]) == {"jsonrpc": "1.0", "id": "enoch", "method": "sendrawtransaction", "params": ["00"]}


@pytest.mark.parametrize("text", [b"1" * 101, b"1." + b"1" * 100, b"Infinity", b"-Infinity"])
def test_parse_json_refuses_numbers_nobody_sends(text: bytes) -> None:
    with pytest.raises(SourceUnavailableError):
        parse_json(text, "x")


def test_parse_json_keeps_decimals_exact() -> None:
    assert parse_json(b'{"a": 0.00001, "b": 12}', "x") == {"a": Decimal("0.00001"), "b": 12}


def test_cli_wait_reports_a_garbage_poll_and_goes_on(enoch: Callable[..., CliResult]) -> None:
    high, low = json.dumps({"halfHourFee": 9}).encode(), json.dumps({"halfHourFee": 2}).encode()
    with serve(Reply(body=high), Reply(body=b'{"halfHourFee": ' + BIG_INT + b"}"), Reply(body=low)) as (url, script):
        result = enoch("fees", "--fee-source", f"mempool:{url}", "--wait", "--poll-interval", "0.1", "--timeout", "20", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["fee_rate"] == "2" and len(script.requests) == 3
    assert "not JSON" in result.stderr and "still waiting" in result.stderr


def test_tls_certificate_not_trusted_is_unavailable(tmp_path: Path) -> None:
    # An https source whose certificate does not verify: exit 69 naming TLS, never a traceback.
    import datetime
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(MEMPOOL)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        with pytest.raises(SourceUnavailableError, match="TLS failed"):
            MempoolSource(f"https://127.0.0.1:{server.server_address[1]}", "hourFee", policy(attempts=1)).fetch()
    finally:
        server.shutdown()
        server.server_close()


def test_large_transfers_get_time_for_their_size_small_ones_do_not() -> None:
    pol = policy(timeout=0.5)
    assert attempt_deadline(pol, 1 << 20, None) == 0.5  # fee sources: exactly the timeout
    assert attempt_deadline(pol, 1 << 20, b"x" * 200_000) == 0.5 + 2.0
    assert attempt_deadline(pol, (1 << 20) + 300_000, None) == 0.5 + 3.0

    def steady() -> Iterator[bytes]:  # 120 kB in 12 chunks over ~1.2 s: slower than 0.5 s, faster than 100 kB/s
        for _ in range(12):
            time.sleep(0.1)
            yield b"0" * 10_000

    head = OK_HEAD % 120_000
    with hostile(answer(head, steady)) as (url, _):
        with pytest.raises(SourceUnavailableError, match="timed out"):
            request(url, policy(timeout=0.5, attempts=1))
    with hostile(answer(head, steady)) as (url, _):
        got = request(url, policy(timeout=0.5, attempts=1), max_body=(1 << 20) + 200_000)
    assert got.status == 200 and len(got.body) == 120_000


def test_https_goes_through_the_environment_proxy_as_a_tunnel_http_never(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    def proxy(conn: socket.socket) -> None:  # records the request line, then refuses
        conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")

    for name in ("no_proxy", "NO_PROXY", "http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with hostile(proxy, record=seen) as (proxy_url, _):
        monkeypatch.setenv("https_proxy", proxy_url)
        monkeypatch.setenv("http_proxy", proxy_url)  # ignored: plain http is always direct
        with pytest.raises(SourceUnavailableError, match="1 attempts"):
            request("https://mempool.example:8443/api/v1/fees/recommended", policy(attempts=1))
        with serve(Reply(body=MEMPOOL)) as (direct, script):
            assert request(direct + "/x", policy(attempts=1)).body == MEMPOOL
    assert seen and seen[0].startswith(b"CONNECT mempool.example:8443 HTTP/1.")
    assert b"/api/v1/fees" not in b"".join(seen) and len(seen) == 1 and len(script.requests) == 1
