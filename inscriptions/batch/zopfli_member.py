"""Zopfli shards (SPEC K): the gzip member of :mod:`inscriptions.batch.gzip_member`
(same fixed header, CRC32 and ISIZE, parsed by the same strict parser) with
the raw deflate stream made by Zopfli instead of zlib.

The stream is Zopfli's ``ZopfliCompress`` in zlib format with
``numiterations`` = the recorded iterations (default 15), ``blocksplitting=1``,
``blocksplittinglast=0``, ``blocksplittingmax=15``, as bundled by the PyPI
``zopfli`` package (version recorded); the 2-byte zlib header ``78 da`` and
the 4-byte Adler-32 trailer are removed, leaving the raw deflate stream.
Served by ord as ``Content-Encoding: gzip``: any inflater reads it.
"""

from __future__ import annotations

import zlib

import zopfli
import zopfli.zopfli

from inscriptions.batch.gzip_member import wrap
from toolkit.core.errors import InternalError

ITERATIONS = 15
MAX_ITERATIONS = 1000
BLOCK_SPLITTING = 1
BLOCK_SPLITTING_LAST = 0
BLOCK_SPLITTING_MAX = 15
_ZLIB_HEADER = bytes.fromhex("78da")


def library_version() -> str:
    """Version of the PyPI ``zopfli`` package (it bundles the Zopfli C sources)."""
    return str(zopfli.__version__)


def zopfli_deflate(data: bytes | memoryview, iterations: int = ITERATIONS) -> bytes:
    """The raw deflate stream Zopfli makes for ``data``."""
    out: bytes = zopfli.zopfli.compress(
        bytes(data),
        numiterations=iterations,
        blocksplitting=BLOCK_SPLITTING,
        blocksplittinglast=BLOCK_SPLITTING_LAST,
        blocksplittingmax=BLOCK_SPLITTING_MAX,
        gzip_mode=0,
    )
    # A zlib container: header, raw deflate, Adler-32 (big-endian).  Checked,
    # so a binding that changed its container cannot slip in other bytes.
    if out[:2] != _ZLIB_HEADER or out[-4:] != (zlib.adler32(data) & 0xFFFFFFFF).to_bytes(4, "big"):
        raise InternalError("zopfli returned an unexpected zlib container")
    return out[2:-4]


def zopfli_member(data: bytes | memoryview, iterations: int = ITERATIONS) -> bytes:
    """The gzip member of ``data`` with a Zopfli deflate stream."""
    return wrap(zopfli_deflate(data, iterations), data)
