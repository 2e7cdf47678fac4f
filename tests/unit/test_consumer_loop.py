"""``streams.consumer_loop.InLoop``: a mode ``ServiceThread`` run in the caller's loop, without a thread."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from mode.threads import QueueServiceThread

from streams.consumer_loop import InLoop


class _Service(QueueServiceThread):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.started_in: int | None = None
        self.thread_stopped = False

    async def on_start(self) -> None:
        self.started_in = threading.get_ident()

    async def on_thread_stop(self) -> None:
        await super().on_thread_stop()
        self.thread_stopped = True


class _InLoopService(InLoop, _Service):
    pass


def test_the_service_starts_and_is_called_in_the_callers_thread_and_loop() -> None:
    async def main() -> tuple[int | None, int, bool, int]:
        threads = threading.active_count()
        service = _InLoopService()
        await service.start()
        called_in = await service.call_thread(lambda: threading.get_ident())
        same_loop = service.thread_loop is asyncio.get_running_loop()
        running = threading.active_count()
        await service.stop()
        assert running == threads, "a thread was started"
        return service.started_in, called_in, same_loop, threading.get_ident()

    started_in, called_in, same_loop, here = asyncio.run(main())
    assert started_in == called_in == here
    assert same_loop


def test_stopping_it_stops_the_service_and_leaves_the_loops_other_tasks_running() -> None:
    async def main() -> None:
        other = asyncio.ensure_future(asyncio.sleep(3600))
        service = _InLoopService()
        await service.start()
        await asyncio.wait_for(service.stop(), 10)
        assert service.thread_stopped
        assert not other.cancelled() and not other.done()
        other.cancel()

    asyncio.run(main())


def test_a_coroutine_function_is_awaited_in_place() -> None:
    async def main() -> int:
        service = _InLoopService()
        await service.start()

        async def double(x: int) -> int:
            await asyncio.sleep(0)
            return 2 * x

        try:
            result: int = await service.call_thread(double, 21)
            return result
        finally:
            await service.stop()

    assert asyncio.run(main()) == 42
