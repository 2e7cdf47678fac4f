"""``publish --rate N``: the schedule of a paced replay, on a fake clock (no wall-clock timing)."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from fugitive_alerts.pacing import Pacer, check_rate


class FakeClock:
    """A clock that moves only when slept on (each sleep oversleeps by ``late``), or when work is ``spent``."""

    def __init__(self, late: float = 0.0) -> None:
        self.now, self.late = 1000.0, late
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds + self.late

    def spend(self, seconds: float) -> None:
        self.now += seconds


def _send_times(pacer: Pacer, clock: FakeClock, n: int, work: float = 0.0) -> list[float]:
    async def run() -> list[float]:
        times = []
        for _ in range(n):
            await pacer.wait()
            times.append(clock.now)
            clock.spend(work)
        return times

    return asyncio.run(run())


def test_records_go_exactly_one_interval_apart_the_first_at_once() -> None:
    clock = FakeClock()
    pacer = Pacer(4.0, clock=clock, sleep=clock.sleep)
    assert _send_times(pacer, clock, 5) == [1000.0, 1000.25, 1000.5, 1000.75, 1001.0]
    assert pacer.count == 5


def test_an_oversleeping_timer_does_not_drift_the_schedule() -> None:
    """Each sleep is 30 ms late: every send is 30 ms late, never 30 ms x n."""
    clock = FakeClock(late=0.03)
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep)
    times = _send_times(pacer, clock, 50)
    lateness = [t - pacer.due(i) for i, t in enumerate(times)]
    assert max(lateness) == pytest.approx(0.03)
    assert times[-1] == pytest.approx(1000.0 + 49 / 10.0 + 0.03)


def test_a_replay_behind_schedule_catches_up_without_sleeping_then_keeps_the_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep)
    _send_times(pacer, clock, 1)
    clock.spend(1.0)  # a stall: ten records' worth
    times = _send_times(pacer, clock, 12)
    assert times[:10] == [1001.0] * 10, "the ten records due during the stall go at once"
    assert times[10:] == [pytest.approx(1001.1), pytest.approx(1001.2)], "then the rate again"


@given(rate=st.floats(min_value=0.01, max_value=1e6), n=st.integers(min_value=1, max_value=60),
       work=st.floats(min_value=0.0, max_value=0.5))
def test_never_ahead_of_the_rate(rate: float, n: int, work: float) -> None:
    """However long each send takes, record i never goes before start + i / rate."""
    clock = FakeClock()
    pacer = Pacer(rate, clock=clock, sleep=clock.sleep)
    for i, t in enumerate(_send_times(pacer, clock, n, work)):
        assert t >= 1000.0 + i / rate - 1e-6


@pytest.mark.parametrize("rate", [0.0, -1.0, math.nan, math.inf])
def test_a_rate_that_is_not_a_positive_number_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="--rate must be a positive number"):
        check_rate(rate)
    with pytest.raises(ValueError):
        Pacer(rate)


@pytest.mark.parametrize("rate", ["0", "-5", "nan", "inf", "fast"])
def test_publish_refuses_a_bad_rate_with_exit_2_before_connecting(rate: str, tmp_path: Path) -> None:
    from fugitive_alerts.cli import app

    events = tmp_path / "e.jsonl"
    events.write_text("{}\n")
    result = CliRunner().invoke(app, ["publish", "--rate", rate, str(events)],
                                env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"})
    assert result.exit_code == 2, result.output
    assert "--rate" in result.output
