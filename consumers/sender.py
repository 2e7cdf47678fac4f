"""Send one message to one recipient: idempotent, retried, recorded.

What to send is decided in ``alerting`` (``compose``, ``DeliveryLimits``, ``fallback_for``); this
module only makes sure it happens once. The idempotency key of a message is
``<alert_id>/<bureau>.<officer>[.<kind><level>]/<channel>`` (``alerting.message_key``). A key
with any recorded outcome on ``alerts.deliveries`` is never sent again; a key being sent right
now is awaited, not sent twice (a fallback email and a routed email share one key).

Before the first attempt the sender records an intent (``alerts.deliveries.intents``). A key
with an intent and no outcome is in doubt: a dispatcher died between handing the message over
and recording what happened. An SMS in doubt is looked up at Twilio first (``find``: the
Messages list resource) and sent only if Twilio does not have it. An email in doubt is sent
again: SMTP has no way to ask, and its ``Message-ID`` is derived from the key, so the receiving
side can tell the copy from a new message.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import structlog

from alerting import (
    ComposeConfig,
    DeliveryError,
    DeliveryLimits,
    OutgoingEmail,
    OutgoingSms,
    PermanentDeliveryError,
    Recipient,
    Send,
    compose,
    fallback_for,
    message_key,
)
from schemas import Alert, Delivery, DeliveryIntent, DeliveryKind, DeliveryStatus, Settings, topics

from .delivery_log import DeliveryLog
from .metrics import record_delivery
from .publisher import Publisher

__all__ = ["Sender", "SmsChannel", "EmailChannel"]

log = structlog.get_logger(__name__)
_CLOCK_SKEW = timedelta(minutes=5)
"""How far Twilio's clock may be behind ours when matching an in-doubt SMS by its creation time."""


class SmsChannel(Protocol):
    async def send(self, to: str, body: str, status_callback: str | None = None) -> str: ...

    async def find(self, to: str, body: str, since: datetime) -> str | None: ...


class EmailChannel(Protocol):
    async def send(self, message: Any) -> str: ...


CALLBACK_WAIT_SECONDS = 10.0
"""How long a provider's status callback waits for the outcome of a message still being delivered."""


class Sender:
    def __init__(self, settings: Settings, sms: SmsChannel, email: EmailChannel, deliveries: DeliveryLog,
                 publisher: Publisher, *, base_delay: float = 0.5) -> None:
        self.settings = settings
        self.sms, self.email = sms, email
        self.deliveries = deliveries
        self.publisher = publisher
        self.config = ComposeConfig.from_settings(settings)
        self.limits = DeliveryLimits(settings)
        """Filled from the delivery log by the dispatcher once the log is loaded (``limits.count``)."""
        self.base_delay, self.max_delay = base_delay, settings.retry_max_delay_seconds
        self._inflight: dict[str, asyncio.Future[Delivery | None]] = {}

    async def settled(self, key: str) -> Delivery | None:
        """The recorded outcome of message ``key``, if any. While that message is being delivered, this
        waits for its outcome to be recorded: the provider's status callback can arrive before our own
        record of the send has reached the brokers, and must not be dropped for it."""
        delivering = self._inflight.get(key)
        if key not in self.deliveries and delivering is not None:
            # its outcome, or its failure; never cancels the delivery. Bounded: Twilio waits 15 s for an answer
            await asyncio.wait([delivering], timeout=CALLBACK_WAIT_SECONDS)
        return self.deliveries.get(key)

    async def deliver_all(self, send: Send) -> list[Delivery]:
        """Carry out one ``Send`` action: every recipient at once; return the new outcomes."""
        results = await asyncio.gather(*(self.deliver(send.alert, r, kind=send.kind, level=send.level,
                                                      original=send.original) for r in send.recipients))
        return [d for d in results if d is not None]

    async def deliver(self, alert: Alert, to: Recipient, *, kind: DeliveryKind = "alert", level: int = 0,
                      fallback: bool = True, original: str | None = None) -> Delivery | None:
        """``original``: for a "seen again" update, the earlier alert it refers to."""
        key = message_key(alert.alert_id, to, kind, level)
        if key in self.deliveries:
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
        await self.publisher.publish(topics.DELIVERY_FAILURES, failed.alert_id, failed.model_dump_json().encode())
        other = fallback_for(to)
        if other is not None:
            log.warning("falling back to the other channel", key=failed.key, channel=other.channel)
            await self.deliver(alert, other, kind=kind, level=level, fallback=False)

    async def _deliver(self, alert: Alert, to: Recipient, key: str, kind: DeliveryKind, level: int,
                       original: str | None) -> Delivery:
        doubt = self.deliveries.in_doubt(key)
        refusal = self.limits.refusal(to.officer.id, to.channel, kind, time.time()) if doubt is None else None
        if refusal is not None:  # (a message in doubt passed the limit when it was first handed over)
            return await self._record(alert, to, key, kind, level, "skipped", 0, None, refusal)
        at = doubt.at if doubt is not None else datetime.now(UTC)  # an email sent again is the same bytes
        message = compose(alert, to, config=self.config, now=at.timestamp(), kind=kind, level=level,
                          original=original)
        if doubt is None:
            await self._intend(alert, to, key, kind, level, at)
        elif isinstance(message, OutgoingEmail):
            log.warning("in doubt: sending the email again, with the same Message-ID", key=key)

        async def send_once() -> str:
            nonlocal doubt
            if isinstance(message, OutgoingSms):
                if doubt is not None:  # asked once, before the first send of this process
                    found = await self.sms.find(message.to, message.body, doubt.at - _CLOCK_SKEW)
                    doubt = None
                    if found is not None:
                        log.warning("in doubt: Twilio has the SMS already; not sent again", key=key)
                        return found
                return await self.sms.send(message.to, message.body, message.status_callback)
            return await self.email.send(message)

        status, attempts, provider_id, error = await self._attempt(key, send_once)
        return await self._record(alert, to, key, kind, level, status, attempts, provider_id, error)

    async def _attempt(self, key: str, send_once: Callable[[], Awaitable[str]]
                       ) -> tuple[DeliveryStatus, int, str | None, str | None]:
        """Call ``send_once`` until it returns the provider's id, fails permanently, or ``retry_for_seconds`` would
        pass: exponential back-off with full jitter, capped at ``retry_max_delay_seconds``, at least a
        ``retry_after`` the provider asked for. Returns (status, attempts, provider id, error)."""
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.settings.retry_for_seconds
        attempts = 0
        while True:
            attempts += 1
            try:
                return "sent", attempts, await send_once(), None
            except PermanentDeliveryError as exc:
                return "failed", attempts, None, str(exc)
            except DeliveryError as exc:
                delay = min(self.max_delay, self.base_delay * 2 ** (attempts - 1))
                delay = max(exc.retry_after or 0.0, random.uniform(0, delay))  # full jitter
                if loop.time() + delay > give_up_at:
                    return "failed", attempts, None, f"gave up after {attempts} attempts: {exc}"
                log.warning("delivery failed, will retry", key=key, attempt=attempts, error=str(exc),
                            retry_in=round(delay, 2))
                await asyncio.sleep(delay)  # back-off between retries

    async def deliver_composed(self, delivery_id: str, to: Recipient, message: OutgoingEmail,
                               kind: DeliveryKind) -> Delivery:
        """Send an email composed elsewhere (a review digest, ``delivery_id`` naming it in place of an alert id):
        retried as any delivery, its outcome recorded on ``alerts.deliveries`` under ``delivery_id``, a final
        failure also on ``alerts.deliveries.dead``. Not rate limited, no intent, no fallback to SMS."""
        key = message_key(delivery_id, to, kind)
        status, attempts, provider_id, error = await self._attempt(key, lambda: self.email.send(message))
        delivery = await self._record(None, to, key, kind, 0, status, attempts, provider_id, error,
                                      delivery_id=delivery_id)
        if status == "failed":
            await self.publisher.publish(topics.DELIVERY_FAILURES, delivery_id, delivery.model_dump_json().encode())
        return delivery

    async def _intend(self, alert: Alert, to: Recipient, key: str, kind: DeliveryKind, level: int,
                      at: datetime) -> None:
        """Record, before the first attempt, that this message is about to go to its provider."""
        intent = DeliveryIntent(key=key, alert_id=alert.alert_id, bureau_id=to.bureau.id, recipient=to.officer.id,
                                channel=to.channel, kind=kind, level=level, at=at)
        await self.publisher.publish(topics.DELIVERY_INTENTS, alert.alert_id, intent.model_dump_json().encode())
        self.deliveries.intend(intent)

    async def _record(self, alert: Alert | None, to: Recipient, key: str, kind: DeliveryKind, level: int,
                      status: DeliveryStatus, attempts: int, provider_id: str | None, error: str | None,
                      delivery_id: str = "") -> Delivery:
        """Write the outcome to ``alerts.deliveries`` (keyed by the alert id, or ``delivery_id`` without an alert)."""
        alert_id = alert.alert_id if alert is not None else delivery_id
        delivery = Delivery(
            key=key, alert_id=alert_id, bureau_id=to.bureau.id, recipient=to.officer.id, channel=to.channel,
            status=status, kind=kind, level=level, attempts=attempts, provider_id=provider_id, error=error,
            at=datetime.now(UTC),
        )
        raw = delivery.model_dump_json().encode()
        await self.publisher.publish(topics.DELIVERIES, alert_id, raw)
        self.deliveries.record(delivery, raw)
        self.limits.count([delivery])
        record_delivery(alert, delivery)
        log.info("delivery", key=key, bureau_id=to.bureau.id, recipient=to.officer.id, channel=to.channel,
                 kind=kind, level=level, status=status, attempts=attempts, error=error)
        return delivery
