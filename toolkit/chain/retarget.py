"""Bitcoin Core's difficulty retarget (``CalculateNextWorkRequired``, src/pow.cpp), SPEC H 3.

At each height h with h % 2016 == 0 the new target is computed from the
period that ends at h-1::

    span   = clamp(time(h-1) - time(h-2016), 302400, 4838400)
    target = min(pow_limit, target(h-1) * span // 1209600)
    nBits  = GetCompact(target)

Core reads ``target(h-1)`` with ``SetCompact`` (no range checks: the header
was already accepted) and compares the encoded nBits exactly.  Core's
arithmetic is 256-bit; on mainnet (pow limit < 2**224) ``target * span``
never reaches 2**256, so unbounded Python integers give the same result.
"""

from __future__ import annotations

from typing import Final

from toolkit.chain.compact import decode_compact, encode_compact

#: consensus.nPowTargetTimespan: two weeks, in seconds.
TARGET_TIMESPAN: Final = 14 * 24 * 60 * 60
#: The clamp on the measured span: a retarget moves the target by at most 4x either way.
MIN_SPAN: Final = TARGET_TIMESPAN // 4
MAX_SPAN: Final = TARGET_TIMESPAN * 4


def retarget_bits(last_bits: int, first_time: int, last_time: int, *, pow_limit: int) -> int:
    """The nBits of the block after ``last`` (height h-1), given the time of
    the period's first block (h-2016) and of its last block (h-1)."""
    span = min(max(last_time - first_time, MIN_SPAN), MAX_SPAN)
    target = decode_compact(last_bits).value * span // TARGET_TIMESPAN
    return encode_compact(min(target, pow_limit))
