"""Read chosen partitions of a topic from the beginning to their end now (no group), record by record."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

__all__ = ["replay_partitions"]


async def replay_partitions(topic: str, partitions: Iterable[int], client_kwargs: dict[str, Any],
                            apply: Callable[[ConsumerRecord[bytes, bytes]], None]) -> int:
    """Call ``apply`` on every record of the partitions up to their current end; return how many."""
    tps = [TopicPartition(topic, p) for p in partitions]
    if not tps:
        return 0
    consumer = AIOKafkaConsumer(enable_auto_commit=False, group_id=None, **client_kwargs)
    await consumer.start()
    read = 0
    try:
        ends = await consumer.end_offsets(tps)  # before the first fetch can queue ahead of it
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        pending = {tp for tp in tps if ends[tp] > 0}
        while pending:
            for records in (await consumer.getmany(*pending, timeout_ms=1000)).values():
                for rec in records:
                    read += 1
                    apply(rec)
            for tp in list(pending):
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
    finally:
        await consumer.stop()
    return read
