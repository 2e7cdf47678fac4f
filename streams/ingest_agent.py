"""The ingest agent: ``ingest.<agency>.*`` -> checked -> ``events.*``. Thin: the rules are
``streams.ingest.check_ingest`` (pure, unit-tested).

It subscribes to the ingest topics of the agencies listed in ``FUGITIVE_ALERTS_INGEST_AGENCIES``
(no agencies: no agent). An explicit list, rather than a topic pattern, keeps partition
assignment static and known at start (Faust's pattern subscriptions find new topics only on a
metadata refresh); adding an agency means adding its ACLs and topics (``fugitive-alerts acls
apply``) and restarting the workers.

A forwarded record keeps the agency's bytes unchanged, is keyed by ``event_id``, and carries the
header ``agency``: the agency the broker authenticated, taken from the topic name. Sends use
``force=True`` and are flushed before the source offset is committed (as in the screening agent),
so a crash replays, never loses, an event; replays are harmless because alert ids are
deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import faust
import structlog

from schemas import Settings, topics

from .ingest import IngestOutcome, check_ingest, rejection_response
from .screening import reject

__all__ = ["add_ingest_agent"]

log = structlog.get_logger(__name__)


def add_ingest_agent(app: faust.App, settings: Settings, raw_topic: Callable[[str], faust.TopicT], *,
                     rejected: faust.TopicT, responses: Any = None) -> Any:
    """Register the ingest agent on ``app`` (``None`` when no agencies are configured)."""
    sources = [settings.topic(topics.ingest_topic(agency, event_type))
               for agency in settings.ingest_agency_list for event_type in topics.EVENT_TOPICS]
    if not sources:
        return None
    source = app.topic(*sources, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    destinations = {name: raw_topic(name) for name in topics.EVENT_TOPICS.values()}

    async def ingest(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            msg = event.message
            try:
                outcome = check_ingest(msg.value, topic=msg.topic, partition=msg.partition, offset=msg.offset,
                                       prefix=settings.topic_prefix)
            except Exception as exc:  # the agent boundary: a bug on one record must not stop ingest
                log.exception("ingest check failed", topic=msg.topic, partition=msg.partition, offset=msg.offset)
                outcome = IngestOutcome(rejected=reject(msg.value, msg.topic, msg.partition, msg.offset,
                                                        f"internal error while checking: {type(exc).__name__}").rejected)
            if outcome.forward is not None:
                fwd = outcome.forward
                await destinations[fwd.topic].send(key=fwd.key, value=fwd.value, headers={"agency": fwd.agency.encode()},
                                                   force=True)
                continue
            r = outcome.rejected
            assert r is not None
            log.warning("ingest rejected", topic=r.topic, partition=r.partition, offset=r.offset, error=r.error)
            await rejected.send(key=f"{r.topic}:{r.partition}:{r.offset}".encode(), value=r.model_dump_json().encode(),
                                force=True)
            answer = rejection_response(msg.value, r, settings.topic_prefix) if responses is not None else None
            if answer is not None:  # the agency cannot read events.rejected: it is told on its own topic
                topic = await responses.for_agency(answer.agency)
                await topic.send(key=answer.event_id.encode(), value=answer.model_dump_json().encode(), force=True)

    return app.agent(source, name="ingest")(ingest)
