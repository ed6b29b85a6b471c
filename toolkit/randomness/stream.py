"""The randomness stream of SPEC section R (format v1), and the draws made from it.

    lp(x)  = len(x) as 4-byte big-endian || x
    stream = SHAKE256(lp("enoch/randomness/v1") || lp(kind) || lp(source) || lp(context))

``kind`` is ``"block"`` (source = the 32-byte internal-order block hash) or
``"vrf"`` (source = a verified VRF output beta); ``context`` is UTF-8.  The
stream is read from its first byte on; every draw consumes bytes in order.
docs/randomness.md restates all of this with test vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

from toolkit.core.errors import MalformedInputError
from toolkit.core.text import context_bytes

DOMAIN: Final = b"enoch/randomness/v1"
Kind = Literal["block", "vrf"]
KINDS: Final[tuple[Kind, ...]] = ("block", "vrf")
T = TypeVar("T")


def lp(data: bytes) -> bytes:
    """Length-prefix: 4-byte big-endian length, then the bytes."""
    if len(data) >= 1 << 32:
        raise ValueError("field too long for a 4-byte length prefix")
    return len(data).to_bytes(4, "big") + data


def stream_input(kind: Kind, source: bytes, context: str) -> bytes:
    """The exact bytes SHAKE256 absorbs for ``(kind, source, context)``."""
    if kind not in KINDS:
        raise ValueError(f"unknown source kind {kind!r}")
    if kind == "block" and len(source) != 32:
        raise ValueError("a block source is the 32-byte internal-order hash")
    return lp(DOMAIN) + lp(kind.encode("ascii")) + lp(source) + lp(context_bytes(context))


def candidate_bytes(lo: int, hi: int) -> int:
    """Stream bytes one candidate of ``integer(lo, hi)`` reads: SPEC R's
    ``k = max(1, ceil(bitlen(hi - lo) / 8))``."""
    return max(1, ((hi - lo).bit_length() + 7) // 8)


@dataclass(frozen=True)
class Source:
    """Where randomness comes from: ``kind``, its ``source`` bytes and the ``context``."""

    kind: Kind
    source: bytes
    context: str = ""

    def stream(self) -> RandomStream:
        """A fresh stream for this source, read from its first byte."""
        return RandomStream(stream_input(self.kind, self.source, self.context))


class RandomStream:
    """The SHAKE256 output of one stream input, read front to back.

    SHAKE256's output of length m is a prefix of its output of any length
    m' > m, so the stream is materialised in doubling blocks (amortised linear).
    """

    def __init__(self, absorbed: bytes) -> None:
        self._xof = hashlib.shake_256(absorbed)
        self._buf = b""
        self._pos = 0

    @property
    def position(self) -> int:
        """How many stream bytes have been consumed so far."""
        return self._pos

    def read(self, n: int) -> bytes:
        """The next ``n`` stream bytes."""
        if n < 0:
            raise ValueError("cannot read a negative number of bytes")
        end = self._pos + n
        if end > len(self._buf):
            self._buf = self._xof.digest(max(end, 2 * len(self._buf), 64))
        out = self._buf[self._pos : end]
        self._pos = end
        return out

    def integer(self, lo: int, hi: int) -> int:
        """A uniform integer in ``[lo, hi]`` by masked rejection sampling (SPEC R)."""
        n = hi - lo + 1
        if n < 1:
            raise ValueError(f"empty range [{lo}, {hi}]")
        bits = (n - 1).bit_length()
        k = candidate_bytes(lo, hi)
        mask = (1 << bits) - 1
        while True:
            # Rejection, not modulo: every value of [0, n) is exactly equally
            # likely, and a candidate is accepted with probability > 1/2.
            x = int.from_bytes(self.read(k), "big") & mask
            if x < n:
                return lo + x

    def choice(self, items: Sequence[T]) -> T:
        """One item, index drawn as ``integer(0, m-1)``."""
        if not items:
            raise ValueError("choice from an empty sequence")
        return items[self.integer(0, len(items) - 1)]

    def shuffle(self, items: Sequence[T]) -> list[T]:
        """A new list: Fisher-Yates from the top, ``j = integer(0, i)`` for i = m-1 .. 1.

        :meth:`integer` inlined (draws shuffle a million entrants): for every
        i with the same bit length the candidate width k and the mask are the
        same, so they are computed once per run of such i.  The bytes read and
        the result are exactly those of calling :meth:`integer` each time
        (tests/test_spec_r_stream.py compares both).
        """
        out = list(items)
        i = len(out) - 1
        from_bytes = int.from_bytes
        while i >= 1:
            bits = i.bit_length()  # SPEC R for the range [0, i]: bitlen(n - 1) with n = i + 1
            k = candidate_bytes(0, i)
            mask = (1 << bits) - 1
            low = 1 << (bits - 1)  # the smallest i with this bit length
            buf, pos = self._buf, self._pos
            while i >= low:
                if pos + k > len(buf):
                    # About two candidates per i at worst on average; grow generously.
                    self._buf = buf = self._xof.digest(max(pos + 2 * k * (i - low + 1) + 64, 2 * len(buf)))
                x = from_bytes(buf[pos : pos + k], "big") & mask
                pos += k
                if x <= i:  # rejection, not modulo (see integer)
                    out[i], out[x] = out[x], out[i]
                    i -= 1
            self._pos = pos
        return out
