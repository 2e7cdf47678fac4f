"""Pacing a replay (``publish --rate N``): N records per second, without drift.

Record ``n`` (counting from 0) is due at ``start + n / rate``, a time computed from the start,
never from the previous send. So a slow send or an oversleeping timer does not push every later
record back: the schedule stays where it was, and the replay catches up. Over any stretch the
replay never runs ahead of the rate.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable

__all__ = ["Pacer", "check_rate"]


def check_rate(rate: float) -> float:
    """``rate`` if it is a usable number of records per second; else ``ValueError`` saying why."""
    if not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"--rate must be a positive number of events per second, not {rate:g}")
    return rate


class Pacer:
    """``await pacer.wait()`` before each record: it returns once that record is due."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.rate = check_rate(rate)
        self._clock, self._sleep = clock, sleep
        self._start: float | None = None
        self.count = 0
        """Records let through so far."""

    def due(self, n: int) -> float:
        """When record ``n`` may go (clock seconds); the first record goes at once."""
        if self._start is None:
            raise RuntimeError("no record has been paced yet")
        return self._start + n / self.rate

    async def wait(self) -> None:
        """Sleep until the next record is due (not at all if the replay is behind schedule)."""
        now = self._clock()
        if self._start is None:
            self._start = now
        ahead = self.due(self.count) - now
        if ahead > 0:
            await self._sleep(ahead)  # pacing a replay, not synchronising anything
        self.count += 1
