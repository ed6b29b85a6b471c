"""The checkpoint table (SPEC H "Checkpoints"), shipped as ``toolkit/data/checkpoints.json``.

Per network, one entry per 2016-block difficulty period k: the hash of the
period's last block (height 2016k+2015) and, on mainnet, ``next_target``: the
target every block of period k+1 carries.  The file is read strictly: entries
must be consecutive from period 0, hashes 64 lowercase hex digits in display
order, targets exactly what a compact nBits can encode (so that "carries the
table's target" is an exact nBits comparison, as Bitcoin Core compares them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

from toolkit.chain.compact import decode_compact, encode_compact
from toolkit.core.errors import InternalError, MalformedInputError

#: Blocks per difficulty period (Core's DifficultyAdjustmentInterval on mainnet).
PERIOD: Final = 2016
_HEX64: Final = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Checkpoint:
    """The last block of one difficulty period."""

    height: int
    hash_internal: bytes
    next_target: int | None  # the target of every block of the next period (mainnet only)


@dataclass(frozen=True)
class CheckpointTable:
    """One network's checkpoints: ``checkpoints[k]`` ends period k (height 2016k+2015)."""

    network: str
    checkpoints: tuple[Checkpoint, ...]
    _by_hash: Mapping[bytes, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for k, cp in enumerate(self.checkpoints):
            if cp.height != PERIOD * k + PERIOD - 1:
                raise ValueError(f"checkpoint {k} is at height {cp.height}, expected {PERIOD * k + PERIOD - 1}")
        by_hash = {cp.hash_internal: cp.height for cp in self.checkpoints}
        if len(by_hash) != len(self.checkpoints):
            raise ValueError("checkpoint hashes are not distinct")
        object.__setattr__(self, "_by_hash", by_hash)

    @property
    def last_height(self) -> int:
        """Height of the last checkpoint (-1 for an empty table)."""
        return PERIOD * len(self.checkpoints) - 1

    def height_of(self, hash_internal: bytes) -> int | None:
        """The height of the checkpoint block with this hash, if it is one."""
        return self._by_hash.get(hash_internal)

    def hash_at(self, height: int) -> bytes | None:
        """The checkpoint hash at ``height`` (None unless height is 2016k+2015 inside the table)."""
        if height % PERIOD != PERIOD - 1 or not 0 <= height <= self.last_height:
            return None
        return self.checkpoints[height // PERIOD].hash_internal

    def period_target(self, period: int) -> int | None:
        """The target of period ``period`` >= 1 from the table (None past it or without targets)."""
        if not 1 <= period <= len(self.checkpoints):
            return None
        return self.checkpoints[period - 1].next_target


def _bad(network: str, index: int, message: str) -> MalformedInputError:
    return MalformedInputError(f"checkpoints: {network} entry {index}: {message}")


def _hex256(value: Any, network: str, index: int, key: str) -> bytes:
    if not isinstance(value, str) or len(value) != 64 or not _HEX64.issuperset(value):
        raise _bad(network, index, f"{key} is not 64 lowercase hex digits")
    return bytes.fromhex(value)


def _entry(obj: Any, network: str, index: int, with_targets: bool) -> Checkpoint:
    keys = {"height", "hash", "next_target"} if with_targets else {"height", "hash"}
    if not isinstance(obj, dict) or set(obj) != keys:
        raise _bad(network, index, f"expected exactly the keys {sorted(keys)}")
    height = obj["height"]
    if type(height) is not int or height != PERIOD * index + PERIOD - 1:
        raise _bad(network, index, f"height must be {PERIOD * index + PERIOD - 1}")
    hash_internal = _hex256(obj["hash"], network, index, "hash")[::-1]
    target: int | None = None
    if with_targets:
        target = int.from_bytes(_hex256(obj["next_target"], network, index, "next_target"), "big")
        # Security: a target no nBits can carry would make the exact nBits
        # comparison of SPEC H 3 unsatisfiable -- or, rounded, wrongly lenient.
        if target == 0 or decode_compact(encode_compact(target)).value != target:
            raise _bad(network, index, "next_target is not exactly encodable as nBits")
    return Checkpoint(height, hash_internal, target)


def parse_checkpoints(doc: Any) -> dict[str, CheckpointTable]:
    """Validate the checkpoints document (``{"source", "networks": {name: [entry, ...]}}``)."""
    if not isinstance(doc, dict) or set(doc) != {"source", "networks"} or not isinstance(doc["networks"], dict):
        raise MalformedInputError('checkpoints: expected exactly the keys "source" and "networks"')
    tables: dict[str, CheckpointTable] = {}
    for network, entries in doc["networks"].items():
        if not isinstance(entries, list) or not entries:
            raise MalformedInputError(f"checkpoints: {network} is not a non-empty list")
        with_targets = isinstance(entries[0], dict) and "next_target" in entries[0]
        checkpoints = tuple(_entry(e, network, i, with_targets) for i, e in enumerate(entries))
        try:
            tables[network] = CheckpointTable(network, checkpoints)
        except ValueError as exc:
            raise MalformedInputError(f"checkpoints: {network}: {exc}") from None
    return tables


@cache
def packaged_checkpoints() -> dict[str, CheckpointTable]:
    """The packaged table, read and validated once per process (corrupt = a bug, exit 70)."""
    path = Path(__file__).resolve().parent.parent / "data" / "checkpoints.json"
    try:
        return parse_checkpoints(json.loads(path.read_bytes()))
    except (OSError, ValueError, MalformedInputError) as exc:
        raise InternalError(f"packaged checkpoint table is unusable: {exc}") from None


def checkpoint_table(network: str) -> CheckpointTable:
    """The packaged checkpoints of ``network`` (KeyError if it has none)."""
    return packaged_checkpoints()[network]
