"""What ``enoch serve`` serves under ``/content/<id>``: every inscription's
content type, content encoding and body, exactly as ord would serve them.

* A plan directory: every envelope of the signed reveals in ``PLAN/reveals/``,
  under its real id (ord's numbering), and the page wired to ``index.json``.
* A bare batch: the inscriptions ``plan`` would make (the same
  :func:`inscriptions.transactions.groups.inscription_for`, so the content
  types and encodings are the ones that will go on chain) under placeholder
  ids ``<root>i<leaf>`` / ``<root>i<tree size>`` (SPEC T).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from inscriptions.batch.verify import VerifiedBatch
from inscriptions.readback.page import load_index, page_for_index, preview_ids, render_page
from inscriptions.transactions.decode import decode_tx
from inscriptions.transactions.envelope import Inscription
from inscriptions.transactions.groups import batch_items, inscription_for
from inscriptions.plans.index import inscription_id
from inscriptions.plans.revealstore import read_tx_file
from toolkit.core.errors import InputMissingError


@dataclass(frozen=True)
class Served:
    """One inscription as ord serves it (``None``: header absent)."""

    content_type: str | None
    content_encoding: str | None
    body: bytes


@dataclass
class Site:
    """The loader page and every ``/content/<id>`` body.  Tests may replace
    an entry of ``contents`` (a tampered shard) before serving."""

    page: bytes
    contents: dict[str, Served]


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", "replace")


def _served(ins: Inscription) -> Served:
    return Served(_text(ins.content_type), _text(ins.content_encoding), ins.body or b"")


def batch_site(batch: VerifiedBatch) -> Site:
    """Preview a batch before any reveal: placeholder ids, same envelopes as ``plan``."""
    m = batch.manifest
    manifest_id, leaves = preview_ids(m.root, m.tree_size)
    contents: dict[str, Served] = {}
    for item in batch_items(m, len(batch.manifest_bytes)):
        body = batch.manifest_bytes if item.shard is None else batch.shard_bytes(item.shard)
        ident = manifest_id if item.shard is None else leaves[item.shard]
        contents[ident] = _served(inscription_for(item, body, 0, 0, m))
    page = render_page(hashlib.sha256(batch.manifest_bytes).digest(), manifest_id, leaves)
    return Site(page, contents)


def plan_site(plan_dir: Path) -> Site:
    """Serve what a plan's signed reveals inscribe, under their real ids."""
    page = page_for_index(load_index(plan_dir))
    reveals = sorted((plan_dir / "reveals").glob("*.hex"))
    if not reveals:
        raise InputMissingError(f"{plan_dir / 'reveals'} holds no signed reveal (run `enoch inscribe reveal` first)")
    contents: dict[str, Served] = {}
    for path in reveals:
        decoded = decode_tx(read_tx_file(path))
        for n, env in enumerate(decoded.envelopes):
            contents[inscription_id(decoded.tx.txid, n)] = _served(env.inscription)
    return Site(page, contents)
