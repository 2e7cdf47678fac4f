"""The alert dispatcher: routes alerts to bureaus, sends SMS and email, escalates, takes acks.

Guarantees, and how they are kept:
- **Never lost.** Alerts are handled concurrently (an SMTP outage does not hold up the SMS of
  the next alert), and each partition is committed only up to the first alert whose deliveries
  are not all final and acknowledged on ``alerts.deliveries`` (``consumers.offsets``). A crash
  before that replays the alert.
- **Never twice.** Every message has an idempotency key (``consumers.sender``); an outcome on
  ``alerts.deliveries`` means "done". The only window is a crash between the provider accepting
  a message and its outcome being acknowledged: at most one duplicate per recipient, only then.
- **Escalation survives restarts.** Timers live on ``alerts.escalations`` (``consumers.escalations``).
- **Never spammed.** The same person at the same place within ``dedup_window_minutes`` is a
  short "seen again" update, not a new alert; each recipient has a rate limit per channel.

``alerts`` and ``alerts.acks`` are consumed by one group with the range assignor, so a dispatcher
owns the same partition numbers of both, of ``alerts.deliveries`` and of ``alerts.escalations``
(all keyed by ``alert_id``, all with the same partition count).
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import CommitFailedError, IllegalStateError
from pydantic import ValidationError

from alerting import Recipient, escalation_chain, escalation_step, route
from schemas import (
    Acknowledgement,
    Alert,
    Bureau,
    BureauDirectory,
    Delivery,
    Rejected,
    Settings,
    Sighting,
    Tip,
    WantedPerson,
    topics,
)

from .compacted import CompactedView
from .delivery_log import DeliveryLog
from .escalations import EscalationStore, StoredEscalation, timeout_for
from .offsets import OffsetTracker
from .sender import EmailChannel, Sender, SmsChannel

__all__ = ["Dispatcher"]

log = structlog.get_logger(__name__)
_TICK = 0.5
"""Seconds between two checks of the escalation timers."""
_MAX_IN_FLIGHT = 512
"""Records being handled at once before the consumer stops fetching more."""


def _notice_active(raw: bytes) -> bool:
    return WantedPerson.model_validate_json(raw).active


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, dispatcher: Dispatcher) -> None:
        self.d = dispatcher

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.d._loaded.clear()
        self.d._offsets.forget(revoked)
        self.d.escalations.clear()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        parts = sorted({tp.partition for tp in assigned})
        read = await self.d.deliveries.load(parts)
        pending = await self.d.escalations.load(parts)
        log.info("partitions assigned", partitions=parts, deliveries=read, escalations=pending)
        self.d._loaded.set()
        await self.d.cancel_withdrawn()


class Dispatcher:
    def __init__(self, settings: Settings, sms: SmsChannel, email: EmailChannel,
                 directory: BureauDirectory | None = None, *, concurrency: int = 16) -> None:
        self.settings = settings
        kwargs = settings.kafka_client_kwargs()
        self.deliveries = DeliveryLog(settings.topic(topics.DELIVERIES), kwargs)
        self.escalations = EscalationStore(settings.topic(topics.ESCALATIONS), kwargs)
        self.sender = Sender(settings, sms, email, self.deliveries)
        self.bureaus: CompactedView[Bureau] = CompactedView(settings.topic(topics.BUREAUS), kwargs, _bureau)
        self.sightings: CompactedView[Sighting] = CompactedView(settings.topic(topics.SIGHTINGS), kwargs,
                                                                Sighting.model_validate_json)
        self.notices: CompactedView[bool] = CompactedView(settings.topic(topics.WANTED), kwargs, _notice_active,
                                                          on_change=self._notice_changed, tombstone=False)
        """notice_id -> active? (False for withdrawn, cancelled or tombstoned; absent if never seen)"""
        self._fixed_directory = directory
        self._limit = asyncio.Semaphore(concurrency)
        self._lock = asyncio.Lock()  # escalation state changes: timer, acks and withdrawals
        self._background: set[asyncio.Task[Any]] = set()
        self._offsets = OffsetTracker()
        self._loaded = asyncio.Event()
        """Set once the delivery log and timers of the assigned partitions are loaded."""
        self._stepping: set[tuple[str, str]] = set()
        self.processed = 0

    # -- the directory ------------------------------------------------------------------------

    @property
    def directory(self) -> BureauDirectory:
        """The live directory from the ``bureaus`` topic (or the one given, in tests)."""
        if self._fixed_directory is not None:
            return self._fixed_directory
        return BureauDirectory.model_construct(bureaus=sorted(self.bureaus.values.values(), key=lambda b: b.id))

    # -- main loop ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; commit after each batch is fully handled."""
        kwargs = self.settings.kafka_client_kwargs()
        producer = AIOKafkaProducer(acks="all", enable_idempotence=True, linger_ms=5, **kwargs)
        consumer = AIOKafkaConsumer(
            group_id=self.settings.dispatcher_group, enable_auto_commit=False, auto_offset_reset="earliest",
            partition_assignment_strategy=(RangePartitionAssignor,), isolation_level="read_committed", **kwargs,
        )
        await producer.start()
        self.sender.producer = producer
        views = (self.bureaus, self.sightings, self.notices)
        for view in views:
            await view.start()
        await asyncio.gather(*(v.ready.wait() for v in views))
        if self._fixed_directory is None and not self.bureaus.values:
            log.error("the bureau directory is empty: import one with `fugitive-alerts bureaus import FILE`")
        await consumer.start()
        consumer.subscribe([self.settings.topic(topics.ALERTS), self.settings.topic(topics.ACKS)],
                           listener=_Rebalance(self))
        timer = asyncio.create_task(self._timers(stop), name="escalation-timers")
        log.info("dispatcher started", group=self.settings.dispatcher_group, bureaus=len(self.directory.bureaus))
        try:
            await self._consume(consumer, stop)
        finally:
            timer.cancel()
            for task in (timer, *self._background):
                task.cancel()
            await consumer.stop()
            for view in views:
                await view.stop()
            await producer.stop()

    async def _consume(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
        """Handle records concurrently (a slow channel never holds up other alerts) and commit each
        partition up to the first record still being handled."""
        tasks: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            if len(tasks) >= _MAX_IN_FLIGHT:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            batches = await consumer.getmany(timeout_ms=200, max_records=200)
            if batches:
                await self._loaded.wait()  # never act on a record before its partition's state is loaded
            for tp, records in batches.items():
                for rec in records:
                    self._offsets.begin(tp, rec.offset)
                    task = asyncio.create_task(self._handle(rec))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    task.add_done_callback(partial(self._settled, tp, rec.offset))
            if self.settings.fault_exit_before_commit and tasks:
                await asyncio.wait(tasks)  # the whole first batch sent and recorded, then "killed" before its commit
            await self._commit(consumer)
        if tasks:  # shutting down: let what is in flight finish, briefly, and commit it
            await asyncio.wait(tasks, timeout=30)
        await self._commit(consumer)

    def _settled(self, tp: TopicPartition, offset: int, task: asyncio.Task[None]) -> None:
        """A record's handling ended: its offset may be committed (unless it was cancelled at shutdown)."""
        if not task.cancelled():
            self._offsets.done(tp, offset)

    async def _commit(self, consumer: AIOKafkaConsumer) -> None:
        offsets = self._offsets.committable()
        if not offsets:
            return
        if self.settings.fault_exit_before_commit:
            log.warning("fault injection: exiting between send and offset commit")
            os._exit(137)  # like SIGKILL: no cleanup, no commit
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:  # rebalanced meanwhile: the new owner replays
            log.warning("offset commit failed; the records will be handled again", error=type(exc).__name__)

    async def _handle(self, rec: Any) -> None:
        async with self._limit:
            if rec.topic == self.settings.topic(topics.ACKS):
                await self._handle_ack(rec)
                return
            try:
                alert = Alert.model_validate_json(rec.value or b"")
            except ValidationError as exc:
                await self._dead_letter(rec, f"invalid alert: {exc.error_count()} validation error(s)")
                return
            structlog.contextvars.bind_contextvars(alert_id=alert.alert_id, event_id=alert.event_id,
                                                   notice_id=alert.notice_id)
            try:
                await self.dispatch(alert)
            except Exception as exc:  # the boundary: a bug on one alert must not stop the others
                log.exception("dispatching failed")
                await self._dead_letter(rec, f"internal error while dispatching: {type(exc).__name__}")
            finally:
                structlog.contextvars.unbind_contextvars("alert_id", "event_id", "notice_id")
            self.processed += 1

    # -- one alert ----------------------------------------------------------------------------

    async def dispatch(self, alert: Alert) -> list[Delivery]:
        """Deliver one alert to everyone it routes to, or a "seen again" update; start its timers."""
        if self.notices.values.get(alert.notice_id) is False:
            log.info("alert for a withdrawn notice: not delivered")
            return []
        now = datetime.now(UTC)
        recipients = route(alert, self.directory, now)
        if not recipients:
            log.warning("alert routes to no bureau", country=alert.country,
                        requesting_country=alert.requesting_country)
        original = await self._sighting(alert, now)
        if original is not None:
            results = await asyncio.gather(*(self.sender.deliver(alert, r, kind="seen_again", original=original)
                                           for r in recipients))
            return [d for d in results if d is not None]
        # The timers start first: an officer may acknowledge (email link) while another of the alert's
        # messages is still being sent or retried, and an ack for an alert without timers is dropped.
        # The timer task takes the lock before any message goes out, so such an ack waits for it.
        start = self._start_escalation(alert, sorted({r.bureau.id for r in recipients}), now)
        _, *results = await asyncio.gather(start, *(self.sender.deliver(alert, r) for r in recipients))
        if self.notices.values.get(alert.notice_id) is False:
            await self.withdraw(alert.notice_id)  # withdrawn while this alert was being delivered
        return [d for d in results if d is not None]

    async def _sighting(self, alert: Alert, now: datetime) -> str | None:
        """The earlier alert this one repeats (same person, same place, within the window), if any."""
        if alert.band != "alert":
            return None
        event = alert.event
        place = (event.location.city if isinstance(event, Tip) and event.location else None) or \
            getattr(event, "post", None) or event.agency
        key = f"{alert.notice_id}|{alert.country}|{place}"
        seen = self.sightings.values.get(key)
        window = timedelta(minutes=self.settings.dedup_window_minutes)
        if seen is not None and seen.alert_id != alert.alert_id and now - seen.last_seen <= window:
            updated = seen.model_copy(update={"last_seen": now, "count": seen.count + 1})
            await self.sender.publish(topics.SIGHTINGS, key, updated.model_dump_json().encode())
            self.sightings.values[key] = updated
            log.info("seen again", original=seen.alert_id, count=updated.count)
            return seen.alert_id
        if seen is None or seen.alert_id != alert.alert_id:
            first = Sighting(alert_id=alert.alert_id, notice_id=alert.notice_id, country=alert.country, place=place,
                             first_seen=now, last_seen=now)
            await self.sender.publish(topics.SIGHTINGS, key, first.model_dump_json().encode())
            self.sightings.values[key] = first
        return None

    # -- escalation ---------------------------------------------------------------------------

    async def _start_escalation(self, alert: Alert, bureau_ids: list[str], now: datetime) -> None:
        timeout = timeout_for(self.settings, alert.urgency)
        if alert.band != "alert" or timeout is None or not bureau_ids:
            return
        async with self._lock:
            if self.escalations.get(alert.alert_id) is None:  # a replayed alert keeps its timers
                await self._save(EscalationStore.new(alert, bureau_ids, now + timeout, now))

    async def _save(self, item: StoredEscalation) -> None:
        await self.sender.publish(topics.ESCALATIONS, item.alert_id, item.model_dump_json().encode())
        self.escalations.put(item)

    async def _timers(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.escalate_due(datetime.now(UTC))
            except Exception:  # a failed step is retried on the next tick; the loop must not die
                log.exception("escalation step failed")
            await asyncio.sleep(_TICK)  # a timer tick, not synchronisation

    async def escalate_due(self, now: datetime) -> int:
        """Take every escalation step whose time has come; return how many were started."""
        due = [(i.alert_id, b) for i, b, _ in self.escalations.due(now) if (i.alert_id, b) not in self._stepping]
        await asyncio.gather(*(self._step(alert_id, bureau_id, now) for alert_id, bureau_id in due))
        return len(due)

    async def _step(self, alert_id: str, bureau_id: str, now: datetime) -> None:
        """Send one escalation step (messages outside the lock), then record the new level."""
        self._stepping.add((alert_id, bureau_id))
        try:
            item = self.escalations.get(alert_id)
            if item is None or item.bureaus[bureau_id].state != "pending":
                return
            bureau = self.directory.get(bureau_id)
            level = item.bureaus[bureau_id].level + 1
            chain = escalation_chain(bureau) if bureau else []
            if bureau is not None and level <= len(chain):
                log.warning("escalating", alert_id=alert_id, bureau_id=bureau_id, level=level)
                await asyncio.gather(*(self.sender.deliver(item.alert, r, kind="escalation", level=level)
                                       for r in escalation_step(item.alert, bureau, level)))
            timeout = timeout_for(self.settings, item.urgency)
            last = level >= len(chain)
            async with self._lock:
                item = self.escalations.get(alert_id)
                if item is None or item.bureaus[bureau_id].state != "pending":
                    return  # acknowledged or cancelled while the step was being sent
                if bureau is None or level > len(chain):
                    update: dict[str, Any] = {"state": "exhausted", "due_at": None}
                else:
                    update = {"level": level, "state": "exhausted" if last else "pending",
                              "due_at": None if last or timeout is None else now + timeout}
                await self._save(EscalationStore.with_bureau(item, bureau_id, now, **update))
        finally:
            self._stepping.discard((alert_id, bureau_id))

    async def _handle_ack(self, rec: Any) -> None:
        try:
            ack = Acknowledgement.model_validate_json(rec.value or b"")
        except ValidationError:
            log.warning("unreadable acknowledgement", partition=rec.partition, offset=rec.offset)
            return
        async with self._lock:
            item = self.escalations.get(ack.alert_id)
            if item is None or ack.bureau_id not in item.bureaus or item.bureaus[ack.bureau_id].state == "acked":
                return
            await self._save(EscalationStore.with_bureau(item, ack.bureau_id, ack.at, state="acked",
                                                         acked_by=ack.officer, due_at=None))
        log.info("acknowledged", alert_id=ack.alert_id, bureau_id=ack.bureau_id, officer=ack.officer,
                 channel=ack.channel)

    # -- withdrawn notices --------------------------------------------------------------------

    def _notice_changed(self, notice_id: str, active: bool | None) -> None:
        if not active:
            task = asyncio.get_running_loop().create_task(self.withdraw(notice_id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def cancel_withdrawn(self) -> None:
        """After (re)loading timers: cancel those whose notice was withdrawn meanwhile."""
        for notice_id in {i.notice_id for i in self.escalations.items.values()}:
            if self.notices.values.get(notice_id) is False:
                await self.withdraw(notice_id)

    async def withdraw(self, notice_id: str) -> None:
        """Cancel pending escalations of a withdrawn notice and tell the officers already alerted, once."""
        for item in self.escalations.for_notice(notice_id):
            if not any(s.state in ("pending", "exhausted") for s in item.bureaus.values()):
                continue
            told = {(d.bureau_id, d.recipient, d.channel) for d in self.deliveries.for_alert(item.alert_id)
                    if d.status in ("sent", "queued", "delivered") and d.kind != "withdrawn"}
            sends = []
            for bureau_id, officer_id, channel in sorted(told):
                bureau = self.directory.get(bureau_id)
                officer = bureau.officer(officer_id) if bureau else None
                if bureau and officer:
                    sends.append(self.sender.deliver(item.alert, Recipient(bureau, officer, channel, "withdrawn"),
                                                     kind="withdrawn"))
            await asyncio.gather(*sends)
            now = datetime.now(UTC)
            async with self._lock:
                current = self.escalations.get(item.alert_id) or item
                for bureau_id, state in current.bureaus.items():
                    if state.state in ("pending", "exhausted"):
                        current = EscalationStore.with_bureau(current, bureau_id, now, state="cancelled", due_at=None)
                await self._save(current)
            log.info("escalation cancelled: notice withdrawn", alert_id=item.alert_id)

    async def _dead_letter(self, rec: Any, error: str) -> None:
        log.warning("alert record refused", topic=rec.topic, partition=rec.partition, offset=rec.offset, error=error)
        bad = Rejected.of(rec.value, topic=rec.topic, partition=rec.partition, offset=rec.offset, error=error)
        await self.sender.publish(topics.REJECTED, f"{rec.topic}:{rec.partition}:{rec.offset}",
                                  bad.model_dump_json().encode())


def _bureau(raw: bytes) -> Bureau:
    return Bureau.model_validate_json(raw)
