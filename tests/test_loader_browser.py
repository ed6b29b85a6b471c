"""The loader page in a real browser (SPEC T, Loader and preview): headless
Chromium loads the page from ``enoch serve``'s server, which answers the way
ord does (Content-Encoding gzip / br, 406, 404), and every file of the
sample batch (plus an image) is verified and shown; a tampered shard fails
only its file; a missing shard is reported as missing; a manifest that is
not the batch's is never trusted."""

from __future__ import annotations

import hashlib
import shutil
import struct
import subprocess
import zlib
from dataclasses import replace
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from inscriptions.batch.gzip_member import gzip_member
from inscriptions.batch.verify import VerifiedBatch, verify_batch
from inscriptions.readback.content import Served, Site, batch_site, plan_site
from inscriptions.readback.extract import rebuild, scan
from inscriptions.plans.index import INDEX_NAME, InscriptionIndex
from tests import browser
from tests.batchkit import make_batch
from tests.batchutil import tree_bytes
from tests.fixtures import fixture_path
from tests.revealkit import plan_and_reveal
from toolkit.serve.server import serving

Enoch = Callable[..., Any]


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from browser.chromium()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> VerifiedBatch:
    tmp = tmp_path_factory.mktemp("sample")
    files = tree_bytes(fixture_path("sample")) | {"img/dot.png": png(), "bin/blob.dat": bytes(range(256)) * 5}
    return verify_batch(make_batch(tmp, files, shard_size=131072))


def shard_ids(site: Site, batch: VerifiedBatch, path: str) -> list[str]:
    f = next(f for f in batch.manifest.files if f.path == path)
    return [f"{batch.manifest.root.hex()}i{i}" for i in range(f.first_shard, f.first_shard + f.shard_count)]


def test_every_file_verified_and_shown(driver: Any, sample: VerifiedBatch) -> None:
    site = batch_site(sample)
    with serving(site) as server:
        verdict = browser.load_verdict(driver, server.url)
        assert verdict == {f.path: "verified" for f in sample.manifest.files}
        assert driver.execute_script("return document.getElementById('manifest').dataset.enochManifest") == "verified"
        shown = driver.execute_script(
            "const q = (p, s) => document.querySelector(`[data-enoch-path='${p}'] ${s}`);"
            "return {img: q('img/dot.png', 'img').naturalWidth, frame: q('index.html', 'iframe').getAttribute('sandbox'),"
            " text: q('texte/\u00e9nochien \u2713.txt', 'pre').textContent, dl: q('bin/blob.dat', 'a').download,"
            " binShown: !!q('bin/blob.dat', ':is(pre, img, iframe)')}"
        )
    assert shown["img"] == 4 and shown["frame"] == "allow-scripts" and not shown["binShown"]
    assert shown["text"] == (fixture_path("sample") / "texte" / "\u00e9nochien \u2713.txt").read_text(encoding="utf-8")
    assert shown["dl"] == "blob.dat"


def test_tampered_shard_fails_only_its_file(driver: Any, sample: VerifiedBatch) -> None:
    site = batch_site(sample)
    levels = shard_ids(site, sample, "data/levels.json")
    noise = shard_ids(site, sample, "art/noise.bin")
    assert len(levels) >= 2 and len(noise) >= 2
    # A valid gzip member of different bytes of the right length: the browser
    # decodes it happily; only the file hash can catch it.
    chunk = bytearray(zlib.decompress(site.contents[levels[1]].body, 31))
    chunk[10] ^= 1
    site.contents[levels[1]] = Served("application/json", "gzip", gzip_member(bytes(chunk)))
    # Bytes that are not gzip at all: the browser refuses to decode them.
    site.contents[noise[0]] = Served("application/octet-stream", "gzip", b"\x1f\x8b" + bytes(100))
    with serving(site) as server:
        verdict = browser.load_verdict(driver, server.url)
        shown = driver.execute_script("return document.querySelectorAll('[data-enoch-status=failed] .c *').length")
        why = driver.execute_script("return Array.from(document.querySelectorAll('[data-enoch-status=failed] .v'), e => e.textContent)")
    assert "is not the manifest's" in why[1] and f"shard {int(noise[0].split('i')[1])}: the body could not be read" in why[0]
    assert verdict.pop("data/levels.json") == "failed" and verdict.pop("art/noise.bin") == "failed"
    assert set(verdict.values()) == {"verified"}
    assert shown == 0  # a failed file is never rendered, not even as a download


def test_missing_shard_is_reported(driver: Any, sample: VerifiedBatch) -> None:
    site = batch_site(sample)
    del site.contents[shard_ids(site, sample, "index.html")[0]]
    with serving(site) as server:
        verdict = browser.load_verdict(driver, server.url)
        message = driver.execute_script("return document.querySelector(\"[data-enoch-path='index.html'] .v\").textContent")
    assert verdict.pop("index.html") == "missing" and "404" in message
    assert set(verdict.values()) == {"verified"}


def test_manifest_not_matching_the_batch_id_is_not_trusted(driver: Any, sample: VerifiedBatch) -> None:
    site = batch_site(sample)
    manifest_id = f"{sample.manifest.root.hex()}i{sample.manifest.tree_size}"
    site.contents[manifest_id] = Served("application/json", None, sample.manifest_bytes + b" ")
    with serving(site) as server:
        assert browser.load_verdict(driver, server.url) == {}
        assert driver.execute_script("return document.getElementById('manifest').dataset.enochManifest") == "failed"


@pytest.mark.skipif(shutil.which("brotli") is None, reason="needs the brotli command (Debian package brotli)")
def test_brotli_and_undeclared_gzip(driver: Any, sample: VerifiedBatch) -> None:
    """ord serves br shards with Content-Encoding br (Chromium decodes them);
    a gateway that drops the header hands over the gzip member itself."""
    site = batch_site(sample)
    for ident in shard_ids(site, sample, "data/levels.json"):
        chunk = zlib.decompress(site.contents[ident].body, 31)
        br = subprocess.run(["brotli", "-c", "-q", "4"], input=chunk, capture_output=True, check=True).stdout
        site.contents[ident] = Served("application/json", "br", br)
    for ident in shard_ids(site, sample, "art/noise.bin"):
        site.contents[ident] = Served("application/octet-stream", None, site.contents[ident].body)
    with serving(site) as server:
        assert set(browser.load_verdict(driver, server.url).values()) == {"verified"}


def test_plan_with_real_ids(driver: Any, enoch: Enoch, tmp_path: Path) -> None:
    """After reveal: the page wired to index.json, the ids ord gives the reveals."""
    batch = make_batch(tmp_path, {"a.txt": b"alpha\n" * 20000, "b/c.html": b"<p>hi</p>"}, shard_size=65536)
    plan = tmp_path / "plan"
    txs = plan_and_reveal(enoch, batch, plan)
    # The ids reveal wrote are the ones extract reads off the transactions.
    found = scan(bytes.fromhex(t) for t in txs)
    got = rebuild(found, found.roots()[0])
    index = InscriptionIndex.from_bytes((plan / INDEX_NAME).read_bytes())
    assert index.manifest_id == got.ids[None] and index.leaves == tuple(got.ids[i] for i in range(got.manifest.tree_size))
    assert index.manifest_sha256 == hashlib.sha256(got.manifest_bytes).digest()
    with serving(plan_site(plan)) as server:
        assert browser.load_verdict(driver, server.url) == {"a.txt": "verified", "b/c.html": "verified"}
    # A group not revealed yet: its leaves are null in the index.
    (plan / INDEX_NAME).write_bytes(replace(index, leaves=index.leaves[:-1] + (None,)).to_bytes())
    with serving(plan_site(plan)) as server:
        assert browser.load_verdict(driver, server.url) == {"a.txt": "verified", "b/c.html": "missing"}


def test_js_sha256_fallback(driver: Any, sample: VerifiedBatch) -> None:
    """The plain-JS SHA-256 (used where WebCrypto is absent: ord over plain http)."""
    with serving(batch_site(sample)) as server:
        browser.load_verdict(driver, server.url)
        for data in (b"", b"abc", bytes(range(256)) * 3, b"a" * 55, b"a" * 56, b"a" * 64):
            got = driver.execute_script("return window.enochSha256jsHex(new Uint8Array(arguments[0]))", list(data))
            assert got == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("compressor", ["zopfli", "brotli"])
def test_every_compressor_verifies(driver: Any, tmp_path: Path, compressor: str) -> None:
    """Batches packed with zopfli (served as gzip) and brotli (served as br,
    format-2 manifest) verify in the browser; a tampered brotli shard fails."""
    files = {"a.json": b'{"k": "%d"}\n' % 7 * 4000, "b/p.png": png(), "c.txt": b"x" * 9000}
    batch = verify_batch(make_batch(tmp_path, files, shard_size=4096, compressor=compressor))
    site = batch_site(batch)
    encoding = "br" if compressor == "brotli" else "gzip"
    assert {s.content_encoding for s in site.contents.values()} == {None, encoding}
    with serving(site) as server:
        assert browser.load_verdict(driver, server.url) == dict.fromkeys(files, "verified")
    ident = shard_ids(site, batch, "a.json")[0]
    body = bytearray(site.contents[ident].body)
    body[len(body) // 2] ^= 0x40
    site.contents[ident] = Served("application/json", encoding, bytes(body))
    with serving(site) as server:
        assert browser.load_verdict(driver, server.url) == {"a.json": "failed", "b/p.png": "verified", "c.txt": "verified"}
