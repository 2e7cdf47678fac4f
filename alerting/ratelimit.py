"""Per-recipient rate limits: at most ``limit`` messages per ``window`` seconds on one channel. Pure."""

from __future__ import annotations

from collections import defaultdict, deque

__all__ = ["RateLimiter"]


class RateLimiter:
    """Sliding window of send times per key (e.g. ``officer/channel``).

    ``allow`` only asks; ``record`` counts a send. Fed from the delivery log at start, so the
    limit holds across a restart.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._sent: dict[str, deque[float]] = defaultdict(deque)

    def _trim(self, key: str, now: float) -> deque[float]:
        times = self._sent[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def allow(self, key: str, now: float) -> bool:
        return self.limit <= 0 or len(self._trim(key, now)) < self.limit

    def record(self, key: str, at: float) -> None:
        times = self._sent[key]
        times.append(at)
        if len(times) > 1 and times[-2] > at:  # records loaded out of order: keep the deque sorted
            self._sent[key] = deque(sorted(times))
