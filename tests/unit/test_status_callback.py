"""A provider's status callback that arrives before our own record of the send (``Sender.settled``).

Twilio can post a message's status as soon as it has the message, while the dispatcher is still
waiting for the brokers to acknowledge the delivery record; the callback then found no delivery and
was dropped (seen once in CI: ``test_twilio_status_callbacks_update_the_delivery`` timed out).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from consumers.delivery_log import DeliveryLog
from consumers.sender import Sender
from schemas import Delivery, Settings

NOT_USED: Any = cast(Any, None)  # the channels and the publisher: settled() never sends or publishes


def _sender(settings_factory: Callable[..., Settings]) -> Sender:
    settings = settings_factory(kafka=False, smtp=False, twilio=False)
    return Sender(settings, NOT_USED, NOT_USED, DeliveryLog("deliveries", {}), NOT_USED)


def _delivery(key: str) -> Delivery:
    return Delivery(key=key, alert_id="a-1", bureau_id="ncb-ke", recipient="ke-duty", channel="sms", status="sent",
                    provider_id="SM0001", at=datetime.now(UTC))


def test_a_callback_for_a_message_being_delivered_waits_for_its_record(settings_factory: Callable[..., Settings]) -> None:
    sender = _sender(settings_factory)

    async def run() -> None:
        delivering: asyncio.Future[Delivery | None] = asyncio.get_running_loop().create_future()
        sender._inflight["k-1"] = delivering  # handed to Twilio; the record is on its way to the brokers
        callback = asyncio.ensure_future(sender.settled("k-1"))
        for _ in range(5):
            await asyncio.sleep(0)  # turns of the event loop: the callback must still be waiting
        assert not callback.done()
        sent = _delivery("k-1")
        sender.deliveries.record(sent)
        delivering.set_result(sent)
        assert await callback == sent

    asyncio.run(run())


def test_a_callback_for_a_delivery_that_failed_finds_nothing_and_does_not_raise(
        settings_factory: Callable[..., Settings]) -> None:
    sender = _sender(settings_factory)

    async def run() -> None:
        delivering: asyncio.Future[Delivery | None] = asyncio.get_running_loop().create_future()
        sender._inflight["k-2"] = delivering
        callback = asyncio.ensure_future(sender.settled("k-2"))
        await asyncio.sleep(0)
        delivering.set_exception(RuntimeError("the brokers refused the record"))
        delivering.exception()  # retrieved, as Sender.deliver does
        assert await callback is None

    asyncio.run(run())


def test_a_callback_for_a_recorded_or_unknown_message_answers_at_once(settings_factory: Callable[..., Settings]) -> None:
    sender, recorded = _sender(settings_factory), _delivery("k-3")
    sender.deliveries.record(recorded)
    assert asyncio.run(sender.settled("k-3")) == recorded  # the log keeps bytes: an equal copy comes back
    assert asyncio.run(sender.settled("unknown")) is None
