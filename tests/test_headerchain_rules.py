"""SPEC H's four checks on mined synthetic chains (tests/chainmint.py): each
rule fails, with its own message naming the height, exactly when broken --
including the difficulty rules real mainnet headers cannot reach (changing a
real header breaks its proof of work first)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.chainmint import (
    PERIOD,
    POW_LIMIT,
    compact_of,
    header_bits,
    mine,
    mine_chain,
    sha256d,
    synthetic_params,
    target_of,
    time_at,
    with_table,
)
from toolkit.chain.checkpoints import Checkpoint
from toolkit.chain.headerchain import verify_chain_params
from toolkit.chain.networks import ChainParams
from toolkit.core.errors import MalformedInputError, VerificationError

LENGTH = 2 * PERIOD + 40  # periods 0, 1 and the start of 2: retargets at 2016 and 4032
CHAIN = mine_chain(LENGTH)
# The table covers period 0 (checkpoint 2015, target of period 1); the retarget
# at 4032 is past it, where the recomputation is the only source.
PARAMS = synthetic_params(CHAIN, 1)


def _fails(headers: list[bytes], match: str, params: ChainParams = PARAMS, **kw: object) -> VerificationError:
    with pytest.raises(VerificationError, match=match) as info:
        verify_chain_params(headers, params, **kw)  # type: ignore[arg-type]
    return info.value


def test_the_mined_chain_verifies_with_both_retargets() -> None:
    chain = verify_chain_params(CHAIN, PARAMS, keep_heights={0, 2016, LENGTH - 1})
    assert (chain.anchor_height, chain.first_height, chain.tip_height) == (0, 0, LENGTH - 1)
    assert chain.retargets == (2016, 4032)
    assert chain.tip_hash_internal == sha256d(CHAIN[-1])
    # The retargets really moved the target (590 s spacing: about 1.7 % harder each time).
    assert header_bits(CHAIN[0]) != header_bits(CHAIN[2016]) != header_bits(CHAIN[4032])
    work = [(1 << 256) // (target_of(header_bits(h)) + 1) for h in CHAIN]
    assert chain.tip_chainwork == sum(work)
    assert chain.block_at(2016).chainwork == sum(work[:2017])


def _remine_from(height: int, **kw: object) -> list[bytes]:
    """The chain up to ``height``, re-mined from there with changes (kw for mine_chain)."""
    return mine_chain(height + 1, start=CHAIN[:height], **kw)  # type: ignore[arg-type]


def test_rule_3_nbits_changed_inside_a_period() -> None:
    bits = compact_of(target_of(header_bits(CHAIN[1000])) // 2)  # harder: still valid work
    headers = _remine_from(1000, bits_override={1000: bits})
    _fails(headers, r"^verification failed: height 1000: rule 3 \(difficulty\) failed: nBits 0x[0-9a-f]{8} changes inside a difficulty period")


@pytest.mark.parametrize("step", [1, -1])
@pytest.mark.parametrize("height", [2016, 4032])  # inside the table and past it
def test_rule_3_retarget_off_by_one_compact_step(height: int, step: int) -> None:
    right = header_bits(CHAIN[height])
    headers = _remine_from(height, bits_override={height: right + step})
    assert target_of(right + step) <= POW_LIMIT
    _fails(headers, rf"height {height}: rule 3 \(difficulty\) failed: nBits 0x{right + step:08x} but the retarget gives 0x{right:08x}")


@pytest.mark.parametrize(("moved", "shift"), [(4031, -86400), (PERIOD, 86400)])  # the period's last block, its first
def test_rule_3_timestamps_moved_to_change_the_retarget(moved: int, shift: int) -> None:
    # A period one day shorter should have made the target harder; the
    # header at 4032 (re-mined on the moved chain) still carries the old retarget.
    headers = mine_chain(4032, start=CHAIN[:moved], times=lambda h: time_at(h) + (shift if h == moved else 0))
    headers.append(mine(sha256d(headers[-1]), time_at(4032), header_bits(CHAIN[4032])))
    _fails(headers, rf"height 4032: rule 3 \(difficulty\) failed: nBits 0x{header_bits(CHAIN[4032]):08x} but the retarget gives")


def test_rule_3_table_target_differs() -> None:
    cp = PARAMS.checkpoints.checkpoints[0]
    easier = target_of(compact_of(cp.next_target * 2))  # type: ignore[operator]
    params = with_table(PARAMS, [Checkpoint(cp.height, cp.hash_internal, easier)])
    _fails(CHAIN, r"height 2016: rule 3 \(difficulty\) failed: nBits 0x[0-9a-f]{8} is not its period's target in the checkpoint table", params)


def test_anchor_checkpoint_hash_differs() -> None:
    other = mine_chain(PERIOD + 1, merkle=b"\x22" * 32)  # a different chain from another genesis
    cp = PARAMS.checkpoints.checkpoints[0]
    params = with_table(PARAMS, [Checkpoint(cp.height, sha256d(other[2015]), cp.next_target)])
    _fails(CHAIN, r"height 2015: anchor: block hash [0-9a-f]{64} is not the checkpoint", params)


def test_rule_2_work_and_pow_limit() -> None:
    bad = bytearray(CHAIN[10])
    while int.from_bytes(sha256d(bytes(bad)), "little") <= target_of(header_bits(CHAIN[10])):
        bad[76] ^= 1
        bad[77] += 1
    _fails(CHAIN[:10] + [bytes(bad)], r"height 10: rule 2 \(proof of work\) failed: hash [0-9a-f]{64} is above the target")
    above = mine(sha256d(CHAIN[9]), time_at(10), 0x2100FFFF)  # 0xffff << 240 > pow limit
    _fails(CHAIN[:10] + [above], r"height 10: rule 2 \(proof of work\) failed: nBits 0x2100ffff claims a target above the proof-of-work limit")


def test_rule_1_missing_and_swapped_headers() -> None:
    _fails(CHAIN[:500] + CHAIN[501:600], r"height 500: rule 1 \(linked\) failed")
    _fails(CHAIN[:500] + [CHAIN[501], CHAIN[500]], r"height 500: rule 1 \(linked\)")


def test_unanchored_and_no_anchor() -> None:
    tail = CHAIN[2100:2200]
    _fails(tail, r"the chain is not anchored")
    loose = verify_chain_params(tail, PARAMS, anchored=False, keep_heights={0})
    assert (loose.anchored, loose.first_height, loose.tip_height, loose.tip_chainwork) == (False, 0, 99, None)
    assert loose.retargets == () and loose.block_at(0).header == CHAIN[2100]
    # --no-anchor still checks links and work, naming the position.
    _fails(tail[:10] + tail[11:], r"header 11 of the chain: rule 1 \(linked\)", anchored=False)


def test_unanchored_chain_reports_a_broken_link_first() -> None:
    _fails(CHAIN[2100:2150] + CHAIN[2151:2200], r"header 51 of the chain: rule 1 \(linked\)")


def test_anchor_by_contained_checkpoint_counts_heights_back() -> None:
    chain = verify_chain_params(CHAIN[1500:2500], PARAMS, keep_heights={1500, 2015})
    assert (chain.anchor_height, chain.first_height, chain.tip_height) == (2015, 1500, 2499)
    assert chain.block_at(1500).header == CHAIN[1500] and chain.block_at(2015).hash_internal == sha256d(CHAIN[2015])
    assert chain.retargets == ()  # block 0 is not in this chain: the table alone fixes 2016
    work = [(1 << 256) // (target_of(header_bits(h)) + 1) for h in CHAIN]
    assert chain.block_at(2015).chainwork == sum(work[:2016])


def test_anchor_by_previous_checkpoint() -> None:
    chain = verify_chain_params(CHAIN[2016:2100], PARAMS)
    assert (chain.anchor_height, chain.first_height, chain.tip_height) == (2015, 2016, 2099)


def test_headers_before_genesis_are_refused() -> None:
    _fails([CHAIN[5], CHAIN[0], CHAIN[1]], r"before the genesis block")


def test_block_at_and_confirmations() -> None:
    chain = verify_chain_params(CHAIN[:100], PARAMS, keep_heights={50})
    assert chain.confirmations(99) == 1 and chain.confirmations(94) == 6 and chain.confirmations(0) == 100
    with pytest.raises(VerificationError, match="not kept"):
        chain.block_at(51)
    with pytest.raises(VerificationError, match=r"height 100 is not in the chain \(0\.\.99\)"):
        chain.confirmations(100)


@pytest.mark.parametrize("bad", [[], [CHAIN[0][:79]], [CHAIN[0], CHAIN[1] + b"\x00"]])
def test_malformed_headers_are_exit_65(bad: list[bytes]) -> None:
    with pytest.raises(MalformedInputError):
        verify_chain_params(bad, PARAMS)


def test_streaming_reads_at_most_one_period_ahead() -> None:
    seen: list[int] = []

    def feed() -> Iterator[bytes]:
        for i, h in enumerate(CHAIN[2:]):
            seen.append(i)
            yield h

    # No checkpoints at all, and the first header does not follow the genesis:
    # refused after reading one period, not the whole input.
    with pytest.raises(VerificationError, match="not anchored"):
        verify_chain_params(feed(), with_table(PARAMS, []))
    assert len(seen) == PERIOD < len(CHAIN) - 2
