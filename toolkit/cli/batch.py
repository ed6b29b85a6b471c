"""``enoch pack``, ``verify``, ``verify-shard``, ``unpack``: a thin click layer
over :mod:`inscriptions.batch.pack` and :mod:`inscriptions.batch.verify`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from inscriptions.batch.verify import VerifiedBatch, proof_entry, read_manifest, unpack_batch, verify_batch, verify_shard_with_proof
from inscriptions.batch.batch_id import batch_id, parse_batch_id
from inscriptions.batch.compressors import NAMES, new_codec
from inscriptions.batch.content_types import parse_override
from inscriptions.batch.gzip_member import is_zlib_ng
from inscriptions.batch.inputs import check_output_outside, collect_inputs
from inscriptions.batch.pack import pack_files
from inscriptions.batch.proof_file import MAX_PROOF_BYTES, InclusionProof
from inscriptions.batch.relpath import portability_conflicts
from inscriptions.batch.reproduce import reproduce_batch
from inscriptions.batch.zopfli_member import ITERATIONS, MAX_ITERATIONS
from inscriptions.batch.sharding import DEFAULT_SHARD_SIZE, MAX_SHARD_SIZE, MIN_SHARD_SIZE
from toolkit.cli.options import DecimalInt, expect_option, json_option, overwrite_option
from toolkit.core.errors import EnochError, InputMissingError, UsageError
from toolkit.core.fsio import read_at_most, read_input
from toolkit.cli.render import Progress, SimpleResult, info

#: Inputs at least this big get a progress bar (when stderr is a terminal).
PROGRESS_THRESHOLD = 2_000_000


def _progress(total: int, label: str) -> Progress:
    return Progress(total=total, label=label, enabled=sys.stderr.isatty() and total >= PROGRESS_THRESHOLD)


def batch_progress(batch_dir: Path, label: str, passes: int = 1) -> Progress:
    """A progress bar sized by the batch's content bytes; none when stderr is
    not a terminal or the manifest is unreadable (verification reports that).
    Shared with ``inscribe plan``, which verifies the batch first."""
    if not sys.stderr.isatty() or not (batch_dir / "manifest.json").is_file():
        return Progress(total=0, label=label, enabled=False)
    try:
        total = sum(f.size for f in read_manifest(batch_dir / "manifest.json")[0].files)
    except EnochError:
        total = 0
    return _progress(passes * total, label)


def verified_batch(batch_dir: Path) -> VerifiedBatch:
    """Verify BATCH_DIR completely (with a progress bar), for the commands that
    inscribe it or price it (``inscribe plan``, ``inscribe estimate``)."""
    if not (batch_dir / "manifest.json").is_file():
        raise InputMissingError(f"{batch_dir} is not a batch directory (no manifest.json)")
    bar = batch_progress(batch_dir, "verifying")
    try:
        return verify_batch(batch_dir, progress=bar.advance)
    finally:
        bar.close()


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="Batch directory to create.")
@click.option(
    "--shard-size",
    type=DecimalInt(MIN_SHARD_SIZE, MAX_SHARD_SIZE),
    default=DEFAULT_SHARD_SIZE,
    show_default=True,
    help="Largest shard (gzip member or brotli stream), in bytes.",
)
@click.option(
    "--content-type",
    "content_types",
    multiple=True,
    metavar="GLOB=TYPE",
    help="Content type for files whose relative path matches GLOB (first match wins; repeatable).",
)
@click.option(
    "--jobs",
    type=DecimalInt(1),
    default=None,
    help="Worker processes compressing files in parallel [default: CPU count]. Output is identical for any value.",
)
@click.option(
    "--compressor",
    type=click.Choice(list(NAMES)),
    default="gzip",
    show_default=True,
    help="gzip (zlib -9), zopfli (same gzip members, ~5-9% smaller, much slower) or brotli (quality 11, content encoding br, ~15-25% smaller on text).",
)
@click.option(
    "--zopfli-iterations",
    type=DecimalInt(1, MAX_ITERATIONS),
    default=ITERATIONS,
    show_default=True,
    help="Zopfli iterations (recorded in the manifest); only with --compressor zopfli.",
)
@overwrite_option
@json_option
def pack(
    sources: tuple[Path, ...],
    out: Path,
    shard_size: int,
    content_types: tuple[str, ...],
    jobs: int | None,
    compressor: str,
    zopfli_iterations: int,
    overwrite: bool,
    json_mode: bool,
) -> SimpleResult:
    """Pack files and directories into a verifiable inscription batch."""
    codec = new_codec(compressor, zopfli_iterations=zopfli_iterations)
    overrides = [parse_override(spec) for spec in content_types]
    inputs = collect_inputs(list(sources))
    check_output_outside(list(sources), out)
    for a, b in portability_conflicts([f.path for f in inputs]):
        info(f"warning: {a!r} and {b!r} name the same file on case-insensitive or Unicode-normalising filesystems (macOS, Windows); unpacking there will fail")
    if compressor == "gzip" and is_zlib_ng():
        info("warning: Python's zlib is zlib-ng; this batch will not be byte-reproducible with stock zlib")
    bar = _progress(sum(f.size for f in inputs), "packing")
    try:  # the bar's line is ended even when packing fails, before the error is printed
        summary = pack_files(
            inputs,
            out,
            shard_size=shard_size,
            overrides=overrides,
            jobs=jobs or os.cpu_count() or 1,
            overwrite=overwrite,
            progress=bar.advance if bar.enabled else None,
            codec=codec,
        )
    finally:
        bar.close()
    m = summary.manifest
    bid = batch_id(m.to_bytes())
    data = {
        "batch_id": bid,
        "root": m.root.hex(),
        "tree_size": m.tree_size,
        "files": len(m.files),
        "bytes_in": summary.bytes_in,
        "bytes_out": summary.bytes_out,
        "compressor": codec.name,
        "content_encoding": codec.content_encoding,
    }
    text = (
        f"packed {len(m.files)} files ({summary.bytes_in} bytes) into {m.tree_size} {codec.name} shards "
        f"({summary.bytes_out} bytes) in {out}\nbatch id {bid}\nroot {m.root.hex()}"
    )
    return SimpleResult(data=data, text=text)


@click.command()
@click.argument("batch_dir", type=click.Path(path_type=Path))
@click.option(
    "--reproduce",
    is_flag=True,
    help="Also re-compress every file with the recorded compressor and require byte-identical shards (gzip: stock zlib only).",
)
@expect_option
@json_option
def verify(batch_dir: Path, reproduce: bool, expect: str | None, json_mode: bool) -> SimpleResult:
    """Verify every shard, leaf, proof, the root and each file's SHA-256."""
    if expect is not None:
        parse_batch_id(expect)  # a malformed id is exit 2 before any work
    bar = batch_progress(batch_dir, "verifying")
    try:
        batch = verify_batch(batch_dir, progress=bar.advance, expect=expect)
    finally:
        bar.close()
    m = batch.manifest
    # The root commits to the shard bytes only; paths and content types are
    # pinned by the manifest's own hash, the batch id, reported next to it.
    data: dict[str, object] = {
        "valid": True,
        "batch_id": batch.batch_id,
        "root": m.root.hex(),
        "tree_size": m.tree_size,
        "files": len(m.files),
        "manifest_sha256": batch.batch_id,  # the same value, kept for existing scripts
        "compressor": m.compressor.name,
        "content_encoding": m.content_encoding,
    }
    if expect is not None:
        data["expected"] = True
    if reproduce:
        reproduce_batch(batch)
        data["reproduced"] = True
    text = (
        f"valid: {len(m.files)} files, {m.tree_size} shards, root {m.root.hex()}, "
        f"batch id {batch.batch_id}{' (as expected)' if expect is not None else ''}"
    )
    return SimpleResult(data=data, text=text + (" (reproduced byte for byte)" if reproduce else ""))


@click.command("verify-shard")
@click.option("--manifest", "manifest_path", required=True, type=click.Path(path_type=Path), help="manifest.json of the batch.")
@click.option("--shard", "shard_path", required=True, type=click.Path(path_type=Path), help="The shard (gzip member) file.")
@click.option("--proof", "proof_path", required=True, type=click.Path(path_type=Path), help="Its inclusion proof file.")
@json_option
def verify_shard(manifest_path: Path, shard_path: Path, proof_path: Path, json_mode: bool) -> SimpleResult:
    """Verify one shard and its inclusion proof against a manifest's root."""
    if [str(p) for p in (manifest_path, shard_path, proof_path)].count("-") > 1:
        raise UsageError("only one of --manifest, --shard and --proof can be - (stdin)")
    manifest, raw = read_manifest(manifest_path)
    proof = InclusionProof.from_bytes(read_input(proof_path, what="proof", limit=MAX_PROOF_BYTES))
    # At most one byte more than the manifest's size for this shard is read;
    # a longer file then fails the size check (exit 1) like any tampered shard.
    member = read_at_most(shard_path, what="shard", limit=proof_entry(manifest, proof).gz_size)
    entry = verify_shard_with_proof(manifest, member, proof)
    data = {
        "valid": True,
        "index": entry.index,
        "file": entry.file,
        "offset": entry.offset,
        "length": entry.length,
        "root": manifest.root.hex(),
        "tree_size": manifest.tree_size,
        "batch_id": batch_id(raw),
    }
    text = (
        f"valid: shard {entry.index:06d} of {entry.file} (bytes {entry.offset}..{entry.offset + entry.length}) "
        f"is in root {manifest.root.hex()} of batch id {batch_id(raw)}"
    )
    return SimpleResult(data=data, text=text)


@click.command()
@click.argument("batch_dir", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="Directory to create.")
@overwrite_option
@expect_option
@json_option
def unpack(batch_dir: Path, out: Path, overwrite: bool, expect: str | None, json_mode: bool) -> SimpleResult:
    """Verify a batch completely, then rebuild its files in a new directory."""
    if expect is not None:
        parse_batch_id(expect)  # a malformed id is exit 2 before any work
    check_output_outside([batch_dir], out, what="batch")
    bar = batch_progress(batch_dir, "verifying and unpacking", passes=2)
    try:
        batch = unpack_batch(batch_dir, out, overwrite=overwrite, progress=bar.advance, expect=expect)
    finally:
        bar.close()
    m = batch.manifest
    size = sum(f.size for f in m.files)
    data = {"files": len(m.files), "bytes": size, "batch_id": batch.batch_id, "root": m.root.hex(), "output": str(out)}
    text = f"unpacked {len(m.files)} verified files ({size} bytes) into {out}\nbatch id {batch.batch_id}\nroot {m.root.hex()}"
    return SimpleResult(data=data, text=text)
