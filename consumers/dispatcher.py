"""The alert dispatcher: reads ``alerts``, routes each alert to bureaus, sends SMS and email.

Guarantees, and how they are kept:
- **Never lost.** The consumer commits an alert's offset only after every delivery for it has
  reached a final state (``sent``, ``failed`` or ``skipped``) and that state is acknowledged on
  ``alerts.deliveries``. A crash before that replays the alert.
- **Never twice.** Before sending, the dispatcher looks up (alert, recipient, channel) in the
  delivery log read back from ``alerts.deliveries``; a final state there means "already done".
  The only window left is a crash between the provider accepting a message and the delivery
  record being acknowledged: at most one duplicate per recipient, and only then.
- **Transient errors** (SMTP down, Twilio 5xx/429, timeouts) are retried with exponential
  back-off and full jitter, up to ``retry_for`` seconds; then the delivery is ``failed``.
"""

from __future__ import annotations

import asyncio
import base64
import random
from datetime import datetime, timezone
from typing import Any, Protocol

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from pydantic import ValidationError

from alerting import (
    DeliveryError,
    PermanentDeliveryError,
    Recipient,
    build_message,
    render_email,
    render_sms,
    route,
)
from schemas import Alert, BureauDirectory, Delivery, Rejected, Settings, delivery_key, topics

from .delivery_log import DeliveryLog

__all__ = ["Dispatcher", "SmsChannel", "EmailChannel"]

log = structlog.get_logger(__name__)


class SmsChannel(Protocol):
    async def send(self, to: str, body: str) -> str: ...


class EmailChannel(Protocol):
    sender: str

    async def send(self, message: Any) -> str: ...


class _Reload(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, deliveries: DeliveryLog) -> None:
        self.deliveries = deliveries

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        pass

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        read = await self.deliveries.load(sorted(tp.partition for tp in assigned))
        log.info("delivery log loaded", partitions=sorted(tp.partition for tp in assigned), records=read)


class Dispatcher:
    def __init__(self, settings: Settings, directory: BureauDirectory, sms: SmsChannel, email: EmailChannel,
                 *, retry_for: float = 600.0, base_delay: float = 0.5, max_delay: float = 30.0,
                 concurrency: int = 16) -> None:
        self.settings = settings
        self.directory = directory
        self.sms, self.email = sms, email
        self.retry_for, self.base_delay, self.max_delay = retry_for, base_delay, max_delay
        self.deliveries = DeliveryLog(settings.topic(topics.DELIVERIES), settings.kafka_client_kwargs())
        self._limit = asyncio.Semaphore(concurrency)
        self._producer: AIOKafkaProducer | None = None
        self.processed = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; commit after each batch is fully delivered."""
        kwargs = self.settings.kafka_client_kwargs()
        self._producer = AIOKafkaProducer(acks="all", enable_idempotence=True, linger_ms=5, **kwargs)
        consumer = AIOKafkaConsumer(
            group_id=self.settings.dispatcher_group, enable_auto_commit=False, auto_offset_reset="earliest",
            **kwargs,
        )
        await self._producer.start()
        await consumer.start()
        consumer.subscribe([self.settings.topic(topics.ALERTS)], listener=_Reload(self.deliveries))
        log.info("dispatcher started", topic=self.settings.topic(topics.ALERTS), group=self.settings.dispatcher_group)
        try:
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=500, max_records=200)
                if not batches:
                    continue
                await asyncio.gather(*(self._handle_record(rec) for recs in batches.values() for rec in recs))
                await consumer.commit({tp: recs[-1].offset + 1 for tp, recs in batches.items()})
        finally:
            await consumer.stop()
            await self._producer.stop()

    async def _handle_record(self, rec: Any) -> None:
        async with self._limit:
            try:
                alert = Alert.model_validate_json(rec.value or b"")
            except ValidationError as exc:
                await self._dead_letter(rec, f"invalid alert: {exc.error_count()} validation error(s)")
                return
            structlog.contextvars.bind_contextvars(alert_id=alert.alert_id, event_id=alert.event_id,
                                                   notice_id=alert.notice_id)
            try:
                await self.dispatch(alert)
            finally:
                structlog.contextvars.unbind_contextvars("alert_id", "event_id", "notice_id")
            self.processed += 1

    async def dispatch(self, alert: Alert) -> list[Delivery]:
        """Deliver one alert to everyone it routes to; return the deliveries made now."""
        recipients = route(alert, self.directory)
        if not recipients:
            log.warning("alert routes to no bureau", country=alert.country,
                        requesting_country=alert.requesting_country)
        results = await asyncio.gather(*(self._deliver(alert, r) for r in recipients))
        return [d for d in results if d is not None]

    async def _deliver(self, alert: Alert, to: Recipient) -> Delivery | None:
        key = delivery_key(alert.alert_id, f"{to.bureau.id}.{to.officer.id}", to.channel)
        if self.deliveries.get(key) is not None:
            log.info("already delivered", key=key)
            return None
        attempts, provider_id, error = 0, None, None
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.retry_for
        while True:
            attempts += 1
            try:
                provider_id = await self._send(alert, to, key)
                status = "sent"
                break
            except PermanentDeliveryError as exc:
                status, error = "failed", str(exc)
                break
            except DeliveryError as exc:
                delay = min(self.max_delay, self.base_delay * 2 ** (attempts - 1))
                delay = max(exc.retry_after or 0.0, random.uniform(0, delay))  # full jitter
                if loop.time() + delay > give_up_at:
                    status, error = "failed", f"gave up after {attempts} attempts: {exc}"
                    break
                log.warning("delivery failed, will retry", key=key, attempt=attempts, error=str(exc),
                            retry_in=round(delay, 2))
                await asyncio.sleep(delay)
        delivery = Delivery(
            key=key, alert_id=alert.alert_id, bureau_id=to.bureau.id, recipient=to.officer.id,
            channel=to.channel, status=status, attempts=attempts, provider_id=provider_id, error=error,
            at=datetime.now(timezone.utc),
        )
        assert self._producer is not None
        await self._producer.send_and_wait(
            self.settings.topic(topics.DELIVERIES), key=alert.alert_id.encode(),
            value=delivery.model_dump_json().encode(),
        )
        self.deliveries.record(delivery)
        log.info("delivery", key=key, bureau_id=to.bureau.id, recipient=to.officer.id, channel=to.channel,
                 status=status, attempts=attempts, error=error)
        return delivery

    async def _send(self, alert: Alert, to: Recipient, key: str) -> str:
        if to.channel == "sms":
            assert to.officer.phone
            return await self.sms.send(to.officer.phone, render_sms(alert))
        assert to.officer.email
        content = render_email(alert, to.bureau, to.why)
        message_id = f"<{key.replace('/', '.')}@fugitive-alerts>"
        return await self.email.send(build_message(content, sender=self.email.sender, to=to.officer.email,
                                                   message_id=message_id))

    async def _dead_letter(self, rec: Any, error: str) -> None:
        log.warning("alert record refused", topic=rec.topic, partition=rec.partition, offset=rec.offset, error=error)
        assert self._producer is not None
        bad = Rejected(topic=rec.topic, partition=rec.partition, offset=rec.offset,
                       raw=base64.b64encode(rec.value or b"").decode("ascii"), error=error)
        await self._producer.send_and_wait(self.settings.topic(topics.REJECTED),
                                           key=f"{rec.topic}:{rec.partition}:{rec.offset}".encode(),
                                           value=bad.model_dump_json().encode())
