"""``enoch inscribe loader``: the self-contained, deterministic loader page.

The page (``loader.html`` in this package: HTML, CSS and JS, no external
resources) gets one JSON object embedded::

    {"sha256": <batch id = SHA-256 of manifest.json, hex>,
     "tx": [txid, ...],                  # distinct txids, first-seen order
     "manifest": [t, n],                 # id = tx[t] + "i" + n
     "leaves": [[t, n] | null, ...]}     # by leaf index; null: not revealed

Ids are stored as (txid position, n) pairs so a batch of a few hundred
shards stays well under the 30 KB limit (a reveal carries many shards, so
txids repeat).  The same inputs give the same bytes (no clock, no
randomness; tested with a golden hash).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from inscriptions.plans.index import INDEX_NAME, InscriptionIndex, parse_inscription_id
from inscriptions.plans.planfile import load_plan
from inscriptions.plans.revealstore import checked_index
from toolkit.core.errors import InputMissingError, InternalError, UsageError

#: SPEC T: the page is at most 30 KB, so inscribing it is a small standard reveal.
MAX_PAGE_BYTES = 30_000
_PLACEHOLDER = "/*ENOCH_BATCH*/"
#: index.json is read bounded: 100,000 ids (about 80 bytes each) are far more than a 30 KB page can embed.


def _template() -> str:
    return (files("inscriptions.readback") / "loader.html").read_text(encoding="utf-8")


def page_config(manifest_sha256: bytes, manifest_id: str, leaves: Sequence[str | None]) -> dict[str, object]:
    """The object embedded in the page (see the module docstring)."""
    txids: dict[str, int] = {}

    def pair(ident: str) -> list[int]:
        txid, n = str(parse_inscription_id(ident, "inscription id")).split("i")
        return [txids.setdefault(txid, len(txids)), int(n)]

    manifest = pair(manifest_id)
    out_leaves = [None if leaf is None else pair(leaf) for leaf in leaves]
    return {"sha256": manifest_sha256.hex(), "tx": list(txids), "manifest": manifest, "leaves": out_leaves}


def render_page(manifest_sha256: bytes, manifest_id: str, leaves: Sequence[str | None]) -> bytes:
    """The loader page for these ids; a usage error if it would exceed 30 KB."""
    config = json.dumps(page_config(manifest_sha256, manifest_id, leaves), separators=(",", ":"), sort_keys=True)
    if "<" in config:  # only hex, digits and punctuation go in: "<" would close the script element
        raise InternalError("loader page data contains '<'")
    page = _template().replace(_PLACEHOLDER, config).encode("utf-8")
    if len(page) > MAX_PAGE_BYTES:
        raise UsageError(
            f"the loader page for {len(leaves)} shards would be {len(page)} bytes, above the {MAX_PAGE_BYTES}-byte limit; "
            "pack with a larger --shard-size (fewer shards)"
        )
    return page


def load_index(plan_dir: Path) -> InscriptionIndex:
    """``PLAN_DIR/index.json`` (written by ``reveal``), parsed strictly."""
    path = plan_dir / INDEX_NAME
    if not os.path.lexists(path):
        raise InputMissingError(
            f"{path} does not exist: `enoch inscribe reveal` writes it; before any reveal, preview the batch itself"
            " (`enoch serve BATCH_DIR`, `enoch inscribe loader --preview BATCH_DIR`)"
        )
    plan, _ = load_plan(plan_dir)
    return checked_index(plan_dir, plan)


def page_for_index(index: InscriptionIndex) -> bytes:
    """The page wired to a plan's ``index.json``."""
    if index.manifest_id is None:
        raise UsageError("the manifest is not revealed yet (index.json has no manifest_id); preview with --preview BATCH_DIR")
    return render_page(index.manifest_sha256, index.manifest_id, index.leaves)


def preview_ids(root: bytes, tree_size: int) -> tuple[str, list[str]]:
    """``enoch serve``'s placeholder ids before any reveal: ``<root>i<leaf>``
    for shards, ``<root>i<tree size>`` for the manifest (SPEC T)."""
    return f"{root.hex()}i{tree_size}", [f"{root.hex()}i{i}" for i in range(tree_size)]
