"""A border desk for failover tests: publishes border crossings and times their answers.

``Desk`` runs its own event loop in a thread, with one idempotent producer and one group-less
consumer on ``responses.<agency>``, so that a test can kill and restart processes in its main thread
while events keep flowing and every answer is timed as it arrives (``time.monotonic()``).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from schemas import Settings, response_topic, topics
from tests import factories as f

T = TypeVar("T")
AGENCY = "ke-immigration"
PACE = 0.1
"""Seconds between two rounds of a stream (one event per partition each round): a steady load."""


@dataclass
class Sent:
    event_id: str
    partition: int
    at: float
    answered_at: float | None = None
    result: str | None = None

    @property
    def wait(self) -> float | None:
        """Seconds from publishing to the answer, or None while unanswered."""
        return None if self.answered_at is None else self.answered_at - self.at


@dataclass
class Desk:
    settings: Settings
    partitions: int
    sent: dict[str, Sent] = field(default_factory=dict)
    _n: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="desk", daemon=True)
        self._lock = threading.Lock()
        self._streaming: Future[None] | None = None
        self._stop_stream = threading.Event()

    # -- running coroutines on the desk's loop --

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _start(self) -> None:
        kwargs = self.settings.kafka_client_kwargs()
        self._producer = AIOKafkaProducer(acks="all", enable_idempotence=True, linger_ms=0,
                                          request_timeout_ms=60_000, **kwargs)  # type: ignore[arg-type]
        await self._producer.start()
        self._consumer = AIOKafkaConsumer(group_id=None, enable_auto_commit=False, **kwargs)  # type: ignore[arg-type]
        await self._consumer.start()
        name = self.settings.topic(response_topic(AGENCY))
        tps = [TopicPartition(name, p) for p in range(self.partitions)]
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=50)
            now = time.monotonic()
            for batch in batches.values():
                for record in batch:
                    answer = json.loads(record.value or b"{}")
                    with self._lock:
                        sent = self.sent.get(answer.get("event_id", ""))
                        if sent is not None and sent.answered_at is None:
                            sent.answered_at, sent.result = now, answer.get("result")

    async def _stop(self) -> None:
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)
        await self._consumer.stop()
        await self._producer.stop()

    @contextmanager
    def running(self) -> Iterator[Desk]:
        self._thread.start()
        self._run(self._start())
        try:
            yield self
        finally:
            self.stop_stream()
            self._run(self._stop())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    # -- publishing --

    def _event(self, partition: int, event: dict[str, Any] | None,
               factory: Callable[[int], dict[str, Any] | None] | None = None) -> tuple[dict[str, Any], Sent]:
        self._n += 1
        if event is None and factory is not None:
            event = factory(self._n)
        if event is None:
            person = f.traveler("XFAILOVER", "QTRAVELLER", dob="1990-01-01", nationality="NL",
                                passport=f"NL{self._n:07d}")
            event = f.border_crossing(person, event_id=f"fo-{self.settings.topic_prefix}{self._n:06d}")
        return event, Sent(event["event_id"], partition, 0.0)

    async def _publish(self, items: list[tuple[dict[str, Any], Sent]]) -> None:
        name = self.settings.topic(topics.BORDER_CROSSINGS)
        futures = []
        for event, sent in items:
            with self._lock:
                sent.at = time.monotonic()
                self.sent[sent.event_id] = sent
            futures.append(await self._producer.send(name, json.dumps(event).encode(), key=sent.event_id.encode(),
                                                     partition=sent.partition))
        await asyncio.gather(*futures)

    def publish_round(self, events: list[dict[str, Any]] | None = None) -> list[str]:
        """One event to each partition (``events``, or innocent travellers); returns their ids."""
        items = [self._event(p, events[p] if events else None) for p in range(self.partitions)]
        self._run(self._publish(items))
        return [sent.event_id for _, sent in items]

    def start_stream(self, factory: Callable[[int], dict[str, Any] | None] | None = None) -> None:
        """Publish a round every ``PACE`` seconds, in the background, until ``stop_stream``.

        ``factory(n)`` may return the n-th event of the stream (e.g. a true sighting); None, or no
        factory, publishes an innocent traveller."""

        async def stream() -> None:
            while not self._stop_stream.is_set():
                await self._publish([self._event(p, None, factory) for p in range(self.partitions)])
                await asyncio.sleep(PACE)  # the load's pace, not synchronisation

        self._stop_stream.clear()
        self._streaming = asyncio.run_coroutine_threadsafe(stream(), self._loop)

    def stop_stream(self) -> None:
        if self._streaming is not None:
            self._stop_stream.set()
            self._streaming.result(120)
            self._streaming = None

    # -- what was answered --

    def unanswered(self, ids: list[str] | None = None) -> list[str]:
        with self._lock:
            chosen = self.sent.values() if ids is None else [self.sent[i] for i in ids]
            return [s.event_id for s in chosen if s.answered_at is None]

    def snapshot(self) -> list[Sent]:
        with self._lock:
            return [Sent(s.event_id, s.partition, s.at, s.answered_at, s.result) for s in self.sent.values()]


async def _group_assignment(settings: Settings, group: str) -> list[dict[str, list[int]]]:
    """Each member's assigned partitions by topic, from DescribeGroups (decoded consumer protocol)."""
    from aiokafka.protocol.group import MemberAssignment

    admin = AIOKafkaAdminClient(**settings.kafka_client_kwargs())  # type: ignore[arg-type]
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
        members = []
        for described in response.groups:
            if described[2] != "Stable":
                return []
            for member in described[5]:
                raw = member[-1]
                if not raw:
                    members.append({})
                    continue
                decoded = MemberAssignment.decode(raw)
                members.append({t: list(ps) for t, ps in decoded.assignment})
        return members
    finally:
        await admin.close()


def group_assignment(settings: Settings) -> list[dict[str, list[int]]]:
    """The worker group's members and their partitions; empty while it is not ``Stable`` (or while its
    coordinator is not known yet)."""
    from aiokafka.errors import KafkaError

    try:
        return asyncio.run(_group_assignment(settings, settings.app_id))
    except KafkaError:
        return []
