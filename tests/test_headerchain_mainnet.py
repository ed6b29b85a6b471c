"""SPEC H on real data: the 20,000 mainnet headers 80,001 .. 100,000
(fixtures/mainnet-headers) as one anchored chain, against the packaged
checkpoint table; and every rule real headers can break."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from tests.fixtures import fixture_path
from toolkit.chain.checkpoints import checkpoint_table
from toolkit.chain.headerchain import VerifiedChain, read_header_file, verify_chain
from toolkit.core.errors import UsageError, VerificationError

FILE = fixture_path("mainnet-headers", "mainnet-headers-80001-100000.txt")
LINES = FILE.read_text(encoding="ascii").split()
HEADERS = [bytes.fromhex(line) for line in LINES]
FIRST = 80_001
TABLE = checkpoint_table("mainnet")
CHECKPOINTS_INSIDE = [h for h in range(FIRST, 100_001) if h % 2016 == 2015]
RETARGETS = (82656, 84672, 86688, 88704, 90720, 92736, 94752, 96768, 98784)
BLOCK_100000 = "000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506"


def _at(height: int) -> bytes:
    return HEADERS[height - FIRST]


@pytest.fixture(scope="module")
def chain() -> VerifiedChain:
    return verify_chain(read_header_file(FILE), "mainnet", keep_heights=set(CHECKPOINTS_INSIDE) | {FIRST, 99_995, 100_000})


def test_all_20000_headers_are_one_anchored_chain(chain: VerifiedChain) -> None:
    assert len(HEADERS) == 20_000 and len(CHECKPOINTS_INSIDE) == 10
    assert (chain.network, chain.anchored, chain.anchor_height) == ("mainnet", True, 80_639)
    assert (chain.first_height, chain.tip_height, chain.count) == (FIRST, 100_000, 20_000)
    assert chain.tip_hash_display == BLOCK_100000 and chain.tip_header == HEADERS[-1]
    assert chain.retargets == RETARGETS  # every h % 2016 == 0 with h-2016 and h-1 in the file


def test_chainwork_of_block_100000_is_cores(chain: VerifiedChain) -> None:
    assert chain.tip_chainwork == 0x644CB7F5234089E
    assert chain.block_at(100_000).chainwork == 0x644CB7F5234089E


def test_heights_and_chainwork_agree_with_the_checkpoint_table(chain: VerifiedChain) -> None:
    # Independent sum over the table: period 0 at difficulty 1, period k+1 at entry k's next_target.
    targets = [0xFFFF << 208] + [cp.next_target for cp in TABLE.checkpoints]
    for height in CHECKPOINTS_INSIDE:
        block = chain.block_at(height)
        assert block.hash_internal == TABLE.hash_at(height), height
        periods = (height + 1) // 2016
        expected = sum(2016 * ((1 << 256) // (t + 1)) for t in targets[:periods])  # type: ignore[operator]
        assert block.chainwork == expected, height
    assert chain.block_at(FIRST).header == _at(FIRST)


def test_confirmations_count_as_core(chain: VerifiedChain) -> None:
    assert chain.confirmations(100_000) == 1 and chain.confirmations(99_995) == 6
    assert chain.confirmations(FIRST) == 20_000


def test_chain_starting_right_after_a_checkpoint() -> None:
    c = verify_chain(HEADERS[80_640 - FIRST :], "mainnet")
    assert (c.anchor_height, c.first_height) == (80_639, 80_640)
    assert c.retargets == RETARGETS and c.tip_chainwork == 0x644CB7F5234089E


def _fails(headers: list[bytes], match: str, **kw: bool) -> None:
    with pytest.raises(VerificationError, match=match):
        verify_chain(headers, "mainnet", **kw)


@pytest.mark.parametrize(("offset", "rule"), [(4, "rule 1 \\(linked\\)"), (40, "rule 2 \\(proof of work\\)"), (76, "rule 2 \\(proof of work\\)")])
def test_one_flipped_bit(offset: int, rule: str) -> None:
    bad = list(HEADERS)
    raw = bytearray(_at(90_000))
    raw[offset] ^= 0x01
    bad[90_000 - FIRST] = bytes(raw)
    _fails(bad, rf"^verification failed: height 90000: {rule} failed")


def test_a_missing_header() -> None:
    _fails(HEADERS[: 90_000 - FIRST] + HEADERS[90_001 - FIRST :], r"height 90000: rule 1 \(linked\) failed")


def test_nbits_above_the_pow_limit() -> None:
    raw = bytearray(_at(85_000))
    raw[72:76] = (0x1E00FFFF).to_bytes(4, "little")
    bad = HEADERS[: 85_000 - FIRST] + [bytes(raw)]
    _fails(bad, r"height 85000: rule 2 \(proof of work\) failed: nBits 0x1e00ffff claims a target above the proof-of-work limit")


def test_an_unanchored_slice() -> None:
    # 80,641 .. 82,000: no checkpoint inside, and 80,640 is not one.
    _fails(HEADERS[80_641 - FIRST : 82_001 - FIRST], r"the chain is not anchored")
    loose = verify_chain(HEADERS[80_641 - FIRST : 82_001 - FIRST], "mainnet", anchored=False)
    assert loose.count == 1360 and loose.tip_chainwork is None


def test_wrong_network() -> None:
    assert verify_chain(HEADERS[:3000], "mainnet").anchor_height == 80_639
    with pytest.raises(VerificationError, match="not anchored"):
        verify_chain(HEADERS[:3000], "testnet4")  # the same headers are not testnet4 blocks
    with pytest.raises(UsageError, match="unknown network"):
        verify_chain(HEADERS, "regtest")


def test_streaming_in_bounded_memory(tmp_path: Path) -> None:
    tracemalloc.start()
    try:
        verify_chain(read_header_file(FILE), "mainnet")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The file is 3.2 MB of hex; the verifier holds at most one period of it.
    assert peak < 600_000, peak
