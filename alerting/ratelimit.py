"""Per-recipient rate limits: at most ``limit`` messages per ``window`` seconds on one channel. Pure.

``DeliveryLimits`` is the policy the dispatcher applies: per officer and channel, at most
``rate_limit_sms`` SMS and ``rate_limit_email`` emails per ``rate_limit_window_minutes``;
escalations and stand-downs are exempt (they must get through), and so are review digests (grouped
already: at most one per bureau per interval). It counts every message sent,
and is filled from the delivery log (``count``) once the log is loaded, so the limit holds
across a restart. A delivery is counted once however often it is seen (by its key).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable

from schemas import Channel, Delivery, DeliveryKind, Settings

__all__ = ["DeliveryLimits", "RateLimiter", "EXEMPT_KINDS"]

EXEMPT_KINDS: frozenset[DeliveryKind] = frozenset({"escalation", "withdrawn", "digest"})
"""Kinds that bypass the per-recipient rate limit, and do not count towards it: an escalation or a stand-down must
get through; a review digest is itself the limit on review emails."""
_COUNTED = ("sent", "queued", "delivered")


class RateLimiter:
    """Sliding window of send times per key (e.g. ``officer/channel``).

    ``allow`` only asks; ``record`` counts a send.
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


class DeliveryLimits:
    """The rate limits of the dispatcher, per channel, fed with delivery outcomes."""

    def __init__(self, settings: Settings) -> None:
        window = settings.rate_limit_window_minutes * 60
        self.limiters: dict[Channel, RateLimiter] = {"sms": RateLimiter(settings.rate_limit_sms, window),
                                                     "email": RateLimiter(settings.rate_limit_email, window)}
        self._counted: set[str] = set()

    def refusal(self, officer_id: str, channel: Channel, kind: DeliveryKind, now: float) -> str | None:
        """Why a message may not be sent now (``None``: it may)."""
        limiter = self.limiters[channel]
        if kind in EXEMPT_KINDS or limiter.allow(officer_id, now):
            return None
        return f"rate limited: over {limiter.limit} per {limiter.window / 60:g} min"

    def count(self, deliveries: Iterable[Delivery]) -> int:
        """Count what these outcomes sent (each key once; failures, skips and exempt kinds not); return how many."""
        added = 0
        for d in deliveries:
            if d.status in _COUNTED and d.kind not in EXEMPT_KINDS and d.key not in self._counted:
                self._counted.add(d.key)
                self.limiters[d.channel].record(d.recipient, d.at.timestamp())
                added += 1
        return added
