"""Verify and unpack batch directories (``enoch verify``, ``verify-shard``, ``unpack``).

Layout (docs/batch.md)::

    manifest.json          canonical JSON, "format": "enoch-batch/1" (gzip) or "/2"
    shards/000000.gz ...   one shard per leaf, six-digit leaf index (.br for brotli)
    proofs/000000.json ... one inclusion proof per leaf

:func:`verify_batch` checks, in this order: the manifest (syntax: exit 65;
consistency and root: exit 1), that ``shards/`` and ``proofs/`` hold exactly
the expected files, then per shard in leaf order its size, leaf hash,
inclusion proof against the manifest's root and tree size, and its strict
inflation to exactly the recorded length, and per file its size and SHA-256.
The first failure raises ``VerificationError`` naming the shard or file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from inscriptions.batch.batch_id import batch_id, check_batch_id
from inscriptions.batch.manifest import MAX_MANIFEST_BYTES, FileEntry, Manifest, ShardEntry
from inscriptions.batch.pack import proof_name, shard_name
from inscriptions.batch.proof_file import MAX_PROOF_BYTES, InclusionProof
from inscriptions.batch.relpath import safe_join
from inscriptions.batch.rfc9162 import leaf_hash, merkle_root
from inscriptions.batch.writer import BackgroundWriter
from toolkit.core.errors import InputMissingError, MalformedInputError, VerificationError
from toolkit.core.fsio import NotRegularFileError, atomic_directory, output_errors, read_input, read_regular

MANIFEST_NAME = "manifest.json"


def read_manifest(path: Path) -> tuple[Manifest, bytes]:
    """Read and parse ``path`` (a manifest file); returns the object and its exact bytes."""
    data = read_input(path, what="manifest", limit=MAX_MANIFEST_BYTES)
    return Manifest.from_bytes(data), data


def shard_pieces(manifest: Manifest, entry: ShardEntry, member: bytes, proof: InclusionProof | None) -> Iterator[bytes]:
    """Verify one shard's bytes (and proof, if given) against the manifest and
    yield its content in bounded pieces as it is decompressed.  Raises
    ``VerificationError`` naming the shard (while iterating: consume it fully)."""
    name = f"shard {entry.index:06d}"
    if len(member) != entry.gz_size:
        raise VerificationError(f"{name} is {len(member)} bytes, the manifest says {entry.gz_size}")
    leaf = leaf_hash(member)
    if leaf != entry.leaf_hash:
        raise VerificationError(f"{name}: leaf hash does not match the manifest")
    if proof is not None:
        try:
            proof.verify(leaf, entry.index, manifest.tree_size, manifest.root)
        except VerificationError as exc:
            raise VerificationError(f"{name}: {exc.reason}") from None
    total = 0
    try:
        # Never more than the recorded length, which the manifest already
        # bounded by what a shard of its size may hold.
        for piece in manifest.compressor.inflate(member, entry.length):
            total += len(piece)
            yield piece
    except MalformedInputError as exc:
        raise VerificationError(f"{name}: {exc.message}") from None
    if total != entry.length:
        raise VerificationError(f"{name} inflates to {total} bytes, the manifest says {entry.length}")


def check_shard(manifest: Manifest, entry: ShardEntry, member: bytes, proof: InclusionProof | None) -> None:
    """Verify one shard completely (see :func:`shard_pieces`), keeping none of its content."""
    for _ in shard_pieces(manifest, entry, member, proof):
        pass


def proof_entry(manifest: Manifest, proof: InclusionProof) -> ShardEntry:
    """The manifest entry of the shard ``proof`` is for (``VerificationError``
    when its leaf index is outside the manifest's tree)."""
    if not 0 <= proof.leaf_index < manifest.tree_size:
        raise VerificationError(f"proof is for leaf {proof.leaf_index}, outside the manifest's tree of size {manifest.tree_size}")
    return manifest.shards[proof.leaf_index]


def verify_shard_with_proof(manifest: Manifest, member: bytes, proof: InclusionProof) -> ShardEntry:
    """Verify one shard's bytes and its inclusion proof against ``manifest``
    (``enoch verify-shard``); return the shard's manifest entry."""
    entry = proof_entry(manifest, proof)
    check_shard(manifest, entry, member, proof)
    return entry


@dataclass(frozen=True)
class VerifiedBatch:
    """A batch directory whose manifest is trusted: either every byte was
    verified by :func:`verify_batch`, or the manifest is pinned by a hash
    (:meth:`pinned`).  Either way, shard bytes are re-checked against the
    manifest's leaf hashes whenever they are read."""

    path: Path
    manifest: Manifest
    manifest_bytes: bytes

    @property
    def batch_id(self) -> str:
        """The batch id (SHA-256 of the manifest bytes, lowercase hex)."""
        return batch_id(self.manifest_bytes)

    @classmethod
    def pinned(cls, path: Path, manifest_sha256: bytes) -> VerifiedBatch:
        """The batch at ``path`` whose ``manifest.json`` has SHA-256
        ``manifest_sha256`` (as recorded in a plan), else ``VerificationError``.
        Shards are not read here: :meth:`shard_bytes` checks each one as it is
        read, so a reveal never needs the whole batch verified again."""
        manifest, raw = read_manifest(path / MANIFEST_NAME)
        if hashlib.sha256(raw).digest() != manifest_sha256:
            raise VerificationError(f"the manifest in {path} is not the one this plan was made from")
        return cls(path, manifest, raw)

    def shard_bytes(self, index: int) -> bytes:
        """The member bytes of shard ``index``, re-checked against its leaf hash
        (the directory may have changed since it was verified)."""
        entry = self.manifest.shards[index] if 0 <= index < len(self.manifest.shards) else None
        if entry is None:
            raise VerificationError(f"shard {index} is not in this batch (tree size {self.manifest.tree_size})")
        member = _read_part(self.path / "shards" / shard_name(index, self.manifest.content_encoding), f"shard {index:06d}", entry.gz_size)
        if leaf_hash(member) != entry.leaf_hash:
            raise VerificationError(f"shard {index:06d} changed since the batch was verified")
        return member

    def file_chunks(self, entry: FileEntry) -> Iterator[bytes]:
        """The content of one file in bounded pieces, in order, each shard re-verified."""
        for index in range(entry.first_shard, entry.first_shard + entry.shard_count):
            yield from shard_pieces(self.manifest, self.manifest.shards[index], self.shard_bytes(index), None)


def _read_part(path: Path, what: str, limit: int) -> bytes:
    """Read a shard or proof file of at most ``limit`` bytes.

    Only regular files are read, and never more than ``limit + 1`` bytes: a
    FIFO or a device (or a symlink to one) planted in a batch must not hang
    or exhaust the verifier.  Oversize files come back one byte too long, so
    the size check that follows names them.
    """
    try:
        return read_regular(path, limit)
    except FileNotFoundError:
        raise VerificationError(f"{what} is missing ({path})") from None
    except NotRegularFileError:
        raise VerificationError(f"{what} is not a regular file ({path})") from None
    except OSError as exc:
        raise VerificationError(f"{what} cannot be read ({path}: {exc.strerror})") from None


def _check_listing(directory: Path, expected: set[str], what: str) -> None:
    try:
        present = set(os.listdir(directory))
    except OSError:
        raise VerificationError(f"the batch has no readable {what}/ directory") from None
    extra = sorted(present - expected)
    if extra:
        raise VerificationError(f"unexpected file {what}/{extra[0]} (not listed in the manifest)")
    missing = sorted(expected - present)
    if missing:
        raise VerificationError(f"{what}/{missing[0]} is missing")


def _open_batch(path: Path, expect: str | None) -> tuple[Manifest, bytes]:
    """The batch's manifest (with batch id ``expect``, if given: checked
    first), once the directory holds exactly the listed shards and proofs."""
    if not path.is_dir():
        if path.exists():
            raise InputMissingError(f"batch {path} is not a directory")
        raise InputMissingError(f"batch directory {path} does not exist")
    manifest_path = path / MANIFEST_NAME
    if manifest_path.exists() and not manifest_path.is_dir() and not manifest_path.is_file():
        # A FIFO or device planted as the manifest would block or never end.
        raise InputMissingError(f"manifest {manifest_path} is not a regular file")
    manifest, raw = read_manifest(manifest_path)
    if expect is not None:
        check_batch_id(raw, expect)
    n = manifest.tree_size
    _check_listing(path / "shards", {shard_name(i, manifest.content_encoding) for i in range(n)}, "shards")
    _check_listing(path / "proofs", {proof_name(i) for i in range(n)}, "proofs")
    return manifest, raw


def _create(root: Path, f: FileEntry) -> BinaryIO:
    target = safe_join(root, f.path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # "x": never follow or replace something already there (e.g. two
        # names that collide on a case-insensitive filesystem).
        return open(target, "xb")
    except OSError as exc:
        raise MalformedInputError(f"cannot create {f.path!r} in the output: {exc.strerror}") from None


def _verify_shards(path: Path, manifest: Manifest, progress: Callable[[int], None] | None, out: Path | None) -> None:
    """Every shard, proof and file of the batch, in leaf order; with ``out``,
    each file's verified content is written below ``out`` as it is checked."""
    leaves: list[bytes] = []
    with contextlib.ExitStack() as stack:
        # Files are written on a background thread, overlapping disk writes
        # and flushes with verification (inscriptions.batch.writer).
        writer = stack.enter_context(BackgroundWriter()) if out is not None else None
        for f in manifest.files:
            digest, size = hashlib.sha256(), 0
            if writer is not None and out is not None:
                writer.open_file(_create(out, f))
            for entry in manifest.shards[f.first_shard : f.first_shard + f.shard_count]:
                name = shard_name(entry.index, manifest.content_encoding)
                member = _read_part(path / "shards" / name, f"shard {entry.index:06d}", entry.gz_size)
                proof_raw = _read_part(path / "proofs" / proof_name(entry.index), f"proof {entry.index:06d}", MAX_PROOF_BYTES)
                try:
                    proof = InclusionProof.from_bytes(proof_raw)
                except MalformedInputError as exc:
                    raise VerificationError(f"proof {entry.index:06d}: {exc.message}") from None
                for piece in shard_pieces(manifest, entry, member, proof):
                    digest.update(piece)
                    size += len(piece)
                    if writer is not None:
                        writer.write(piece)
                    if progress is not None:
                        progress(len(piece))
                leaves.append(entry.leaf_hash)
            if writer is not None:
                writer.close_file()
            if size != f.size or digest.digest() != f.sha256:
                raise VerificationError(f"file {f.path!r}: content does not match its SHA-256 in the manifest")
        if merkle_root(leaves) != manifest.root:  # implied by the proofs; checked outright anyway
            raise VerificationError("the shards do not hash to the manifest root")
        if writer is not None:
            writer.finish()


def verify_batch(path: Path, progress: Callable[[int], None] | None = None, *, expect: str | None = None) -> VerifiedBatch:
    """Verify everything in the batch directory ``path``; see the module docstring.
    With ``expect`` (a batch id), the manifest must have that id, checked
    first (:func:`inscriptions.batch.batch_id.check_batch_id`)."""
    manifest, raw = _open_batch(path, expect)
    _verify_shards(path, manifest, progress, None)
    return VerifiedBatch(path, manifest, raw)


def unpack_batch(
    path: Path, out: Path, *, overwrite: bool = False, progress: Callable[[int], None] | None = None, expect: str | None = None
) -> VerifiedBatch:
    """Verify the batch and rebuild its files under ``out`` in one pass.

    Files are written into a private temporary directory as their shards are
    verified; it is renamed to ``out`` only when every shard, proof, file hash
    and the root have been checked, so nothing is left if anything fails.
    Files are created only inside ``out`` (paths were validated and are joined
    component by component) and never inflated past their recorded lengths.
    ``expect``: as for :func:`verify_batch`.
    """
    manifest, raw = _open_batch(path, expect)
    with output_errors(out), atomic_directory(out, overwrite=overwrite) as tmp:
        _verify_shards(path, manifest, progress, tmp)
    return VerifiedBatch(path, manifest, raw)
