"""A command that sent records reports the broker's refusals (``fugitive_alerts.sent``)."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from aiokafka.errors import MessageSizeTooLargeError, TopicAuthorizationFailedError

from fugitive_alerts.sent import RecordsRefused, Sent


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def _answered(loop: asyncio.AbstractEventLoop, error: BaseException | None = None) -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = loop.create_future()
    if error is None:
        future.set_result("metadata")
    else:
        future.set_exception(error)
    return future


def test_every_record_accepted_is_no_error(loop: asyncio.AbstractEventLoop) -> None:
    sent = Sent()
    for _ in range(10_000):  # past the point where settled futures are dropped
        sent.add("t.bureaus", _answered(loop))
    sent.check()
    assert sent.refused == 0


def test_refused_records_are_counted_and_the_first_refusal_says_what_to_do(loop: asyncio.AbstractEventLoop) -> None:
    sent = Sent()
    sent.add("t.bureaus", _answered(loop))
    for _ in range(5000):
        sent.add("t.bureaus", _answered(loop, TopicAuthorizationFailedError("t.bureaus")))
    sent.add("t.other", _answered(loop, MessageSizeTooLargeError()))
    with pytest.raises(RecordsRefused) as caught:
        sent.check()
    assert caught.value.refused == 5001
    assert caught.value.topic == "t.bureaus"
    assert "refused 5001 record(s) sent to t.bureaus" in str(caught.value)
    assert "not authorized to write that topic" in str(caught.value)


def test_another_refusal_is_named_by_the_broker_s_error(loop: asyncio.AbstractEventLoop) -> None:
    sent = Sent()
    sent.add("t.wanted.notices", _answered(loop, MessageSizeTooLargeError()))
    with pytest.raises(RecordsRefused, match="MessageSizeTooLargeError"):
        sent.check()
