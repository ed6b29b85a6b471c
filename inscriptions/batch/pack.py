"""Build a batch directory from input files (the library behind ``enoch pack``).

Files are sharded independently of each other, so they are compressed in
parallel worker processes; each worker writes its members under temporary
names inside the (still private) batch directory and returns only metadata.
The main process then assigns leaf indices in file order, renames the members
to ``shards/NNNNNN.gz`` (``.br``), builds the Merkle tree, and writes the proofs and the
manifest.  Nothing depends on which worker finished first, so the output is
byte-identical to a serial run (tested).
"""

from __future__ import annotations

import hashlib
import os
import queue
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from inscriptions.batch.content_types import content_type_for
from inscriptions.batch.compressors import Codec, new_codec
from inscriptions.batch.inputs import InputFile
from inscriptions.batch.manifest import MAX_MANIFEST_BYTES, FileEntry, Manifest, ShardEntry
from inscriptions.batch.proof_file import InclusionProof
from inscriptions.batch.rfc9162 import all_inclusion_proofs, leaf_hash, merkle_root
from inscriptions.batch.sharding import check_shard_size, shard_file
from inscriptions.batch.source import FileSource, pieces
from toolkit.core.errors import (
    InputMissingError,
    InternalError,
    MalformedInputError,
    UsageError,
    VerificationError,
)
from toolkit.core.fsio import atomic_directory, display_path, output_errors

Progress = Callable[[int], None]


#: Shard file extension per content encoding.
SHARD_EXTENSIONS = {"gzip": "gz", "br": "br"}


def shard_name(index: int, content_encoding: str = "gzip") -> str:
    """File name of shard ``index`` under ``shards/`` (``.gz``, or ``.br`` for brotli)."""
    return f"{index:06d}.{SHARD_EXTENSIONS[content_encoding]}"


def proof_name(index: int) -> str:
    """File name of the proof of shard ``index`` under ``proofs/``."""
    return f"{index:06d}.json"


def write_proofs(proofs_dir: Path, leaves: Sequence[bytes]) -> None:
    """Write ``proofs/NNNNNN.json`` for every leaf hash (``pack`` and
    ``inscribe extract`` both write them here, so the files are identical)."""
    for index, path in enumerate(all_inclusion_proofs(list(leaves))):
        proof = InclusionProof(index, len(leaves), leaves[index], tuple(path))
        (proofs_dir / proof_name(index)).write_bytes(proof.to_bytes())


@dataclass(frozen=True)
class _Sharded:
    """What a worker reports for one file: (length, gz_size, leaf hash) per shard."""

    sha256: bytes
    size: int
    shards: list[tuple[int, int, bytes]]


@dataclass(frozen=True)
class PackSummary:
    """What ``pack_files`` made: the manifest, content bytes read and shard bytes written."""

    manifest: Manifest
    bytes_in: int
    bytes_out: int


_progress_queue: Any = None


def _init_worker(progress_queue: Any) -> None:
    global _progress_queue
    _progress_queue = progress_queue


def _report(amount: int) -> None:
    if _progress_queue is not None:
        _progress_queue.put(amount)


def _shard_one(source: str, size: int, staging: str, shard_size: int, codec: Codec, progress: Progress | None) -> _Sharded:
    """Shard one file into ``staging/<k>``; runs in a worker or in-process.

    The file is read by ranges (never whole): memory is bounded by one chunk,
    whatever the file's size."""
    name = display_path(source)
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise InputMissingError(f"cannot read {name}: {exc.strerror}") from None
    try:
        if os.fstat(fd).st_size != size:
            raise InputMissingError(f"{name} changed size while packing")
        data = FileSource(fd, size, name)
        digest = hashlib.sha256()
        out: list[tuple[int, int, bytes]] = []
        for k, shard in enumerate(shard_file(data, shard_size, progress, codec)):
            with open(os.path.join(staging, str(k)), "xb") as fh:
                fh.write(shard.member)
            for part in pieces(data, shard.offset, shard.offset + shard.length):
                digest.update(part)
            out.append((shard.length, len(shard.member), leaf_hash(shard.member)))
    finally:
        os.close(fd)
    return _Sharded(digest.digest(), size, out)


def _shard_in_worker(source: str, size: int, staging: str, shard_size: int, codec: Codec) -> _Sharded:
    return _shard_one(source, size, staging, shard_size, codec, _report)


def _run_parallel(
    jobs: list[tuple[str, int, str]], shard_size: int, codec: Codec, workers: int, progress: Progress | None
) -> list[_Sharded]:
    ctx = get_context()
    progress_queue = ctx.SimpleQueue() if progress is not None else None
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(progress_queue,)) as pool:
        # Biggest files first keeps the workers evenly busy; results are
        # collected by position, so the order of completion does not matter.
        order = sorted(range(len(jobs)), key=lambda i: -jobs[i][1])
        futures: dict[int, Future[_Sharded]] = {i: pool.submit(_shard_in_worker, *jobs[i], shard_size, codec) for i in order}
        pending = set(futures.values())
        while pending:
            _, pending = wait(pending, timeout=0.1)
            _drain(progress_queue, progress)
        _drain(progress_queue, progress)
        return [futures[i].result() for i in range(len(jobs))]


def _drain(progress_queue: Any, progress: Progress | None) -> None:
    if progress_queue is None or progress is None:
        return
    try:
        while not progress_queue.empty():
            progress(progress_queue.get())
    except (OSError, EOFError, queue.Empty):  # pragma: no cover - pool torn down
        pass


def pack_files(
    inputs: Sequence[InputFile],
    out: Path,
    *,
    shard_size: int,
    overrides: Sequence[tuple[str, str]] = (),
    jobs: int = 1,
    overwrite: bool = False,
    progress: Progress | None = None,
    codec: Codec | None = None,
) -> PackSummary:
    """Write the batch directory ``out`` for ``inputs`` (sorted by stored path),
    compressed with ``codec`` (default gzip)."""
    check_shard_size(shard_size)
    codec = codec or new_codec("gzip")
    with output_errors(out), atomic_directory(out, overwrite=overwrite) as tmp:
        shards_dir, proofs_dir, staging = tmp / "shards", tmp / "proofs", tmp / ".staging"
        for d in (shards_dir, proofs_dir, staging):
            d.mkdir()
        work = []
        for i, f in enumerate(inputs):
            (staging / str(i)).mkdir()
            work.append((str(f.source), f.size, str(staging / str(i))))
        workers = max(1, min(jobs, len(work)))
        if workers == 1:
            results = [_shard_one(*job, shard_size, codec, progress) for job in work]
        else:
            results = _run_parallel(work, shard_size, codec, workers, progress)
        files: list[FileEntry] = []
        shards: list[ShardEntry] = []
        for i, (f, res) in enumerate(zip(inputs, results, strict=True)):
            files.append(FileEntry(f.path, content_type_for(f.path, overrides), res.size, res.sha256, len(shards), len(res.shards)))
            offset = 0
            for k, (length, gz_size, leaf) in enumerate(res.shards):
                index = len(shards)
                os.rename(staging / str(i) / str(k), shards_dir / shard_name(index, codec.content_encoding))
                shards.append(ShardEntry(index, f.path, offset, length, gz_size, leaf))
                offset += length
            (staging / str(i)).rmdir()
        staging.rmdir()
        leaves = [s.leaf_hash for s in shards]
        manifest = Manifest(
            files=tuple(files),
            shards=tuple(shards),
            root=merkle_root(leaves),
            tree_size=len(leaves),
            shard_size=shard_size,
            compressor=codec,
        )
        manifest_bytes = manifest.to_bytes()
        if len(manifest_bytes) > MAX_MANIFEST_BYTES:  # verify would refuse to read it
            raise UsageError(
                f"the batch's manifest would be {len(manifest_bytes)} bytes, more than the {MAX_MANIFEST_BYTES} "
                "a manifest may have: pack fewer files (or a larger --shard-size) per batch"
            )
        try:
            # The manifest written must load back exactly (strict parse plus
            # consistency): inputs were checked up front, so failing is a bug.
            Manifest.from_bytes(manifest_bytes)
        except (VerificationError, MalformedInputError) as exc:
            raise InternalError(f"pack built a manifest that does not verify ({exc.message})") from None
        write_proofs(proofs_dir, leaves)
        (tmp / "manifest.json").write_bytes(manifest_bytes)
    return PackSummary(manifest, sum(f.size for f in files), sum(s.gz_size for s in shards))
