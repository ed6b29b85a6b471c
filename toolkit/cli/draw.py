"""``enoch draw commit | run | verify`` (SPEC D).  Thin: options are parsed
here, the work is done in ``toolkit.draws``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click

from toolkit.cli.options import MAX_HEIGHT, DecimalInt, json_option, overwrite_option
from toolkit.cli.render import Result, SimpleResult, info
from toolkit.cli.lazy import StrictGroup
from toolkit.core.errors import UsageError, VerificationError
from toolkit.core.fsio import atomic_write, read_input
from toolkit.core.hexutil import parse_hex
from toolkit.chain.byheight import BlockAtHeight
from toolkit.draws.entrants import Entrants, parse_entrants
from toolkit.draws.receipt import DrawReceipt, Winner
from toolkit.draws.request import MAX_CONFIRMATIONS, NETWORKS, DrawRequest

#: Bounded reads (exit 65 beyond): a million entrants take about 30 MB; a
#: request is one small JSON object; a receipt carries at most 525,000 headers
#: (about 85 MB as hex) plus the winners' inclusion proofs.
MAX_ENTRANTS_FILE = 1 << 30
MAX_REQUEST_FILE = 1 << 20
MAX_RECEIPT_FILE = 1 << 29


@click.group(cls=StrictGroup)
def draw() -> None:
    """Draws: rules committed before a block, winners verifiable offline after it."""


def _entrants(path: str) -> Entrants:
    return parse_entrants(read_input(path, what="entrants file", limit=MAX_ENTRANTS_FILE))


def _write(output: str, data: bytes, overwrite: bool) -> str | None:
    """Write ``data`` to ``output`` atomically; ``-`` means stdout (returns None)."""
    if output == "-":
        return None
    atomic_write(output, data, overwrite=overwrite)
    return output


def _winners_text(winners: tuple[Winner, ...]) -> list[str]:
    return [f"  {rank}. {w.entrant}  (line {w.index + 1})" for rank, w in enumerate(winners, start=1)]


def _winners_json(winners: tuple[Winner, ...]) -> list[dict[str, Any]]:
    return [{"index": w.index, "entrant": w.entrant} for w in winners]


@draw.command()
@click.option("--network", required=True, type=click.Choice(NETWORKS), help="The chain whose block decides.")
@click.option("--height", required=True, type=DecimalInt(1, MAX_HEIGHT), help="Height H of the deciding block.")
@click.option("--context", required=True, metavar="C", help="What the draw is for (UTF-8 text, bound into the request).")
@click.option("--entrants", "entrants_file", required=True, metavar="FILE", help="One entrant per line (UTF-8).")
@click.option("--winners", required=True, type=DecimalInt(1), metavar="K", help="Number of winners.")
@click.option("--confirmations", default=6, show_default=True, type=DecimalInt(1, MAX_CONFIRMATIONS),
              help="Confirmations block H needs before the draw may run.")
@click.option("--vrf-public-key", metavar="HEX", help="Only the holder of this VRF key can run the draw.")
@click.option("--vrf-suite", metavar="S", help="RFC 9381 suite of --vrf-public-key.")
@click.option("-o", "--output", required=True, metavar="FILE", help="The request file to write ('-': stdout).")
@overwrite_option
@json_option
def commit(
    network: str, height: int, context: str, entrants_file: str, winners: int, confirmations: int,
    vrf_public_key: str | None, vrf_suite: str | None, output: str, overwrite: bool, json_mode: bool,
) -> Result:
    """Fix a draw's rules before block H exists; prints the request id to publish."""
    from toolkit.draws.commit import make_request

    pk = None if vrf_public_key is None else parse_hex(vrf_public_key, what="--vrf-public-key")
    entrants = _entrants(entrants_file)
    request = make_request(
        network=network, height=height, confirmations=confirmations, context=context,
        entrants=entrants, winners=winners, vrf_suite=vrf_suite, vrf_public_key=pk,
    )
    _warn_commit(network, height, entrants.raw[0])
    written = _write(output, request.to_bytes(), overwrite)
    rid = request.request_id_hex
    data = {"request_id": rid, "request": request.to_json(), "output": output}
    if written is None:  # the request itself goes to stdout; the id to stderr
        info(f"request id: {rid}")
        return SimpleResult(data=data, text=request.to_bytes().decode("utf-8"))
    text = (
        f"wrote {written}\nrequest id: {rid}\n"
        f"publish (or inscribe) the request id before block {height} exists on {network}"
    )
    return SimpleResult(data=data, text=text)


def _warn_commit(network: str, height: int, first_entrant: bytes) -> None:
    """Diagnostics (stderr) for rules that are valid but probably not meant."""
    from toolkit.chain.checkpoints import checkpoint_table

    last = checkpoint_table(network).last_height
    if height <= last:
        info(f"warning: block {height} already exists ({network} checkpoints reach {last}): "
             "a draw is fair only if committed before its block is mined")
    if first_entrant.startswith(b"\xef\xbb\xbf"):
        info("warning: the entrants file starts with a UTF-8 byte-order mark; it is part of the first entrant")


@draw.command()
@click.argument("request_file", metavar="REQUEST")
@click.option("--entrants", "entrants_file", required=True, metavar="FILE", help="The entrants file committed to.")
@click.option("--headers", "headers_file", metavar="F", help="Header chain file (SPEC H) holding block H and its confirmations.")
@click.option("--node", metavar="SRC", help="Fetch the headers from a node: bitcoind:URL or mempool:URL.")
@click.option("--vrf-key", "vrf_key_file", metavar="K", help="VRF key file, when the request names a VRF key.")
@click.option("-o", "--output", required=True, metavar="FILE", help="The receipt file to write ('-': stdout).")
@overwrite_option
@json_option
def run(
    request_file: str, entrants_file: str, headers_file: str | None, node: str | None, vrf_key_file: str | None,
    output: str, overwrite: bool, json_mode: bool,
) -> Result:
    """Run a committed draw once block H has its confirmations; writes the receipt."""
    from toolkit.chain.headerchain import read_header_file
    from toolkit.draws.run import run_draw
    from vrf.keys import read_key_file

    if (headers_file is None) == (node is None):
        raise UsageError("give exactly one of --headers F and --node SRC")
    request = DrawRequest.from_bytes(read_input(request_file, what="request file", limit=MAX_REQUEST_FILE))
    key = None if vrf_key_file is None else read_key_file(vrf_key_file)
    headers = None if headers_file is None else read_header_file(headers_file)
    receipt = run_draw(request, _entrants(entrants_file), headers, node=node, vrf_key=key)
    written = _write(output, receipt.to_bytes(), overwrite)
    data = {"request_id": receipt.request_id_hex, "block": _block_json(receipt, None),
            "winners": _winners_json(receipt.winners), "output": output}
    if written is None:
        return SimpleResult(data=data, text=receipt.to_bytes().decode("utf-8"))
    lines = [f"block {receipt.block_height} {receipt.block_hash_display}", "winners:",
             *_winners_text(receipt.winners), f"wrote {written}"]
    return SimpleResult(data=data, text="\n".join(lines))


def _block_json(receipt: DrawReceipt, block: BlockAtHeight | None) -> dict[str, Any]:
    out: dict[str, Any] = {"height": receipt.block_height, "hash": receipt.block_hash_display}
    if block is not None:  # what the header chain proved (SPEC H's JSON keys)
        from toolkit.cli.chain_report import chainwork_hex

        out["confirmations"] = block.confirmations
        out["chainwork"] = chainwork_hex(block.block.chainwork)
    return out


@dataclass
class DrawVerifyResult:
    """``draw verify``: valid (exit 0) with what was checked, or the reason (exit 1)."""

    receipt: DrawReceipt
    checked: tuple[str, ...] = ()
    block: BlockAtHeight | None = None
    reason: str | None = None
    exit_code: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.exit_code = 0 if self.reason is None else 1

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "valid": self.reason is None,
            "request_id": self.receipt.request_id_hex,
            "block": _block_json(self.receipt, self.block),
            "winners": _winners_json(self.receipt.winners),
            "checked": list(self.checked),
        }
        if self.reason is not None:
            data["reason"] = self.reason
        return data

    def to_text(self) -> str:
        r = self.receipt
        if self.reason is not None or self.block is None:
            return f"INVALID draw receipt: {self.reason}"
        return "\n".join([
            f"valid draw: {r.request.winners} of {r.request.entrant_count} entrants, "
            f"block {r.block_height} {r.block_hash_display} ({self.block.confirmations} confirmations)",
            "winners:", *_winners_text(r.winners),
            f"checked: {', '.join(self.checked)}",
        ])


@draw.command()
@click.argument("receipt_file", metavar="RECEIPT")
@click.option("--request", "request_file", metavar="FILE", help="The published request: must equal the receipt's byte for byte.")
@click.option("--entrants", "entrants_file", metavar="FILE", help="The entrants file: must match the committed root.")
@json_option
def verify(receipt_file: str, request_file: str | None, entrants_file: str | None, json_mode: bool) -> Result:
    """Verify a draw receipt offline.  Exit 0 valid, 1 not."""
    from toolkit.draws.verify import verify_receipt

    receipt = DrawReceipt.from_bytes(read_input(receipt_file, what="receipt file", limit=MAX_RECEIPT_FILE))
    request = None if request_file is None else DrawRequest.from_bytes(read_input(request_file, what="request file", limit=MAX_REQUEST_FILE))
    entrants = None if entrants_file is None else _entrants(entrants_file)
    try:
        done = verify_receipt(receipt, request=request, entrants=entrants)
    except VerificationError as exc:
        return DrawVerifyResult(receipt, reason=exc.reason)
    return DrawVerifyResult(receipt, done.checked, done.block)
