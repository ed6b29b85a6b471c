"""The shard compressors behind one interface (SPEC I and K).

=========  ==========================  ================  ===============
name       shard bytes                 content encoding  manifest format
=========  ==========================  ================  ===============
gzip       gzip member, zlib deflate   ``gzip``          enoch-batch/1
zopfli     gzip member, Zopfli deflate ``gzip``          enoch-batch/2
brotli     one Brotli stream           ``br``            enoch-batch/2
=========  ==========================  ================  ===============

gzip batches keep format 1 byte for byte (their manifests, roots and shards
are unchanged); a format-2 manifest names its compressor, the compressor's
parameters, its library version and the content encoding the shards are
inscribed and served with.  Every name a reader does not know is refused
(exit 65) rather than guessed.

Every shard, whatever the compressor, holds at most :func:`max_chunk_length`
content bytes: deflate cannot expand more than 1032:1, and no shard holds
more than 1 GiB, so a manifest cannot make a verifier inflate gigabytes from
a small shard (issue 12 defect 6).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from inscriptions.batch import brotli_stream, zopfli_member
from inscriptions.batch.gzip_member import CompressorInfo, compressor_info, gzip_member, inflate_member, require_reproducible
from inscriptions.schema import int_field, located, obj, str_field
from toolkit.core.errors import MalformedInputError

FORMAT_1 = "enoch-batch/1"
FORMAT_2 = "enoch-batch/2"
NAMES = ("gzip", "zopfli", "brotli")
#: Deflate's largest expansion: a 258-byte match costs at least 2 bits.
MAX_EXPANSION = 1032
#: No shard holds more content than this, whatever its compressor.
MAX_CHUNK = 1 << 30


FILL_PERCENT = 99


def fill_floor(shard_size: int) -> int:
    """Smallest shard size allowed for a shard that is not a file's last:
    ``ceil(shard_size * 99 / 100)``."""
    return -(-shard_size * FILL_PERCENT // 100)


def max_chunk_length(shard_size: int) -> int:
    """Most content bytes one shard of a batch with limit ``shard_size`` may hold."""
    return min(MAX_EXPANSION * shard_size, MAX_CHUNK)


class Codec(ABC):
    """One compressor with its recorded parameters."""

    name: ClassVar[str]
    content_encoding: ClassVar[str]
    manifest_format: ClassVar[str]
    #: Smallest valid shard (the compression of empty content).
    min_shard: ClassVar[int]

    @abstractmethod
    def compress(self, data: bytes | memoryview) -> bytes:
        """The shard bytes of ``data``."""

    @abstractmethod
    def inflate(self, shard: bytes, max_size: int) -> Iterator[bytes]:
        """Strict, bounded decompression in pieces (``MalformedInputError``)."""

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """The manifest's ``compressor`` record."""

    def describe(self) -> str:
        """Library and version, for messages."""
        return f"{self.name} {self.to_json()['version']}"

    def check_reproducible(self) -> None:
        """Raise ``UsageError`` when this machine cannot claim byte-for-byte reproduction."""


@dataclass(frozen=True)
class GzipCodec(Codec):
    """zlib level 9 (SPEC I); the record is the format-1 one."""

    info: CompressorInfo
    name: ClassVar[str] = "gzip"
    content_encoding: ClassVar[str] = "gzip"
    manifest_format: ClassVar[str] = FORMAT_1
    min_shard: ClassVar[int] = 20

    def compress(self, data: bytes | memoryview) -> bytes:
        return gzip_member(data)

    def inflate(self, shard: bytes, max_size: int) -> Iterator[bytes]:
        return inflate_member(shard, max_size=max_size)

    def to_json(self) -> dict[str, Any]:
        return self.info.to_json()

    def describe(self) -> str:
        return f"{self.info.name} {self.info.version}"

    def check_reproducible(self) -> None:
        require_reproducible(self.info)


@dataclass(frozen=True)
class ZopfliCodec(Codec):
    """Zopfli deflate in the same gzip member (:mod:`inscriptions.batch.zopfli_member`)."""

    version: str
    iterations: int = zopfli_member.ITERATIONS
    name: ClassVar[str] = "zopfli"
    content_encoding: ClassVar[str] = "gzip"
    manifest_format: ClassVar[str] = FORMAT_2
    min_shard: ClassVar[int] = 20

    def compress(self, data: bytes | memoryview) -> bytes:
        return zopfli_member.zopfli_member(data, self.iterations)

    def inflate(self, shard: bytes, max_size: int) -> Iterator[bytes]:
        return inflate_member(shard, max_size=max_size)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "content_encoding": self.content_encoding,
            "version": self.version,
            "iterations": self.iterations,
            "block_splitting": zopfli_member.BLOCK_SPLITTING,
            "block_splitting_last": zopfli_member.BLOCK_SPLITTING_LAST,
            "block_splitting_max": zopfli_member.BLOCK_SPLITTING_MAX,
        }


@dataclass(frozen=True)
class BrotliCodec(Codec):
    """One Brotli stream per shard (:mod:`inscriptions.batch.brotli_stream`)."""

    version: str
    quality: int = brotli_stream.QUALITY
    lgwin: int = brotli_stream.LGWIN
    mode: str = "generic"
    name: ClassVar[str] = "brotli"
    content_encoding: ClassVar[str] = "br"
    manifest_format: ClassVar[str] = FORMAT_2
    min_shard: ClassVar[int] = brotli_stream.MIN_STREAM

    def compress(self, data: bytes | memoryview) -> bytes:
        return brotli_stream.brotli_stream(data, quality=self.quality, lgwin=self.lgwin, mode=self.mode)

    def inflate(self, shard: bytes, max_size: int) -> Iterator[bytes]:
        return brotli_stream.inflate_stream(shard, max_size=max_size)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "content_encoding": self.content_encoding,
            "version": self.version,
            "quality": self.quality,
            "lgwin": self.lgwin,
            "lgblock": 0,
            "mode": self.mode,
        }


def new_codec(name: str, *, zopfli_iterations: int = zopfli_member.ITERATIONS) -> Codec:
    """The codec ``pack --compressor NAME`` compresses with on this machine."""
    if name == "gzip":
        return GzipCodec(compressor_info())
    if name == "zopfli":
        return ZopfliCodec(zopfli_member.library_version(), zopfli_iterations)
    if name == "brotli":
        return BrotliCodec(brotli_stream.library_version())
    raise MalformedInputError(f"unknown compressor {name!r} (known: {', '.join(NAMES)})")


_ZLIB_NAMES = ("zlib", "zlib-ng")
#: zlib and zlib-ng runtime versions: 2-4 dotted numbers, then optional
#: vendor suffixes ("1.3", "1.2.13", "1.3.0.1-motley", "1.3.0.zlib-ng").
_ZLIB_VERSION = re.compile(r"[0-9]{1,5}(\.[0-9]{1,5}){1,3}([.+_-][0-9A-Za-z]+)*")
#: PyPI versions (zopfli, brotli) as the libraries report them: normalized
#: PEP 440, so one release has one spelling ("0.4.3", "0.2.3.post1", "1.2.0b1").
_N = r"(0|[1-9][0-9]*)"
_PEP440 = re.compile(rf"([1-9][0-9]*!)?{_N}(\.{_N})*((a|b|rc){_N})?(\.post{_N})?(\.dev{_N})?(\+[a-z0-9]+(\.[a-z0-9]+)*)?")
#: Each compressor name and the shape its version must have; any other
#: string (prose, whitespace, control characters) is a malformed record.
_VERSION_SHAPES = {
    "zlib": (_ZLIB_VERSION, "zlib runtime version (dotted numbers, e.g. 1.3.1)"),
    "zlib-ng": (_ZLIB_VERSION, "zlib-ng version (dotted numbers, e.g. 2.2.1)"),
    "zopfli": (_PEP440, "zopfli PyPI version in normalized PEP 440 form (e.g. 0.4.3)"),
    "brotli": (_PEP440, "brotli PyPI version in normalized PEP 440 form (e.g. 1.2.1)"),
}
_VERSION_MAX = 64


def _version(o: dict[str, Any], name: str) -> str:
    """``o["version"]`` if it has the shape ``name`` records (exit 65 otherwise)."""
    version = str_field(o, "version")
    shape, what = _VERSION_SHAPES[name]
    if len(version) > _VERSION_MAX or not shape.fullmatch(version):
        raise MalformedInputError(f"compressor version {version[:70]!r} is not a {what}")
    return version


def _fixed(o: dict[str, Any], key: str, value: object) -> None:
    if o[key] != value or type(o[key]) is not type(value):
        raise MalformedInputError(f"compressor {key} is {o[key]!r}; this format fixes it at {value!r}")


def _in_range(o: dict[str, Any], key: str, lo: int, hi: int) -> int:
    value = int_field(o, key, minimum=-(2**53))
    if not lo <= value <= hi:
        raise MalformedInputError(f"compressor {key} {value} is outside {lo}..{hi}")
    return value


def _gzip_from_json(value: Any) -> Codec:
    """Format 1 fixes the deflate parameters (SPEC I): any other value is a
    malformed v1 manifest, not a variant."""
    o = obj(value, "compressor", {"name", "version", "level", "wbits", "mem_level", "strategy"})
    name = str_field(o, "name")
    if name not in _ZLIB_NAMES:
        raise MalformedInputError(f"compressor name {name!r} is not one of {', '.join(_ZLIB_NAMES)}")
    version = _version(o, name)
    fixed = CompressorInfo(name=name, version=version)
    for key in ("level", "wbits", "mem_level", "strategy"):
        if key == "strategy":
            str_field(o, key)
        else:
            int_field(o, key, minimum=-(2**53))
        if o[key] != getattr(fixed, key):
            raise MalformedInputError(f"compressor {key} is {o[key]!r}; {FORMAT_1} fixes it at {getattr(fixed, key)!r}")
    return GzipCodec(fixed)


def _zopfli_from_json(o: dict[str, Any]) -> Codec:
    obj(o, "compressor", {"name", "content_encoding", "version", "iterations", "block_splitting", "block_splitting_last", "block_splitting_max"})
    _fixed(o, "content_encoding", "gzip")
    for key in ("block_splitting", "block_splitting_last", "block_splitting_max"):
        _fixed(o, key, getattr(zopfli_member, key.upper()))
    return ZopfliCodec(_version(o, "zopfli"), _in_range(o, "iterations", 1, zopfli_member.MAX_ITERATIONS))


def _brotli_from_json(o: dict[str, Any]) -> Codec:
    obj(o, "compressor", {"name", "content_encoding", "version", "quality", "lgwin", "lgblock", "mode"})
    _fixed(o, "content_encoding", "br")
    _fixed(o, "lgblock", 0)
    mode = str_field(o, "mode")
    if mode not in brotli_stream.MODES:
        raise MalformedInputError(f"compressor mode {mode!r} is not one of {', '.join(brotli_stream.MODES)}")
    return BrotliCodec(_version(o, "brotli"), _in_range(o, "quality", 0, 11), _in_range(o, "lgwin", 10, 24), mode)


_FORMAT_2 = {"zopfli": _zopfli_from_json, "brotli": _brotli_from_json}


def codec_from_json(fmt: str, value: Any) -> Codec:
    """The manifest's ``compressor`` record, read strictly for format ``fmt``."""
    with located("compressor"):
        if fmt == FORMAT_1:
            return _gzip_from_json(value)
        o = obj(value, "compressor", None)
        name = o.get("name")
        reader = _FORMAT_2.get(name) if isinstance(name, str) else None
        if reader is None:
            raise MalformedInputError(
                f"compressor {name!r} is not one this enoch can read ({', '.join(_FORMAT_2)} in {FORMAT_2}, "
                f"gzip in {FORMAT_1}); the batch needs a newer enoch"
            )
        return reader(o)
