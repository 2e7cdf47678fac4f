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


def test_a_refusal_stops_the_command_at_its_next_record(loop: asyncio.AbstractEventLoop) -> None:
    sent = Sent()
    sent.add("t.bureaus", _answered(loop))
    in_flight: asyncio.Future[Any] = loop.create_future()
    sent.add("t.bureaus", in_flight)  # not answered yet
    in_flight.set_exception(TopicAuthorizationFailedError("t.bureaus"))
    with pytest.raises(RecordsRefused) as caught:
        sent.add("t.bureaus", loop.create_future())
    assert caught.value.refused == 1 and caught.value.topic == "t.bureaus"
    assert "1 record(s) sent to t.bureaus were not written" in str(caught.value)
    assert "not authorized to write that topic" in str(caught.value)


def test_a_refusal_answered_during_the_flush_is_raised_by_check(loop: asyncio.AbstractEventLoop) -> None:
    sent = Sent()
    futures = [loop.create_future() for _ in range(3)]
    for future in futures:
        sent.add("t.wanted.notices", future)
    futures[0].set_result("metadata")
    futures[1].set_exception(MessageSizeTooLargeError())
    futures[2].set_exception(MessageSizeTooLargeError())
    with pytest.raises(RecordsRefused, match=r"2 record.*not written.*MessageSizeTooLargeError"):
        sent.check()


def test_check_before_the_flush_is_a_bug(loop: asyncio.AbstractEventLoop) -> None:
    sent = Sent()
    sent.add("t.bureaus", loop.create_future())
    with pytest.raises(RuntimeError, match="before the producer's flush"):
        sent.check()
