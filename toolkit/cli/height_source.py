"""``--height H`` with ``--headers F`` or ``--node SRC`` (SPEC H "By height"):
the block at H, proven by an anchored header chain, for ``hexagram``,
``random`` and ``vrf prove``.  JSON output adds ``height``, ``confirmations``
and ``chainwork`` (of block H, 64 hex digits as Bitcoin Core prints it; null
on networks whose chain work before the chain is unknown)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.core.errors import OutputExistsError, UsageError

#: The keyword arguments toolkit.cli.options.block_options adds for heights.
HEIGHT_KEYS = ("height", "headers_file", "node", "chain_network", "confirmations", "save_headers")
DEFAULT_CONFIRMATIONS = 6


@dataclass(frozen=True)
class HeightRequest:
    """The height options as given on the command line."""

    height: int | None
    headers_file: str | None
    node: str | None
    network: str
    confirmations: int | None
    save_headers: str | None

    @classmethod
    def pop_from(cls, options: dict[str, Any]) -> HeightRequest:
        """Take the height options out of a command's keyword arguments."""
        height, headers, node, network, confirmations, save = (options.pop(k, None) for k in HEIGHT_KEYS)
        request = cls(height, headers, node, network or "mainnet", confirmations, save)
        request.check_usage()
        return request

    @property
    def given(self) -> bool:
        return self.height is not None

    def check_usage(self) -> None:
        if self.height is None:
            extra = [n for n, v in (("--headers", self.headers_file), ("--node", self.node),
                                    ("--confirmations", self.confirmations), ("--save-headers", self.save_headers))
                     if v is not None]
            if extra:
                raise UsageError(f"{', '.join(extra)} only apply with --height")
        elif (self.headers_file is None) == (self.node is None):
            raise UsageError("--height needs exactly one of --headers and --node")


@dataclass(frozen=True)
class HeightProof:
    """Block H as proven: its hash (internal order), confirmations and chain work."""

    height: int
    block_hash_internal: bytes
    confirmations: int
    chainwork: int | None

    def to_json(self) -> dict[str, Any]:
        from toolkit.cli.chain_report import chainwork_hex

        return {"height": self.height, "confirmations": self.confirmations, "chainwork": chainwork_hex(self.chainwork)}


def _tee(headers: Iterable[bytes], into: list[bytes] | None) -> Iterator[bytes]:
    for header in headers:
        if into is not None:
            into.append(header)
        yield header


def resolve_height(request: HeightRequest, *, overwrite: bool = False) -> HeightProof:
    """Fetch or read the chain, verify it (exit 1 on any failure, including
    too few confirmations) and write ``--save-headers`` once it verified."""
    from toolkit.chain.byheight import block_at_height, node_headers
    from toolkit.chain.headerchain import read_header_file
    from toolkit.chain.headerfile import format_header_file
    from toolkit.core.fsio import atomic_write

    assert request.height is not None
    if request.save_headers is not None and not overwrite and Path(request.save_headers).exists():
        raise OutputExistsError(f"{request.save_headers} exists (choose another --save-headers file)")
    if request.headers_file is not None:
        headers: Iterable[bytes] = read_header_file(request.headers_file)
    else:
        from toolkit.sources.nodes import open_node

        assert request.node is not None
        headers = node_headers(open_node(request.node), request.network, request.height)
    saved: list[bytes] | None = [] if request.save_headers is not None else None
    minimum = DEFAULT_CONFIRMATIONS if request.confirmations is None else request.confirmations
    found = block_at_height(_tee(headers, saved), request.network, request.height, min_confirmations=minimum)
    if request.save_headers is not None and saved is not None:
        atomic_write(request.save_headers, format_header_file(saved), overwrite=overwrite)
    block = found.block
    return HeightProof(block.height, block.hash_internal, found.confirmations, block.chainwork)
