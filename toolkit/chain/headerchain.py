"""Anchored header chains (SPEC H): heights proven from a checkpoint.

:func:`verify_chain` reads consecutive 80-byte headers as a stream (bounded
memory: at most one difficulty period is held while the anchor is looked
for, plus the blocks asked for in ``keep_heights``) and checks, header by
header and in this order (SPEC H's numbering):

1. linked: each previous-block hash is the hash of the header before it;
2. proof of work: nBits decodes to a target within the network's pow limit
   and the hash is not above it;
3. difficulty (mainnet): nBits equals the previous header's inside a period,
   the retarget recomputed with Core's arithmetic wherever blocks h-2016 and
   h-1 are in the chain, and the checkpoint table's target for its period;
   plus the anchor: a block at a checkpoint height has the checkpoint's hash;
4. chain work: summed as Core's ``chainwork`` (blocks before the chain from
   the table's targets).

The first failure raises :class:`VerificationError` (exit 1) naming the
height and the rule.  A chain is anchored when the first header's previous
block is the genesis block or a checkpoint, or when one of its headers is
(heights then count from it); otherwise it is refused unless
``anchored=False`` asks for links and proof of work only, with "heights"
that are positions in the chain (from 0).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain as chained

from toolkit.chain.chainwork import block_work, work_before
from toolkit.chain.checkpoints import PERIOD
from toolkit.chain.compact import encode_compact, target_from_compact
from toolkit.chain.header import HEADER_SIZE, sha256d
from toolkit.chain.headerfile import read_header_file as read_header_file  # part of this module's API
from toolkit.chain.networks import ChainParams, chain_params
from toolkit.chain.retarget import retarget_bits
from toolkit.core.errors import MalformedInputError, VerificationError
from toolkit.core.hexutil import block_hash_display_from_internal

RULES = {1: "linked", 2: "proof of work", 3: "difficulty", 4: "chain work"}


@dataclass(frozen=True)
class VerifiedBlock:
    """One block of a verified chain."""

    height: int
    header: bytes
    hash_internal: bytes
    chainwork: int | None  # Core's chainwork of this block; None when not computable (see chainwork.py)

    @property
    def hash_display(self) -> str:
        return block_hash_display_from_internal(self.hash_internal)


@dataclass(frozen=True)
class VerifiedChain:
    """What :func:`verify_chain` proved about a chain of headers."""

    network: str
    anchor_height: int  # the genesis or checkpoint block the heights are proven from (-1: not anchored)
    first_height: int
    tip_height: int
    tip_hash_internal: bytes
    tip_chainwork: int | None
    retargets: tuple[int, ...]  # heights whose retarget was recomputed
    tip_header: bytes = b""
    anchored: bool = True
    kept: Mapping[int, VerifiedBlock] = field(default_factory=dict, repr=False)

    @property
    def count(self) -> int:
        return self.tip_height - self.first_height + 1

    @property
    def tip_hash_display(self) -> str:
        return block_hash_display_from_internal(self.tip_hash_internal)

    def block_at(self, height: int) -> VerifiedBlock:
        """The block at ``height``; it must have been asked for in ``keep_heights``."""
        if not self.first_height <= height <= self.tip_height:
            raise VerificationError(f"height {height} is not in the chain ({self.first_height}..{self.tip_height})")
        try:
            return self.kept[height]
        except KeyError:
            raise VerificationError(f"block {height} was not kept while verifying the chain") from None

    def confirmations(self, height: int) -> int:
        """Confirmations of block ``height`` as Bitcoin Core counts them: tip - height + 1."""
        if not self.first_height <= height <= self.tip_height:
            raise VerificationError(f"height {height} is not in the chain ({self.first_height}..{self.tip_height})")
        return self.tip_height - height + 1


def verify_chain(
    headers: Iterable[bytes], network: str, *, keep_heights: Collection[int] = (), anchored: bool = True
) -> VerifiedChain:
    """Verify consecutive headers on ``network`` (mainnet, testnet4, signet); see the module docstring."""
    return verify_chain_params(headers, chain_params(network), keep_heights=keep_heights, anchored=anchored)


def verify_chain_params(
    headers: Iterable[bytes], params: ChainParams, *, keep_heights: Collection[int] = (), anchored: bool = True
) -> VerifiedChain:
    """:func:`verify_chain` against explicit parameters (tests use synthetic networks)."""
    it = iter(headers)
    if not anchored:
        return _verify(it, params, first_height=0, anchor_height=-1, keep=frozenset(keep_heights), anchored=False)
    first_height, anchor_height, buffered = _find_anchor(it, params)
    return _verify(chained(buffered, it), params, first_height, anchor_height, frozenset(keep_heights), True)


def _sized(raw: bytes, position: int) -> bytes:
    if len(raw) != HEADER_SIZE:
        raise MalformedInputError(f"header {position + 1} of the chain is {len(raw)} bytes, not {HEADER_SIZE}")
    return raw


def _find_anchor(it: Iterator[bytes], params: ChainParams) -> tuple[int, int, list[bytes]]:
    """(first height, anchor height, headers read so far).  Any PERIOD
    consecutive headers inside the table hold a checkpoint block, so reading
    at most one period is enough to decide (bounded memory)."""
    buffered: list[bytes] = []
    for raw in it:
        _sized(raw, len(buffered))
        if not buffered:
            before = params.anchor_height(raw[4:36])
            if before is not None:  # the first header follows the genesis or a checkpoint block
                return before + 1, before, [raw]
        buffered.append(raw)
        at = params.anchor_height(sha256d(raw))
        if at is not None:
            first = at - (len(buffered) - 1)
            if first < 0:
                raise VerificationError(f"height 0: rule 1 (linked): {len(buffered) - 1} header(s) come before the genesis block")
            return first, at, buffered
        if len(buffered) >= PERIOD:
            break
    if not buffered:
        raise MalformedInputError("no block header given")
    # Not anchored.  A broken link or bad work among these headers is the
    # more useful message (a tampered checkpoint block is not recognised).
    _verify(iter(buffered), params, 0, -1, frozenset(), anchored=False)
    raise VerificationError(
        f"the chain is not anchored: its first header does not follow the {params.name} genesis block or a"
        " checkpoint, and none of its headers is a checkpoint block (links and proof of work alone: --no-anchor)"
    )


def _fail(height: int, anchored: bool, rule: int, detail: str) -> VerificationError:
    where = f"height {height}" if anchored else f"header {height + 1} of the chain"
    return VerificationError(f"{where}: rule {rule} ({RULES[rule]}) failed: {detail}")


def _verify(
    headers: Iterator[bytes],
    params: ChainParams,
    first_height: int,
    anchor_height: int,
    keep: frozenset[int],
    anchored: bool,
) -> VerifiedChain:
    sha256 = hashlib.sha256
    from_bytes = int.from_bytes
    pow_limit = params.pow_limit
    difficulty = anchored and params.difficulty_rule
    work = work_before(params, first_height) if anchored else None
    height = first_height - 1
    prev_hash: bytes | None = None
    prev_bits = prev_time = target = one_work = -1
    raw = b""
    table_bits: int | None = None
    period_start_time: int | None = None  # time of block 2016k, when it is in the chain
    retargets: list[int] = []
    kept: dict[int, VerifiedBlock] = {}
    for raw in headers:
        height += 1
        if len(raw) != HEADER_SIZE:
            _sized(raw, height - first_height)
        digest = sha256(sha256(raw).digest()).digest()
        # 1. linked
        if prev_hash is not None and raw[4:36] != prev_hash:
            raise _fail(height, anchored, 1, "its previous-block hash is not the hash of the header before it")
        # 2. proof of work (nBits decoded once per change; Core's CheckProofOfWork)
        bits = from_bytes(raw[72:76], "little")
        if bits != prev_bits:
            try:
                target = target_from_compact(bits, pow_limit=pow_limit)
            except VerificationError as exc:
                raise _fail(height, anchored, 2, exc.reason) from None
            one_work = block_work(target)
        if from_bytes(digest, "little") > target:
            raise _fail(height, anchored, 2, f"hash {digest[::-1].hex()} is above the target of nBits 0x{bits:08x}")
        time = from_bytes(raw[68:72], "little")
        # 3. difficulty (mainnet), then the anchor's checkpoint hashes
        if difficulty:
            offset = height % PERIOD
            if offset == 0 or prev_hash is None:
                expected = params.period_target(height // PERIOD)
                table_bits = None if expected is None else encode_compact(expected)
            if offset == 0:
                if period_start_time is not None:
                    retarget = retarget_bits(prev_bits, period_start_time, prev_time, pow_limit=pow_limit)
                    if bits != retarget:
                        raise _fail(height, anchored, 3, f"nBits 0x{bits:08x} but the retarget gives 0x{retarget:08x}")
                    retargets.append(height)
                period_start_time = time
            elif prev_hash is not None and bits != prev_bits:
                raise _fail(
                    height, anchored, 3, f"nBits 0x{bits:08x} changes inside a difficulty period (previous 0x{prev_bits:08x})"
                )
            if table_bits is not None and bits != table_bits:
                raise _fail(
                    height, anchored, 3, f"nBits 0x{bits:08x} is not its period's target in the checkpoint table (0x{table_bits:08x})"
                )
        if anchored and (height % PERIOD == PERIOD - 1 or height == 0):
            fixed = params.anchor_hash(height)
            if fixed is not None and digest != fixed:
                raise VerificationError(
                    f"height {height}: anchor: block hash {digest[::-1].hex()} is not the checkpoint {fixed[::-1].hex()}"
                )
        # 4. chain work
        if work is not None:
            work += one_work
        if height in keep:
            kept[height] = VerifiedBlock(height, raw, digest, work)
        prev_hash, prev_bits, prev_time = digest, bits, time
    if prev_hash is None:
        raise MalformedInputError("no block header given")
    return VerifiedChain(
        network=params.name,
        anchor_height=anchor_height,
        first_height=first_height,
        tip_height=height,
        tip_hash_internal=prev_hash,
        tip_chainwork=work,
        retargets=tuple(retargets),
        tip_header=raw,
        anchored=anchored,
        kept=kept,
    )
