"""Send one message to one recipient: idempotent, retried, rate-limited, with a fallback channel.

The idempotency key of a message is ``<alert_id>/<bureau>.<officer>[.<kind><level>]/<channel>``.
A key with any recorded outcome on ``alerts.deliveries`` is never sent again; a key being sent
right now is awaited, not sent twice (a fallback email and a routed email share one key).
"""

from __future__ import annotations

import asyncio
import base64
import random
import time
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

import structlog
from aiokafka import AIOKafkaProducer

from alerting import (
    AckClaim,
    DeliveryError,
    PermanentDeliveryError,
    RateLimiter,
    Recipient,
    build_message,
    render_email,
    render_sms,
    sign_ack,
)
from schemas import Alert, Channel, Delivery, DeliveryKind, Settings, delivery_key, topics

from .delivery_log import DeliveryLog
from .metrics import record_delivery

__all__ = ["Sender", "SmsChannel", "EmailChannel", "recipient_key"]

log = structlog.get_logger(__name__)
_UNLIMITED_KINDS = {"escalation", "withdrawn"}
"""Kinds that bypass the per-recipient rate limit: an escalation or a stand-down must get through."""


class SmsChannel(Protocol):
    async def send(self, to: str, body: str, status_callback: str | None = None) -> str: ...


class EmailChannel(Protocol):
    sender: str

    async def send(self, message: Any) -> str: ...


def recipient_key(to: Recipient, kind: DeliveryKind = "alert", level: int = 0) -> str:
    base = f"{to.bureau.id}.{to.officer.id}"
    return base if kind == "alert" else f"{base}.{kind}{level or ''}"


class Sender:
    def __init__(self, settings: Settings, sms: SmsChannel, email: EmailChannel, deliveries: DeliveryLog,
                 *, base_delay: float = 0.5) -> None:
        self.settings = settings
        self.sms, self.email = sms, email
        self.deliveries = deliveries
        self.base_delay, self.max_delay = base_delay, settings.retry_max_delay_seconds
        window = settings.rate_limit_window_minutes * 60
        self.limits = {"sms": RateLimiter(settings.rate_limit_sms, window),
                       "email": RateLimiter(settings.rate_limit_email, window)}
        self.producer: AIOKafkaProducer | None = None
        self._inflight: dict[str, asyncio.Future[Delivery | None]] = {}
        for d in deliveries.all():
            if d.status in ("sent", "queued", "delivered") and d.kind not in _UNLIMITED_KINDS:
                self.limits[d.channel].record(d.recipient, d.at.timestamp())

    async def deliver(self, alert: Alert, to: Recipient, *, kind: DeliveryKind = "alert", level: int = 0,
                      fallback: bool = True, original: str | None = None) -> Delivery | None:
        """``original``: for a "seen again" update, the earlier alert it refers to."""
        key = delivery_key(alert.alert_id, recipient_key(to, kind, level), to.channel)
        if self.deliveries.get(key) is not None:
            return None
        if key in self._inflight:
            await asyncio.shield(self._inflight[key])
            return None
        future: asyncio.Future[Delivery | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            delivery = await self._deliver(alert, to, key, kind, level, original)
            future.set_result(delivery)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved
            raise
        finally:
            del self._inflight[key]
        if delivery.status == "failed" and fallback:
            await self.fall_back(alert, to, kind, level, delivery)
        return delivery

    async def fall_back(self, alert: Alert, to: Recipient, kind: DeliveryKind, level: int, failed: Delivery) -> None:
        """Record the failure on the dead-letter topic and try the officer's other channel."""
        await self.publish(topics.DELIVERY_FAILURES, failed.alert_id, failed.model_dump_json().encode())
        other: Channel = "email" if to.channel == "sms" else "sms"
        if (other == "email" and to.officer.email) or (other == "sms" and to.officer.phone):
            log.warning("falling back to the other channel", key=failed.key, channel=other)
            await self.deliver(alert, Recipient(to.bureau, to.officer, other, to.why), kind=kind, level=level,
                               fallback=False)

    async def _deliver(self, alert: Alert, to: Recipient, key: str, kind: DeliveryKind, level: int,
                       original: str | None) -> Delivery:
        limiter = self.limits[to.channel]
        now = time.time()
        if kind not in _UNLIMITED_KINDS and not limiter.allow(to.officer.id, now):
            return await self._record(alert, to, key, kind, level, "skipped", 0, None,
                                      f"rate limited: over {limiter.limit} per {limiter.window / 60:g} min")
        attempts, provider_id, error = 0, None, None
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.settings.retry_for_seconds
        while True:
            attempts += 1
            try:
                provider_id = await self._send(alert, to, key, kind, level, original)
                status = "sent"
                limiter.record(to.officer.id, time.time())
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
                await asyncio.sleep(delay)  # back-off between retries
        return await self._record(alert, to, key, kind, level, status, attempts, provider_id, error)

    async def _record(self, alert: Alert, to: Recipient, key: str, kind: DeliveryKind, level: int, status: str,
                      attempts: int, provider_id: str | None, error: str | None) -> Delivery:
        delivery = Delivery(
            key=key, alert_id=alert.alert_id, bureau_id=to.bureau.id, recipient=to.officer.id, channel=to.channel,
            status=status, kind=kind, level=level, attempts=attempts, provider_id=provider_id, error=error,
            at=datetime.now(UTC),
        )
        await self.publish(topics.DELIVERIES, alert.alert_id, delivery.model_dump_json().encode())
        self.deliveries.record(delivery)
        record_delivery(alert, delivery)
        log.info("delivery", key=key, bureau_id=to.bureau.id, recipient=to.officer.id, channel=to.channel,
                 kind=kind, level=level, status=status, attempts=attempts, error=error)
        return delivery

    async def publish(self, topic: str, key: str, value: bytes | None) -> None:
        assert self.producer is not None, "Sender.producer is set by the dispatcher before use"
        await self.producer.send_and_wait(self.settings.topic(topic), key=key.encode(), value=value)

    def ack_link(self, alert_id: str, to: Recipient) -> str:
        """The signed acknowledgement link for one officer of one bureau."""
        claim = AckClaim(alert_id, to.bureau.id, to.officer.id,
                         int(time.time() + self.settings.ack_link_hours * 3600))
        token = sign_ack(self.settings.ack_secret.get_secret_value().encode(), claim)
        return f"{self.settings.public_url.rstrip('/')}/ack/{token}"

    async def _send(self, alert: Alert, to: Recipient, key: str, kind: DeliveryKind, level: int,
                    original: str | None) -> str:
        if to.channel == "sms":
            assert to.officer.phone
            callback = f"{self.settings.public_url.rstrip('/')}/twilio/status?key={quote(key, safe='')}"
            return await self.sms.send(to.officer.phone, render_sms(alert, kind=kind, level=level, original=original), callback)
        assert to.officer.email
        content = render_email(alert, to.bureau, to.why, kind=kind, level=level, original=original,
                               ack_link=self.ack_link(original or alert.alert_id, to))
        message_id = f"<{base64.urlsafe_b64encode(key.encode()).decode().rstrip('=')}@fugitive-alerts>"
        return await self.email.send(build_message(content, sender=self.email.sender, to=to.officer.email,
                                                   message_id=message_id))
