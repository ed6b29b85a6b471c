"""The packaged checkpoint table (SPEC H "Checkpoints"), read strictly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import toolkit
from toolkit.chain.checkpoints import PERIOD, checkpoint_table, packaged_checkpoints, parse_checkpoints
from toolkit.chain.networks import CHAIN_NETWORKS, chain_params
from toolkit.core.errors import MalformedInputError

DOC = json.loads((Path(toolkit.__file__).parent / "data" / "checkpoints.json").read_text(encoding="utf-8"))


def test_packaged_table() -> None:
    tables = packaged_checkpoints()
    assert sorted(tables) == sorted(CHAIN_NETWORKS) == ["mainnet", "signet", "testnet4"]
    main = checkpoint_table("mainnet")
    assert (len(main.checkpoints), main.last_height) == (473, 953_567)
    assert main.checkpoints[0].hash_internal[::-1].hex() == "00000000693067b0e6b440bc51450b9f3850561b07f6d3c021c54fbd6abb9763"
    assert main.period_target(1) == 0xFFFF << 208 and main.period_target(474) is None and main.period_target(0) is None
    assert main.height_of(main.checkpoints[40].hash_internal) == 40 * PERIOD + 2015
    assert main.hash_at(2015) == main.checkpoints[0].hash_internal and main.hash_at(2016) is None
    assert main.hash_at(953_567 + PERIOD) is None
    assert checkpoint_table("testnet4").last_height == 139_103 and checkpoint_table("signet").last_height == 308_447
    assert all(cp.next_target is None for cp in checkpoint_table("signet").checkpoints)


def test_genesis_and_pow_limits() -> None:
    main, t4, sig = (chain_params(n) for n in CHAIN_NETWORKS)
    assert main.anchor_height(main.genesis_hash_internal) == 0 and main.anchor_hash(0) == main.genesis_hash_internal
    assert sig.pow_limit == int("00000377ae" + "0" * 54, 16) and t4.pow_limit == main.pow_limit
    assert (main.difficulty_rule, t4.difficulty_rule, sig.difficulty_rule) == (True, False, False)


def _mutate(path: tuple[Any, ...], value: Any) -> Any:
    doc = copy.deepcopy(DOC)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        (("networks", "mainnet", 3, "height"), 8064, "height must be 8063"),
        (("networks", "mainnet", 3, "height"), "8063", "height must be"),
        (("networks", "mainnet", 3, "hash"), "00" * 31, "hash is not 64 lowercase hex"),
        (("networks", "mainnet", 3, "hash"), "AB" * 32, "hash is not 64 lowercase hex"),
        (("networks", "mainnet", 3, "next_target"), "00000000ffff0001" + "0" * 48, "not exactly encodable"),
        (("networks", "mainnet", 3, "next_target"), "0" * 64, "not exactly encodable"),
        (("networks", "mainnet", 3, "next_target"), KeyError, "expected exactly the keys"),
        (("networks", "signet", 3, "extra"), 1, "expected exactly the keys"),
        (("networks", "signet"), [], "not a non-empty list"),
        (("networks", "mainnet", 4, "hash"), DOC["networks"]["mainnet"][3]["hash"], "not distinct"),
        (("source",), KeyError, "exactly the keys"),
    ],
)
def test_malformed_tables_are_refused(path: tuple[Any, ...], value: Any, match: str) -> None:
    with pytest.raises(MalformedInputError, match=match):
        parse_checkpoints(_mutate(path, value))


def test_a_missing_entry_is_refused() -> None:
    doc = copy.deepcopy(DOC)
    del doc["networks"]["mainnet"][10]
    with pytest.raises(MalformedInputError, match="entry 10: height must be 22175"):
        parse_checkpoints(doc)
