"""The screening agent in Faust's test context (no broker): what it sends for each record it reads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any

import faust

from schemas import Alert, AnyEvent, Rejected, Response, Settings, alert_id_for, topics
from streams.screen_agent import ResponseTopics, add_screen_agent
from tests import factories as f
from tests.unit.alert_factory import NOTICE, TRAVELER, matcher_with

from .recording import RecordingProducer, recording_app

INNOCENT = f.traveler("WAWERU", "JOSEPHINE", dob="1988-07-12", nationality="KE", passport="KE5550001")


class _Screener:
    """The real matcher, noting whether the worker was ready each time it was asked, and failing on demand."""

    def __init__(self, ready: Sequence[asyncio.Event], fail_on: str | None = None) -> None:
        self.matcher = matcher_with(NOTICE)
        self.ready, self.fail_on = ready, fail_on
        self.asked_when_ready: list[bool] = []

    def screen(self, event: AnyEvent) -> Any:
        self.asked_when_ready.append(all(e.is_set() for e in self.ready))
        if event.event_id == self.fail_on:
            raise KeyError("a bug in the engine")
        return self.matcher.screen(event)


def _agent(settings: Settings, *, ready: tuple[asyncio.Event, ...], fail_on: str | None = None,
           ) -> tuple[Any, RecordingProducer, _Screener, Callable[[str], str]]:
    app, producer = recording_app(settings.app_id)

    def raw(name: str) -> faust.TopicT:
        return app.topic(settings.topic(name), key_type=bytes, value_type=bytes, key_serializer="raw",
                         value_serializer="raw")

    screener = _Screener(ready, fail_on)
    agent = add_screen_agent(app, source=raw(topics.BORDER_CROSSINGS), event_type="border_crossing",
                             screener=screener, alerts=raw(topics.ALERTS), rejected=raw(topics.REJECTED),
                             ready=ready, responses=ResponseTopics(app, settings.topic_prefix, 1))
    return agent, producer, screener, settings.topic


def _ready() -> tuple[asyncio.Event, ...]:
    events = (asyncio.Event(), asyncio.Event())
    for e in events:
        e.set()
    return events


def test_a_hit_is_sent_to_alerts_keyed_by_its_alert_id_and_answered_to_the_agency(
        settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(kafka=False, smtp=False, twilio=False)

    async def run() -> None:
        agent, producer, _, topic = _agent(settings, ready=_ready())
        event = f.border_crossing(TRAVELER, event_id="bc-hit-1")
        async with agent.test_context() as tested:
            await tested.put(json.dumps(event).encode(), key=b"bc-hit-1")
            [sent] = await producer.wait_for(topic(topics.ALERTS), 1)
            [answer] = await producer.wait_for(topic("responses.ke-immigration"), 1)
        alert = Alert.model_validate_json(sent.value or b"")
        assert sent.key == alert_id_for("bc-hit-1", NOTICE["notice_id"]).encode() == alert.alert_id.encode()
        assert (alert.event_id, alert.notice_id, alert.band, alert.urgency) == \
            ("bc-hit-1", NOTICE["notice_id"], "alert", "critical")
        response = Response.model_validate_json(answer.value or b"")
        assert answer.key == b"bc-hit-1" and response.result == "hit" and response.hits[0].alert_id == alert.alert_id
        assert producer.to(topic(topics.REJECTED)) == []
        assert topic("responses.ke-immigration") in producer.declared

    asyncio.run(run())


def test_an_innocent_traveller_raises_no_alert_but_gets_a_no_hit_answer(
        settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(kafka=False, smtp=False, twilio=False)

    async def run() -> None:
        agent, producer, _, topic = _agent(settings, ready=_ready())
        async with agent.test_context() as tested:
            await tested.put(json.dumps(f.border_crossing(INNOCENT, event_id="bc-clear-1")).encode())
            [answer] = await producer.wait_for(topic("responses.ke-immigration"), 1)
        assert Response.model_validate_json(answer.value or b"").result == "no_hit"
        assert producer.to(topic(topics.ALERTS)) == []

    asyncio.run(run())


def test_a_bad_record_is_dead_lettered_with_its_position_and_the_agent_carries_on(
        settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(kafka=False, smtp=False, twilio=False)

    async def run() -> None:
        agent, producer, _, topic = _agent(settings, ready=_ready())
        async with agent.test_context() as tested:
            await tested.put(b'{"event_id": "bc-bad", "event_type": "border_crossing"}')
            await tested.put(b"\xff not json")
            await tested.put(json.dumps(f.border_crossing(TRAVELER, event_id="bc-after")).encode())
            dead = await producer.wait_for(topic(topics.REJECTED), 2)
            [alert] = await producer.wait_for(topic(topics.ALERTS), 1)
        source = topic(topics.BORDER_CROSSINGS)
        assert [d.key for d in dead] == [f"{source}:0:0".encode(), f"{source}:0:1".encode()]
        first = Rejected.model_validate_json(dead[0].value or b"")
        assert (first.topic, first.offset) == (source, 0) and "occurred_at" in first.error
        assert Alert.model_validate_json(alert.value or b"").event_id == "bc-after"

    asyncio.run(run())


def test_an_exception_in_the_engine_dead_letters_that_record_only(settings_factory: Callable[..., Settings]) -> None:
    """Caught at the agent boundary: the record is refused as an internal error, the next one is screened."""
    settings = settings_factory(kafka=False, smtp=False, twilio=False)

    async def run() -> None:
        agent, producer, _, topic = _agent(settings, ready=_ready(), fail_on="bc-boom")
        async with agent.test_context() as tested:
            await tested.put(json.dumps(f.border_crossing(TRAVELER, event_id="bc-boom")).encode())
            await tested.put(json.dumps(f.border_crossing(TRAVELER, event_id="bc-fine")).encode())
            [dead] = await producer.wait_for(topic(topics.REJECTED), 1)
            [alert] = await producer.wait_for(topic(topics.ALERTS), 1)
        assert Rejected.model_validate_json(dead.value or b"").error == "internal error while screening: KeyError"
        assert Alert.model_validate_json(alert.value or b"").event_id == "bc-fine"

    asyncio.run(run())


def test_nothing_is_screened_before_the_wanted_list_and_the_bureaus_are_loaded(
        settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(kafka=False, smtp=False, twilio=False)

    async def run() -> None:
        wanted, bureaus = asyncio.Event(), asyncio.Event()
        agent, producer, screener, topic = _agent(settings, ready=(wanted, bureaus))
        async with agent.test_context() as tested:
            wanted.set()
            await tested.put(json.dumps(f.border_crossing(TRAVELER, event_id="bc-early")).encode(), wait=False)
            for _ in range(200):  # every chance to run: an agent that did not wait would screen now
                await asyncio.sleep(0)
            assert screener.asked_when_ready == []
            bureaus.set()
            await producer.wait_for(topic(topics.ALERTS), 1)
        assert screener.asked_when_ready == [True]

    asyncio.run(run())
