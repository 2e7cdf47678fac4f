"""``ready_batches`` (streams/batches.py) in Faust's test context: batches of what has arrived, none held back."""

from __future__ import annotations

import asyncio
from typing import Any

from faust.types import EventT

from streams.batches import ready_batches

from .recording import recording_app


def _batching_agent(max_: int) -> tuple[Any, Any, list[list[bytes]], asyncio.Queue[list[EventT[Any]]]]:
    """An agent that reads ``ready_batches(stream, max_)``; each batch's values are noted and the batch is queued
    for the test, which sees, when the next batch comes, whether the previous one was acknowledged."""
    app, _ = recording_app("batches-test")
    topic = app.topic("events", key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    values: list[list[bytes]] = []
    handed: asyncio.Queue[list[EventT[Any]]] = asyncio.Queue()

    async def agent(stream: Any) -> None:
        async for batch in ready_batches(stream, max_):
            values.append([event.value for event in batch])
            await handed.put(batch)

    return app, app.agent(topic, name="batching")(agent), values, handed


def test_a_batch_is_handed_over_when_the_event_behind_it_is_skipped_in_a_rebalance() -> None:
    """The stream holds two events, and Faust's stream skips the second: it carries another consumer generation than
    the app's, as an event fetched before a rebalance does. The first must be handed over and acknowledged at once.
    An agent that kept it while waiting for a next event deadlocked the rebalance, which waits until every event
    taken is acknowledged and has cleared the stream's buffer, so no next event comes."""
    app, agent, values, handed = _batching_agent(max_=10)

    async def run() -> None:
        async with agent.test_context() as tested:
            await tested.put(b"first", wait=False)
            app.consumer_generation_id += 1  # the next event is stamped with another generation than the app's
            await tested.put(b"skipped", wait=False)
            app.consumer_generation_id -= 1
            first = await asyncio.wait_for(handed.get(), 10.0)
            await tested.put(b"after", wait=False)
            await asyncio.wait_for(handed.get(), 10.0)
            assert all(event.message.acked for event in first)

    asyncio.run(run())
    assert values == [[b"first"], [b"after"]]


def test_events_waiting_together_form_one_batch_up_to_the_maximum_each_acked_before_the_next() -> None:
    """Five events waiting, at most three to a batch: a batch of three, then one of two, in order; the first is
    acknowledged before the second is handed over. (Handing over one event at a time would cost the agent its
    per-batch savings under load.)"""
    _app, agent, values, handed = _batching_agent(max_=3)

    async def run() -> None:
        async with agent.test_context() as tested:
            for value in (b"1", b"2", b"3", b"4", b"5"):
                await tested.put(value, wait=False)
            first = await asyncio.wait_for(handed.get(), 10.0)
            await asyncio.wait_for(handed.get(), 10.0)
            assert all(event.message.acked for event in first)

    asyncio.run(run())
    assert values == [[b"1", b"2", b"3"], [b"4", b"5"]]
