"""The ingest agent: ``ingest.<agency>.*`` -> checked -> ``events.*``. Thin: the rules are
``streams.ingest.check_ingest`` (pure, unit-tested).

It subscribes to the ingest topics of the agencies listed in ``FUGITIVE_ALERTS_INGEST_AGENCIES``
(no agencies: no agent). An explicit list, rather than a topic pattern, keeps partition
assignment static and known at start (Faust's pattern subscriptions find new topics only on a
metadata refresh); adding an agency means adding its ACLs and topics (``fugitive-alerts acls
apply``) and restarting the workers.

A forwarded record keeps the agency's bytes unchanged, is keyed by ``event_id``, and carries the
header ``agency``: the agency the broker authenticated, taken from the topic name. Records are
taken in batches of what has arrived and handed to the producer at the end of each batch, before
the batch is acknowledged (``streams.batches``, as in the screening agent); Faust flushes the
producer before it commits the source offsets, so a crash replays, never loses, an event;
replays are harmless because alert ids are deterministic.

A refused record (invalid, another agency's, or over ``FUGITIVE_ALERTS_MAX_RECORD_BYTES``, which is
refused before decoding) gets a dead letter on ``events.rejected`` and a ``rejected`` answer on
``responses.<agency>``, both produced inside the agent's error boundary: if they cannot be
produced, the record's coordinates are logged and counted, and ingest goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import faust
import structlog

from schemas import Settings, topics

from .batches import Outbox, producer_of, ready_batches
from .dead_letter import Produce, send_answer, send_dead_letter
from .ingest import IngestOutcome, check_ingest, rejection_response
from .metrics import WorkerMetrics
from .screening import reject

MAX_BATCH = 256
"""Records checked together at most; a batch is what has arrived (``streams.batches``), never waited for."""

__all__ = ["add_ingest_agent"]

log = structlog.get_logger(__name__)


def add_ingest_agent(app: faust.App, settings: Settings, raw_topic: Callable[[str], faust.TopicT], *,
                     rejected: faust.TopicT, responses: Any = None, metrics: WorkerMetrics | None = None,
                     send_now: Callable[[], object] = lambda: None) -> Any:
    """Register the ingest agent on ``app`` (``None`` when no agencies are configured)."""
    sources = [settings.topic(topics.ingest_topic(agency, event_type))
               for agency in settings.ingest_agency_list for event_type in topics.EVENT_TOPICS]
    if not sources:
        return None
    source = app.topic(*sources, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    destinations = {name: raw_topic(name) for name in topics.EVENT_TOPICS.values()}
    metrics = metrics or WorkerMetrics()

    destination_names = {name: topic.get_topic_name() for name, topic in destinations.items()}
    rejected_topic = rejected.get_topic_name()
    produce = producer_of(app)
    answers: dict[str, str] = {}  # agency -> its responses topic, declared once

    def lost() -> None:
        metrics.dead_letter_lost("ingest")

    async def to_dead_letters(key: bytes, value: bytes) -> None:
        await produce(rejected_topic, key, value, None)

    async def to_agency(agency: str) -> Produce:
        name = answers.get(agency)
        if name is None:
            name = answers[agency] = (await responses.for_agency(agency)).get_topic_name()
        return lambda key, value: produce(name, key, value, None)

    def decide(msg: Any) -> IngestOutcome:
        """Forward or refuse one record (never raises)."""
        try:
            return check_ingest(msg.value, topic=msg.topic, partition=msg.partition, offset=msg.offset,
                                prefix=settings.topic_prefix, max_bytes=settings.max_record_bytes)
        except Exception as exc:  # a bug on one record must not stop ingest
            log.exception("ingest check failed", topic=msg.topic, partition=msg.partition, offset=msg.offset)
            return IngestOutcome(rejected=reject(msg.value, msg.topic, msg.partition, msg.offset,
                                                 f"internal error while checking: {type(exc).__name__}").rejected)

    async def handle(msg: Any, outcome: IngestOutcome, out: Outbox) -> None:
        if outcome.forward is not None:
            fwd = outcome.forward
            out.add(msg, destination_names[fwd.topic], fwd.key, fwd.value, headers=[("agency", fwd.agency.encode())])
            return
        r = outcome.rejected
        assert r is not None
        await out.flush()  # what the records before it produce goes first, in order
        log.warning("ingest rejected", topic=r.topic, partition=r.partition, offset=r.offset, length=r.length,
                    error=r.error)
        await send_dead_letter(to_dead_letters, r, lost)
        answer = rejection_response(msg.value, r, settings.topic_prefix, settings.max_record_bytes)
        if answer is not None and responses is not None:  # the agency cannot read events.rejected
            await send_answer(to_agency, answer, r, lost)

    async def ingest(stream: faust.StreamT[bytes]) -> None:
        out = Outbox(produce, lost)
        async for batch in ready_batches(stream, MAX_BATCH):  # what has arrived, acked once handled
            for item in batch:
                msg = item.message
                try:  # the agent's error boundary: one record never stops ingest
                    await handle(msg, decide(msg), out)
                except Exception as exc:  # noqa: BLE001
                    log.error("record not handled", topic=msg.topic, partition=msg.partition, offset=msg.offset,
                              reason=type(exc).__name__)
                    lost()
            await out.flush()  # the forwarded events, to the producer before the batch is acked
            send_now()  # and to the broker without waiting out the linger (streams/send_now.py)

    return app.agent(source, name="ingest")(ingest)
