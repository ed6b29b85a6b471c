"""``enoch inscribe loader`` (SPEC T): the page is
deterministic (golden hash), self-contained (no external resource), at most
30 KB, and wired to the ids it was given (index.json has its own tests)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inscriptions.readback.page import MAX_PAGE_BYTES, page_config, render_page
from inscriptions.plans.index import InscriptionIndex
from tests import browser
from tests.batchkit import make_batch
from tests.revealkit import plan_and_reveal
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import UsageError

Enoch = Callable[..., Any]
TX1, TX2 = "ab" * 32, "cd" * 32
#: SHA-256 of the preview page of GOLDEN_FILES; changes only with loader.html (review it then).
GOLDEN_FILES = {"a.txt": b"alpha\n" * 3000, "b.html": b"<p>b</p>"}
GOLDEN_PAGE_SHA256 = "9c0225db859ce0d210735bd45690bcaf2b67d40c3bcc0d3dc29a9330a85b445a"


def index(**change: Any) -> InscriptionIndex:
    base: dict[str, Any] = dict(
        network="signet", root=bytes(32), tree_size=3, manifest_sha256=b"\x01" * 32,
        manifest_id=f"{TX1}i0", leaves=(f"{TX1}i1", f"{TX2}i0", None),
    )  # fmt: skip
    return InscriptionIndex(**(base | change))


def test_preview_page_is_deterministic_and_self_contained(enoch: Enoch, tmp_path: Path) -> None:
    batch = make_batch(tmp_path, GOLDEN_FILES, shard_size=4096)
    pages = []
    for name in ("p1.html", "p2.html"):
        res = enoch("inscribe", "loader", "--preview", str(batch), "-o", str(tmp_path / name), "--json")
        assert res.exit_code == 0, res.stderr
        pages.append((tmp_path / name).read_bytes())
    page = pages[0]
    assert pages[1] == page and len(page) <= MAX_PAGE_BYTES
    assert hashlib.sha256(page).hexdigest() == GOLDEN_PAGE_SHA256
    assert res.json()["batch_id"] == hashlib.sha256((batch / "manifest.json").read_bytes()).hexdigest()
    # No external resources: no URL with a scheme or host, no src/href attributes in the markup.
    text = page.decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text)
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=", text)
    assert enoch("inscribe", "loader", "--preview", str(batch), "-o", str(tmp_path / "p1.html")).exit_code == 2  # exists


def test_page_embeds_the_ids_compactly() -> None:
    cfg = page_config(b"\x01" * 32, f"{TX1}i0", [f"{TX1}i1", f"{TX2}i0", None])
    assert cfg == {"sha256": "01" * 32, "tx": [TX1, TX2], "manifest": [0, 0], "leaves": [[0, 1], [1, 0], None]}
    page = render_page(b"\x01" * 32, f"{TX1}i0", [f"{TX1}i1", f"{TX2}i0", None])
    assert json.dumps(cfg, separators=(",", ":"), sort_keys=True).encode() in page


def test_page_size_limit() -> None:
    many = [f"{i:064x}i0" for i in range(1000)]  # one reveal per shard: 1000 distinct txids
    with pytest.raises(UsageError, match="30000-byte limit"):
        render_page(bytes(32), many[0], many)


def test_loader_from_plan_index(enoch: Enoch, tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    plan_and_reveal(enoch, make_batch(tmp_path, {"a.txt": b"alpha\n" * 3000, "b.bin": bytes(range(256)) * 40}), plan)
    doc = json.loads((plan / "index.json").read_text())
    doc["leaves"][-1] = None  # a shard not revealed yet
    (plan / "index.json").write_bytes(canonical_dumps(doc) + b"\n")
    res = enoch("inscribe", "loader", str(plan), "-o", str(tmp_path / "l.html"), "--json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["missing_leaves"] == 1
    expected = render_page(bytes.fromhex(doc["manifest_sha256"]), doc["manifest_id"], doc["leaves"])
    assert (tmp_path / "l.html").read_bytes() == expected
    doc["manifest_id"] = None
    (plan / "index.json").write_bytes(canonical_dumps(doc) + b"\n")
    res = enoch("inscribe", "loader", str(plan), "-o", str(tmp_path / "m.html"))
    assert res.exit_code == 2 and "--preview" in res.stderr and not (tmp_path / "m.html").exists()


def test_loader_usage(enoch: Enoch, tmp_path: Path) -> None:
    assert enoch("inscribe", "loader", "-o", str(tmp_path / "x.html")).exit_code == 2
    assert enoch("inscribe", "loader", str(tmp_path), "--preview", str(tmp_path), "-o", str(tmp_path / "x.html")).exit_code == 2
    assert enoch("inscribe", "loader", str(tmp_path), "-o", str(tmp_path / "x.html")).exit_code == 66  # no index.json
    assert enoch("inscribe", "loader", "--preview", str(tmp_path / "none"), "-o", str(tmp_path / "x.html")).exit_code == 66


def test_browser_tests_skip_naming_the_debian_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser.shutil, "which", lambda _name: None)
    with pytest.raises(pytest.skip.Exception, match="chromium and chromium-driver"):
        next(browser.chromium())
