"""Review: ``vrf prove --height`` writes two outputs.  ``-o F --save-headers F``
wrote the headers to F and then failed (exit 2, F left behind) or, with
--overwrite, replaced them with the proof; an existing ``-o`` was refused only
after the headers file was written.  Both are now refused before anything is
written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Enoch = Callable[..., Any]
HEADERS = Path(__file__).resolve().parent.parent / "fixtures" / "draws" / "mainnet-headers-80600-80660.txt"


def _prove(enoch: Enoch, key: Path, *extra: str) -> Any:
    return enoch("vrf", "prove", "--key", str(key), "--height", "80645", "--headers", str(HEADERS), *extra, "--json")


def test_same_file_for_both_outputs_is_refused(enoch: Enoch, tmp_path: Path) -> None:
    key, out = tmp_path / "k.key", tmp_path / "same.json"
    assert enoch("vrf", "keygen", "-o", str(key)).exit_code == 0
    for extra in ([], ["--overwrite"]):
        r = _prove(enoch, key, "-o", str(out), "--save-headers", str(out), *extra)
        assert r.exit_code == 2 and "same file" in r.json()["error"]["message"], r
        assert not out.exists()


def test_existing_output_is_refused_before_the_headers_are_saved(enoch: Enoch, tmp_path: Path) -> None:
    key, out, saved = tmp_path / "k.key", tmp_path / "proof.json", tmp_path / "saved.txt"
    assert enoch("vrf", "keygen", "-o", str(key)).exit_code == 0
    out.write_text("keep")
    r = _prove(enoch, key, "-o", str(out), "--save-headers", str(saved))
    assert r.exit_code == 2 and r.json()["error"]["code"] == "output_exists", r
    assert out.read_text() == "keep" and not saved.exists()
    r = _prove(enoch, key, "-o", str(out), "--save-headers", str(saved), "--overwrite")
    assert r.exit_code == 0 and saved.exists() and out.read_text() != "keep", r
