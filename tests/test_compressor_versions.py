"""SPEC I/K: the shape of a manifest's ``compressor.version`` (docs/batch.md
"Compressors"). zlib and zlib-ng record a dotted numeric version with an
optional vendor suffix; zopfli and brotli record their PyPI version, in
normalized PEP 440 form. Anything else is malformed (exit 65 naming the field)."""

from __future__ import annotations

from typing import Any

import brotli
import pytest

from inscriptions.batch import brotli_stream, zopfli_member
from inscriptions.batch.compressors import FORMAT_1, FORMAT_2, codec_from_json, new_codec
from inscriptions.batch.gzip_member import compressor_info
from toolkit.core.errors import MalformedInputError


def record(name: str, version: str) -> tuple[str, dict[str, Any]]:
    if name in ("zlib", "zlib-ng"):
        return FORMAT_1, {**compressor_info().to_json(), "name": name, "version": version}
    return FORMAT_2, {**new_codec(name).to_json(), "version": version}


ACCEPTED = {
    # Real runtime versions: stock zlib (two and three parts), Chromium's
    # "motley" fork, zlib-ng in compat mode, zlib-ng's own version.
    "zlib": ["1.2.13", "1.3", "1.3.1", "1.2.11.1", "1.2.12.1-motley", "1.3.0.1-motley", "1.3.0.zlib-ng", "2.1.6.ZLIB-NG"],
    "zlib-ng": ["2.1.6", "2.2.1", "1.3.1.zlib-ng", "2.0.0-RC2"],
    "zopfli": ["0.4.3", "0.2.3.post1", "0.4.1.dev3+g1a2b3c4", "1.0rc1", "1!2.0"],
    "brotli": ["1.2.1", "1.1.0", "1.0.9", "1.2.0b1", "1.2"],
}
REFUSED = {
    "zlib": ["x", "", "1", "v1.2.13", "1.2.13 ", " 1.2.13", "1.2.13\n", "1..2", "1.2.", "1.2.13-", "zlib 1.2.13", "1" * 65],
    "zlib-ng": ["x", "ng", "2.1.6/native", "2.1.6\r"],
    # Not normalized PEP 440 (what pip and the library itself print) or not a version at all.
    "zopfli": ["x", "", "v0.4.3", "0.4.3 ", "0.04.3", "0.4.3-post1", "0.4.3.POST1", "0.4.3+", "0.4.3+G1", "latest", "0.4.3\n"],
    "brotli": ["x", "1.2.1-beta", "1.2.1beta1", "1.02.1", "1,2,1", "1.2.1 (system)", "1" * 65],
}


@pytest.mark.parametrize(("name", "version"), [(n, v) for n, vs in ACCEPTED.items() for v in vs])
def test_version_shapes_accepted(name: str, version: str) -> None:
    fmt, rec = record(name, version)
    assert codec_from_json(fmt, rec).to_json()["version"] == version


@pytest.mark.parametrize(("name", "version"), [(n, v) for n, vs in REFUSED.items() for v in vs])
def test_version_shapes_refused(name: str, version: str) -> None:
    fmt, rec = record(name, version)
    with pytest.raises(MalformedInputError, match=r"^compressor version .* is not a"):
        codec_from_json(fmt, rec)


def test_what_this_machine_records_is_accepted() -> None:
    """pack re-reads what it writes: the versions of the libraries installed here load."""
    assert zopfli_member.library_version() and brotli_stream.library_version() == brotli.__version__
    for name in ("gzip", "zopfli", "brotli"):
        codec = new_codec(name)
        assert codec_from_json(codec.manifest_format, codec.to_json()) == codec
