"""What the broker answered for each record a command sent.

``AIOKafkaProducer.send`` hands back one future per record, and ``flush`` waits for them without
raising: a record the broker refused (a user without write permission on the topic, a record
over the topic's size limit) went unnoticed, and ``bureaus import`` printed "imported 5
bureau(s)" and exited 0 for a user the broker had refused every record of. The importers and
``publish`` hand each future to a :class:`Sent` and call :meth:`Sent.check` after the flush.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

__all__ = ["RecordsRefused", "Sent"]

_SETTLE_EVERY = 4096
"""Futures kept before the settled ones are counted and dropped (an import of millions of
records keeps only those still in flight)."""


class RecordsRefused(Exception):
    """The broker refused records a command sent: ``refused`` of them, the first with ``error``."""

    def __init__(self, topic: str, refused: int, error: BaseException) -> None:
        self.topic = topic
        self.refused = refused
        self.error = error
        if isinstance(error, TopicAuthorizationFailedError):
            why = ("this Kafka user is not authorized to write that topic; run the command as a user "
                   "allowed to (docs/security.md)")
        else:
            why = str(error) if isinstance(error, KafkaError) else repr(error)
        super().__init__(f"the broker refused {refused} record(s) sent to {topic}: {why}")


class Sent:
    """The futures of the records a command sent, checked once they are flushed."""

    def __init__(self) -> None:
        self.refused = 0
        self._first: tuple[str, BaseException] | None = None
        self._pending: list[tuple[str, asyncio.Future[Any]]] = []

    def add(self, topic: str, future: asyncio.Future[Any]) -> None:
        """Keep the future ``producer.send`` returned for one record sent to ``topic``."""
        self._pending.append((topic, future))
        if len(self._pending) >= _SETTLE_EVERY:
            self._settle()

    def _settle(self) -> None:
        still: list[tuple[str, asyncio.Future[Any]]] = []
        for topic, future in self._pending:
            if not future.done():
                still.append((topic, future))
                continue
            error = asyncio.CancelledError() if future.cancelled() else future.exception()
            if error is not None:
                self.refused += 1
                self._first = self._first or (topic, error)
        self._pending = still

    def check(self) -> None:
        """After ``producer.flush()``: raise :class:`RecordsRefused` if the broker refused any record."""
        self._settle()
        if self._first is not None:
            topic, error = self._first
            raise RecordsRefused(topic, self.refused, error)
