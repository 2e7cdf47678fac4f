"""Producers behind ``publish`` and ``wanted import``: JSONL files into their topics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from aiokafka import AIOKafkaProducer

from consumers import ensure_topics, wait_for_broker
from schemas import EVENT_ADAPTER, Settings, topics

from .jsonl import BadLine, Reading, progress_bar, read_jsonl
from .pacing import Pacer
from .sent import sending
from .wanted_import import import_wanted

__all__ = ["PublishReport", "publish_events", "import_wanted", "import_bureaus", "route_line"]


@dataclass(slots=True)
class PublishReport:
    sent: int = 0
    valid: int = 0
    by_topic: dict[str, int] = field(default_factory=dict)
    bad: list[BadLine] = field(default_factory=list)
    sent_at: dict[str, float] = field(default_factory=dict)
    """event_id -> wall-clock time it was handed to the producer (for latency figures)."""


def route_line(raw: bytes) -> tuple[str, str]:
    """``(event_type, event_id)`` of a raw line, enough to route it without validating the rest."""
    obj = orjson.loads(raw)
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    event_type, event_id = obj.get("event_type"), obj.get("event_id")
    if event_type not in topics.EVENT_TOPICS:
        raise ValueError(f"event_type must be one of {sorted(topics.EVENT_TOPICS)}")
    if not isinstance(event_id, str) or not event_id:
        raise ValueError("event_id missing")
    return event_type, event_id


def _producer(settings: Settings) -> AIOKafkaProducer:
    return AIOKafkaProducer(acks="all", enable_idempotence=True, linger_ms=10, **settings.kafka_client_kwargs())


async def publish_events(settings: Settings, path: Path, *, validate: bool = True,
                         rate: float | None = None, ingest: bool = False) -> PublishReport:
    """Send each event line to the topic of its ``event_type``, keyed by ``event_id``.

    With ``validate`` (the default) a line that fails the event schema is reported and not sent.
    Without it, any line that names a known ``event_type`` is sent as it is, and the pipeline's
    own validation rejects it to ``events.rejected``.
    ``rate`` paces the replay at that many events per second (default: as fast as possible).
    ``ingest``: send each event to its agency's ``ingest.<agency>.*`` topic instead (the way an
    agency publishes when ACLs are on; docs/security.md). Those topics are an admin's to create.
    """
    if ingest:
        await wait_for_broker(settings)
    else:
        await ensure_topics(settings)
    report = PublishReport()
    reading: Reading[tuple[str, str, str]] = Reading()

    def parse(raw: bytes) -> tuple[str, str, str]:
        if validate:
            event = EVENT_ADAPTER.validate_json(raw)
            return event.event_type, event.event_id, event.agency
        event_type, event_id = route_line(raw)
        agency = orjson.loads(raw).get("agency")
        if ingest and not (isinstance(agency, str) and agency):
            raise ValueError("agency missing: an ingest topic is per agency")
        return event_type, event_id, str(agency)

    pacer = Pacer(rate) if rate else None
    async with sending(_producer(settings), settings) as sent:
        with progress_bar() as progress:
            for _, raw, (event_type, event_id, agency) in read_jsonl(path, parse, reading, progress, "events"):
                name = topics.ingest_topic(agency, event_type) if ingest else topics.EVENT_TOPICS[event_type]
                topic = settings.topic(name)
                if pacer is not None:
                    await pacer.wait()
                report.sent_at[event_id] = time.time()
                await sent.send(topic, event_id.encode(), raw)
                report.by_topic[topic] = report.by_topic.get(topic, 0) + 1
                report.sent += 1
        await sent.flush()
    report.bad = reading.bad
    return report


async def import_bureaus(settings: Settings, path: Path, *, prune: bool = False) -> PublishReport:
    """Upsert each bureau of the YAML directory into the compacted ``bureaus`` topic, keyed by id.

    With ``prune``, bureaus on the topic that the file no longer lists are removed (tombstoned).
    Raises ``alerting.DirectoryError`` for an invalid file (nothing is written then).
    """
    from alerting import load_directory
    from consumers.compacted import CompactedView

    directory = load_directory(path)
    await ensure_topics(settings)
    topic = settings.topic(topics.BUREAUS)
    report = PublishReport()
    stale: set[str] = set()
    if prune:
        view: CompactedView[bytes] = CompactedView(topic, settings.kafka_client_kwargs(), lambda raw: raw)
        await view.start()
        await view.ready.wait()
        await view.stop()
        stale = set(view.values) - {b.id for b in directory.bureaus}
    async with sending(_producer(settings), settings) as sent:
        for bureau in directory.bureaus:
            await sent.send(topic, bureau.id.encode(), bureau.model_dump_json().encode())
            report.sent += 1
        for bureau_id in sorted(stale):
            await sent.send(topic, bureau_id.encode(), None)
        await sent.flush()
    report.by_topic[topic] = report.sent
    report.valid = len(stale)
    return report
