"""The ingest agent in Faust's test context (no broker): ingest.<agency>.* -> checked -> events.*."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import faust

from schemas import Rejected, Response, Settings, topics
from streams.ingest_agent import add_ingest_agent
from streams.screen_agent import ResponseTopics
from tests import factories as f

from .recording import RecordingProducer, recording_app

AGENCY = "ke-immigration"


def _agent(settings: Settings) -> tuple[Any, RecordingProducer]:
    app, producer = recording_app(settings.app_id)

    def raw(name: str) -> faust.TopicT:
        return app.topic(settings.topic(name), key_type=bytes, value_type=bytes, key_serializer="raw",
                         value_serializer="raw")

    agent = add_ingest_agent(app, settings, raw, rejected=raw(topics.REJECTED),
                             responses=ResponseTopics(app, settings.topic_prefix, 1))
    assert agent is not None
    return agent, producer


async def _put_on(tested: Any, topic: str, value: bytes) -> None:
    """``tested.put(value)`` as a record of ``topic``: the agent reads several topics, and the topic
    name is what tells it the agency (Faust's test context names no topic for a multi-topic agent)."""
    to_message = tested.to_message

    def on_topic(*args: Any, **kwargs: Any) -> Any:
        message = to_message(*args, **kwargs)
        message.topic = topic
        return message

    tested.to_message = on_topic
    try:
        await tested.put(value)
    finally:
        del tested.to_message


def _crossing(**changes: object) -> bytes:
    event = f.border_crossing(f.traveler("OKAFOR", "GRACE", dob="1990-02-02"), event_id="bc-in-1") | changes
    return json.dumps(event).encode()


def test_no_agencies_means_no_ingest_agent(settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(kafka=False, smtp=False, twilio=False)
    app, _ = recording_app(settings.app_id)
    assert add_ingest_agent(app, settings, lambda name: app.topic(name), rejected=app.topic("r")) is None


def test_a_valid_event_of_the_agency_is_forwarded_unchanged_with_the_agency_header(
        settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(kafka=False, smtp=False, twilio=False, ingest_agencies=AGENCY)

    async def run() -> None:
        agent, producer = _agent(settings)
        raw = _crossing()
        async with agent.test_context() as tested:
            await _put_on(tested, settings.topic(topics.ingest_topic(AGENCY, "border_crossing")), raw)
            [forwarded] = await producer.wait_for(settings.topic(topics.BORDER_CROSSINGS), 1)
        assert (forwarded.key, forwarded.value) == (b"bc-in-1", raw)
        assert dict(forwarded.headers)["agency"] == AGENCY.encode()
        assert producer.to(settings.topic(topics.REJECTED)) == []

    asyncio.run(run())


def test_an_event_claiming_another_agency_is_refused_and_the_publisher_is_told(
        settings_factory: Callable[..., Settings]) -> None:
    """Dead-lettered with the reason, and answered on the publishing agency's own responses topic."""
    settings = settings_factory(kafka=False, smtp=False, twilio=False, ingest_agencies=AGENCY)

    async def run() -> None:
        agent, producer = _agent(settings)
        ingest = settings.topic(topics.ingest_topic(AGENCY, "border_crossing"))
        async with agent.test_context() as tested:
            await _put_on(tested, ingest, _crossing(agency="fr-visas"))
            await _put_on(tested, ingest, b"[1, 2")
            await _put_on(tested, ingest, _crossing(event_id="bc-in-2"))
            dead = await producer.wait_for(settings.topic(topics.REJECTED), 2)
            answers = await producer.wait_for(settings.topic(f"responses.{AGENCY}"), 2)
            [forwarded] = await producer.wait_for(settings.topic(topics.BORDER_CROSSINGS), 1)
        reasons = [Rejected.model_validate_json(d.value or b"").error for d in dead]
        assert "claims agency 'fr-visas'" in reasons[0] and [d.key for d in dead] == \
            [f"{ingest}:0:0".encode(), f"{ingest}:0:1".encode()]
        told = [Response.model_validate_json(a.value or b"") for a in answers]
        assert [(r.event_id, r.agency, r.result) for r in told] == \
            [("bc-in-1", AGENCY, "rejected"), (f"{ingest}:0:1", AGENCY, "rejected")]
        assert forwarded.key == b"bc-in-2", "the agent carries on after a refusal"

    asyncio.run(run())
