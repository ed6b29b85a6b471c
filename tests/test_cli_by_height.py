"""``--height H`` with ``--headers F`` or ``--node SRC`` on ``hexagram``,
``random`` and ``vrf prove`` (SPEC H "By height"): the block at H proven from
a checkpoint by real mainnet headers; confirmations as Core counts them; a
local fake node on 127.0.0.1 that lies is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.fakenode import FakeChain, fake_node, sha256d
from tests.fixtures import fixture_path
from toolkit.chain.byheight import fetch_start
from toolkit.chain.headerchain import read_header_file

Enoch = Callable[..., CliResult]
FILE = fixture_path("mainnet-headers", "mainnet-headers-80001-100000.txt")
HEADERS = list(read_header_file(FILE))
FIRST = 80_001
HASH = {h: sha256d(HEADERS[h - FIRST])[::-1].hex() for h in (98_790, 99_995, 100_000)}
CHAINWORK_100000 = f"{0x644CB7F5234089E:064x}"


def _same_casting(a: dict[str, object], b: dict[str, object]) -> bool:
    keys = ("lines", "primary", "moving", "relating", "source")
    return all(a[k] == b[k] for k in keys)


def test_hexagram_at_100000_equals_its_block_hash(enoch: Enoch) -> None:
    by_height = enoch("hexagram", "--height", "100000", "--headers", FILE, "--confirmations", "1", "--json")
    assert by_height.exit_code == 0, by_height.stderr
    got = by_height.json()
    direct = enoch("hexagram", "--block-hash", HASH[100_000], "--json").json()
    assert _same_casting(got, direct) and got["source"]["block_hash"] == HASH[100_000]
    assert (got["height"], got["confirmations"], got["chainwork"]) == (100_000, 1, CHAINWORK_100000)
    assert "height" not in direct


def test_default_six_confirmations(enoch: Enoch) -> None:
    r = enoch("hexagram", "--height", "100000", "--headers", FILE, "--json")
    assert r.exit_code == 1 and "only 1 confirmations" in r.json()["error"]["message"]
    r = enoch("hexagram", "--height", "99995", "--headers", FILE, "--json")  # tip - H + 1 = 6
    assert r.exit_code == 0 and r.json()["confirmations"] == 6 and r.json()["source"]["block_hash"] == HASH[99_995]
    assert enoch("hexagram", "--height", "99996", "--headers", FILE).exit_code == 1
    r = enoch("hexagram", "--height", "99000", "--headers", FILE, "--confirmations", "1002")
    assert r.exit_code == 1 and "only 1001 confirmations" in r.stderr


def test_random_and_vrf_prove_by_height(enoch: Enoch, tmp_path: Path) -> None:
    r = enoch("random", "int", "1", "6", "--count", "5", "--height", "99995", "--headers", FILE, "--context", "q", "--json")
    direct = enoch("random", "int", "1", "6", "--count", "5", "--block-hash", HASH[99_995], "--context", "q", "--json")
    assert r.exit_code == 0 and r.json()["values"] == direct.json()["values"]
    assert r.json()["height"] == 99_995 and r.json()["confirmations"] == 6
    key = tmp_path / "k.json"
    assert enoch("vrf", "keygen", "-o", key).exit_code == 0
    proof = enoch("vrf", "prove", "--key", key, "--height", "99995", "--headers", FILE, "--context", "c", "--json")
    same = enoch("vrf", "prove", "--key", key, "--block-hash", HASH[99_995], "--context", "c", "--json").json()
    obj = proof.json()
    assert proof.exit_code == 0 and obj["height"] == 99_995 and obj["confirmations"] == 6
    assert {k: v for k, v in obj.items() if k not in ("height", "confirmations", "chainwork")} == same
    out = tmp_path / "p.json"
    assert enoch("vrf", "prove", "--key", key, "--height", "99995", "--headers", FILE, "-o", out).exit_code == 0
    assert enoch("vrf", "verify", out, "--json").json()["valid"] is True  # the record alone, as ever


def test_save_headers(enoch: Enoch, tmp_path: Path) -> None:
    saved = tmp_path / "saved.txt"
    r = enoch("hexagram", "--height", "99995", "--headers", FILE, "--save-headers", saved)
    assert r.exit_code == 0 and list(read_header_file(saved)) == HEADERS
    again = enoch("hexagram", "--height", "99995", "--headers", FILE, "--save-headers", saved)
    assert again.exit_code == 2 and "exists" in again.stderr
    failed = tmp_path / "failed.txt"
    assert enoch("hexagram", "--height", "100000", "--headers", FILE, "--save-headers", failed).exit_code == 1
    assert not failed.exists()  # nothing written unless the chain verified


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--height", "5"], "exactly one of --headers and --node"),
        (["--height", "5", "--headers", "x", "--node", "mempool:http://127.0.0.1:1"], "exactly one of --headers and --node"),
        (["--headers", "x"], "--headers only apply with --height"),
        (["--block-hash", "00" * 32, "--confirmations", "2"], "--confirmations only apply with --height"),
        (["--block-hash", "00" * 32, "--height", "5", "--headers", "x"], "exactly one of --block-hash, --header, --height"),
        (["--height", "-1", "--headers", "x"], "not in the range"),
        (["--height", "1_000", "--headers", "x"], "not a decimal integer"),
    ],
)
def test_usage_errors(enoch: Enoch, args: list[str], message: str) -> None:
    r = enoch("hexagram", *args)
    assert r.exit_code == 2 and message in r.stderr


def test_unanchored_or_wrong_file(enoch: Enoch, tmp_path: Path) -> None:
    f = tmp_path / "slice.txt"
    f.write_text("\n".join(h.hex() for h in HEADERS[700:2000]) + "\n")  # no checkpoint inside
    r = enoch("hexagram", "--height", "81000", "--headers", f)
    assert r.exit_code == 1 and "not anchored" in r.stderr
    assert enoch("hexagram", "--height", "99995", "--headers", tmp_path / "missing").exit_code == 66


# --- --node: a fake node on 127.0.0.1 serving real headers, and lying ---------

TIP = 98_795  # fetching 98,790 starts after checkpoint 98,783: 12 headers


@dataclass
class RealChain(FakeChain):
    """FakeChain over real mainnet headers, indexed by height (b"" below the fixture)."""

    index: dict[bytes, bytes] = field(default_factory=dict)

    def header_bytes(self, hash_internal: bytes) -> bytes | None:
        if hash_internal in self.lie_header:
            return self.lie_header[hash_internal]
        return self.index.get(hash_internal)


def _chain(tip: int = TIP, replace: dict[int, bytes] | None = None) -> RealChain:
    headers = [b""] * FIRST + HEADERS[: tip + 1 - FIRST]
    for height, raw in (replace or {}).items():
        headers[height] = raw
    chain = RealChain(headers=headers)
    chain.index = {sha256d(h): h for h in headers[98_000:]}
    return chain


@pytest.fixture(params=["bitcoind", "mempool"])
def kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ENOCH_BITCOIND_AUTH", "user:pass")
    return str(request.param)


@pytest.fixture
def served() -> Iterator[Callable[[RealChain], str]]:
    stack: list[object] = []

    def serve(chain: RealChain) -> str:
        ctx = fake_node(chain)
        stack.append(ctx)
        return ctx.__enter__()

    yield serve
    for ctx in reversed(stack):
        ctx.__exit__(None, None, None)  # type: ignore[attr-defined]


def test_node_gives_the_same_block(enoch: Enoch, kind: str, served: Callable[[RealChain], str], tmp_path: Path) -> None:
    assert fetch_start("mainnet", 98_790) == 98_784
    chain = _chain()
    node = f"{kind}:{served(chain)}"
    saved = tmp_path / "h.txt"
    r = enoch("hexagram", "--height", "98790", "--node", node, "--save-headers", saved, "--json")
    assert r.exit_code == 0, r.stderr
    direct = enoch("hexagram", "--block-hash", HASH[98_790], "--json").json()
    assert _same_casting(r.json(), direct) and r.json()["confirmations"] == 6
    assert list(read_header_file(saved)) == HEADERS[98_784 - FIRST : TIP + 1 - FIRST]
    # The saved chain proves the same block offline.
    offline = enoch("hexagram", "--height", "98790", "--headers", saved, "--json").json()
    assert _same_casting(offline, direct)


def test_node_wrong_header_for_a_height(enoch: Enoch, kind: str, served: Callable[[RealChain], str]) -> None:
    # Asked for height 98,788 the node names block 98,789 (and serves its real header).
    node = f"{kind}:{served(_chain(replace={98_788: HEADERS[98_789 - FIRST]}))}"
    r = enoch("hexagram", "--height", "98790", "--node", node)
    assert r.exit_code == 1 and "height 98788: rule 1 (linked)" in r.stderr


def test_node_header_not_hashing_to_its_hash(enoch: Enoch, kind: str, served: Callable[[RealChain], str]) -> None:
    chain = _chain()
    chain.lie_header[sha256d(HEADERS[98_789 - FIRST])] = HEADERS[98_790 - FIRST]
    r = enoch("hexagram", "--height", "98790", "--node", f"{kind}:{served(chain)}")
    assert r.exit_code == 69 and "got one that hashes to" in r.stderr


def test_node_short_chain(enoch: Enoch, kind: str, served: Callable[[RealChain], str]) -> None:
    node = f"{kind}:{served(_chain(tip=98_792))}"
    r = enoch("hexagram", "--height", "98790", "--node", node)
    assert r.exit_code == 1 and "only 3 confirmations" in r.stderr
    r = enoch("hexagram", "--height", "98800", "--node", node)
    assert r.exit_code == 1 and "above the tip 98792" in r.stderr
