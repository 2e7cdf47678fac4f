"""What an agent has handed to the producer goes to the broker when its batch is done, not after the linger.

The worker's producer lingers (``FUGITIVE_ALERTS_PRODUCER_LINGER_MS``, 10 ms) so that under load one
produce request carries many records: it gave a third more events per worker CPU-second
(docs/benchmarks.md, "The producer linger"). At a low rate the linger is pure wait: every answer
waited it, and a crossing with a document waited it twice (the check record, then the answer;
docs/documents.md, "The check's latency").

An agent therefore calls :class:`SendNow` when it has handed a batch's records to the producer. It
ends the linger of the producer's waiting batches and wakes aiokafka's sender, which sends them
without waiting for the broker's answer here. The batches stay open: aiokafka keeps one produce
request in flight per broker, and a batch that cannot go yet (its broker has a request in flight)
goes on taking records until it does, as with no linger at all. (Closing them instead, as the
producer's flush for a transaction does, would make the next send to that partition wait until
the batch is sent.)

**At most once per linger, per agent.** A call within ``linger`` of the agent's last call that
released a batch does nothing: those records linger as before. At a low rate every batch goes at
once; under load records still gather for up to the linger, and the produce requests per second
stay bounded by it. Each agent has its own :class:`SendNow`: the hops of one event (the screening
agent's check record, then the check agent's answer a few milliseconds later) must not hold each
other back.

aiokafka's accumulator (``_message_accumulator``, its ``_batches`` and ``_waiter_future``) and its
batches' ``_linger_time`` are private, checked on aiokafka 0.14 (``pyproject.toml`` pins it below
0.15); so is Faust's ``Producer._producer``, checked on faust-streaming 0.15.3. Where they are not
found (a producer not yet started, Faust's transactional producers of ``exactly_once``) a call does
nothing, and records linger as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["SendNow"]


class SendNow:
    """Call after handing a batch's records to the producer: they go now (at most once per ``linger`` seconds)."""

    def __init__(self, producer: Callable[[], Any], linger: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._producer, self._every, self._clock = producer, linger, clock
        self._last = -float("inf")

    def __call__(self) -> int:
        """End the linger of the waiting batches and wake the sender; the count of batches released."""
        now = self._clock()
        if now - self._last < self._every:
            return 0
        accumulator: Any = getattr(getattr(self._producer(), "_producer", None), "_message_accumulator", None)
        batches = getattr(accumulator, "_batches", None)
        if batches is None:
            return 0
        released = 0
        for queued in batches.values():
            for batch in queued:
                if batch._linger_time:
                    batch._linger_time = 0  # read by MessageBatch.remaining_linger() when the sender drains
                    released += 1
        if released:
            self._last = now
            waiter = accumulator._waiter_future
            if not waiter.done():
                waiter.set_result(None)
        return released
