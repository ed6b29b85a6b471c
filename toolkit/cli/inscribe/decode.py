"""``enoch inscribe decode``: the inscriptions in a transaction, checked against a manifest (thin click layer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from inscriptions.batch.batch_id import batch_id
from inscriptions.batch.verify import read_manifest
from inscriptions.transactions.rawtx import MAX_TX_HEX_TEXT
from inscriptions.plans.index import inscription_id
from inscriptions.transactions.decode import check_against_manifest, decode_tx, describe
from toolkit.cli.options import json_option
from toolkit.cli.render import SimpleResult
from toolkit.core.fsio import read_input
from toolkit.core.hexutil import parse_hex


@click.command("decode")
@click.argument("tx")
@click.option(
    "--manifest", "manifest_path", type=click.Path(path_type=Path), help="Check bodies against this batch manifest."
)
@json_option
def decode_cmd(tx: str, manifest_path: Path | None, json_mode: bool) -> SimpleResult:
    """List the inscriptions in a transaction (TXHEX, or - for stdin)."""
    # read_input: a closed stdin is exit 66, and bytes that are not ASCII are
    # just "not hex" (65), never a decoding crash.
    text = read_input("-", what="transaction", limit=MAX_TX_HEX_TEXT).decode("ascii", "replace") if tx == "-" else tx
    decoded = decode_tx(parse_hex("".join(text.split()), what="transaction"))
    # ord numbers every envelope of the transaction in input order: <txid>i<n>.
    items = [describe(e) | {"id": inscription_id(decoded.tx.txid, n)} for n, e in enumerate(decoded.envelopes)]
    data: dict[str, Any] = {"txid": decoded.tx.txid, "inscriptions": items}
    lines = [f"txid {decoded.tx.txid}: {len(items)} inscriptions"]
    roles: list[str] = []
    if manifest_path is not None:
        manifest, raw = read_manifest(manifest_path)
        roles = check_against_manifest(decoded, manifest, raw)
        data["batch"] = {"batch_id": batch_id(raw), "root": manifest.root.hex(), "roles": roles}
    for i, item in enumerate(items):
        role = f" = {roles[i]}" if roles else ""
        lines.append(
            f"{item['id']} {item['input']}:{item['offset']} {item['content_type']} encoding={item['content_encoding']} "
            f"size={item['size']} sha256={item['sha256']} pointer={item['pointer']} metadata={item['metadata']}{role}"
            + (f" flags={','.join(item['flags'])}" if item["flags"] else "")
        )
    if manifest_path is not None:
        lines.append(f"every inscription belongs to batch id {batch_id(raw)} (root {manifest.root.hex()})")
    return SimpleResult(data, "\n".join(lines))
