"""docs/batch.md is normative: the boundary search written out from its
"Boundary search" section alone (not from inscriptions/batch/sharding.py) must cut
every file exactly where ``enoch pack`` does, with the same member bytes."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

import pytest

from inscriptions.batch.sharding import shard_file

HEADER = bytes.fromhex("1f8b08000000000002ff")


class State:
    """Compressor, position p and emitted bytes E, as the doc names them."""

    def __init__(self, comp: Any, p: int, e: bytes) -> None:
        self.comp, self.p, self.e = comp, p, e

    def copy(self) -> State:
        return State(self.comp.copy(), self.p, self.e)

    def feed(self, data: bytes, q: int) -> None:
        self.e += self.comp.compress(data[self.p : q])
        self.p = q

    def measure(self) -> tuple[int, bytes]:
        t: bytes = self.comp.copy().flush()
        return len(self.e) + len(t), t


def doc_cut(data: bytes, limit: int) -> list[tuple[int, int, bytes]]:
    """(start, end, deflate stream) of every chunk, per docs/batch.md."""
    n = len(data)
    b = limit - 18
    f = -(-99 * limit // 100) - 18
    a = (f + b) // 2
    chunks: list[tuple[int, int, bytes]] = []
    s = 0
    while s < n:
        # 0.
        st = State(zlib.compressobj(9, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY), s, b"")
        saved: State | None = None
        saved_size = step = 0
        while True:
            size, t = st.measure()  # 1.
            if size <= b:  # 2.
                if st.p == n:  # 2a.
                    chunks.append((s, n, st.e + t))
                    break
                c = st.p - s
                if size >= f:  # 2b.
                    if (n - st.p) * size <= 2 * (b - f) * c:
                        trial = st.copy()
                        trial.feed(data, n)
                        trial_size, trial_t = trial.measure()
                        if trial_size <= b:
                            chunks.append((s, n, trial.e + trial_t))
                            break
                    chunks.append((s, st.p, st.e + t))
                    break
                step = (a - size) * c // size if c > 0 else a - size  # 2c.
                step = max(1, min(n - st.p, step))
                saved, saved_size = st.copy(), size
                st.feed(data, st.p + step)
                continue
            # 3.
            if saved is None or step == 1:
                assert saved is not None and saved.p != s, "the limit cannot hold one byte"
                chunks.append((s, saved.p, saved.e + saved.measure()[1]))
                break
            step = max(1, min(step // 2, (a - saved_size) * step // max(1, size - saved_size)))
            st = saved.copy()
            st.feed(data, st.p + step)
        s = chunks[-1][1]
    return chunks


def text(n: int, seed: int) -> bytes:
    return b"".join(b'{"n":%d,"h":"%s"}\n' % (i, hashlib.sha256(b"%d:%d" % (seed, i)).hexdigest()[: i % 40].encode()) for i in range(n))


def noise(n: int, seed: int) -> bytes:
    return hashlib.shake_256(b"doc %d" % seed).digest(n)


CASES = {
    "text": text(3000, 1),
    "noise": noise(50_000, 2),
    "zeros-then-noise": bytes(300_000) + noise(20_000, 3),
    "mixed": b"".join(text(200 + 40 * i, i) + noise(3000 * i, i) for i in range(8)),
    "one-byte": b"x",
}


@pytest.mark.parametrize("limit", [1024, 4096, 1_000_000])
@pytest.mark.parametrize("name", sorted(CASES))
def test_doc_boundary_search_matches_pack(name: str, limit: int) -> None:
    data = CASES[name]
    ours = [(s.offset, s.offset + s.length, s.member) for s in shard_file(data, limit)]
    theirs = doc_cut(data, limit)
    assert [(s, e) for s, e, _ in ours] == [(s, e) for s, e, _ in theirs]
    for (_, _, member), (s, e, deflate) in zip(ours, theirs, strict=True):
        chunk = data[s:e]
        assert member == HEADER + deflate + zlib.crc32(chunk).to_bytes(4, "little") + len(chunk).to_bytes(4, "little")
