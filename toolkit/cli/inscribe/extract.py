"""``enoch inscribe extract``: rebuild and verify a batch from its reveal transactions (thin click layer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from inscriptions.batch.batch_id import parse_batch_id
from inscriptions.readback.extract import pick_root, rebuild, scan, write_batch
from toolkit.cli.options import expect_option, json_option, overwrite_option
from toolkit.cli.render import SimpleResult, info
from toolkit.core.errors import UsageError
from toolkit.core.fsio import read_input
from toolkit.core.hexutil import parse_hex

#: A transaction file holds one or more reveals as hex; a whole batch of
#: about 100 MB is 200 MB of hex, so this bound leaves room for any batch
#: one would inscribe while keeping a hostile input (e.g. /dev/zero) finite.
MAX_TX_LIST_TEXT = 1 << 30


def _read_txs(paths: tuple[str, ...]) -> list[bytes]:
    """Raw transactions from hex files (or ``-``): one or more per file,
    separated by whitespace (``reveal`` prints one per line)."""
    if list(paths).count("-") > 1:
        raise UsageError("stdin (-) can be read only once")
    txs: list[bytes] = []
    for path in paths:
        text = read_input(path, what="transaction file", limit=MAX_TX_LIST_TEXT).decode("ascii", "replace")
        tokens = text.split()
        if not tokens:
            raise UsageError(f"{path} holds no transaction")
        txs.extend(parse_hex(t, what=f"transaction in {path}") for t in tokens)
    return txs


def _fetch_txs(node_spec: str, txids: tuple[str, ...]) -> list[bytes]:
    """Reveal transactions from a node; each answer is checked to hash to its txid."""
    from toolkit.sources.nodes import open_node  # imported only when used: offline runs stay offline

    wanted = [parse_hex(t, what="--txid", length=32).hex() for t in txids]
    node = open_node(node_spec)
    out = []
    for txid in dict.fromkeys(wanted):
        info(f"fetching {txid}")
        out.append(node.raw_tx(txid))
    return out


def _hash32(value: str | None, what: str) -> bytes | None:
    return None if value is None else parse_hex(value, what=what, length=32)


@click.command("extract")
@click.argument("txfiles", nargs=-1)
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="Batch directory to create.")
@click.option("--node", "node_spec", metavar="SRC", help="Fetch the reveals from a node: bitcoind:URL or mempool:URL.")
@click.option("--txid", "txids", multiple=True, metavar="TXID", help="A reveal transaction to fetch with --node (repeatable).")
@click.option("--root", "root_hex", metavar="HEX", help="Keep only this batch root (64 hex digits); absent: exit 1.")
@expect_option
@overwrite_option
@json_option
def extract_cmd(
    txfiles: tuple[str, ...],
    out: Path,
    node_spec: str | None,
    txids: tuple[str, ...],
    root_hex: str | None,
    expect: str | None,
    overwrite: bool,
    json_mode: bool,
) -> SimpleResult:
    """Rebuild a batch directory from reveal transactions (TXFILE: hex, - for stdin;
    or --node SRC --txid TXID...) and verify it as `enoch verify` does."""
    if node_spec is None and txids:
        raise UsageError("--txid needs --node SRC")
    if node_spec is not None and (txfiles or not txids):
        raise UsageError("with --node give the reveals as --txid TXID (and no TXFILE)")
    if node_spec is None and not txfiles:
        raise UsageError("give TXFILE... (reveal transactions in hex, - for stdin) or --node SRC --txid TXID...")
    pinned_root = _hash32(root_hex, "--root")
    expect_id = None if expect is None else bytes.fromhex(parse_batch_id(expect))  # malformed: exit 2, as verify
    raw = _fetch_txs(node_spec, txids) if node_spec is not None else _read_txs(txfiles)
    found = scan(raw)
    for ig in found.ignored:
        info(f"ignored {ig.id}: {ig.reason}")
    root = pick_root(found, pinned_root)
    for f in found.found:
        if f.meta.root != root:
            info(f"ignored {f.id}: inscription of another batch ({f.meta.root.hex()})")
    rebuilt = rebuild(found, root, expect_id)
    batch = write_batch(rebuilt, out, overwrite=overwrite, expect=expect)
    m = batch.manifest
    batch_id = batch.batch_id
    ignored = [{"id": i.id, "reason": i.reason} for i in found.ignored] + [
        {"id": f.id, "reason": f"batch {f.meta.root.hex()}"} for f in found.found if f.meta.root != root
    ]
    data: dict[str, Any] = {
        "valid": True,
        "batch_id": batch_id,
        "root": m.root.hex(),
        "tree_size": m.tree_size,
        "files": len(m.files),
        "manifest_sha256": batch_id,  # the same value, as verify reports it
        "manifest_id": rebuilt.ids[None],
        "leaves": [rebuilt.ids[i] for i in range(m.tree_size)],
        "transactions": found.txids,
        "ignored": ignored,
        "output": str(out),
    }
    text = (
        f"extracted and verified {len(m.files)} files, {m.tree_size} shards from {len(found.txids)} transactions "
        f"into {out}\nbatch id {batch_id}\nroot {m.root.hex()}"
    )
    return SimpleResult(data, text)
