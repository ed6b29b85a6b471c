"""``enoch verify --reproduce``: re-derive every shard from the verified file
contents and require byte-identical members.

This is the determinism claim made checkable: same content, same shard size,
stock zlib with our fixed parameters -> same shards, same root.  It is refused
outright on zlib-ng (different deflate output) and for batches recorded as
made with anything but stock zlib.
"""

from __future__ import annotations

from inscriptions.batch.verify import VerifiedBatch
from inscriptions.batch.gzip_member import require_reproducible, zlib_runtime_version
from inscriptions.batch.sharding import MAX_SHARD_SIZE, MIN_SHARD_SIZE, shard_file
from toolkit.core.errors import VerificationError


def reproduce_batch(batch: VerifiedBatch) -> None:
    """Raise ``VerificationError`` unless re-packing reproduces every shard."""
    manifest = batch.manifest
    require_reproducible(manifest.compressor)
    if not MIN_SHARD_SIZE <= manifest.shard_size <= MAX_SHARD_SIZE:
        raise VerificationError(f"shard_size {manifest.shard_size} is outside what pack accepts: the batch was not made by enoch pack")
    for f in manifest.files:
        content = b"".join(batch.file_chunks(f))
        made = list(shard_file(content, manifest.shard_size))
        if len(made) != f.shard_count:
            raise VerificationError(
                f"file {f.path!r}: re-packing gives {len(made)} shards, the batch has {f.shard_count} "
                f"(batch zlib {manifest.compressor.version}, this zlib {zlib_runtime_version()})"
            )
        for k, shard in enumerate(made):
            index = f.first_shard + k
            if shard.member != batch.shard_bytes(index):
                raise VerificationError(
                    f"shard {index:06d} ({f.path!r}) is not reproduced byte for byte "
                    f"(batch zlib {manifest.compressor.version}, this zlib {zlib_runtime_version()})"
                )
