"""``enoch inscribe loader``: write the self-verifying loader page (thin click layer)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

from inscriptions.batch.verify import verify_batch
from inscriptions.readback.page import load_index, page_for_index, preview_ids, render_page
from toolkit.cli.options import json_option, overwrite_option
from toolkit.cli.render import SimpleResult
from toolkit.core.errors import UsageError
from toolkit.core.fsio import atomic_write, output_errors


@click.command("loader")
@click.argument("plan_dir", required=False, type=click.Path(path_type=Path))
@click.option("--preview", "batch_dir", metavar="BATCH_DIR", type=click.Path(path_type=Path), help="Wire the page to `enoch serve BATCH_DIR`'s placeholder ids instead.")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="The HTML file to write.")
@overwrite_option
@json_option
def loader_cmd(plan_dir: Path | None, batch_dir: Path | None, out: Path, overwrite: bool, json_mode: bool) -> SimpleResult:
    """Write the loader page for PLAN_DIR's inscription ids (index.json), or --preview BATCH_DIR."""
    if (plan_dir is None) == (batch_dir is None):
        raise UsageError("give either PLAN_DIR or --preview BATCH_DIR")
    if batch_dir is not None:
        batch = verify_batch(batch_dir)
        m = batch.manifest
        batch_id = hashlib.sha256(batch.manifest_bytes).digest()
        manifest_id, leaves = preview_ids(m.root, m.tree_size)
        page = render_page(batch_id, manifest_id, leaves)
        missing = 0
    else:
        assert plan_dir is not None
        index = load_index(plan_dir)
        page, batch_id = page_for_index(index), index.manifest_sha256
        missing = sum(1 for leaf in index.leaves if leaf is None)
    with output_errors(out):
        atomic_write(out, page, overwrite=overwrite)
    data = {"output": str(out), "bytes": len(page), "sha256": hashlib.sha256(page).hexdigest(), "batch_id": batch_id.hex(), "missing_leaves": missing}
    text = f"wrote {out} ({len(page)} bytes) for batch {batch_id.hex()}"
    if missing:
        text += f"; {missing} shards are not revealed yet and will show as missing"
    return SimpleResult(data, text)
