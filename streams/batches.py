"""Events in batches of what has arrived: never waiting for more, acknowledged only once handled.

Faust's ``stream.take_events(n, within)`` waits up to ``within`` for ``n`` events: at a low rate
every event would wait ``within``, and an idle agent would wake every ``within``. ``ready_batches``
takes instead the events the stream already holds: the first one it waits for, then as many
as are queued behind it right now, up to ``max_``. One event alone is a batch of one, handed
over at once; under load the queue fills while a batch is handled, and the next batch is larger.

At-least-once: acknowledgement is switched off on the stream (as ``take_events`` does), and
every event of a batch is acknowledged after the caller has handled the batch (the caller's
loop body has run; not if it raised, e.g. cancelled at shutdown), so Faust commits no offset of
an event whose records were not handed to the producer; Faust flushes the producer before it
commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import faust
import structlog
from faust.types import EventT

__all__ = ["ready_batches", "Outbox", "Produce", "producer_of"]

log = structlog.get_logger(__name__)

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
    """Batches of the events ``stream`` holds: at least one, at most ``max_``, each acked after it is handled."""
    channel = stream.channel
    assert isinstance(channel, faust.ChannelT), "an agent's stream reads a channel"
    queue = channel.queue  # the agent's buffer, filled by Faust's consumer from the fetched records
    enable_acks, stream.enable_acks = stream.enable_acks, False
    batch: list[EventT[Any]] = []
    try:
        async for event in stream.events():
            batch.append(event)
            if len(batch) < max_ and not queue.empty():
                continue
            yield batch
            for done in batch:  # not when the caller raised (shutdown): those events are read again
                await stream.ack(done)
            batch = []
    finally:
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
