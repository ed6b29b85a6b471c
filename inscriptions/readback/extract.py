"""Reading a batch back from its reveal transactions (``enoch inscribe extract``, SPEC T).

Every envelope of every transaction is looked at; the enoch ones (their
CBOR metadata, :mod:`inscriptions.transactions.metadata`, names a batch root,
tree size and shard index or the manifest flag) are grouped by batch, the
rest are listed as ignored.  One batch is then rebuilt into a directory
laid out exactly as ``pack`` writes it (``manifest.json``, ``shards/``,
``proofs/``) and verified by :func:`inscriptions.batch.verify.verify_batch`,
the very function behind ``enoch verify``, *before* the directory is
committed: a batch that does not verify is never written.

Trust: nothing read from the chain is believed on its word.  The manifest is
the inscribed one (its SHA-256, the batch id, can be pinned with
``expect``), the root can be pinned with ``root``; shards are believed only
through their leaf hashes, proofs and file hashes, as in ``verify``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from inscriptions.batch.manifest import Manifest
from inscriptions.batch.pack import shard_name, write_proofs
from inscriptions.batch.rfc9162 import leaf_hash
from inscriptions.batch.verify import MANIFEST_NAME, VerifiedBatch, verify_batch
from inscriptions.transactions.decode import decode_tx
from inscriptions.plans.index import inscription_id
from inscriptions.transactions.metadata import InscriptionMetadata
from toolkit.core.errors import MalformedInputError, UsageError, VerificationError
from toolkit.core.fsio import atomic_directory, output_errors


@dataclass(frozen=True)
class Found:
    """One enoch inscription read from a transaction."""

    id: str
    meta: InscriptionMetadata
    body: bytes


@dataclass(frozen=True)
class Ignored:
    """An inscription that is not part of any enoch batch, and why."""

    id: str
    reason: str


@dataclass
class Scan:
    """Every inscription of a set of transactions, sorted into enoch ones and others."""

    found: list[Found] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    txids: list[str] = field(default_factory=list)

    def roots(self) -> list[bytes]:
        """The distinct batch roots named, in first-seen order."""
        return list(dict.fromkeys(f.meta.root for f in self.found))


def scan(raw_txs: Iterable[bytes]) -> Scan:
    """Parse each transaction strictly (65 on malformed bytes) and sort its inscriptions."""
    out = Scan()
    for raw in raw_txs:
        decoded = decode_tx(raw)
        txid = decoded.tx.txid
        if txid in out.txids:
            continue  # the same reveal given twice adds nothing
        out.txids.append(txid)
        for n, env in enumerate(decoded.envelopes):
            ident = inscription_id(txid, n)
            ins = env.inscription
            if ins.metadata is None:
                out.ignored.append(Ignored(ident, "no metadata"))
                continue
            try:
                meta = InscriptionMetadata.from_bytes(ins.metadata)
            except MalformedInputError as exc:
                out.ignored.append(Ignored(ident, f"not enoch metadata ({exc.message})"))
                continue
            if ins.body is None:
                out.ignored.append(Ignored(ident, "enoch metadata but no body"))
                continue
            out.found.append(Found(ident, meta, ins.body))
    return out


def pick_root(s: Scan, pinned: bytes | None) -> bytes:
    """The one batch to rebuild: ``pinned`` (exit 1 if absent), else the only
    root named (several: a usage error naming them all)."""
    roots = s.roots()
    if pinned is not None:
        if pinned not in roots:
            seen = ", ".join(r.hex() for r in roots) or "none"
            raise VerificationError(f"no inscription of batch root {pinned.hex()} in these transactions (roots found: {seen})")
        return pinned
    if not roots:
        raise VerificationError("these transactions carry no enoch inscription")
    if len(roots) > 1:
        raise UsageError(f"the transactions hold several batches; pick one with --root: {', '.join(r.hex() for r in roots)}")
    return roots[0]


def _ranges(indices: Sequence[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3, 7"``."""
    parts: list[str] = []
    start = prev = indices[0]
    for i in list(indices[1:]) + [-2]:
        if i != prev + 1:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            start = i
        prev = i
    return ", ".join(parts)


@dataclass(frozen=True)
class Rebuilt:
    """What :func:`rebuild` collected for one root: the manifest bytes and one body per leaf."""

    root: bytes
    manifest: Manifest
    manifest_bytes: bytes
    shards: list[bytes]
    ids: dict[int | None, str]  # leaf index (None: the manifest) -> inscription id used


def rebuild(s: Scan, root: bytes, expect: bytes | None = None) -> Rebuilt:
    """The manifest and every shard body of batch ``root``; exit 1 naming
    missing leaves, a manifest that is absent, off its pin or of another root."""
    mine = [f for f in s.found if f.meta.root == root]
    manifests = list(dict.fromkeys(f.body for f in mine if f.meta.is_manifest))
    if not manifests:
        raise VerificationError(f"the manifest inscription of batch {root.hex()} is not in these transactions")
    if expect is not None:
        manifests = [m for m in manifests if hashlib.sha256(m).digest() == expect]
        if not manifests:
            raise VerificationError(f"the inscribed manifest is not batch {expect.hex()} (its SHA-256 differs)")
    if len(manifests) > 1:
        raise VerificationError(f"batch {root.hex()} has {len(manifests)} different manifest inscriptions; pin one with --expect")
    raw = manifests[0]
    manifest = Manifest.from_bytes(raw)
    if manifest.root != root:
        raise VerificationError(f"the manifest inscribed for root {root.hex()} names root {manifest.root.hex()}")
    ids: dict[int | None, str] = {None: next(f.id for f in mine if f.meta.is_manifest and f.body == raw)}
    bodies: dict[int, bytes] = {}
    for f in mine:
        if f.meta.shard is None or f.meta.tree_size != manifest.tree_size:
            continue
        # Two inscriptions may claim one leaf (a re-inscription, or a forgery):
        # the body whose leaf hash the manifest lists wins; if none does, the
        # first is kept and verification names the shard.
        current = bodies.get(f.meta.shard)
        if current is None or (leaf_hash(current) != manifest.shards[f.meta.shard].leaf_hash and leaf_hash(f.body) == manifest.shards[f.meta.shard].leaf_hash):
            bodies[f.meta.shard] = f.body
            ids[f.meta.shard] = f.id
    missing = [i for i in range(manifest.tree_size) if i not in bodies]
    if missing:
        raise VerificationError(
            f"batch {root.hex()} is incomplete: {len(missing)} of {manifest.tree_size} shards missing (leaf indices {_ranges(missing)})"
        )
    return Rebuilt(root, manifest, raw, [bodies[i] for i in range(manifest.tree_size)], ids)


def write_batch(r: Rebuilt, out: Path, *, overwrite: bool = False, expect: str | None = None) -> VerifiedBatch:
    """Write the batch directory ``out`` atomically, verified by ``verify_batch``
    (with ``expect``, a batch id, as ``verify --expect``) before it is
    committed: nothing is left behind when it fails."""
    with output_errors(out), atomic_directory(out, overwrite=overwrite) as tmp:
        (tmp / "shards").mkdir()
        (tmp / "proofs").mkdir()
        for index, body in enumerate(r.shards):
            (tmp / "shards" / shard_name(index, r.manifest.content_encoding)).write_bytes(body)
        write_proofs(tmp / "proofs", [s.leaf_hash for s in r.manifest.shards])
        (tmp / MANIFEST_NAME).write_bytes(r.manifest_bytes)
        verified = verify_batch(tmp, expect=expect)
    return VerifiedBatch(out, verified.manifest, verified.manifest_bytes)
