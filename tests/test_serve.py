"""``enoch serve``: /content/<id> answered the way ord's content_response
answers (content type, Content-Encoding only when accepted, else 406; 404
for unknown ids), / is the loader page, 127.0.0.1 only, Ctrl-C exits 0."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inscriptions.batch.verify import VerifiedBatch
from inscriptions.readback.content import batch_site
from tests.batchkit import small_batch
from toolkit.serve.server import CSP, CSP_RECURSION, accepts, serving

Enoch = Callable[..., Any]


def get(port: int, path: str, accept_encoding: str | None = "gzip, deflate, br") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={} if accept_encoding is None else {"Accept-Encoding": accept_encoding})
        res = conn.getresponse()
        headers: dict[str, str] = {}
        for k, v in res.getheaders():  # a repeated header (ord sends two CSPs) joined by newlines
            headers[k.lower()] = headers[k.lower()] + "\n" + v if k.lower() in headers else v
        return res.status, headers, res.read()
    finally:
        conn.close()


@pytest.fixture
def batch(tmp_path: Path) -> VerifiedBatch:
    return small_batch(tmp_path)


@pytest.mark.parametrize(
    ("header", "ok"),
    [("gzip", True), ("deflate;q=0.5, gzip;q=1.0, br;q=0.8", True), ("br", False), ("", False), (None, False), ("gzipx", False), (" gzip ;q=0", True)],
)
def test_accepts_like_ord(header: str | None, ok: bool) -> None:
    # ord ignores q-values: a listed encoding is acceptable even at q=0.
    assert accepts(header, "gzip") is ok


def test_content_like_ord(batch: VerifiedBatch) -> None:
    site = batch_site(batch)
    root, n = batch.manifest.root.hex(), batch.manifest.tree_size
    with serving(site) as server:
        port = server.server_address[1]
        assert server.server_address[0] == "127.0.0.1"
        status, headers, body = get(port, f"/content/{root}i0")
        assert status == 200 and body == batch.shard_bytes(0)  # the inscribed bytes, never re-encoded
        assert headers["content-encoding"] == "gzip" and headers["content-type"] == batch.manifest.files[0].content_type
        assert headers["cache-control"] == "public, max-age=1209600, immutable"
        assert headers["content-security-policy"].split("\n") == [CSP, CSP_RECURSION]
        status, headers, body = get(port, f"/content/{root}i{n}")
        assert status == 200 and body == batch.manifest_bytes
        assert headers["content-type"] == "application/json" and "content-encoding" not in headers
        assert get(port, f"/content/{root}i0", accept_encoding=None)[0] == 406
        assert get(port, f"/content/{root}i0", accept_encoding="br")[0] == 406
        assert get(port, f"/content/{root}i{n + 1}")[0] == 404
        assert get(port, "/content/nothing")[0] == 404
        assert get(port, "/elsewhere")[0] == 404
        status, headers, body = get(port, "/")
        assert status == 200 and body == site.page and headers["content-type"].startswith("text/html")


def test_serve_command_stops_cleanly_on_ctrl_c(tmp_path: Path, batch: VerifiedBatch) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "serve", str(batch.path), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, line
        status, _, body = get(int(m[1]), "/")
        assert status == 200 and b"data-enoch-done" in body
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and out.strip() == "stopped"


def test_serve_refuses_what_it_cannot_serve(enoch: Enoch, tmp_path: Path, batch: VerifiedBatch) -> None:
    assert enoch("serve", str(tmp_path / "nope")).exit_code == 66
    (tmp_path / "empty").mkdir()
    assert enoch("serve", str(tmp_path / "empty")).exit_code == 2
    (batch.path / "shards" / "000000.gz").write_bytes(b"x")
    res = enoch("serve", str(batch.path))
    assert res.exit_code == 1 and "shard 000000" in res.stderr
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "plan.json").write_text("{}")
    assert enoch("serve", str(plan)).exit_code == 66  # no index.json yet


def test_port_in_use(enoch: Enoch, batch: VerifiedBatch) -> None:
    with serving(batch_site(batch)) as server:
        started = time.monotonic()
        res = enoch("serve", str(batch.path), "--port", str(server.server_address[1]))
    assert res.exit_code == 2 and "cannot listen" in res.stderr and time.monotonic() - started < 10
