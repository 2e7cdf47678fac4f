"""Request/response over Kafka for publishers: wait for the answers to events just published.

A border system publishes an event and reads ``responses.<agency>`` for the record keyed by its
``event_id``. The consumer here fixes its position at the end of the response topics *before*
the events are published, so no answer can slip past it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError

from infra import topic_partitions
from schemas import Response

__all__ = ["await_responses"]

log = structlog.get_logger(__name__)


async def await_responses(topic_names: list[str], event_ids: set[str], client_kwargs: dict[str, Any],
                          publish: Callable[[], Awaitable[object]], timeout: float) -> dict[str, Response]:
    """Run ``publish()``, then collect responses for ``event_ids`` until all are in or ``timeout`` passes.

    Returns what arrived (event_id -> Response); the caller reports the missing ones.
    """
    tps = await topic_partitions(client_kwargs, topic_names)
    consumer = AIOKafkaConsumer(enable_auto_commit=False, group_id=None, **client_kwargs)
    await consumer.start()
    found: dict[str, Response] = {}
    try:
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:
            await consumer.position(tp)  # resolve the end offset now, before anything is published
        await publish()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not event_ids <= set(found) and loop.time() < deadline:
            batches = await consumer.getmany(timeout_ms=int(min(500, max(1, (deadline - loop.time()) * 1000))))
            for records in batches.values():
                for rec in records:
                    key = rec.key.decode("utf-8", "replace") if rec.key else ""
                    if key not in event_ids:
                        continue
                    try:
                        found[key] = Response.model_validate_json(rec.value or b"")
                    except ValidationError:
                        log.warning("unreadable response", topic=rec.topic, partition=rec.partition, offset=rec.offset)
    finally:
        await consumer.stop()
    return found
