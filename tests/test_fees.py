"""The fee gate (ceiling, --wait) and fee arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inscriptions.transactions.fees import DEFAULT_CEILING, fee_for, gate, parse_rate
from toolkit.core.errors import FeeAboveCeilingError, SourceUnavailableError, UsageError


def const(rate: str) -> Decimal:
    return Decimal(rate)


def test_gate_passes_at_ceiling() -> None:
    assert gate(lambda: const("5.00"), DEFAULT_CEILING) == Decimal("5.00")
    assert gate(lambda: const("0.1"), DEFAULT_CEILING) == Decimal("0.1")


def test_gate_refuses_just_above_ceiling() -> None:
    with pytest.raises(FeeAboveCeilingError, match=r"5\.01 sat/vB is above the ceiling 5 sat/vB") as info:
        gate(lambda: const("5.01"), DEFAULT_CEILING)
    assert info.value.exit_code == 75


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_wait_polls_until_rate_drops() -> None:
    rates = iter(["9", "7", "5.01", "5.00"])
    t, messages = FakeTime(), []
    rate = gate(
        lambda: Decimal(next(rates)),
        Decimal(5),
        wait=True,
        poll_interval=30,
        timeout=3600,
        clock=t.clock,
        sleep=t.sleep,
        report=messages.append,
    )
    assert rate == Decimal("5.00")
    assert t.sleeps == [30, 30, 30]
    assert len(messages) == 4 and "9 sat/vB > ceiling 5" in messages[0]


def test_wait_times_out() -> None:
    t, calls = FakeTime(), []

    def fetch() -> Decimal:
        calls.append(1)
        return Decimal(6)

    with pytest.raises(FeeAboveCeilingError, match="after waiting 100 s"):
        gate(fetch, Decimal(5), wait=True, poll_interval=30, timeout=100, clock=t.clock, sleep=t.sleep)
    assert t.sleeps == [30, 30, 30, 10] and len(calls) == 5  # the last check is at the deadline


def test_timeout_shorter_than_poll_interval_still_checks_once() -> None:
    t, rates = FakeTime(), iter(["6", "4"])
    assert gate(lambda: Decimal(next(rates)), Decimal(5), wait=True, poll_interval=60, timeout=30,
                clock=t.clock, sleep=t.sleep) == 4  # fmt: skip
    assert t.sleeps == [30]


def test_failed_poll_does_not_end_the_wait() -> None:
    t, messages = FakeTime(), []
    answers: list[Decimal | Exception] = [Decimal(6), SourceUnavailableError("mempool: HTTP 503"), Decimal("4.5")]

    def fetch() -> Decimal:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    rate = gate(fetch, Decimal(5), wait=True, poll_interval=10, timeout=100, clock=t.clock, sleep=t.sleep,
                report=messages.append)  # fmt: skip
    assert rate == Decimal("4.5") and t.sleeps == [10, 10]
    assert any("HTTP 503; still waiting" in m for m in messages)
    # The first fetch failing is still exit 69 at once.
    answers.append(SourceUnavailableError("mempool: HTTP 503"))
    with pytest.raises(SourceUnavailableError):
        gate(fetch, Decimal(5), wait=True, clock=t.clock, sleep=t.sleep)


def test_fixed_rate_does_not_wait() -> None:
    t = FakeTime()
    with pytest.raises(FeeAboveCeilingError):
        gate(lambda: Decimal(6), Decimal(5), wait=True, fixed=True, clock=t.clock, sleep=t.sleep)
    assert t.sleeps == []


@pytest.mark.parametrize(
    "rate,vsize,fee",
    [
        ("1", 100, 100), ("2.5", 101, 253), ("5", 250_064, 1_250_320), ("0.1", 1, 1), ("3.333", 3, 10),
        ("1.1", 2441, 2686), ("2.05", 2441, 5005), ("2.05", 2440, 5002), ("0.5", 3, 2), ("0.5", 4, 2),
        ("5", 1, 5), ("5.00", 7, 35), ("5.001", 1000, 5001), ("5.001", 1001, 5007), ("100000", 1_000_000, 10**11),
        ("0.00000001", 1, 1),
        # More digits than Decimal's default 28-digit context: must not round down.
        ("1.0000000000000000000000000001", 250, 251), ("1E-1000000", 250, 1),
    ],
)  # fmt: skip
def test_fee_is_ceil_rate_times_vsize(rate: str, vsize: int, fee: int) -> None:
    assert fee_for(Decimal(rate), vsize) == fee


@pytest.mark.parametrize(
    "text", ["", "abc", "-1", "0", "nan", "inf", "1e9", "0x10", "1_0", "1e2", "\uff15", "+1", "0.000000001", "0.0", "1.", "100001"]
)
def test_parse_rate_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_rate(text)


def test_parse_rate_accepts_decimals() -> None:
    assert parse_rate("4.25") == Decimal("4.25")


@pytest.mark.parametrize("interval,timeout", [(float("nan"), 10.0), (10.0, float("nan")), (float("inf"), 10.0), (10.0, float("inf")), (0.0, 1.0), (1e300, 1e300), (1.0, -1.0)])
def test_wait_needs_finite_interval_and_timeout(interval: float, timeout: float) -> None:
    # NaN used to crash time.sleep (exit 70) or loop forever.
    t = FakeTime()
    with pytest.raises(UsageError, match="finite"):
        gate(lambda: Decimal(6), Decimal(5), wait=True, poll_interval=interval, timeout=timeout, clock=t.clock, sleep=t.sleep)
    assert t.sleeps == []
