"""A compacted topic read whole and then followed: a live key -> value view (no consumer group).

Used by the dispatcher for the bureau directory (``bureaus``), the sightings it has alerted on
(``alerts.sightings``) and notice withdrawals (``wanted.notices``). ``ready`` is set once the view
has caught up with the end offsets seen at start; ``on_change`` is called for every record after
that, so callers can react to live changes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition

__all__ = ["CompactedView"]

log = structlog.get_logger(__name__)
V = TypeVar("V")


class CompactedView(Generic[V]):
    def __init__(self, topic: str, client_kwargs: dict[str, Any], decode: Callable[[bytes], V],
                 on_change: Callable[[str, V | None], None] | None = None, tombstone: V | None = None) -> None:
        """``tombstone``: keep deleted keys with this value instead of dropping them."""
        self.topic = topic
        self.client_kwargs = client_kwargs
        self.decode = decode
        self.on_change = on_change
        self.tombstone = tombstone
        self.values: dict[str, V] = {}
        self.ready = asyncio.Event()
        self.refused = 0
        self._task: asyncio.Task[None] | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(enable_auto_commit=False, group_id=None, **self.client_kwargs)
        await self._consumer.start()
        cluster = await self._consumer._client.fetch_all_metadata()
        tps = [TopicPartition(self.topic, p) for p in sorted(cluster.partitions_for_topic(self.topic) or ())]
        if not tps:
            await self._consumer.stop()
            raise RuntimeError(f"topic {self.topic!r} does not exist")
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)
        self._ends = await self._consumer.end_offsets(tps)
        self._task = asyncio.create_task(self._run(), name=f"view:{self.topic}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    async def _caught_up(self) -> bool:
        assert self._consumer is not None
        for tp, end in self._ends.items():
            if await self._consumer.position(tp) < end:
                return False
        return True

    async def _run(self) -> None:
        assert self._consumer is not None
        if await self._caught_up():
            self.ready.set()
        while True:
            batches = await self._consumer.getmany(timeout_ms=500, max_records=5000)
            for records in batches.values():
                for rec in records:
                    self._apply(rec)
            if not self.ready.is_set() and await self._caught_up():
                self.ready.set()
                log.info("view loaded", topic=self.topic, keys=len(self.values), refused=self.refused)

    def _apply(self, rec: Any) -> None:
        key = rec.key.decode("utf-8", "replace") if rec.key else ""
        if not key:
            self.refused += 1
            return
        if rec.value is None:
            value: V | None = self.tombstone
            if value is None:
                self.values.pop(key, None)
            else:
                self.values[key] = value
        else:
            try:
                value = self.decode(rec.value)
            except ValueError:  # pydantic's ValidationError is a ValueError
                self.refused += 1
                log.warning("record refused", topic=rec.topic, partition=rec.partition, offset=rec.offset)
                return
            self.values[key] = value
        if self.on_change is not None and self.ready.is_set():
            self.on_change(key, value)
