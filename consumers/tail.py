"""Follow topics as records arrive (``alerts tail``, the demo's live view). Read-only, no group."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

__all__ = ["follow"]


async def follow(topic_names: list[str], client_kwargs: dict[str, Any], *, from_beginning: bool = False,
                 stop: asyncio.Event | None = None) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """Yield records of ``topic_names`` in arrival order per partition until ``stop`` is set.

    Without ``from_beginning`` only records produced after the call are shown.
    """
    consumer = AIOKafkaConsumer(enable_auto_commit=False, group_id=None, **client_kwargs)
    await consumer.start()
    try:
        # partitions_for_topic() only knows topics already in the client's metadata; fetch it.
        cluster = await consumer._client.fetch_all_metadata()
        tps = [TopicPartition(t, p) for t in topic_names for p in sorted(cluster.partitions_for_topic(t) or ())]
        missing = [t for t in topic_names if not cluster.partitions_for_topic(t)]
        if missing:
            raise RuntimeError(f"topic(s) not found: {', '.join(missing)}; start the worker first")
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
