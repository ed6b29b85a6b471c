"""The result of ``enoch header verify``: one header or a chain of them.

JSON (SPEC C): ``hash``, ``target``, ``difficulty`` describe the last header
(the tip); ``pow_valid`` is true only when *every* header's work is valid;
``links_valid`` when every prev-hash link holds; ``valid`` both; ``headers``
lists each header's own verdict.  Exit status 1 unless ``valid``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.core.errors import EXIT_OK, EXIT_VERIFY_FAILED
from toolkit.chain.compact import difficulty_from_target
from toolkit.chain.header import HeaderCheck

_CAVEAT = "a valid header proves work was done on it, not its height or that it is on the best chain"


def header_json(check: HeaderCheck) -> dict[str, Any]:
    """One header's object in ``header verify --json``."""
    h = check.header
    return {
        "hash": h.hash_display,
        "version": h.version,
        "prev_hash": h.prev_hash_display,
        "merkle_root": h.merkle_root_internal[::-1].hex(),
        "time": h.time,
        "bits": f"{h.bits:08x}",
        "nonce": h.nonce,
        "target": None if check.target is None else f"{check.target:064x}",
        "difficulty": None if check.target is None else difficulty_from_target(check.target),
        "pow_valid": check.pow_valid,
        "pow_error": check.pow_error,
        "link_valid": check.link_ok,
    }


@dataclass
class HeaderReport:
    """The :class:`~toolkit.cli.render.Result` of ``header verify`` (see the module docstring)."""

    checks: Sequence[HeaderCheck]
    exit_code: int = field(init=False)

    def __post_init__(self) -> None:
        if not self.checks:
            raise ValueError("a report needs at least one header")
        self.exit_code = EXIT_OK if self.valid else EXIT_VERIFY_FAILED

    @property
    def valid(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        headers = [header_json(c) for c in self.checks]
        tip = headers[-1]
        return {
            "hash": tip["hash"],
            "target": tip["target"],
            "difficulty": tip["difficulty"],
            "pow_valid": all(c.pow_valid for c in self.checks),
            "links_valid": all(c.link_ok is not False for c in self.checks),
            "valid": self.valid,
            "count": len(headers),
            "headers": headers,
        }

    def to_text(self) -> str:
        out: list[str] = []
        many = len(self.checks) > 1
        for n, (check, obj) in enumerate(zip(self.checks, self.to_json()["headers"]), start=1):
            if many:
                out.append(f"header {n}/{len(self.checks)}")
            out.append(f"  hash        {obj['hash']}")
            out.append(f"  target      {obj['target'] or '(invalid nBits)'}  (nBits {obj['bits']})")
            if obj["difficulty"] is not None:
                out.append(f"  difficulty  {obj['difficulty']:.17g}")
            out.append(f"  work        {'valid' if check.pow_valid else 'INVALID: ' + str(check.pow_error)}")
            if check.link_ok is not None:
                link = "ok" if check.link_ok else f"BROKEN: prev hash {obj['prev_hash']} is not header {n - 1}"
                out.append(f"  link        {link}")
        verdict = "valid" if self.valid else "INVALID"
        out.append(f"{verdict}: {len(self.checks)} header(s); {_CAVEAT}")
        return "\n".join(out)
