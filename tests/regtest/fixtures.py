"""pytest fixtures: ``regtest_node`` (101 blocks mined, so ``fund`` works)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.regtest.harness import Regtest


@pytest.fixture
def regtest_node(tmp_path: Path) -> Iterator[Regtest]:
    """A fresh kernel-backed regtest chain with 101 blocks and its RPC server,
    stopped at teardown (and by itself after 60 s idle or 10 minutes)."""
    harness = Regtest(tmp_path / "regtest", premine=101)
    try:
        yield harness
    finally:
        harness.stop()
