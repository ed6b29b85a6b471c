"""docs/draws.md states the derivation with numbers; check the numbers against
enoch, against the independent reference, and run the doc's pseudocode."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from tests import draw_reference as ref
from tests.drawkit import ENTRANTS, GOLDEN
from tests.fixtures import params
from toolkit.core.canonical_json import canonical_dumps
from toolkit.core.hexutil import block_hash_internal_from_display
from toolkit.draws.derive import draw_source
from toolkit.draws.entrants import parse_entrants

DOC = (Path(__file__).resolve().parent.parent / "docs" / "draws.md").read_text(encoding="utf-8")
VECTORS = params(GOLDEN, lambda v: str(v["name"]))


def _section(title: str) -> str:
    """The text of one vector, from its bold title to the next vector or section."""
    return re.split(r"\n\*\*[A-Z]|\n## ", DOC.split(f"**{title}**")[1])[0]


def test_three_entrant_example() -> None:
    names = [b"alice", b"bob", b"carol"]
    ours = parse_entrants(b"alice\nbob\ncarol\n")
    for name, leaf in zip(names, ours.leaf_hashes()):
        assert f"| `{name.decode()}` | `{leaf.hex()}` |" in DOC
        assert leaf == hashlib.sha256(b"\x00" + name).digest()
    root, [carol] = ours.root_and_proofs([2])
    assert root == ref.mth(names) and carol == ref.path(2, names)
    assert f"root `{root.hex()}`" in DOC
    assert len(carol) == 1 and f"`{carol[0].hex()}`\n(the node over `alice` and `bob`)" in DOC


@pytest.mark.parametrize("vector", VECTORS)
def test_vectors_in_the_doc(vector: dict[str, Any]) -> None:
    text = _section("Block draw." if vector["beta"] is None else "VRF draw.")
    request = vector["request"]
    assert f"```\n{canonical_dumps(request).decode()}\n```" in text
    assert f"request id `{ref.request_id(request)}`" in text
    assert f"`{vector['block']['hash']}`" in text and f"block {vector['block']['height']:,}" in text
    internal = block_hash_internal_from_display(vector["block"]["hash"])
    beta = None if vector["beta"] is None else bytes.fromhex(vector["beta"])
    if beta is not None:
        assert f"beta `{vector['beta']}`" in text
    first = draw_source(vector["request_id"], internal, beta).stream().read(16).hex()
    assert f"first 16 stream bytes `{first}`" in text
    winners = ref.winners(request, internal, beta)
    assert winners == vector["winners"]
    names = ", ".join(f"`{n}`" for n in vector["entrants"])
    assert f"winners (indices) **{' '.join(map(str, winners))}**: {names}" in text
    assert f"root `{request['entrants']['root']}`" in DOC
    assert ref.mth(ref.entrants(ENTRANTS.read_bytes())).hex() == request["entrants"]["root"]


class _Shake:
    def __init__(self, data: bytes) -> None:
        self.out, self.pos = hashlib.shake_256(data).digest(1 << 12), 0

    def read(self, n: int) -> bytes:
        self.pos += n
        return self.out[self.pos - n : self.pos]


@pytest.mark.parametrize("vector", VECTORS)
def test_the_doc_pseudocode_runs_and_agrees(vector: dict[str, Any]) -> None:
    code = DOC.split("### Pseudocode")[1].split("```python\n")[1].split("```")[0]
    scope: dict[str, Any] = {"SHAKE256": _Shake}
    exec(compile(code, "docs/draws.md", "exec"), scope)
    internal = block_hash_internal_from_display(vector["block"]["hash"])
    beta = None if vector["beta"] is None else bytes.fromhex(vector["beta"])
    assert scope["winners"](vector["request"], vector["request_id"], internal, beta) == vector["winners"]


def test_doc_quotes_every_verify_step() -> None:
    steps = re.findall(r"^(\d)\. ", DOC.split("## 5. Verifying a receipt")[1].split("## 6.")[0], re.M)
    assert steps == [str(i) for i in range(1, 8)]
