"""The alert dispatcher's Kafka loop: consume ``alerts`` and ``alerts.acks``, hand each record to
the ``Handler`` (which asks ``alerting`` what to do), tick the escalation timers, commit.

- **Never lost.** Records are handled concurrently, and each partition is committed only up to the
  first record not fully handled (deliveries final and on ``alerts.deliveries``): ``consumers.offsets``.
- **Never twice.** Messages have idempotency keys (``consumers.sender``), looked up in the delivery
  log, which is loaded for the assigned partitions (``consumers.state``) before any record is handled.

``alerts`` and ``alerts.acks`` are consumed by one group with the range assignor, so a dispatcher
owns the same partition numbers of both, of ``alerts.deliveries`` and of ``alerts.escalations``
(all keyed by ``alert_id``, all with the same partition count).
"""

from __future__ import annotations

import asyncio
import gc
import time
from datetime import UTC, datetime
from functools import partial
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import CommitFailedError, IllegalStateError

from schemas import BureauDirectory, Settings, topics

from .escalations import EXPIRE_BATCH, Escalations
from .handler import Handler
from .membership import dispatcher_membership
from .offsets import OffsetTracker
from .publisher import Publisher
from .review_digest import ReviewDigests
from .sender import EmailChannel, Sender, SmsChannel
from .state import DispatcherState

__all__ = ["Dispatcher"]

log = structlog.get_logger(__name__)
_TICK = 0.5
"""Seconds between two checks of the escalation timers."""
_EXPIRY_S = 3600.0
"""Seconds between two deletions of the escalation records past the alerts' retention (and after every
assignment, once the records are loaded)."""
_MAX_IN_FLIGHT = 512
"""Records being handled at once before the consumer stops fetching more."""
COMMIT_INTERVAL_S = 1.0
"""While alerts keep coming, offsets are committed at most once a second; as soon as a fetch comes back
empty, at once. Committing after every fetch was one request to the broker per fetch (about 12 a second
at 300 events/s). A crash replays at most this much more, and a replayed alert's messages are found in
the delivery log and not sent again (docs/reliability.md)."""


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, dispatcher: Dispatcher) -> None:
        self.d = dispatcher

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self.d.commit_now()  # what is done so far, so the next owner replays less
        self.d.assigned.clear()
        self.d.loaded.clear()
        self.d.offsets.forget(revoked)
        self.d.escalations.clear()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.d.assigned = {tp.partition for tp in assigned if tp.topic == self.d.alerts_topic}
        await self.d.state.load({tp.partition for tp in assigned}, self.d.sender.limits)
        self.d.loaded.set()
        await self.d.handler.cancel_withdrawn()
        self.d.next_expiry = 0.0  # the records just loaded: the timers' loop deletes the old ones next


class Dispatcher:
    def __init__(self, settings: Settings, sms: SmsChannel, email: EmailChannel,
                 directory: BureauDirectory | None = None, *, concurrency: int = 16) -> None:
        self.settings = settings
        self.publisher = Publisher(settings)
        self.state = DispatcherState(settings, directory, lambda notice, active: self.handler.on_notice(notice, active))
        self.deliveries, self.escalations = self.state.deliveries, self.state.escalations
        self.sender = Sender(settings, sms, email, self.deliveries, self.publisher)
        self.handler = Handler(settings, self.sender, Escalations(self.escalations, self.sender, self.publisher),
                               self.publisher, self.deliveries, lambda: self.directory, self.state.sightings,
                               self.state.notices)
        self.alerts_topic = settings.topic(topics.ALERTS)
        self.assigned: set[int] = set()
        """Partitions of ``alerts`` this dispatcher holds; with partition 0 it sends the review digests."""
        self.reviews = ReviewDigests(settings, self.publisher, self.sender, lambda: self.directory,
                                     lambda: 0 in self.assigned)
        self.handler.reviews = self.reviews
        self._limit = asyncio.Semaphore(concurrency)
        self.offsets = OffsetTracker()
        self.loaded = asyncio.Event()
        """Set once the delivery log and timers of the assigned partitions are loaded."""
        self._consumer: AIOKafkaConsumer | None = None
        self.next_expiry = float("inf")
        """When (``time.monotonic``) the timers' loop next deletes old escalation records: after an assignment."""

    @property
    def directory(self) -> BureauDirectory:
        return self.state.directory

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; commit as records are fully handled."""
        membership = dispatcher_membership(self.settings)  # static membership: consumers/membership.py
        consumer = AIOKafkaConsumer(
            group_id=self.settings.dispatcher_group, enable_auto_commit=False, auto_offset_reset="earliest",
            partition_assignment_strategy=(RangePartitionAssignor,), isolation_level="read_committed",
            **membership, **self.settings.kafka_client_kwargs())
        await self.publisher.start()
        await self.state.start()
        await self.reviews.start()
        await consumer.start()
        self._consumer = consumer
        consumer.subscribe([self.settings.topic(topics.ALERTS), self.settings.topic(topics.ACKS)],
                           listener=_Rebalance(self))
        timer = asyncio.create_task(self._timers(stop), name="escalation-timers")
        log.info("dispatcher started", group=self.settings.dispatcher_group, bureaus=len(self.directory.bureaus),
                 group_instance_id=membership.get("group_instance_id"))
        # What start-up made (modules, schemas, clients, views: about 120,000 objects) lives as long as the
        # process: out of the collector's reach, a full collection takes a few ms instead of 50-60 ms, in
        # which nothing is sent (as the worker does once its wanted list is loaded; docs/benchmarks.md,
        # "The dispatcher's collector pauses"). Frozen objects are still freed when no longer referenced.
        gc.collect()
        gc.freeze()
        try:
            await self._consume(consumer, stop)
        finally:
            timer.cancel()
            self.handler.cancel()
            self._consumer = None
            await asyncio.gather(consumer.stop(), self.reviews.stop(), self.state.stop())
            await self.publisher.stop()

    async def _consume(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
        tasks: set[asyncio.Task[None]] = set()
        clock = asyncio.get_running_loop().time
        committed_at = float("-inf")
        while not stop.is_set():
            if len(tasks) >= _MAX_IN_FLIGHT:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            batches = await consumer.getmany(timeout_ms=200, max_records=200)
            if batches:
                await self.loaded.wait()  # never act on a record before its partition's state is loaded
            for tp, records in batches.items():
                for rec in records:
                    self.offsets.begin(tp, rec.offset)
                    task = asyncio.create_task(self._handle(rec))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    task.add_done_callback(partial(self._settled, tp, rec.offset))
            if not batches or clock() - committed_at >= COMMIT_INTERVAL_S:
                await self.before_commit(tasks)
                await self._commit(consumer)
                committed_at = clock()
        if tasks:  # shutting down: let what is in flight finish, briefly, and commit it
            await asyncio.wait(tasks, timeout=30)
        await self._commit(consumer)

    async def before_commit(self, in_flight: set[asyncio.Task[None]]) -> None:
        """Called before each commit with the records still being handled. Does nothing; a subclass in
        the tests overrides it to die at this point (the window between sending and committing)."""

    async def commit_now(self) -> None:
        """Commit what is fully handled, whatever the interval (partitions about to be revoked)."""
        if self._consumer is not None:
            await self._commit(self._consumer)

    def _settled(self, tp: TopicPartition, offset: int, task: asyncio.Task[None]) -> None:
        if not task.cancelled():  # a record cancelled at shutdown is not done: it is replayed
            self.offsets.done(tp, offset)

    async def _commit(self, consumer: AIOKafkaConsumer) -> None:
        offsets = self.offsets.committable()
        if not offsets:
            return
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:  # rebalanced meanwhile: the new owner replays
            log.warning("offset commit failed; the records will be handled again", error=type(exc).__name__)

    async def _handle(self, rec: Any) -> None:
        async with self._limit:
            await self.handler.on_record(rec)

    async def _timers(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.handler.tick(datetime.now(UTC))
            except Exception:  # a failed step is retried on the next tick; the loop must not die
                log.exception("escalation step failed")
            if time.monotonic() >= self.next_expiry:
                self.next_expiry = time.monotonic() + _EXPIRY_S
                try:
                    if await self.handler.expire(datetime.now(UTC)) >= EXPIRE_BATCH:
                        self.next_expiry = time.monotonic()  # more to delete: the next batch after this tick
                except Exception:  # retried at the next hour; nothing is lost by waiting
                    log.exception("deleting old escalation records failed")
            await asyncio.sleep(_TICK)  # a timer tick, not synchronisation
