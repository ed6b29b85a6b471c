"""The batch manifest, ``manifest.json`` (``"format": "enoch-batch/1"`` for
gzip batches, ``"enoch-batch/2"`` for zopfli and brotli; both are read).

RFC 8785 canonical JSON, no timestamps.  :meth:`Manifest.from_bytes` is
strict in two layers:

* the document itself (exit 65, ``MalformedInputError``): canonical bytes,
  known keys only, right types, lowercase hex of the right length, paths
  relative and normalised (see :mod:`inscriptions.batch.relpath`);
* its internal consistency (exit 1, ``VerificationError``): files sorted by
  UTF-8 path and unique, shard indices and byte ranges contiguous, each
  file's shard range and size matching its shards, the tree size matching
  the shard count, and the root equal to the Merkle tree hash of the listed
  leaf hashes, and every shard but a file's last filled to 99% of the
  shard-size limit.

So every ``Manifest`` object in memory is self-consistent; whether the shard
files and contents match it is :mod:`inscriptions.batch.verify`'s job.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from inscriptions.batch.compressors import FILL_PERCENT, FORMAT_1, FORMAT_2, Codec, codec_from_json, fill_floor, max_chunk_length
from inscriptions.batch.relpath import check_no_prefix_conflicts, check_relative_path, path_sort_key
from inscriptions.batch.rfc9162 import merkle_root
from inscriptions.schema import Obj, hex_field, int_field, located, obj, str_field
from toolkit.core.canonical_json import strict_loads
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError, VerificationError

FORMAT = FORMAT_1
FORMATS = (FORMAT_1, FORMAT_2)
#: Smallest shard_size a manifest may record (the empty gzip member is 20 bytes).
MIN_RECORDED_SHARD_SIZE = 20
#: Largest manifest enoch writes or reads (bounded read; exit 65 beyond).
#: A shard entry takes about 200 bytes plus its path, so this is a few hundred
#: thousand shards: hundreds of gigabytes, far more than a batch one can
#: inscribe.  ``pack`` refuses a batch whose manifest would be larger.
MAX_MANIFEST_BYTES = 1 << 26
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(;[a-z0-9-]+=[a-z0-9._-]+)*")


#: The content type is one data push of the inscription envelope, and a push
#: holds at most 520 bytes (tapscript's MAX_SCRIPT_ELEMENT_SIZE): a longer one
#: makes a batch that ``inscribe plan`` can never inscribe.
MAX_CONTENT_TYPE_BYTES = 520


def check_content_type(value: str) -> str:
    """A MIME type as inscribed: lowercase ``type/subtype[;param=value]...``,
    at most :data:`MAX_CONTENT_TYPE_BYTES` long."""
    if len(value) > MAX_CONTENT_TYPE_BYTES:  # ASCII by the pattern below, so chars = bytes
        raise MalformedInputError(
            f"content type {value[:40]!r}... is {len(value)} bytes; one envelope push holds at most {MAX_CONTENT_TYPE_BYTES}"
        )
    if not _CONTENT_TYPE.fullmatch(value):
        raise MalformedInputError(f"content type {value!r} is not a lowercase type/subtype[;param=value]")
    return value


@dataclass(frozen=True)
class FileEntry:
    """One input file: its relative path and where its shards are."""

    path: str
    content_type: str
    size: int
    sha256: bytes
    first_shard: int
    shard_count: int

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256.hex(),
            "first_shard": self.first_shard,
            "shard_count": self.shard_count,
        }

    @classmethod
    def from_json(cls, value: Any, where: str) -> FileEntry:
        with located(where):
            o = obj(value, where, {"path", "content_type", "size", "sha256", "first_shard", "shard_count"})
            return cls(
                path=check_relative_path(str_field(o, "path")),
                content_type=check_content_type(str_field(o, "content_type")),
                size=int_field(o, "size"),
                sha256=hex_field(o, "sha256", 32),
                first_shard=int_field(o, "first_shard"),
                shard_count=int_field(o, "shard_count", minimum=1),
            )


@dataclass(frozen=True)
class ShardEntry:
    """One shard: ``length`` bytes of ``file`` from ``offset``, as a ``gz_size``-byte member."""

    index: int
    file: str
    offset: int
    length: int
    gz_size: int
    leaf_hash: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "file": self.file,
            "offset": self.offset,
            "length": self.length,
            "gz_size": self.gz_size,
            "leaf_hash": self.leaf_hash.hex(),
        }

    @classmethod
    def from_json(cls, value: Any, where: str, min_size: int) -> ShardEntry:
        with located(where):
            o = obj(value, where, {"index", "file", "offset", "length", "gz_size", "leaf_hash"})
            return cls(
                index=int_field(o, "index"),
                file=check_relative_path(str_field(o, "file")),
                offset=int_field(o, "offset"),
                length=int_field(o, "length"),
                gz_size=int_field(o, "gz_size", minimum=min_size),
                leaf_hash=hex_field(o, "leaf_hash", 32),
            )


@dataclass(frozen=True)
class Manifest:
    """A parsed, self-consistent batch manifest."""

    files: tuple[FileEntry, ...]
    shards: tuple[ShardEntry, ...]
    root: bytes
    tree_size: int
    shard_size: int
    compressor: Codec

    @property
    def format(self) -> str:
        """``enoch-batch/1`` for gzip, ``enoch-batch/2`` for the other compressors."""
        return self.compressor.manifest_format

    @property
    def content_encoding(self) -> str:
        """How every shard is inscribed and served: ``gzip`` or ``br``."""
        return self.compressor.content_encoding

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "compressor": self.compressor.to_json(),
            "shard_size": self.shard_size,
            "tree_size": self.tree_size,
            "root": self.root.hex(),
            "files": [f.to_json() for f in self.files],
            "shards": [s.to_json() for s in self.shards],
        }

    def to_bytes(self) -> bytes:
        """The canonical JSON bytes of ``manifest.json``."""
        return canonical_dumps(self.to_json())

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """Parse ``manifest.json`` strictly and check its consistency."""
        keys = {"format", "compressor", "shard_size", "tree_size", "root", "files", "shards"}
        o = obj(strict_loads(data, what="manifest"), "manifest", None)
        fmt = o.get("format")
        if fmt not in FORMATS:
            # Checked first, so a future version gets a clear message.
            raise MalformedInputError(f"manifest format is {fmt!r}, expected one of {', '.join(map(repr, FORMATS))}")
        obj(o, "manifest", keys)
        codec = codec_from_json(fmt, o["compressor"])
        if codec.manifest_format != fmt:
            raise MalformedInputError(f"compressor {codec.name!r} is recorded in {codec.manifest_format}, not {fmt}")
        manifest = cls(
            files=tuple(FileEntry.from_json(v, f"files[{i}]") for i, v in enumerate(_list(o, "files"))),
            shards=tuple(
                ShardEntry.from_json(v, f"shards[{i}]", codec.min_shard) for i, v in enumerate(_list(o, "shards"))
            ),
            root=hex_field(o, "root", 32),
            tree_size=int_field(o, "tree_size", minimum=1),
            shard_size=int_field(o, "shard_size", minimum=MIN_RECORDED_SHARD_SIZE),
            compressor=codec,
        )
        if manifest.to_bytes() != data:
            raise MalformedInputError("manifest is not in canonical form (RFC 8785)")
        manifest.check_consistency()
        return manifest

    def check_consistency(self) -> None:
        """Raise ``VerificationError`` unless files, shards, sizes and root agree."""
        if not self.files:
            raise VerificationError("manifest lists no files")
        paths = [f.path for f in self.files]
        keys = [path_sort_key(p) for p in paths]
        if any(a >= b for a, b in zip(keys, keys[1:], strict=False)):
            raise VerificationError("manifest files are not sorted by UTF-8 path, or a path repeats")
        check_no_prefix_conflicts(paths)
        if self.tree_size != len(self.shards):
            raise VerificationError(f"tree_size {self.tree_size} but {len(self.shards)} shards listed")
        next_shard = 0
        for f in self.files:
            if f.first_shard != next_shard:
                raise VerificationError(f"file {f.path!r}: shard range does not continue at shard {next_shard}")
            if f.size == 0 and f.shard_count != 1:
                raise VerificationError(f"file {f.path!r} is empty but has {f.shard_count} shards, not 1")
            if f.first_shard + f.shard_count > len(self.shards):
                raise VerificationError(f"file {f.path!r}: shard range runs past the last shard")
            offset = 0
            last = f.first_shard + f.shard_count - 1
            for s in self.shards[f.first_shard : f.first_shard + f.shard_count]:
                _check_shard(s, f, next_shard, offset, self.shard_size, next_shard == last)
                offset += s.length
                next_shard += 1
            if offset != f.size:
                raise VerificationError(f"file {f.path!r}: shards cover {offset} bytes, size says {f.size}")
        if next_shard != len(self.shards):
            raise VerificationError("manifest lists shards that belong to no file")
        if merkle_root([s.leaf_hash for s in self.shards]) != self.root:
            raise VerificationError("manifest root is not the Merkle tree hash of its leaf hashes")

    def file_for_shard(self, index: int) -> FileEntry:
        """The file that shard ``index`` belongs to."""
        if not 0 <= index < len(self.shards):
            raise VerificationError(f"shard {index} is not in this batch (tree size {self.tree_size})")
        starts = [f.first_shard for f in self.files]
        return self.files[bisect.bisect_right(starts, index) - 1]


def _check_shard(s: ShardEntry, f: FileEntry, index: int, offset: int, shard_size: int, last: bool) -> None:
    name = f"shard {index:06d}"
    if s.index != index:
        raise VerificationError(f"{name}: listed with index {s.index}")
    if s.file != f.path:
        raise VerificationError(f"{name}: names file {s.file!r}, but lies in the range of {f.path!r}")
    if s.offset != offset:
        raise VerificationError(f"{name}: offset {s.offset}, expected {offset}")
    if s.length == 0 and f.size != 0:
        raise VerificationError(f"{name}: empty shard in a non-empty file")
    if s.gz_size > shard_size:
        raise VerificationError(f"{name}: gz_size {s.gz_size} exceeds the shard size limit {shard_size}")
    cap = max_chunk_length(shard_size)
    if s.length > cap:
        # Refused before anything is decompressed: no shard of this limit
        # honestly holds more (issue 12 defect 6; docs/batch.md).
        raise VerificationError(f"{name}: length {s.length} is more than a {shard_size}-byte shard may hold ({cap} bytes)")
    if not last and s.gz_size < fill_floor(shard_size) and s.length != cap:
        # SPEC I: every shard but a file's last is filled to 99% of the limit;
        # a manifest claiming a larger limit than the batch was made with fails.
        raise VerificationError(
            f"{name}: gz_size {s.gz_size} is under {FILL_PERCENT}% of the shard size limit {shard_size}, but is not the last shard of {f.path!r}"
        )


def _list(o: Obj, key: str) -> list[Any]:
    value = o[key]
    if not isinstance(value, list):
        raise MalformedInputError(f"manifest: {key} must be a list")
    return value
