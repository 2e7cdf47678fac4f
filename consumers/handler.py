"""Between the dispatcher's Kafka loop and the pure delivery code of ``alerting``.

For each input the handler asks ``alerting`` what to do, then carries it out:

- a review-band alert: written to ``reviews`` for the analysts (``consumers.review_digest``);
- an alert: ``alerting.plan_alert`` decides (withdrawn notice? routing, "seen again", escalation
  start); the sighting is written, the timers started and the messages sent;
- an acknowledgement: ``alerting.escalation`` (``Ack``); the record is written;
- a timer tick: ``alerting.escalation`` (``Tick``); the step's messages are sent, then the record;
- a withdrawn notice: ``alerting.escalation`` (``Withdraw``); stand-downs sent, then the record;
- after partitions are assigned, then every hour: the escalation records no step can follow, older than the
  alerts' retention, deleted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from pydantic import ValidationError

from alerting import dedup, escalation, plan_alert
from schemas import Acknowledgement, Alert, BureauDirectory, Delivery, Settings, Sighting, topics

from .compacted import CompactedView
from .delivery_log import DeliveryLog
from .escalations import Escalations
from .publisher import Publisher
from .review_digest import ReviewDigests
from .sender import Sender

__all__ = ["Handler"]

log = structlog.get_logger(__name__)


class Handler:
    def __init__(self, settings: Settings, sender: Sender, escalations: Escalations, publisher: Publisher,
                 deliveries: DeliveryLog, directory: Callable[[], BureauDirectory],
                 sightings: CompactedView[Sighting], notices: CompactedView[bool]) -> None:
        self.sender, self.escalations, self.publisher, self.deliveries = sender, escalations, publisher, deliveries
        self.directory, self.sightings, self.notices = directory, sightings, notices
        self.acks_topic = settings.topic(topics.ACKS)
        self.window = timedelta(minutes=settings.dedup_window_minutes)
        self.timeouts = escalation.timeouts(settings)
        self.keep = timedelta(days=settings.alert_retention_days)
        self._background: set[asyncio.Task[Any]] = set()
        self.reviews: ReviewDigests | None = None
        """Review-band alerts go to the review queue (``consumers.review_digest``) rather than out one by one."""

    async def on_record(self, rec: Any) -> None:
        """One record of ``alerts`` or ``alerts.acks``. A bad record is dead-lettered (an alert) or logged (an
        ack), never fatal; an unexpected error on one alert is caught here, so it stops no other."""
        if rec.topic == self.acks_topic:
            try:
                ack = Acknowledgement.model_validate_json(rec.value or b"")
            except ValidationError:
                log.warning("unreadable acknowledgement", partition=rec.partition, offset=rec.offset)
                return
            await self.on_ack(ack)
            return
        try:
            alert = Alert.model_validate_json(rec.value or b"")
        except ValidationError as exc:
            await self.publisher.dead_letter(rec, f"invalid alert: {exc.error_count()} validation error(s)")
            return
        structlog.contextvars.bind_contextvars(alert_id=alert.alert_id, event_id=alert.event_id,
                                               notice_id=alert.notice_id)
        try:
            await self.on_alert(alert)
        except Exception as exc:  # the boundary: a bug on one alert must not stop the others
            log.exception("dispatching failed")
            await self.publisher.dead_letter(rec, f"internal error while dispatching: {type(exc).__name__}")
        finally:
            structlog.contextvars.unbind_contextvars("alert_id", "event_id", "notice_id")

    async def on_alert(self, alert: Alert) -> list[Delivery]:
        """Deliver one alert to everyone it routes to, or a "seen again" update; start its timers."""
        if alert.band == "review" and self.reviews is not None:
            if self.notices.values.get(alert.notice_id) is False:
                log.info("review hit for a withdrawn notice: not queued")
            else:
                await self.reviews.queue(alert)  # issue 17: analysts get a digest, not one email per hit
            return []
        key = dedup.sighting_key(alert)
        plan = plan_alert(alert, directory=self.directory(), notice_active=self.notices.values.get(alert.notice_id),
                          sighting=self.sightings.values.get(key) if key else None, window=self.window,
                          timeouts=self.timeouts, now=datetime.now(UTC))
        if plan.withdrawn or plan.send is None:
            log.info("alert for a withdrawn notice: not delivered")
            return []
        if not plan.send.recipients:
            log.warning("alert routes to no bureau", country=alert.country, requesting_country=alert.requesting_country)
        if plan.sighting is not None:
            record = plan.sighting
            await self.publisher.publish(topics.SIGHTINGS, record.key, record.sighting.model_dump_json().encode())
            self.sightings.values[record.key] = record.sighting
        if plan.original is not None:
            log.info("seen again", original=plan.original, count=plan.sighting.sighting.count if plan.sighting else 0)
        if plan.start is None:
            return await self.sender.deliver_all(plan.send)
        # The timers start first (the transition happens before any message goes out), so an officer
        # acknowledging by the email link while another of the alert's messages is still being sent
        # or retried finds them.
        _, delivered = await asyncio.gather(self.escalations.feed(alert.alert_id, plan.start),
                                            self.sender.deliver_all(plan.send))
        if self.notices.values.get(alert.notice_id) is False:
            await self.withdraw(alert.notice_id)  # withdrawn while this alert was being delivered
        return delivered

    async def on_ack(self, ack: Acknowledgement) -> None:
        await self.escalations.feed(ack.alert_id, escalation.Ack(ack.bureau_id, ack.officer, ack.at))

    async def tick(self, now: datetime) -> int:
        """Take every escalation step whose time has come; return for how many alerts."""
        due = self.escalations.store.due(now)
        event = escalation.Tick(self.directory(), self.timeouts)
        await asyncio.gather(*(self.escalations.feed(alert_id, event) for alert_id in due))
        return len(due)

    async def expire(self, now: datetime) -> int:
        """Delete the escalation records that no step can follow and that last changed longer ago than
        alerts are kept (``Settings.alert_retention_days``); return how many."""
        return await self.escalations.expire(now - self.keep)

    def on_notice(self, notice_id: str, active: bool | None) -> None:
        """A live change on ``wanted.notices``: a withdrawal stands the alerts' officers down."""
        if not active:
            task = asyncio.get_running_loop().create_task(self.withdraw(notice_id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def withdraw(self, notice_id: str) -> None:
        """Cancel pending escalations of a withdrawn notice and tell the officers already alerted, once."""
        for alert_id in self.escalations.store.for_notice(notice_id):
            await self.escalations.feed(alert_id, escalation.Withdraw(self.directory(),
                                                                      self.deliveries.for_alert(alert_id)))

    async def cancel_withdrawn(self) -> None:
        """After (re)loading timers: cancel those whose notice was withdrawn meanwhile."""
        for notice_id in self.escalations.store.notices():
            if self.notices.values.get(notice_id) is False:
                await self.withdraw(notice_id)

    def cancel(self) -> None:
        for task in self._background:
            task.cancel()
