"""Follow topics as records arrive (``alerts tail``, the demo's live view). Read-only, no group."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from infra import topic_partitions

__all__ = ["follow"]


async def follow(topic_names: list[str], client_kwargs: dict[str, Any], *, from_beginning: bool = False,
                 stop: asyncio.Event | None = None) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """Yield records of ``topic_names`` in arrival order per partition until ``stop`` is set.

    Without ``from_beginning`` only records produced after the call are shown.
    """
    tps = await topic_partitions(client_kwargs, topic_names, required=True)  # TopicNotFound names the missing
    consumer = AIOKafkaConsumer(enable_auto_commit=False, group_id=None, **client_kwargs)
    await consumer.start()
    try:
        consumer.assign(tps)
        if from_beginning:
            await consumer.seek_to_beginning(*tps)
        else:
            await consumer.seek_to_end(*tps)
        while stop is None or not stop.is_set():
            batches = await consumer.getmany(timeout_ms=300)
            for records in batches.values():
                for rec in records:
                    yield rec
    finally:
        await consumer.stop()
