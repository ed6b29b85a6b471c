"""Fee rates and the fee ceiling (SPEC I, "Fee ceiling").

Rates are :class:`~decimal.Decimal` sat/vB, never floats.  A transaction's fee
is ``ceil(rate * vsize)`` sats.  :func:`gate` passes a rate at or below the
ceiling and otherwise raises :class:`FeeAboveCeilingError` (exit 75) before
anything is written or signed; with ``wait`` it polls the source until the
rate drops or the timeout passes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from decimal import MAX_EMAX, MIN_EMIN, ROUND_CEILING, Decimal, Inexact, localcontext

from toolkit.core.errors import FeeAboveCeilingError, InternalError, SourceUnavailableError, UsageError

DEFAULT_CEILING = Decimal(5)
#: Rates above this are refused as typos (1 BTC per kvB).
MAX_RATE = Decimal(100_000)
#: Longest --poll-interval or --timeout accepted, in seconds (a year).
MAX_WAIT = 365 * 24 * 3600.0
#: Plain ASCII decimal notation only: Decimal() alone would also take "1_0"
#: (= 10), "1e2", non-ASCII digits and NaN, none of which a user means as a
#: fee rate.  At most 8 decimal places (1e-8 sat/vB is finer than any source).
_RATE_TEXT = re.compile(r"[0-9]+(?:\.[0-9]{1,8})?|\.[0-9]{1,8}")


def parse_rate(text: str, *, what: str = "fee rate") -> Decimal:
    """Parse a positive decimal sat/vB value such as ``"4.5"``."""
    if not isinstance(text, str) or not _RATE_TEXT.fullmatch(text.strip()):
        raise UsageError(
            f"{what} {text!r} is not a decimal number of sat/vB (digits, optionally a point and up to 8 decimals)"
        )
    rate = Decimal(text.strip())
    if rate <= 0:
        raise UsageError(f"{what} must be a positive number of sat/vB, got {text!r}")
    if rate > MAX_RATE:
        raise UsageError(f"{what} {text} sat/vB is implausibly high (limit {MAX_RATE})")
    return rate


def fee_for(rate: Decimal, vsize: int) -> int:
    """``ceil(rate * vsize)`` in sats, computed exactly."""
    if not rate.is_finite() or rate <= 0 or vsize < 0:
        raise InternalError("fee_for needs a positive finite rate and a non-negative size")
    # Decimal multiplication rounds to the context precision (28 digits by
    # default), which could round a rate like 1.0000000000000000000000000001
    # down and underpay by a sat: give the product all the digits it needs
    # and trap any rounding.
    with localcontext() as ctx:
        ctx.prec = len(rate.as_tuple().digits) + len(str(vsize)) + 2
        ctx.Emin, ctx.Emax = MIN_EMIN, MAX_EMAX
        ctx.traps[Inexact] = True
        product = rate * vsize
    return int(product.to_integral_value(rounding=ROUND_CEILING))


def fmt_rate(rate: Decimal) -> str:
    """A rate as plain decimal text (no exponent)."""
    return format(rate.normalize(), "f")


def gate(
    fetch: Callable[[], Decimal],
    ceiling: Decimal,
    *,
    wait: bool = False,
    poll_interval: float = 60.0,
    timeout: float = 3600.0,
    fixed: bool = False,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    report: Callable[[str], None] = lambda _msg: None,
) -> Decimal:
    """Return the current rate once it is at or below ``ceiling``.

    ``fixed`` says the rate cannot change (``--fee-rate``), so waiting is
    pointless.  Raises :class:`FeeAboveCeilingError` naming rate and ceiling.
    A source failing on the first fetch raises (exit 69); while waiting, a
    failed poll is reported and the wait goes on.
    """
    if wait and not (0 < poll_interval <= MAX_WAIT and 0 <= timeout <= MAX_WAIT):
        # NaN fails every comparison (it would wait forever or crash
        # time.sleep), and so do infinities and sleeps time.sleep refuses.
        raise UsageError(
            f"--poll-interval and --timeout must be finite numbers of seconds, at most {MAX_WAIT:g} (interval above 0)"
        )
    rate = fetch()
    if rate <= ceiling:
        return rate
    if not wait or fixed:
        raise FeeAboveCeilingError(
            f"fee rate {fmt_rate(rate)} sat/vB is above the ceiling {fmt_rate(ceiling)} sat/vB; "
            "nothing was written or signed; retry later" + (" or use --wait" if not fixed else "")
        )
    deadline = clock() + timeout
    while True:
        left = deadline - clock()
        if left <= 0:
            raise FeeAboveCeilingError(
                f"fee rate {fmt_rate(rate)} sat/vB still above the ceiling {fmt_rate(ceiling)} sat/vB "
                f"after waiting {timeout:g} s; nothing was written or signed"
            )
        # The last poll happens at the deadline, so --timeout shorter than
        # --poll-interval still waits (and checks) once.
        pause = min(poll_interval, left)
        report(
            f"fee rate {fmt_rate(rate)} sat/vB > ceiling {fmt_rate(ceiling)} sat/vB; "
            f"checking again in {pause:g} s ({left:.0f} s left)"
        )
        sleep(pause)
        try:
            rate = fetch()
        except SourceUnavailableError as exc:
            # One failed poll must not end a long wait: the source already
            # retried with backoff; keep the last rate and try again later.
            report(f"{exc.message}; still waiting")
            continue
        if rate <= ceiling:
            report(f"fee rate {fmt_rate(rate)} sat/vB is at or below the ceiling")
            return rate
