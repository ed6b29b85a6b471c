"""The HTTP server behind ``enoch serve``: ``/`` is the loader page and
``/content/<id>`` serves an inscription the way ord's ``content_response``
does (ord, src/subcommand/server.rs):

* ``Content-Type``: the inscription's content type, else
  ``application/octet-stream``;
* ``Content-Encoding``: the inscription's encoding, sent only when the
  request's ``Accept-Encoding`` lists it (ord compares each comma-separated
  token, parameters such as ``;q=`` stripped); otherwise ``406 Not
  Acceptable``; the body always goes out as inscribed, never re-encoded;
* ord's ``Content-Security-Policy`` and ``Cache-Control`` headers;
* ``404`` for an unknown id.

It listens on 127.0.0.1 only: a preview is for the user's own browser.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from inscriptions.readback.content import Site

HOST = "127.0.0.1"
#: ord's two Content-Security-Policy headers for /content (no --csp-origin;
#: a browser enforces both), and its cache header.
CSP = "default-src 'self' 'unsafe-eval' 'unsafe-inline' data: blob:"
CSP_RECURSION = (
    "default-src *:*/content/ *:*/blockheight *:*/blockhash *:*/blockhash/ *:*/blocktime *:*/r/ "
    "'unsafe-eval' 'unsafe-inline' data: blob:"
)
CACHE_CONTROL = "public, max-age=1209600, immutable"


def accepts(accept_encoding: str | None, encoding: str) -> bool:
    """ord's ``AcceptEncoding::is_acceptable``."""
    return any(token.split(";")[0].strip() == encoding for token in (accept_encoding or "").split(","))


class _Handler(BaseHTTPRequestHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"

    def _send(self, status: int, body: bytes, headers: dict[str, str], csp: bool = False) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if csp:  # the loader page is itself an inscription under ord: the same policy
            self.send_header("Content-Security-Policy", CSP)
            self.send_header("Content-Security-Policy", CSP_RECURSION)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        site = self.server.site
        if path in ("/", "/index.html"):
            self._send(200, site.page, {"Content-Type": "text/html;charset=utf-8"}, csp=True)
            return
        served = site.contents.get(path[len("/content/") :]) if path.startswith("/content/") else None
        if served is None:
            self._send(404, b"not found\n", {"Content-Type": "text/plain;charset=utf-8"})
            return
        headers = {
            "Cache-Control": CACHE_CONTROL,
            "Content-Type": served.content_type or "application/octet-stream",
        }
        if served.content_encoding is not None:
            if not accepts(self.headers.get("Accept-Encoding"), served.content_encoding):
                self._send(406, f"inscription content encoding `{served.content_encoding}` is not acceptable\n".encode(), {"Content-Type": "text/plain;charset=utf-8"})
                return
            headers["Content-Encoding"] = served.content_encoding
        self._send(200, served.body, headers, csp=True)

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet: stderr is for the user's diagnostics
        return


class SiteServer(ThreadingHTTPServer):
    """A threading HTTP server for one :class:`Site`, bound to 127.0.0.1."""

    daemon_threads = True

    def __init__(self, site: Site, port: int = 0) -> None:
        self.site = site
        super().__init__((HOST, port), _Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"


@contextmanager
def serving(site: Site, port: int = 0) -> Iterator[SiteServer]:
    """Serve ``site`` from a background thread (tests and embedding); stopped on exit."""
    server = SiteServer(site, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
