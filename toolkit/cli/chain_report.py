"""The result of ``enoch header verify --file``: a verified header chain (SPEC H).

Verification failures never get here (they are exit 1 naming the height and
the rule).  JSON keeps ``header verify``'s keys, describing the tip: ``hash``,
``target``, ``difficulty``, ``pow_valid``, ``links_valid``, ``valid``,
``count``, and ``headers`` -- for a chain, only the tip's object (a list of
every header would be as large as the file).  It adds ``network``,
``anchored``, ``anchor`` ({height, hash} of the genesis or checkpoint block
the heights are proven from, or null), ``first_height``, ``last_height``,
``chainwork`` (64 hex digits as ``bitcoin-cli getblockheader`` prints it, or
null when not computable) and ``retargets`` (the heights recomputed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from toolkit.chain.header import BlockHeader, HeaderCheck
from toolkit.chain.headerchain import VerifiedChain
from toolkit.chain.networks import chain_params
from toolkit.cli.header_report import header_json
from toolkit.core.hexutil import block_hash_display_from_internal


def chainwork_hex(work: int | None) -> str | None:
    """Chain work as Bitcoin Core prints it (64 lowercase hex digits)."""
    return None if work is None else f"{work:064x}"


@dataclass
class ChainReport:
    """The :class:`~toolkit.cli.render.Result` of ``header verify --file``."""

    chain: VerifiedChain
    exit_code: int = 0

    def _tip(self) -> dict[str, Any]:
        tip = BlockHeader.from_bytes(self.chain.tip_header)
        pow_limit = chain_params(self.chain.network).pow_limit
        check = HeaderCheck(tip, tip.target(pow_limit=pow_limit), None, True if self.chain.count > 1 else None)
        return header_json(check)

    def _anchor(self) -> dict[str, Any] | None:
        if not self.chain.anchored:
            return None
        fixed = chain_params(self.chain.network).anchor_hash(self.chain.anchor_height)
        assert fixed is not None  # verify_chain anchors only on the genesis or a checkpoint
        return {"height": self.chain.anchor_height, "hash": block_hash_display_from_internal(fixed)}

    def to_json(self) -> dict[str, Any]:
        c = self.chain
        tip = self._tip()
        return {
            "hash": tip["hash"],
            "target": tip["target"],
            "difficulty": tip["difficulty"],
            "pow_valid": True,
            "links_valid": True,
            "valid": True,
            "count": c.count,
            "headers": [tip],
            "network": c.network,
            "anchored": c.anchored,
            "anchor": self._anchor(),
            "first_height": c.first_height if c.anchored else None,
            "last_height": c.tip_height if c.anchored else None,
            "chainwork": chainwork_hex(c.tip_chainwork),
            "retargets": list(c.retargets),
        }

    def to_text(self) -> str:
        c = self.chain
        obj = self.to_json()
        out = [f"network     {c.network}"]
        if obj["anchor"] is None:
            out.append("anchor      none (--no-anchor: links and proof of work only; heights not proven)")
        else:
            kind = "genesis" if c.anchor_height == 0 else "checkpoint"
            out.append(f"anchor      {kind} block {c.anchor_height} {obj['anchor']['hash']}")
            out.append(f"heights     {c.first_height} .. {c.tip_height} ({c.count} headers)")
        out.append(f"tip         {obj['hash']}")
        if c.tip_chainwork is not None:
            out.append(f"chain work  0x{c.tip_chainwork:x}")
        shown = ", ".join(str(h) for h in c.retargets) or "none in range"
        out.append(f"retargets   {len(c.retargets)} recomputed: {shown}")
        checked = "links and proof of work" if not c.anchored else "links, proof of work, difficulty and anchor"
        out.append(f"valid: {c.count} header(s); {checked} checked")
        return "\n".join(out)
