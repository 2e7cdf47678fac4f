"""infra/ against the real broker: topic partitions on the public admin API, and the one compacted-topic reader."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from infra import CompactedReader, CompactedView, TopicMetadata, TopicNotFound, topic_partitions
from schemas import Settings


async def _create(settings: Settings, name: str, partitions: int, *, compact: bool = True) -> None:
    admin = AIOKafkaAdminClient(**settings.kafka_client_kwargs())  # type: ignore[arg-type]
    await admin.start()
    try:
        configs = {"cleanup.policy": "compact"} if compact else {}
        await admin.create_topics([NewTopic(name, partitions, 1, topic_configs=configs)])
    finally:
        await admin.close()


async def _produce(settings: Settings, topic: str, items: list[tuple[bytes | None, bytes | None, int]]) -> None:
    producer = AIOKafkaProducer(acks="all", **settings.kafka_client_kwargs())  # type: ignore[arg-type]
    await producer.start()
    try:
        for key, value, partition in items:
            await producer.send_and_wait(topic, key=key, value=value, partition=partition)
    finally:
        await producer.stop()


def _decode(raw: bytes) -> int:
    value = json.loads(raw)["n"]
    if not isinstance(value, int):
        raise ValueError("n must be an integer")
    return value


def test_topic_partitions_come_from_the_cluster_and_never_create_a_missing_topic(
        settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(smtp=False, twilio=False)
    name, missing = settings.topic("three"), settings.topic("absent")

    async def run() -> None:
        await _create(settings, name, 3)
        async with TopicMetadata(settings.kafka_client_kwargs()) as metadata:
            assert await metadata.partitions([name, missing]) == {name: [0, 1, 2]}
            assert await metadata.topic_partitions([name]) == [TopicPartition(name, p) for p in range(3)]
            with pytest.raises(TopicNotFound, match=missing):
                await metadata.topic_partitions([name, missing], required=True)
            assert "brokers" in await metadata.describe_cluster()
            # Asking must not have auto-created the missing topic (Kafka's default allows it).
            assert missing not in await metadata.admin.list_topics()
        assert await topic_partitions(settings.kafka_client_kwargs(), [missing]) == []

    asyncio.run(run())


def test_compacted_view_loads_the_whole_topic_then_follows_live_changes(
        settings_factory: Callable[..., Settings]) -> None:
    """Every partition from the beginning: upserts, tombstones, refused records counted; then live changes."""
    settings = settings_factory(smtp=False, twilio=False)
    name = settings.topic("view")

    async def run() -> None:
        await _create(settings, name, 2)
        await _produce(settings, name, [
            (b"a", b'{"n": 1}', 0), (b"b", b'{"n": 2}', 1), (b"a", b'{"n": 3}', 0),
            (b"c", b'{"n": "x"}', 1),  # refused: not an integer
            (b"", b'{"n": 4}', 0),  # refused: an empty key (a compacted topic refuses a null one)
            (b"d", b'{"n": 5}', 1), (b"d", None, 1),  # a tombstone drops the key
        ])
        changes: list[tuple[str, int | None]] = []
        changed = asyncio.Event()

        def on_change(key: str, value: int | None) -> None:
            changes.append((key, value))
            changed.set()

        view: CompactedView[int] = CompactedView(name, settings.kafka_client_kwargs(), _decode, on_change=on_change)
        await view.start()
        try:
            await asyncio.wait_for(view.ready.wait(), 30)
            assert view.values == {"a": 3, "b": 2}
            assert view.refused == 2
            assert changes == [], "records loaded before ready are not reported as changes"
            assert await view.position(0) == 3 and await view.position(1) == 4

            await _produce(settings, name, [(b"b", None, 1)])
            await asyncio.wait_for(changed.wait(), 30)
            assert changes == [("b", None)]
            assert view.values == {"a": 3}
        finally:
            await view.stop()

    asyncio.run(run())


def test_a_gathering_view_still_applies_every_record_the_first_after_a_quiet_spell_and_the_last_of_a_burst(
        settings_factory: Callable[..., Settings]) -> None:
    """``gather=True``: once records flow, a fetch waits for a few more (up to GATHER_MS for GATHER_BYTES).
    A burst far smaller than those bytes, and the lone record before it, still all arrive."""
    settings = settings_factory(smtp=False, twilio=False)
    name = settings.topic("gathered")

    async def run() -> None:
        await _create(settings, name, 1)
        arrived: dict[str, asyncio.Event] = {key: asyncio.Event() for key in ("lone", "k49")}
        view: CompactedView[int] = CompactedView(
            name, settings.kafka_client_kwargs(), _decode, gather=True,
            on_change=lambda key, _value: arrived[key].set() if key in arrived else None)
        await view.start()
        try:
            await asyncio.wait_for(view.ready.wait(), 30)
            await _produce(settings, name, [(b"lone", b'{"n": 0}', 0)])
            await asyncio.wait_for(arrived["lone"].wait(), 30)
            await _produce(settings, name, [(f"k{i}".encode(), json.dumps({"n": i}).encode(), 0) for i in range(50)])
            await asyncio.wait_for(arrived["k49"].wait(), 30)
            assert view.values == {"lone": 0, **{f"k{i}": i for i in range(50)}}
        finally:
            await view.stop()

    asyncio.run(run())


def test_compacted_view_keeps_tombstoned_keys_when_asked(settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(smtp=False, twilio=False)
    name = settings.topic("withdrawn")

    async def run() -> None:
        await _create(settings, name, 1)
        await _produce(settings, name, [(b"n1", b'{"n": 1}', 0), (b"n1", None, 0), (b"n2", b'{"n": 2}', 0)])
        view: CompactedView[int] = CompactedView(name, settings.kafka_client_kwargs(), _decode, tombstone=0)
        await view.start()
        try:
            await asyncio.wait_for(view.ready.wait(), 30)
            assert view.values == {"n1": 0, "n2": 2}
        finally:
            await view.stop()

    asyncio.run(run())


def test_a_reader_of_an_empty_topic_is_ready_at_once_and_a_missing_topic_is_named(
        settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(smtp=False, twilio=False)
    name = settings.topic("empty")

    async def run() -> None:
        await _create(settings, name, 2)
        seen: list[bytes | None] = []
        reader = CompactedReader(name, settings.kafka_client_kwargs(), lambda key, value: seen.append(key) or None)
        await reader.start()
        try:
            await asyncio.wait_for(reader.ready.wait(), 30)
            assert seen == []
        finally:
            await reader.stop()
        missing = CompactedReader(settings.topic("nothing-here"), settings.kafka_client_kwargs(), lambda k, v: None)
        with pytest.raises(TopicNotFound, match="nothing-here"):
            await missing.start()

    asyncio.run(run())
