"""``enoch header verify``, ``enoch hexagram`` and ``enoch random`` (SPEC C, R).

Thin click layer: parse options, call the library, return a Result.  Heavy
dependencies are never imported here (cold start; offline commands).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from toolkit.chain import CHAIN_NETWORKS
from toolkit.cli.options import DecimalInt, block_options, json_option
from toolkit.core.errors import InputMissingError, MalformedInputError, UsageError
from toolkit.randomness.iching import METHODS, Casting, cast
from toolkit.cli.render import Progress, Result
from toolkit.cli.random_source import ResolvedSource, resolve_source
from toolkit.cli.lazy import StrictGroup
from toolkit.randomness.stream import candidate_bytes

F = TypeVar("F", bound=Callable[..., Any])

#: Inputs this large get a progress bar (when stderr is a terminal).
_PROGRESS_MIN_BYTES = 1 << 20
#: Upper bound on the stream bytes one ``random`` command may consume for its
#: output (N x --count for ``bytes``, bytes per candidate x --count for ``int``),
#: and on the items a ``shuffle`` outputs (ITEMs x --count): memory stays bounded.
_MAX_BYTES = 1 << 24
_MAX_ITEMS = 1 << 24


def _utf8_items(items: tuple[str, ...]) -> tuple[str, ...]:
    """ITEMs are text: undecodable command-line bytes are malformed input (like --context)."""
    for number, item in enumerate(items, start=1):
        try:
            item.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedInputError(f"ITEM {number} is not valid UTF-8 text") from None
    return items


# --- header verify ------------------------------------------------------------


@click.group(cls=StrictGroup)
def header() -> None:
    """Bitcoin block headers."""


@header.command("verify")
@click.argument("header_hex", required=False, metavar="HEADER_HEX")
@click.option(
    "--file", "file_", metavar="F",
    help="Header chain: hex, one per line (blank and # lines ignored), or raw 80-byte records (- = stdin).",
)
@click.option("--network", type=click.Choice(CHAIN_NETWORKS), default="mainnet", show_default=True)
@click.option("--no-anchor", is_flag=True, help="Check links and proof of work only; heights are not proven.")
@json_option
def header_verify(header_hex: str | None, file_: str | None, network: str, no_anchor: bool, json_mode: bool) -> Result:
    """Hash, target, difficulty and proof of work of one header; or a header
    chain (SPEC H): links, proof of work, difficulty and retargets, anchor,
    heights and chain work.  Exit 1 if any check fails.

    A single valid header proves that work was done on it, not its height;
    an anchored chain proves heights from a checkpoint."""
    if (header_hex is None) == (file_ is None):
        raise UsageError("give exactly one of HEADER_HEX and --file")
    if header_hex is not None:
        from toolkit.chain.header import BlockHeader, check_chain
        from toolkit.chain.networks import chain_params
        from toolkit.cli.header_report import HeaderReport

        # Proof of work alone, against the network's limit (mainnet's unless --network says).
        limit = chain_params(network).pow_limit
        return HeaderReport(check_chain([BlockHeader.from_hex(header_hex)], pow_limit=limit))
    from toolkit.chain.headerchain import read_header_file, verify_chain
    from toolkit.cli.chain_report import ChainReport

    assert file_ is not None
    return ChainReport(verify_chain(read_header_file(file_), network, anchored=not no_anchor))


# --- shared randomness options ------------------------------------------------


def source_options(f: F) -> F:
    """--block-hash / --header / --context (toolkit.cli.options) and --vrf-proof."""
    f = click.option("--vrf-proof", metavar="FILE", help="enoch-vrf-proof/1 record (verified first; - = stdin).")(f)
    return block_options(f)


# --- hexagram -----------------------------------------------------------------


@dataclass
class HexagramResult:
    """``hexagram``: SPEC C's object (source first, then the casting), or the drawing."""

    source: ResolvedSource
    casting: Casting
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source.to_json(), **self.casting.to_json(), **self.source.height_json()}

    def to_text(self) -> str:
        from toolkit.randomness.iching_text import render_casting

        text = render_casting(self.casting, self.source.to_json())
        if self.source.height is not None:
            h = self.source.height
            text = text.rstrip("\n") + f"\nblock at height {h.height}, {h.confirmations} confirmations (proven by an anchored header chain)"
        return text


@click.command()
@source_options
@click.option("--method", type=click.Choice(METHODS), default="yarrow", show_default=True)
@click.option("--batch", metavar="FILE|-", help="Block hashes, one per line; writes JSON Lines.")
@json_option
def hexagram(
    block_hash: str | None,
    header_hex: str | None,
    vrf_proof: str | None,
    context: str | None,
    method: str,
    batch: str | None,
    json_mode: bool,
    **height_opts: Any,
) -> HexagramResult | int:
    """Cast an I Ching hexagram from a block hash (SPEC R), or from the block
    at --height proven by an anchored header chain (SPEC H)."""
    from toolkit.cli.height_source import HeightRequest

    context = context or ""
    height = HeightRequest.pop_from(height_opts)
    if batch is not None:
        if block_hash is not None or header_hex is not None or vrf_proof is not None or height.given:
            raise UsageError("--batch reads the block hashes; do not combine it with --block-hash, --header, --height or --vrf-proof")
        return _batch(batch, context, method)
    src = resolve_source(block_hash=block_hash, header=header_hex, vrf_proof=vrf_proof, context=context, height=height)
    return HexagramResult(src, cast(src.source.stream(), method))


def _batch(path: str, context: str, method: str) -> int:
    from toolkit.cli.hexagram_batch import file_chunks, hexagram_jsonl

    chunks, total = file_chunks(path)
    bar = Progress(total=total or 0, label="hexagrams")
    if total is None or total < _PROGRESS_MIN_BYTES:
        bar.enabled = False  # short or unknown-length input: no bar
    try:
        if sys.stdout is None:  # started with stdout closed (`>&-`): as render() reports it
            raise OSError("stdout is closed")
        out = sys.stdout.buffer
        sys.stdout.flush()
        for data in hexagram_jsonl(chunks, context=context, method=method, progress=bar.advance):
            out.write(data)
            out.flush()
    except BrokenPipeError:
        # The reader went away (`... | head`): not a failure.  Handled here
        # because click turns EPIPE into exit 1 ("verification failed") before
        # cli.run sees it; stdout is pointed at /dev/null so that the final
        # flush at exit stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:  # stdout on a full disk: as cli.run does for other commands
        raise InputMissingError(f"cannot write the output: {exc.strerror or exc}") from None
    finally:
        bar.close()
    return 0


# --- random -------------------------------------------------------------------


@dataclass
class RandomResult:
    """``values`` holds one entry per draw.  SPEC C: ``shuffle`` prints "one
    list", so a single shuffle's JSON ``values`` is the shuffled list itself
    (``flat``); with ``--count K > 1`` it is a list of K lists."""

    source: ResolvedSource
    values: list[Any]
    flat: bool = False
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        values = self.values[0] if self.flat else self.values
        return {"values": values, "source": self.source.to_json(), **self.source.height_json()}

    def to_text(self) -> str:
        return "\n".join(" ".join(v) if isinstance(v, list) else str(v) for v in self.values)


def _draw(src_opts: dict[str, Any], count: int, one: Callable[..., Any], *, flat: bool = False) -> RandomResult:
    from toolkit.cli.height_source import HeightRequest

    src = resolve_source(
        block_hash=src_opts.pop("block_hash"), header=src_opts.pop("header_hex"), vrf_proof=src_opts.pop("vrf_proof"),
        context=src_opts.pop("context") or "", height=HeightRequest.pop_from(src_opts),
    )
    stream = src.source.stream()
    return RandomResult(src, [one(stream) for _ in range(count)], flat=flat and count == 1)


def draw_options(f: F) -> F:
    """The options every ``random`` draw takes: the source, --count and --json."""
    f = json_option(f)
    f = click.option(
        "--count", type=DecimalInt(1, 1_000_000), default=1, show_default=True, metavar="K",
        help="Repeat the draw K times on the same stream.",
    )(f)
    return source_options(f)


@click.group("random", cls=StrictGroup)
def random_cmd() -> None:
    """Bytes, integers, choices and shuffles from a block hash (SPEC R)."""


@random_cmd.command("bytes")
@click.argument("n", type=DecimalInt(1, 1 << 20))
@draw_options
def random_bytes(n: int, count: int, json_mode: bool, **src_opts: Any) -> RandomResult:
    """N raw stream bytes (hex)."""
    if n * count > _MAX_BYTES:
        raise UsageError(f"N x --count is at most {_MAX_BYTES} bytes")
    return _draw(src_opts, count, lambda s: s.read(n).hex())


@random_cmd.command("int", context_settings={"ignore_unknown_options": True})
@click.argument("lo", type=DecimalInt())
@click.argument("hi", type=DecimalInt())
@draw_options
def random_int(lo: int, hi: int, count: int, json_mode: bool, **src_opts: Any) -> RandomResult:
    """A uniform integer in [LO, HI] (inclusive)."""
    if lo > hi:
        raise UsageError(f"LO must not exceed HI (got {lo} > {hi})")
    if candidate_bytes(lo, hi) * count > _MAX_BYTES:
        raise UsageError(f"range too wide for --count {count}: bytes per draw x --count is at most {_MAX_BYTES}")
    return _draw(src_opts, count, lambda s: s.integer(lo, hi))


@random_cmd.command("choice")
@click.argument("items", nargs=-1, required=True, metavar="ITEM...")
@draw_options
def random_choice(items: tuple[str, ...], count: int, json_mode: bool, **src_opts: Any) -> RandomResult:
    """One of the ITEMs."""
    items = _utf8_items(items)
    return _draw(src_opts, count, lambda s: s.choice(items))


@random_cmd.command("shuffle")
@click.argument("items", nargs=-1, required=True, metavar="ITEM...")
@draw_options
def random_shuffle(items: tuple[str, ...], count: int, json_mode: bool, **src_opts: Any) -> RandomResult:
    """The ITEMs in a Fisher-Yates shuffled order.  JSON ``values`` is the
    shuffled list; with --count K > 1, a list of K lists."""
    items = _utf8_items(items)
    if len(items) * count > _MAX_ITEMS:
        raise UsageError(f"ITEMs x --count is at most {_MAX_ITEMS}")
    return _draw(src_opts, count, lambda s: s.shuffle(items), flat=True)

