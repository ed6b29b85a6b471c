"""Review: ``inscribe loader PLAN`` and ``serve PLAN`` took PLAN/index.json on
trust: an edited index (leaves swapped or changed, another manifest_sha256 or
root) gave a page wired to the wrong ids or batch, ready to be inscribed.
index.json must belong to plan.json and hold only ids of the plan's signed
reveals, each at its own leaf (exit 65 naming index.json otherwise)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inscriptions.readback.content import plan_site
from tests.batchkit import make_batch, noise
from tests.revealkit import plan_and_reveal
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.errors import MalformedInputError

Enoch = Callable[..., Any]


def _flip(h: str) -> str:
    return ("0" if h[0] != "0" else "1") + h[1:]


EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "leaves swapped": lambda d: d.update(leaves=[d["leaves"][1], d["leaves"][0], *d["leaves"][2:]]),
    "leaf id changed": lambda d: d["leaves"].__setitem__(0, d["leaves"][0][:-1] + "9"),
    "manifest id changed": lambda d: d.update(manifest_id=d["leaves"][0]),
    "manifest_sha256": lambda d: d.update(manifest_sha256=_flip(d["manifest_sha256"])),
    "root": lambda d: d.update(root=_flip(d["root"])),
}


@pytest.fixture
def revealed(enoch: Enoch, tmp_path: Path) -> Path:
    batch = make_batch(tmp_path, {"a.bin": noise(9000), "b.txt": b"hello\n" * 400}, shard_size=4096)
    plan_and_reveal(enoch, batch, tmp_path / "plan")
    return tmp_path / "plan"


def test_untouched_index_gives_the_page(enoch: Enoch, revealed: Path, tmp_path: Path) -> None:
    r = enoch("inscribe", "loader", str(revealed), "-o", str(tmp_path / "l.html"), "--json")
    assert r.exit_code == 0, r.stderr
    assert plan_site(revealed).page == (tmp_path / "l.html").read_bytes()


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_edited_index_is_refused(enoch: Enoch, revealed: Path, tmp_path: Path, edit: str) -> None:
    plan = revealed
    doc = json.loads((plan / "index.json").read_text())
    EDITS[edit](doc)
    (plan / "index.json").write_bytes(canonical_dumps(doc) + b"\n")
    r = enoch("inscribe", "loader", str(plan), "-o", str(tmp_path / "l.html"), "--json")
    assert r.exit_code == 65 and "index.json" in r.json()["error"]["message"], r
    assert not (tmp_path / "l.html").exists()
    with pytest.raises(MalformedInputError, match="index.json"):
        plan_site(plan)
