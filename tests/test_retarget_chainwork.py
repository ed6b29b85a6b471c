"""Core's retarget arithmetic (SPEC H 3) against Bitcoin Core's pow_tests.cpp
vectors (fixtures/mainnet-headers), and block work against GetBlockProof."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures import load_json, params
from toolkit.chain.chainwork import block_work, work_before
from toolkit.chain.compact import MAINNET_POW_LIMIT
from toolkit.chain.networks import chain_params
from toolkit.chain.retarget import MAX_SPAN, MIN_SPAN, TARGET_TIMESPAN, retarget_bits

VECTORS = load_json("mainnet-headers", "mainnet-headers.json")["retarget_vectors_bitcoin_core"]


@pytest.mark.parametrize("v", params(VECTORS, lambda v: v["test"]))
def test_bitcoin_core_pow_tests(v: dict[str, Any]) -> None:
    got = retarget_bits(int(v["bits"], 16), v["first_time_of_period"], v["last_time"], pow_limit=MAINNET_POW_LIMIT)
    assert got == int(v["expected_next_bits"], 16)


def test_span_is_clamped_both_ways() -> None:
    assert (MIN_SPAN, MAX_SPAN, TARGET_TIMESPAN) == (302400, 4838400, 1209600)
    bits = 0x1B04864C
    assert retarget_bits(bits, 0, 1, pow_limit=MAINNET_POW_LIMIT) == retarget_bits(bits, 0, MIN_SPAN, pow_limit=MAINNET_POW_LIMIT)
    assert retarget_bits(bits, 0, 10**9, pow_limit=MAINNET_POW_LIMIT) == retarget_bits(bits, 0, MAX_SPAN, pow_limit=MAINNET_POW_LIMIT)
    # A negative span (timestamps out of order) is the shortest one.
    assert retarget_bits(bits, 100, 0, pow_limit=MAINNET_POW_LIMIT) == retarget_bits(bits, 0, MIN_SPAN, pow_limit=MAINNET_POW_LIMIT)
    assert retarget_bits(bits, 0, TARGET_TIMESPAN, pow_limit=MAINNET_POW_LIMIT) == bits


def test_block_work_is_cores_get_block_proof() -> None:
    for target in (1, 0xFFFF << 208, MAINNET_POW_LIMIT, (1 << 256) - 1):
        mask = (1 << 256) - 1
        assert block_work(target) == ((~target & mask) // (target + 1)) + 1
    assert block_work(0xFFFF << 208) == 0x100010001  # difficulty 1
    with pytest.raises(ValueError):
        block_work(0)


def test_work_before() -> None:
    main = chain_params("mainnet")
    assert work_before(main, 0) == 0 and work_before(main, 1) == 0x100010001
    assert work_before(main, 2016) == 2016 * 0x100010001
    past_table = 2016 * (len(main.checkpoints.checkpoints) + 1)
    assert work_before(main, past_table) is not None and work_before(main, past_table + 1) is None
    # testnet4 and signet tables carry no targets: only genesis is known.
    for name in ("testnet4", "signet"):
        p = chain_params(name)
        assert work_before(p, 1) == block_work(p.period_target(0)) and work_before(p, 2017) is None  # type: ignore[arg-type]
