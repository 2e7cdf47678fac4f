"""What the broker answered for each record a command sent.

``AIOKafkaProducer.send`` hands back one future per record, and ``flush`` waits for them without
raising. A record the broker refused (a user without write permission on the topic, a record
over the topic's size limit) went unnoticed:
``bureaus import`` printed "imported 5 bureau(s)" and exited 0 for a user the broker had refused
every record of. The importers and ``publish`` send through a :class:`Sent` (:func:`sending`), which
stops them at the first refusal and checks every answer when they flush.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import structlog
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from schemas.errors import FugitiveAlertsError

if TYPE_CHECKING:
    from aiokafka import AIOKafkaProducer

    from schemas import Settings

__all__ = ["NOT_AUTHORIZED", "RecordsRefused", "Sent", "sending"]

log = structlog.get_logger(__name__)

NOT_AUTHORIZED = "this Kafka user is not authorized to write that topic; run the command as a user allowed to " \
                 "(docs/security.md)"


class RecordsRefused(FugitiveAlertsError, RuntimeError):
    """Records a command sent were not written: ``refused`` of them, the first with ``error``."""

    def __init__(self, topic: str, refused: int, error: BaseException) -> None:
        self.topic = topic
        self.refused = refused
        self.error = error
        if isinstance(error, TopicAuthorizationFailedError):
            why = NOT_AUTHORIZED
        else:
            why = str(error) if isinstance(error, KafkaError) else repr(error)
        super().__init__(f"{refused} record(s) sent to {topic} were not written: {why}")


class Sent:
    """The futures of the records a command sent, checked as their answers come.

    Answers come about in the order records were sent, so each :meth:`add` settles the oldest
    futures that are answered: the first refusal stops the command at its next record (a user
    refused one record is refused the rest, and a paced ``publish`` of hours should not find out at
    the end), and only the futures still in flight are kept (an import of millions of records).
    :meth:`check` settles them all once flushed. Given the producer, :meth:`send` and :meth:`flush`
    do both steps in one call."""

    def __init__(self, producer: AIOKafkaProducer | None = None) -> None:
        self.producer = producer
        self.refused = 0
        self._first: tuple[str, BaseException] | None = None
        self._pending: deque[tuple[str, asyncio.Future[Any], float]] = deque()

    def add(self, topic: str, future: asyncio.Future[Any]) -> None:
        """Keep the future ``producer.send`` returned for one record sent to ``topic``; raise
        :class:`RecordsRefused` if an earlier record was refused."""
        self._pending.append((topic, future, time.monotonic()))
        self._settle(flushed=False)
        self._raise()

    async def send(self, topic: str, key: bytes, value: bytes | None) -> None:
        """``producer.send`` one record, kept by :meth:`add`."""
        assert self.producer is not None, "Sent(producer) to send"
        self.add(topic, await self.producer.send(topic, key=key, value=value))

    async def flush(self) -> None:
        """``producer.flush``, then :meth:`check`."""
        assert self.producer is not None, "Sent(producer) to flush"
        await self.producer.flush()
        self.check()

    def check(self) -> None:
        """After ``producer.flush()``: raise :class:`RecordsRefused` if the broker refused any record."""
        self._settle(flushed=True)
        self._raise()

    def _settle(self, *, flushed: bool) -> None:
        pending = self._pending
        while pending and (flushed or pending[0][1].done()):
            topic, future, _ = pending.popleft()
            if not future.done():  # check() after a flush: every future is answered
                raise RuntimeError("Sent.check() before the producer's flush")
            error = asyncio.CancelledError() if future.cancelled() else future.exception()
            if error is not None:
                self.refused += 1
                self._first = self._first or (topic, error)

    @contextlib.asynccontextmanager
    async def watching(self, kafka: str, every: float) -> AsyncIterator[None]:
        """While the block runs, say every ``every`` seconds that Kafka (``kafka``, its bootstrap
        servers) has confirmed none of the records sent for that long. The producer retries until the
        broker is back (a restart in the middle of an import loses nothing), and the command would
        otherwise sit there without a word."""
        task = asyncio.create_task(self._notice(kafka, every), name="records-waiting")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _notice(self, kafka: str, every: float) -> None:
        while True:
            await asyncio.sleep(every)  # a reminder's period, not synchronisation
            self._settle(flushed=False)
            if self._pending and (waited := time.monotonic() - self._pending[0][2]) >= every:
                log.warning("waiting for Kafka to confirm the records sent; the command goes on when it answers "
                            "(Ctrl-C twice gives up: the records not confirmed may not be written)", kafka=kafka,
                            records_waiting=len(self._pending), seconds=round(waited))

    def _raise(self) -> None:
        if self._first is not None:
            for _, future, _ in self._pending:  # refused too, most likely: read when answered, not logged as unread
                future.add_done_callback(_read_outcome)
            self._pending.clear()
            topic, error = self._first
            raise RecordsRefused(topic, self.refused, error)


def _read_outcome(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


@contextlib.asynccontextmanager
async def sending(producer: AIOKafkaProducer, settings: Settings) -> AsyncIterator[Sent]:
    """Start ``producer`` and hand out the :class:`Sent` its records go to; while the block runs,
    say when Kafka keeps them waiting (:meth:`Sent.watching`); stop the producer at the end,
    whatever happens. The block flushes itself (:meth:`Sent.flush`)."""
    sent = Sent(producer)
    await producer.start()
    try:
        async with sent.watching(settings.kafka_bootstrap_servers, settings.kafka_wait_notice_seconds):
            yield sent
    finally:
        await producer.stop()
