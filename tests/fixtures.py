"""The one loader for test data under ``fixtures/<source>/``.

Tests never read ``../shared``; everything they use was copied into
``fixtures/`` with a README naming its source.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_path(*parts: str) -> Path:
    """Absolute path of ``fixtures/<parts...>``; fails loudly if missing."""
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"missing fixture {path}")
    return path


def load_json(*parts: str) -> Any:
    return json.loads(fixture_path(*parts).read_text(encoding="utf-8"))


def params(items: Iterable[Any], ident: Callable[[Any], str]) -> list[Any]:
    """One ``pytest.param`` per vector, with a readable id, so that every
    vector is its own test."""
    return [pytest.param(item, id=ident(item)) for item in items]
