"""Hostile HTTP servers on 127.0.0.1 (raw sockets): each accepted connection
is handed to a behaviour function on its own thread.  The server stops when
the ``with`` block ends; behaviours give up after ``lifetime`` seconds, so
nothing outlives a test for long."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Behaviour = Callable[[socket.socket], None]


@contextmanager
def hostile(behaviour: Behaviour, record: list[bytes] | None = None) -> Iterator[tuple[str, list[float]]]:
    """Yield (base URL, list of connection times); ``record`` collects what each connection sent first."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.05)
    stop = threading.Event()
    accepted: list[float] = []

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                first = conn.recv(65536)  # the request (small enough to arrive at once)
                if record is not None:
                    record.append(first)
                behaviour(conn)
            except OSError:
                pass

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(time.monotonic())
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join()
        srv.close()


def trickle(data: bytes, every: float) -> Behaviour:
    """Send ``data`` one byte at a time, one every ``every`` seconds."""

    def run(conn: socket.socket) -> None:
        for i in range(len(data)):
            conn.sendall(data[i : i + 1])
            time.sleep(every)

    return run


def answer(head: bytes, body_chunks: Callable[[], Iterator[bytes]], lifetime: float = 3.0) -> Behaviour:
    """Send ``head`` then chunks from ``body_chunks()`` until it ends or ``lifetime`` passes."""

    def run(conn: socket.socket) -> None:
        conn.sendall(head)
        end = time.monotonic() + lifetime
        for chunk in body_chunks():
            if time.monotonic() > end:
                return
            conn.sendall(chunk)

    return run
