"""streams.send_now against a real producer and broker: what was handed over goes without waiting out the linger.

The producer lingers 10 minutes, so a record reaches the broker within the test's bound only if
``SendNow`` sent it; the bound is a failure limit, not a timing.
"""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition

from streams.send_now import SendNow

LINGER_MS = 600_000
BOUND_S = 30.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _producer(bootstrap: str) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=LINGER_MS)
    await producer.start()
    return producer


async def _stop(producer: AIOKafkaProducer) -> None:
    """Send what still lingers (as a transaction's flush does), then stop: ``stop`` alone would wait the linger."""
    await asyncio.wait_for(producer._message_accumulator.flush_for_commit(), BOUND_S)
    await producer.stop()


def _faust_like(producer: AIOKafkaProducer) -> Any:
    """What ``app.producer`` is to SendNow: Faust's producer, holding aiokafka's in ``_producer``."""
    return SimpleNamespace(_producer=producer)


def test_a_lingering_record_reaches_the_broker_once_sent_now(kafka_bootstrap: str) -> None:
    async def run() -> None:
        producer = await _producer(kafka_bootstrap)
        try:
            topic = f"send-now-{uuid.uuid4().hex[:8]}"
            await producer.client._wait_on_metadata(topic)  # the topic exists (auto-created) before we time anything
            clock = Clock()
            send_now = SendNow(lambda: _faust_like(producer), LINGER_MS / 1000, clock)
            delivered = await producer.send(topic, b"answer", key=b"bc-1", partition=0)
            assert send_now() == 1
            metadata = await asyncio.wait_for(delivered, BOUND_S)
            assert metadata.topic == topic and metadata.offset == 0
        finally:
            await _stop(producer)

    asyncio.run(run())


def test_within_the_linger_a_second_call_leaves_records_to_linger(kafka_bootstrap: str) -> None:
    async def run() -> None:
        producer = await _producer(kafka_bootstrap)
        try:
            topic = f"send-now-{uuid.uuid4().hex[:8]}"
            await producer.client._wait_on_metadata(topic)
            clock = Clock()
            send_now = SendNow(lambda: _faust_like(producer), 0.010, clock)
            first = await producer.send(topic, b"1", partition=0)
            assert send_now() == 1
            await asyncio.wait_for(first, BOUND_S)
            clock.now += 0.005  # within the 10 ms: not sent now
            second = await producer.send(topic, b"2", partition=0)
            assert send_now() == 0
            assert not second.done()
            clock.now += 0.010  # the linger has passed since the last send: sent now
            assert send_now() == 1
            assert (await asyncio.wait_for(second, BOUND_S)).offset == 1
        finally:
            await _stop(producer)

    asyncio.run(run())


def test_a_released_batch_stays_open_to_the_records_that_follow(kafka_bootstrap: str) -> None:
    """Released, not closed: a record sent before the sender has run joins the batch, and no send waits."""
    async def run() -> None:
        producer = await _producer(kafka_bootstrap)
        try:
            topic = f"send-now-{uuid.uuid4().hex[:8]}"
            await producer.client._wait_on_metadata(topic)
            tp = TopicPartition(topic, 0)
            queued = producer._message_accumulator._batches
            first = await producer.send(topic, b"a", partition=0)
            assert SendNow(lambda: _faust_like(producer), 0.0)() == 1
            second = await producer.send(topic, b"b", partition=0)  # no await here yields: the sender has not run
            assert len(queued[tp]) == 1 and queued[tp][0].record_count == 2
            assert (await asyncio.wait_for(first, BOUND_S)).offset == 0
            assert (await asyncio.wait_for(second, BOUND_S)).offset == 1
        finally:
            await _stop(producer)

    asyncio.run(run())


@pytest.mark.parametrize("holder", [SimpleNamespace(), SimpleNamespace(_producer=None)])
def test_a_producer_not_started_is_left_alone(holder: Any) -> None:
    assert SendNow(lambda: holder, 0.0)() == 0
