"""What the broker answered for each record a command sent.

``AIOKafkaProducer.send`` hands back one future per record, and ``flush`` waits for them without
raising. A record the broker refused (a user without write permission on the topic, a record
over the topic's size limit) went unnoticed:
``bureaus import`` printed "imported 5 bureau(s)" and exited 0 for a user the broker had refused
every record of. The importers and ``publish`` hand each future to a :class:`Sent`, which stops
them at the first refusal, and call :meth:`Sent.check` after the flush.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from schemas.errors import FugitiveAlertsError

__all__ = ["RecordsRefused", "Sent"]


class RecordsRefused(FugitiveAlertsError, RuntimeError):
    """Records a command sent were not written: ``refused`` of them, the first with ``error``."""

    def __init__(self, topic: str, refused: int, error: BaseException) -> None:
        self.topic = topic
        self.refused = refused
        self.error = error
        if isinstance(error, TopicAuthorizationFailedError):
            why = ("this Kafka user is not authorized to write that topic; run the command as a user "
                   "allowed to (docs/security.md)")
        else:
            why = str(error) if isinstance(error, KafkaError) else repr(error)
        super().__init__(f"{refused} record(s) sent to {topic} were not written: {why}")


class Sent:
    """The futures of the records a command sent, checked as their answers come.

    Answers come about in the order records were sent, so each :meth:`add` settles the oldest
    futures that are answered: the first refusal stops the command at its next record (a user
    refused one record is refused the rest, and a paced ``publish`` of hours should not find out at
    the end), and only the futures still in flight are kept (an import of millions of records).
    :meth:`check` settles them all once flushed."""

    def __init__(self) -> None:
        self.refused = 0
        self._first: tuple[str, BaseException] | None = None
        self._pending: deque[tuple[str, asyncio.Future[Any]]] = deque()

    def add(self, topic: str, future: asyncio.Future[Any]) -> None:
        """Keep the future ``producer.send`` returned for one record sent to ``topic``; raise
        :class:`RecordsRefused` if an earlier record was refused."""
        self._pending.append((topic, future))
        self._settle(flushed=False)
        self._raise()

    def check(self) -> None:
        """After ``producer.flush()``: raise :class:`RecordsRefused` if the broker refused any record."""
        self._settle(flushed=True)
        self._raise()

    def _settle(self, *, flushed: bool) -> None:
        pending = self._pending
        while pending and (flushed or pending[0][1].done()):
            topic, future = pending.popleft()
            if not future.done():  # check() after a flush: every future is answered
                raise RuntimeError("Sent.check() before the producer's flush")
            error = asyncio.CancelledError() if future.cancelled() else future.exception()
            if error is not None:
                self.refused += 1
                self._first = self._first or (topic, error)

    def _raise(self) -> None:
        if self._first is not None:
            for _, future in self._pending:  # refused too, most likely: read when answered, not logged as unread
                future.add_done_callback(_read_outcome)
            self._pending.clear()
            topic, error = self._first
            raise RecordsRefused(topic, self.refused, error)


def _read_outcome(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
