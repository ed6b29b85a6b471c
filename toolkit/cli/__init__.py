"""The ``enoch`` command line: the root group, lazy sub-command loading and
the single place where errors become exit codes (SPEC C).

Sub-commands live in ``toolkit/cli/<group>.py`` and are imported only when used, so
that offline commands start fast and never import the transaction stack or
bitcoinlib.  Commands return a :class:`toolkit.cli.render.Result`; :func:`run`
renders it.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from toolkit import __version__
from toolkit.core.errors import EXIT_NOINPUT, EXIT_SOFTWARE, EXIT_TABLE, EXIT_USAGE, EnochError
from toolkit.cli.lazy import LazyGroup
from toolkit.cli.render import Result, render, render_enoch_error, render_error

#: command name -> "module:attribute" of its click command.
COMMANDS: dict[str, str] = {
    "pack": "toolkit.cli.batch:pack",
    "verify": "toolkit.cli.batch:verify",
    "verify-shard": "toolkit.cli.batch:verify_shard",
    "unpack": "toolkit.cli.batch:unpack",
    "fees": "toolkit.cli.fees:fees",
    "inscribe": "toolkit.cli.inscribe:inscribe",
    "header": "toolkit.cli.randomness:header",
    "hexagram": "toolkit.cli.randomness:hexagram",
    "random": "toolkit.cli.randomness:random_cmd",
    "vrf": "toolkit.cli.vrf:vrf",
    "draw": "toolkit.cli.draw:draw",
    "serve": "toolkit.cli.serve:serve",
}

_EPILOG = "Exit codes:\n\n\b\n" + "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_TABLE)


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    epilog=_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="enoch")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
def cli(debug: bool) -> None:
    """enoch: deterministic on-chain content and randomness for Bitcoin."""


def _json_requested(args: Sequence[str]) -> bool:
    # --json is a per-command flag, but errors raised while click parses the
    # command line must honour it too, so it is detected here from argv.
    head = args[: list(args).index("--")] if "--" in args else args
    return "--json" in head


def run(args: Sequence[str]) -> int:
    """Run the CLI with ``args``; return the exit status."""
    json_mode = _json_requested(args)
    debug = "--debug" in args
    try:
        rv: Any = cli.main(args=list(args), prog_name="enoch", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        render_error("aborted", "aborted", json_mode=json_mode)
        return 130
    except click.FileError as exc:
        render_error("input_missing", exc.format_message(), json_mode=json_mode)
        return EXIT_NOINPUT
    except click.ClickException as exc:
        if json_mode:
            # click lays some messages out over lines ("Choose from:\n\tmainnet,..."): one line here.
            render_error("usage_error", exc.format_message().replace("\n\t", " "), json_mode=True)
        else:
            exc.show()
        return EXIT_USAGE if exc.exit_code == 2 else exc.exit_code
    except EnochError as exc:
        render_enoch_error(exc, json_mode=json_mode)
        return exc.exit_code
    except KeyboardInterrupt:
        render_error("interrupted", "interrupted", json_mode=json_mode)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: never show a traceback unless asked
        if debug:
            traceback.print_exc()
        render_error(
            "internal_error",
            f"internal error ({type(exc).__name__}: {exc}); please report this, with the output of --debug",
            json_mode=json_mode,
        )
        return EXIT_SOFTWARE
    if isinstance(rv, Result):
        try:
            render(rv, json_mode=json_mode)
        except BrokenPipeError:
            return 0
        except OSError as exc:  # stdout on a full disk, closed, ...: no traceback, never exit 0
            render_error("output_failed", f"cannot write the output: {exc.strerror or exc}", json_mode=False)
            return EXIT_NOINPUT
        return rv.exit_code
    if isinstance(rv, int):
        return rv
    return 0


def main() -> NoReturn:
    """Console-script entry point."""
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":  # pragma: no cover
    main()
