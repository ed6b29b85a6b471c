"""draw run --node: the receipt's headers fetched from a bitcoind or Esplora
node (a fake on 127.0.0.1 serving real mainnet headers) give the same receipt
as the header file; a node that lies is refused (a wrong header for a height breaks the links:
exit 1, as for --height --node; a header that does not hash to its hash: 69)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.drawkit import ENTRANTS, GOLDEN, HEADERS, HEADERS_FIRST_HEIGHT, Enoch, make_draw
from tests.fakenode import FakeChain, fake_node, sha256d

BLOCK = GOLDEN[0]
REAL = [bytes.fromhex(line) for line in HEADERS.read_text().split()]
FILLER = b"\x00" * 80  # heights below the fixture: never asked for


@dataclass
class MainnetSlice(FakeChain):
    """A fake node whose chain is filler up to 80,599, then the real headers."""

    tip: int = HEADERS_FIRST_HEIGHT + len(REAL) - 1
    by_hash: dict[bytes, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.headers = [FILLER] * HEADERS_FIRST_HEIGHT + REAL[: self.tip - HEADERS_FIRST_HEIGHT + 1]
        self.block_txids = [[] for _ in self.headers]
        self.by_hash = {sha256d(h): h for h in REAL}

    def header_bytes(self, hash_internal: bytes) -> bytes | None:
        if hash_internal in self.lie_header:
            return self.lie_header[hash_internal]
        return self.by_hash.get(hash_internal)


@pytest.fixture(params=["bitcoind", "mempool"])
def kind(request: pytest.FixtureRequest) -> Iterator[str]:
    yield str(request.param)


def _run(enoch: Enoch, tmp: Path, chain: FakeChain, kind: str) -> tuple[int, str, Path]:
    request = tmp / "block-request.json"
    if not request.exists():
        request, _ = make_draw(enoch, tmp, BLOCK)
    out = tmp / "node-receipt.json"
    with fake_node(chain) as url:
        got = enoch("draw", "run", request, "--entrants", ENTRANTS, "--node", f"{kind}:{url}", "-o", out)
    return got.exit_code, got.stderr, out


def test_node_gives_the_golden_receipt(enoch: Enoch, tmp_path: Path, kind: str) -> None:
    code, err, out = _run(enoch, tmp_path, MainnetSlice(), kind)
    assert code == 0, err
    assert hashlib.sha256(out.read_bytes()).hexdigest() == BLOCK["receipt_sha256"]


def test_node_with_too_few_confirmations(enoch: Enoch, tmp_path: Path, kind: str) -> None:
    code, err, out = _run(enoch, tmp_path, MainnetSlice(tip=80648), kind)
    assert code == 1 and "only 4 confirmations (6 required; tip 80648)" in err and not out.exists()
    code, err, out = _run(enoch, tmp_path, MainnetSlice(tip=80640), kind)
    assert code == 1 and "height 80645 is above the tip 80640" in err


def test_node_that_serves_a_wrong_header_for_a_height(enoch: Enoch, tmp_path: Path, kind: str) -> None:
    chain = MainnetSlice()
    i = 80645
    chain.headers[i], chain.headers[i + 1] = chain.headers[i + 1], chain.headers[i]  # hashes match, links do not
    code, err, out = _run(enoch, tmp_path, chain, kind)
    assert code == 1 and "height 80645: rule 1 (linked) failed" in err and not out.exists(), err


def test_node_whose_header_does_not_hash_to_its_hash(enoch: Enoch, tmp_path: Path, kind: str) -> None:
    chain = MainnetSlice()
    chain.lie_header[sha256d(REAL[45])] = REAL[46]
    code, err, out = _run(enoch, tmp_path, chain, kind)
    assert code == 69 and not out.exists(), err


def test_node_and_headers_are_exclusive(enoch: Enoch, tmp_path: Path) -> None:
    request, _ = make_draw(enoch, tmp_path, BLOCK)
    both = ["--headers", HEADERS, "--node", "mempool:http://127.0.0.1:1"]
    assert enoch("draw", "run", request, "--entrants", ENTRANTS, *both, "-o", tmp_path / "x").exit_code == 2
    assert enoch("draw", "run", request, "--entrants", ENTRANTS, "-o", tmp_path / "x").exit_code == 2
