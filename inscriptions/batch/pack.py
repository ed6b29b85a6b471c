"""Build a batch directory from input files (the library behind ``enoch pack``).

Files are sharded independently of each other, so they are compressed in
parallel worker processes; each worker writes its members under temporary
names inside the (still private) batch directory and returns only metadata.
The main process then assigns leaf indices in file order, renames the members
to ``shards/NNNNNN.gz``, builds the Merkle tree, and writes the proofs and the
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
from inscriptions.batch.gzip_member import compressor_info
from inscriptions.batch.inputs import InputFile
from inscriptions.batch.manifest import MAX_MANIFEST_BYTES, FileEntry, Manifest, ShardEntry
from inscriptions.batch.proof_file import InclusionProof
from inscriptions.batch.rfc9162 import all_inclusion_proofs, leaf_hash, merkle_root
from inscriptions.batch.sharding import check_shard_size, shard_file
from toolkit.core.errors import (
    InputMissingError,
    InternalError,
    MalformedInputError,
    UsageError,
    VerificationError,
)
from toolkit.core.fsio import atomic_directory, display_path, output_errors, read_at_most

Progress = Callable[[int], None]


def shard_name(index: int) -> str:
    """File name of shard ``index`` under ``shards/``."""
    return f"{index:06d}.gz"


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


def _shard_one(source: str, size: int, staging: str, shard_size: int, progress: Progress | None) -> _Sharded:
    """Shard one file into ``staging/<k>``; runs in a worker or in-process."""
    # Bounded by the size seen when the inputs were collected: a file that
    # grew meanwhile is reported, not read to its new end.
    data = read_at_most(source, what="input", limit=size)
    if len(data) != size:
        raise InputMissingError(f"{display_path(source)} changed size while packing")
    out: list[tuple[int, int, bytes]] = []
    for k, shard in enumerate(shard_file(data, shard_size, progress)):
        with open(os.path.join(staging, str(k)), "xb") as fh:
            fh.write(shard.member)
        out.append((shard.length, len(shard.member), leaf_hash(shard.member)))
    return _Sharded(hashlib.sha256(data).digest(), len(data), out)


def _shard_in_worker(source: str, size: int, staging: str, shard_size: int) -> _Sharded:
    return _shard_one(source, size, staging, shard_size, _report)


def _run_parallel(jobs: list[tuple[str, int, str]], shard_size: int, workers: int, progress: Progress | None) -> list[_Sharded]:
    ctx = get_context()
    progress_queue = ctx.SimpleQueue() if progress is not None else None
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(progress_queue,)) as pool:
        # Biggest files first keeps the workers evenly busy; results are
        # collected by position, so the order of completion does not matter.
        order = sorted(range(len(jobs)), key=lambda i: -jobs[i][1])
        futures: dict[int, Future[_Sharded]] = {i: pool.submit(_shard_in_worker, *jobs[i], shard_size) for i in order}
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
) -> PackSummary:
    """Write the batch directory ``out`` for ``inputs`` (sorted by stored path)."""
    check_shard_size(shard_size)
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
            results = [_shard_one(*job, shard_size, progress) for job in work]
        else:
            results = _run_parallel(work, shard_size, workers, progress)
        files: list[FileEntry] = []
        shards: list[ShardEntry] = []
        for i, (f, res) in enumerate(zip(inputs, results, strict=True)):
            files.append(FileEntry(f.path, content_type_for(f.path, overrides), res.size, res.sha256, len(shards), len(res.shards)))
            offset = 0
            for k, (length, gz_size, leaf) in enumerate(res.shards):
                index = len(shards)
                os.rename(staging / str(i) / str(k), shards_dir / shard_name(index))
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
            compressor=compressor_info(),
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
