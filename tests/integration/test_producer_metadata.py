"""The worker's producer keeps every topic it produces to in its metadata (streams/producer_metadata.py).

Once, in a worker, a record for a response topic just created was refused (NotLeaderForPartition) and then never
delivered: aiokafka's sender asked for metadata in a loop and the topic was not in any answer. A topic the producer
learnt from a fetch of all topics (as after Faust declares a topic) was not tracked, and the first record for a
topic missing from its metadata made the client fetch that topic alone: the other topics left its metadata, with
the records waiting for them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import TopicPartition

from schemas import Settings

pytestmark = pytest.mark.integration


async def _leader_known(client: Any, tp: TopicPartition) -> None:
    """Refresh the client's metadata until it names a leader for ``tp`` (bounded)."""
    for _ in range(300):
        if client.cluster.leader_for_partition(tp) not in (None, -1):
            return
        await client.force_metadata_update()
    raise AssertionError(f"no leader for {tp} in the producer's metadata")


def test_a_record_waiting_for_a_declared_topic_survives_the_first_record_for_a_topic_not_yet_known(
        settings_factory: Callable[..., Settings]) -> None:
    """Agency A's response topic is declared (Faust then fetches every topic's metadata) and led; a record for it
    waits in the producer (a linger of 1 s stands for the wait after a NotLeaderForPartition); then a record for a
    topic the producer has not seen yet. A stays in the producer's metadata and its record is delivered."""
    from streams.app import new_faust_app
    from streams.batches import producer_of
    from streams.screen_agent import ResponseTopics

    settings = settings_factory(smtp=False, twilio=False, producer_linger_ms=1000.0)

    async def run() -> None:
        app = new_faust_app(settings)
        await app.producer.start()
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
        await admin.start()
        try:
            client = app.producer._producer.client
            produce = producer_of(app)
            a = (await ResponseTopics(app, settings.topic_prefix, 1).for_agency("zz-declared")).get_topic_name()
            await _leader_known(client, TopicPartition(a, 0))
            unknown = f"{settings.topic_prefix}responses.zz-not-yet-known"
            await admin.create_topics([NewTopic(unknown, 1, 1)])

            waiting = await produce(a, b"k", b"v", None)
            delivered_b = await produce(unknown, b"k", b"v", None)  # returns once the producer knows the topic

            assert not waiting.done(), "A's record lingers while the producer learns the other topic"
            assert client.cluster.leader_for_partition(TopicPartition(a, 0)) not in (None, -1)
            await asyncio.wait_for(asyncio.gather(waiting, delivered_b), 60.0)
        finally:
            with contextlib.suppress(asyncio.TimeoutError):  # a record never delivered: stop without waiting for it
                await asyncio.wait_for(app.producer.stop(), 10.0)
            await admin.close()

    asyncio.run(run())
