"""``enoch verify --reproduce``: re-derive every shard from the verified file
contents with the compressor and parameters the manifest records, and
require byte-identical shards.

This is the determinism claim made checkable: same content, same shard size,
same compressor (stock zlib level 9, Zopfli with the recorded iterations, or
Brotli with the recorded quality and window) -> same shards, same root.
gzip reproduction is refused outright on zlib-ng (different deflate output)
and for batches recorded as made with anything but stock zlib.  Each file's
verified content is spooled to a private temporary file and sharded from
there, so memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import tempfile

from inscriptions.batch.compressors import Codec, new_codec
from inscriptions.batch.manifest import FileEntry
from inscriptions.batch.sharding import MAX_SHARD_SIZE, MIN_SHARD_SIZE, shard_file
from inscriptions.batch.source import FileSource
from inscriptions.batch.verify import VerifiedBatch
from toolkit.core.errors import VerificationError


def _versions(recorded: Codec) -> str:
    here = new_codec(recorded.name).describe()
    return f"batch {recorded.describe()}, this machine {here}"


def _reproduce_file(batch: VerifiedBatch, f: FileEntry) -> None:
    manifest = batch.manifest
    with tempfile.TemporaryFile(prefix="enoch-reproduce-") as spool:
        for piece in batch.file_chunks(f):
            spool.write(piece)
        spool.flush()
        made = 0
        for k, shard in enumerate(shard_file(FileSource(spool.fileno(), f.size, f.path), manifest.shard_size, codec=manifest.compressor)):
            made += 1
            index = f.first_shard + k
            if k >= f.shard_count or shard.member != batch.shard_bytes(index):
                raise VerificationError(
                    f"shard {index:06d} ({f.path!r}) is not reproduced byte for byte ({_versions(manifest.compressor)})"
                )
        if made != f.shard_count:
            raise VerificationError(
                f"file {f.path!r}: re-packing gives {made} shards, the batch has {f.shard_count} ({_versions(manifest.compressor)})"
            )


def reproduce_batch(batch: VerifiedBatch) -> None:
    """Raise ``VerificationError`` unless re-packing reproduces every shard."""
    manifest = batch.manifest
    manifest.compressor.check_reproducible()
    if not MIN_SHARD_SIZE <= manifest.shard_size <= MAX_SHARD_SIZE:
        raise VerificationError(f"shard_size {manifest.shard_size} is outside what pack accepts: the batch was not made by enoch pack")
    for f in manifest.files:
        _reproduce_file(batch, f)
