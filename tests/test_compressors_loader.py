"""Brotli and zopfli batches through ``enoch serve`` and the loader page in
Chromium (SPEC K, T): br shards are served with ``Content-Encoding: br``, as
ord serves them, and every file is verified in the browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inscriptions.batch.verify import verify_batch
from inscriptions.readback.content import batch_site
from tests import browser
from tests.batchkit import make_batch
from tests.batchutil import tree_bytes
from tests.fixtures import fixture_path
from toolkit.serve.server import serving


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from browser.chromium()


@pytest.mark.parametrize("compressor", ["brotli", "zopfli"])
def test_loader_verifies_every_file(driver: Any, tmp_path: Path, compressor: str) -> None:
    sample = tree_bytes(fixture_path("sample"))
    files = {p: sample[p] for p in sample if not p.startswith(("art/", "data/"))}  # the small ones
    files |= {"extra/rows.json": b"".join(b'{"row":%d,"v":"%x"}\n' % (i, i * 7919 % 65521) for i in range(12000)),
              "art/noise.bin": sample["art/noise.bin"][:90_000]}  # fmt: skip
    batch = verify_batch(make_batch(tmp_path, files, shard_size=32768, compressor=compressor))
    assert batch.manifest.tree_size > len(files)  # some files span several shards
    site = batch_site(batch)
    want = "br" if compressor == "brotli" else "gzip"
    assert {s.content_encoding for s in site.contents.values()} == {None, want}
    with serving(site) as server:
        assert browser.load_verdict(driver, server.url) == {f.path: "verified" for f in batch.manifest.files}
