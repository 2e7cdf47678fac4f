"""The dispatcher's one Kafka producer, behind a small wrapper: topic names get the prefix, keys are text.

Idempotent (``enable_idempotence``, ``acks=all``): a retried produce request is never written twice.
Used for deliveries, escalation records, sightings, acknowledgements (from the web app) and
dead-letter records (``dead_letter``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer

from schemas import Rejected, Settings, topics

__all__ = ["Publisher"]

log = structlog.get_logger(__name__)


class Publisher:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(acks="all", enable_idempotence=True, linger_ms=5,
                                          **self.settings.kafka_client_kwargs())
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def enqueue(self, topic: str, key: str, value: bytes | None) -> asyncio.Future[object]:
        """Queue one record (records queued in order are written in order); await the result to know it is written."""
        assert self._producer is not None, "Publisher.start() first"
        future: asyncio.Future[object] = await self._producer.send(self.settings.topic(topic), key=key.encode(),
                                                                   value=value)
        return future

    async def publish(self, topic: str, key: str, value: bytes | None) -> None:
        """Write one record and wait until the brokers have it."""
        await (await self.enqueue(topic, key, value))

    async def dead_letter(self, rec: Any, error: str) -> None:
        """Refuse a consumed record: log where it was, and write it with the reason to ``events.rejected``."""
        log.warning("record refused", topic=rec.topic, partition=rec.partition, offset=rec.offset, error=error)
        bad = Rejected.of(rec.value, topic=rec.topic, partition=rec.partition, offset=rec.offset, error=error)
        await self.publish(topics.REJECTED, f"{rec.topic}:{rec.partition}:{rec.offset}", bad.model_dump_json().encode())
