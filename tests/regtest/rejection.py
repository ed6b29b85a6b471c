"""Core's mempool refusals as the harness raises them: the reason kinds the
RPC layer maps to error codes, :class:`Rejection`, and FormatMoney for the
amounts in reject details."""

from __future__ import annotations

# Core's TxValidationResult, as far as the RPC layer needs it.
MISSING_INPUTS = "missing-inputs"
ALREADY_KNOWN = "already-known"
REJECTED = "rejected"


class Rejection(Exception):
    """Core's ``state.ToString()``: reason, then ``, debug`` if any."""

    def __init__(self, kind: str, reason: str, debug: str = "") -> None:
        self.kind, self.reason, self.debug = kind, reason, debug
        super().__init__(f"{reason}, {debug}" if debug else reason)


def format_money(sats: int) -> str:
    """Core's FormatMoney: 8 decimals, trailing zeros trimmed down to two."""
    whole, frac = divmod(sats, 100_000_000)
    digits = f"{frac:08d}".rstrip("0")
    return f"{whole}.{digits.ljust(2, '0')}"
