"""Helpers for integration tests: produce and read records on the real broker (sync wrappers)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from infra import topic_partitions
from schemas import Settings

Record = ConsumerRecord[bytes, bytes]


def produce(settings: Settings, topic: str, items: list[tuple[bytes | None, bytes | None]]) -> None:
    """Send (key, value) pairs to ``topic`` (prefixed by the settings) and wait for the acks."""

    async def run() -> None:
        producer = AIOKafkaProducer(acks="all", **settings.kafka_client_kwargs())  # type: ignore[arg-type]
        await producer.start()
        try:
            for key, value in items:
                await producer.send_and_wait(settings.topic(topic), key=key, value=value)
        finally:
            await producer.stop()

    asyncio.run(run())


def produce_json(settings: Settings, topic: str, records: list[dict[str, Any]], key_field: str) -> None:
    produce(settings, topic, [(r[key_field].encode(), json.dumps(r).encode()) for r in records])


def read_until(settings: Settings, topic: str, done: Callable[[list[Record]], bool], timeout: float = 60.0,
               isolation_level: str = "read_uncommitted") -> list[Record]:
    """Read ``topic`` from the beginning until ``done(records)`` is true; fail after ``timeout`` s."""

    async def run() -> list[Record]:
        consumer = AIOKafkaConsumer(enable_auto_commit=False, group_id=None, isolation_level=isolation_level,
                                    **settings.kafka_client_kwargs())  # type: ignore[arg-type]
        await consumer.start()
        try:
            name = settings.topic(topic)
            deadline = time.monotonic() + timeout
            while True:  # a topic the worker creates on first use may not exist yet
                tps = await topic_partitions(settings.kafka_client_kwargs(), [name])
                if tps:
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"topic {name} did not appear within {timeout}s")
                await asyncio.sleep(0.2)  # poll interval while waiting for the topic to exist
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            records: list[Record] = []
            while not done(records):
                if time.monotonic() > deadline:
                    raise AssertionError(f"timed out after {timeout}s waiting on {name}; saw {len(records)} records")
                batches = await consumer.getmany(timeout_ms=200)
                for batch in batches.values():
                    records.extend(batch)
            return records
        finally:
            await consumer.stop()

    return asyncio.run(run())


def values(records: list[Record]) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in records if r.value is not None]


def read_all(settings: Settings, topic: str, timeout: float = 60.0) -> list[Record]:
    """Every committed record of ``topic`` up to its end now (with transactions, aborted ones are skipped)."""

    async def run() -> list[Record]:
        consumer = AIOKafkaConsumer(enable_auto_commit=False, group_id=None, isolation_level="read_committed",
                                    **settings.kafka_client_kwargs())  # type: ignore[arg-type]
        await consumer.start()
        try:
            name = settings.topic(topic)
            tps = await topic_partitions(settings.kafka_client_kwargs(), [name])
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)  # the last stable offsets, under read_committed
            records: list[Record] = []
            deadline = time.monotonic() + timeout
            pending = [tp for tp in tps if ends[tp] > 0]
            while pending:
                if time.monotonic() > deadline:
                    raise AssertionError(f"could not read {name} to its end within {timeout}s")
                for batch in (await consumer.getmany(*pending, timeout_ms=200)).values():
                    records.extend(batch)
                pending = [tp for tp in pending if await consumer.position(tp) < ends[tp]]
            return records
        finally:
            await consumer.stop()

    return asyncio.run(run())
