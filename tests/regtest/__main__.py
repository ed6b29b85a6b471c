"""A local regtest node in the foreground::

    python -m tests.regtest [--port P] [--datadir D] [--blocks N] [--idle-timeout S]

Mines ``--blocks`` (default 101, so the wallet's first coinbase is
spendable), serves JSON-RPC on 127.0.0.1 (``--port`` 0, the default, takes a
free port), prints the URL, the cookie path and the ``export`` lines to paste
into another shell, and writes the same lines to ``D/node.env``.  Ctrl-C
(or SIGTERM) stops it, and so do ``--idle-timeout`` seconds without a request;
the cookie and ``node.env`` are removed then.

Every start is a new chain (the harness keeps its UTXO set in memory): a
datadir this command made before is emptied; any other non-empty directory
is refused (exit 2), as is one whose node still answers."""

from __future__ import annotations

import argparse
import math
import shlex
import shutil
import signal
import sys
from pathlib import Path
from types import FrameType

from tests.regtest.client import post
from tests.regtest.harness import Regtest

MARKER = ".enoch-regtest"  # names a datadir this command may empty
ENV_FILE = "node.env"


class Refused(Exception):
    pass


def _still_running(datadir: Path) -> bool:
    env = datadir / ENV_FILE
    if not env.is_file():
        return False
    for line in env.read_text().splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[1].startswith("ENOCH_REGTEST_URL="):
            try:
                post(words[1].partition("=")[2], {}, None, timeout=2.0)
            except (OSError, ValueError):
                return False
            return True
    return False


def fresh_datadir(datadir: Path) -> None:
    """Make ``datadir`` an empty directory of ours, or raise :class:`Refused`."""
    if datadir.exists() and not datadir.is_dir():
        raise Refused(f"{datadir} is not a directory")
    if datadir.is_dir() and any(datadir.iterdir()):
        if not (datadir / MARKER).is_file():
            raise Refused(f"{datadir} is not empty and was not made by python -m tests.regtest; choose another --datadir")
        if _still_running(datadir):
            raise Refused(f"a regtest node still answers for {datadir}; stop it (Ctrl-C) first")
        shutil.rmtree(datadir)
    datadir.mkdir(parents=True, exist_ok=True)
    (datadir / MARKER).write_text("a regtest harness datadir: emptied by the next python -m tests.regtest\n")


def env_lines(harness: Regtest) -> str:
    return (
        f"export ENOCH_BITCOIND_COOKIE={shlex.quote(str(harness.cookie_path.resolve()))}\n"
        f"export ENOCH_REGTEST_URL={shlex.quote(harness.url)}\n"
    )


def _stop_on(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.regtest", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0, help="RPC port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--datadir", type=Path, default=Path("regtest-node"), help="chain directory (default ./regtest-node)")
    parser.add_argument("--blocks", type=int, default=101, help="blocks to mine at start (101: one spendable coinbase)")
    parser.add_argument("--idle-timeout", type=float, default=900.0, help="stop after this many seconds without a request")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535 or args.blocks < 0 or not args.idle_timeout > 0:
        parser.error("--port 0..65535, --blocks >= 0, --idle-timeout > 0")
    try:
        fresh_datadir(args.datadir)
        harness = Regtest(args.datadir, premine=args.blocks, idle_timeout=args.idle_timeout, lifetime=math.inf, port=args.port)
    except (Refused, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop_on)
    signal.signal(signal.SIGINT, _stop_on)  # also when started in the background of a script
    env = args.datadir / ENV_FILE
    try:
        env.write_text(env_lines(harness))
        print(f"regtest node (libbitcoinkernel): {args.blocks} blocks, wallet {harness.node.wallet.address}")
        print(f"url:    {harness.url}\ncookie: {harness.cookie_path.resolve()}")
        print(f"paste into another shell (or run: . {shlex.quote(str(env))}):\n{env_lines(harness)}", end="")
        print(f"Ctrl-C stops it; so do {args.idle_timeout:g} s without a request.", flush=True)
        while not harness.server.join(0.5):
            pass
        print("stopped: idle timeout", flush=True)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        harness.stop()
        env.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
