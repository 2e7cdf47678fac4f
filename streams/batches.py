"""Events in batches of what has arrived: never waiting for more, acknowledged only once handled.

Faust's ``stream.take_events(n, within)`` waits up to ``within`` for ``n`` events: at a low rate
every event would wait ``within``, and an idle agent would wake every ``within``. ``ready_batches``
takes instead the events that have arrived: the first one it waits for, then as many as Faust
holds behind it right now, up to ``max_``. One event alone is a batch of one, handed over at
once; under load events arrive while a batch is handled, and the next batch is larger.

A task of its own reads the stream into a small queue, as Faust's ``take_events`` reads it in a
task of its own; the agent takes its batches from that queue. What Faust still holds for the
stream cannot be seen from outside: its consumer hands the stream one record at a time (each through
``Service.wait_first``, which takes two turns of the event loop, and a turn of its own after every
100), and the stream's iterator yields to the loop before each event. So the agent gives the loop a
turn and looks whether the reader brought another event; ``IDLE_TURNS`` turns in a row that bring
nothing close the batch. The agent therefore never waits for an event while it holds others: a
rebalance clears the stream's buffer and waits until every event taken is acknowledged, so an
agent that held a partial batch while waiting for the next event deadlocked it (the events it
counted on were cleared, or skipped as fetched before the rebalance). At a low rate a batch of one
costs four turns of the loop, microseconds; while a backlog drains, batches fill up to ``max_``
(docs/benchmarks.md, "Batches that fill").

At-least-once: acknowledgement is switched off on the stream (as ``take_events`` does), and
every event of a batch is acknowledged after the caller has handled the batch (the caller's
loop body has run; not if it raised, e.g. cancelled at shutdown), so Faust commits no offset of
an event whose records were not handed to the producer; Faust flushes the producer before it
commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import faust
import structlog
from faust.types import EventT

__all__ = ["ready_batches", "Outbox", "Produce", "producer_of"]

log = structlog.get_logger(__name__)

IDLE_TURNS = 4
"""Turns of the event loop that bring no event before a batch is closed: Faust's consumer hands on a
fetched record every two turns, and takes one turn of its own after every hundred."""

Produce = Callable[[str, bytes, bytes, list[tuple[str, bytes]] | None], Awaitable[object]]
"""Hand ``(topic, key, value, headers)`` to the producer."""


def producer_of(app: faust.App) -> Produce:
    """Hand records to ``app``'s producer at once, as ``topic.send(force=True)`` does, without Faust's
    per-message bookkeeping (futures, callbacks, sensors), which costs CPU per record (docs/benchmarks.md).
    At-least-once is unchanged: Faust flushes this same producer before it commits source offsets."""

    async def produce(topic: str, key: bytes, value: bytes, headers: list[tuple[str, bytes]] | None) -> object:
        return await app.producer.send(topic, key, value, partition=None, timestamp=None, headers=headers)
    return produce


async def ready_batches(stream: faust.StreamT[Any], max_: int) -> AsyncIterator[list[EventT[Any]]]:
    """Batches of the events that have arrived on ``stream``: at least one, at most ``max_``, each acked after it
    is handled. An error of the stream is raised here; the reading task ends with the generator."""
    enable_acks, stream.enable_acks = stream.enable_acks, False
    arrived: asyncio.Queue[EventT[Any] | None] = asyncio.Queue(maxsize=max_)  # None: the stream has ended
    failed: list[BaseException] = []

    async def read() -> None:
        try:
            async for event in stream.events():
                await arrived.put(event)
        except Exception as exc:  # noqa: BLE001 - handed to the agent below, which raises it where Faust expects
            failed.append(exc)
        await arrived.put(None)

    reader = asyncio.ensure_future(read())
    try:
        while True:
            batch: list[EventT[Any]] = []
            event = await arrived.get()
            while event is not None:
                batch.append(event)
                if len(batch) == max_:
                    break
                idle = 0
                while arrived.empty() and idle < IDLE_TURNS:  # the reader moves an event Faust hands on, if any
                    idle += 1
                    await asyncio.sleep(0)
                if arrived.empty():  # nothing more has arrived: the batch is complete
                    break
                event = arrived.get_nowait()
            if batch:
                yield batch
                for done in batch:  # not when the caller raised (shutdown): those events are read again
                    await stream.ack(done)
            if event is None:
                if failed:
                    raise failed[0]
                return
    finally:
        reader.cancel()
        stream.enable_acks = enable_acks


class Outbox:
    """The records a batch produces, handed to the producer together, in order, by :meth:`flush`.

    Each record remembers the source record (a Faust message) it answers: if producing fails, that
    source record is logged with its coordinates and ``lost`` is called (the agents count it in
    ``fugitive_alerts_dead_letters_lost_total``); its remaining records are skipped, as when records
    were produced one at a time, and the others go on. ``sent`` is called once a record is handed over.
    """

    def __init__(self, produce: Produce, lost: Callable[[], None]) -> None:
        self._produce, self._lost = produce, lost
        self._records: list[tuple[Any, str, bytes, bytes, list[tuple[str, bytes]] | None,
                                  Callable[[], object] | None]] = []

    def add(self, source: Any, topic: str, key: bytes, value: bytes, *,
            headers: list[tuple[str, bytes]] | None = None, sent: Callable[[], object] | None = None) -> None:
        self._records.append((source, topic, key, value, headers, sent))

    async def flush(self) -> None:
        records, self._records = self._records, []
        failed: Any = None
        for source, topic, key, value, headers, sent in records:
            if source is failed:
                continue
            try:
                await self._produce(topic, key, value, headers)
            except Exception as exc:  # noqa: BLE001 - the agent's error boundary, for this source record
                log.error("record not handled", topic=source.topic, partition=source.partition,
                          offset=source.offset, reason=type(exc).__name__)
                self._lost()
                failed = source
                continue
            if sent is not None:
                sent()
