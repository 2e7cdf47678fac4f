"""Faust's Kafka consumer in the worker's own event loop, not in a thread of its own.

Faust runs its aiokafka consumer in a ``ConsumerThread``: a second OS thread with a second event
loop, and every call into it (each fetch, commit, seek) goes through a method queue, with a
cross-thread wake-up each way. At a few hundred events a second the worker fetches about once per
event, so it pays those wake-ups, and the two threads' hand-offs of the GIL, for every event. A
no-op Faust agent at a paced 300 events/s used 0.81-1.12 ms of CPU per event with the thread and
0.66-0.70 in the worker's loop (``bench/floor_bench.py``); the worker at 300/s, 41-48% of a core
against 35-40% (docs/benchmarks.md, "The consumer thread").

:class:`InLoop` keeps Faust's consumer-thread class, and with it every method Faust calls, but
runs its service as a task of the worker's loop: ``call_thread`` awaits the call in place.
Faust's rebalance callbacks already go through a queue in the worker's loop
(``threadsafe_partitions_assigned``), which works the same with one loop.

Nothing in the worker blocks its loop for long: the screening agent screens a batch at a time
(milliseconds), well inside the group's session timeout, which the heartbeat task (now in the same
loop) must beat. ``FUGITIVE_ALERTS_FAUST_CONSUMER_THREAD=true`` restores Faust's thread.

Written against mode-streaming 0.7 (``ServiceThread``) and faust-streaming 0.15 (``ConsumerThread``);
both are pinned in ``pyproject.toml``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from mode import Service
from mode.utils.futures import maybe_async

__all__ = ["InLoop"]


class InLoop:
    """Mixin for a ``mode.threads.ServiceThread`` subclass: run the service in the caller's loop, no thread."""

    def __init__(self, *args: Any, loop: asyncio.AbstractEventLoop | None = None, **kwargs: Any) -> None:
        loop = loop or asyncio.get_event_loop_policy().get_event_loop()
        super().__init__(*args, loop=loop, thread_loop=loop, **kwargs)  # type: ignore[call-arg]
        self._serving: asyncio.Future[None] | None = None

    async def start(self) -> None:
        """ServiceThread.start without the thread: serve as a task, return once it has started."""
        service: Any = self  # a mode ServiceThread
        assert not service._thread_started.is_set()
        service._thread_started.set()
        service._thread_running = service.parent_loop.create_future()
        self._serving = asyncio.ensure_future(service._serve())
        await service._thread_running

    async def stop(self) -> None:
        """ServiceThread.stop without joining a thread: ``_serve`` shuts the service down as it returns."""
        service: Any = self  # a mode ServiceThread
        if service._started.is_set():
            await Service.stop(service)
        if self._serving is not None:
            await asyncio.wait([self._serving])  # a crash has been reported by _serve already

    async def _gather_remaining_tasks(self) -> None:
        """Do nothing: mode cancels every task of the thread's loop here, which is now the worker's loop."""

    async def call_thread(self, fun: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``fun`` here, not through the method queue of another thread."""
        return await maybe_async(fun(*args, **kwargs))
