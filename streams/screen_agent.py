"""The screening agent: one instance per event topic. Thin: decode, screen, produce.

The business logic is ``streams.screening.screen_record`` (pure, tested without Kafka). The agent
only moves bytes: alerts go to ``alerts`` keyed by their deterministic ``alert_id``; the answer
for the publishing agency goes to ``responses.<agency>`` keyed by ``event_id``; a bad record goes
to ``events.rejected`` (a bounded prefix with the record's length and SHA-256), with a ``rejected``
answer for the agency when the record came through its ingest topic (the ``agency`` header the
ingest agent sets), and the agent carries on with the next one. A record over
``max_record_bytes`` is refused before it is decoded. Everything done for one record sits inside
the agent's error boundary: if even the dead letter cannot be produced, the record's coordinates
are logged and counted (``fugitive_alerts_dead_letters_lost_total``) and screening goes on.

Records are handed to the producer at once (what ``force=True`` does), rather than when the
source offset is committed (Faust "attachments" would hold them up to ``broker_commit_interval``).
At-least-once is kept all the same: before Faust commits a source offset it flushes the producer
(``Consumer._commit_offsets``), so an event's offset is never committed before its alerts are
acknowledged by the broker. A crash in between replays the event; the alert id is deterministic
and delivery is idempotent, so nobody is messaged twice. The response and the alerts of one event
belong to the same commit unit in this way: both are flushed before the event's offset is
committed, so after a crash they are either both there or both produced again.

Records are taken in batches of what has arrived (``streams.batches.ready_batches``: one event
alone is a batch of one, handed over at once; never more than ``max_batch``). A batch is decided
stage by stage (``decide``: ``streams.screening.screen_records`` decodes every record, then screens
every event, then makes every alert and answer), then each record's outgoing records are added
to the batch's :class:`Outbox` (``handle``); the outbox is handed to the producer at the end of the
batch, in order, and only then are the batch's events acknowledged to Faust; the producer sends
them without waiting out its linger (``streams.send_now``). A refused record first flushes what is
pending, then produces its dead letter at once. Per batch, not per event: the bureau directory,
the metrics counters, the responses topic's name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import faust
import structlog

from schemas import Alert, BureauDirectory, DocumentCheck, Rejected, Response, SourcePosition, response_topic

from .batches import Outbox, producer_of, ready_batches
from .dead_letter import Produce, oversize_error, send_answer, send_dead_letter
from .documents import check_request
from .ingest import rejection_answer
from .metrics import WorkerMetrics
from .screening import ClearanceLookup, Outcome, Screener, reject, screen_records

DEFAULT_MAX_RECORD_BYTES = 256 * 1024
MAX_BATCH = 256
"""Events screened together at most; a batch is what has arrived (``streams.batches``), never waited for."""

__all__ = ["add_screen_agent", "ResponseTopics"]

log = structlog.get_logger(__name__)


class ResponseTopics:
    """``responses.<agency>`` topics, declared (created if missing) the first time an agency is seen."""

    def __init__(self, app: faust.App, prefix: str, partitions: int) -> None:
        self.app, self.prefix, self.partitions = app, prefix, partitions
        self._topics: dict[str, faust.TopicT] = {}

    async def for_agency(self, agency: str) -> faust.TopicT:
        topic = self._topics.get(agency)
        if topic is None:
            topic = self.app.topic(f"{self.prefix}{response_topic(agency)}", partitions=self.partitions,
                                   key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
            await topic.maybe_declare()
            self._topics[agency] = topic
        return topic


def add_screen_agent(
    app: faust.App,
    *,
    source: faust.TopicT,
    event_type: str,
    screener: Screener,
    alerts: faust.TopicT,
    rejected: faust.TopicT,
    ready: tuple[asyncio.Event, ...],
    responses: ResponseTopics,
    directory: Callable[[], BureauDirectory | None] = lambda: None,
    metrics: WorkerMetrics | None = None,  # ops (issue 5): counters and latency, see streams/metrics.py
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    document_checks: faust.TopicT | None = None,  # issue 19: events with a document are answered after the check
    max_batch: int = MAX_BATCH,
    clearances: ClearanceLookup | None = None,  # issue 17: cleared namesakes, see streams/clearances.py
    send_now: Callable[[], object] = lambda: None,  # the batch's records go now (streams/send_now.py)
) -> Any:
    metrics = metrics or WorkerMetrics()
    alerts_topic, rejected_topic = alerts.get_topic_name(), rejected.get_topic_name()
    checks_topic = document_checks.get_topic_name() if document_checks is not None else ""
    answers: dict[str, str] = {}  # agency -> its responses topic, declared once

    def lost() -> None:
        metrics.dead_letter_lost("screen")

    produce = producer_of(app)

    async def answer_topic(agency: str) -> str:
        name = answers.get(agency)
        if name is None:
            name = answers[agency] = (await responses.for_agency(agency)).get_topic_name()
        return name

    async def to_agency(agency: str) -> Produce:
        topic = await answer_topic(agency)
        return lambda key, value: produce(topic, key, value, None)

    async def refuse(msg: Any, r: Rejected) -> None:
        """The dead letter, then the agency's answer when the ingest agent forwarded the event (its header)."""
        log.warning("event rejected", topic=r.topic, partition=r.partition, offset=r.offset, length=r.length,
                    error=r.error)
        await send_dead_letter(lambda k, v: produce(rejected_topic, k, v, None), r, lost)
        agency = _agency_header(msg)
        if agency is not None:  # only an authenticated agency is answered (docs/responses.md)
            answer = rejection_answer(msg.value, r, agency=agency, event_type=event_type, max_bytes=max_record_bytes)
            await send_answer(to_agency, answer, r, lost)

    def failed(msg: Any, exc: Exception) -> Outcome:
        """A bug on one record must not stop screening: that record is refused as an internal error."""
        log.exception("screening failed", topic=msg.topic, partition=msg.partition, offset=msg.offset)
        return reject(msg.value, msg.topic, msg.partition, msg.offset,
                      f"internal error while screening: {type(exc).__name__}")

    def decide(msgs: list[Any], bureaus: BureauDirectory | None) -> list[Outcome]:
        """What to do with each record of a batch, in order: refused before decoding when too large, else
        screened, the batch stage by stage (``screen_records``; never raises for one record)."""
        too_large = [oversize_error(msg.value, max_record_bytes) for msg in msgs]
        screened = iter(screen_records([msg for msg, big in zip(msgs, too_large, strict=True) if big is None],
                                       expected_type=event_type, screener=screener, failed=failed,
                                       directory=bureaus, clearances=clearances))
        return [next(screened) if big is None else reject(msg.value, msg.topic, msg.partition, msg.offset, big)
                for msg, big in zip(msgs, too_large, strict=True)]

    async def handle(msg: Any, outcome: Outcome, out: Outbox) -> None:
        """One record's outgoing records, added to the batch's ``out`` (a refusal is produced at once)."""
        if outcome.rejected is not None:
            await out.flush()  # what the records before it produce goes first, in order
            await refuse(msg, outcome.rejected)
            return
        if outcome.cleared:
            metrics.hits_cleared(len(outcome.cleared))
        for applied in outcome.cleared:  # ids only: the officer's id, never a name
            log.info("hit cleared", event_id=msg.key.decode("utf-8", "replace") if msg.key else None,
                     alert_id=applied.alert_id, cleared_by=applied.cleared_by, bureau_id=applied.bureau_id)
        for alert in outcome.alerts:
            log.info("hit", event_id=alert.event_id, notice_id=alert.notice_id, alert_id=alert.alert_id,
                     band=alert.band, score=alert.score)
            out.add(msg, alerts_topic, alert.alert_id.encode(), _json(alert),
                    sent=partial(metrics.alert_raised, alert.band, msg.timestamp))  # ops metrics hook
        check = None if document_checks is None else check_request(
            outcome, SourcePosition(topic=msg.topic, partition=msg.partition, offset=msg.offset))
        if check is not None:  # issue 19: streams/document_agent.py answers
            out.add(msg, checks_topic, check[0].encode(), _json(check[1]))
        elif outcome.response is not None:
            out.add(msg, await answer_topic(outcome.response.agency), outcome.response.event_id.encode(),
                    _json(outcome.response))

    async def screen(stream: faust.StreamT[bytes]) -> None:
        for event in ready:  # the wanted list and the bureau directory are loaded
            await event.wait()
        out = Outbox(produce, lost)
        async for batch in ready_batches(stream, max_batch):  # what has arrived, acked once handled
            msgs = [item.message for item in batch]
            outcomes = decide(msgs, directory())
            refused = 0
            for msg, outcome in zip(msgs, outcomes, strict=True):
                try:  # the agent's error boundary: one record never stops screening
                    refused += outcome.rejected is not None
                    await handle(msg, outcome, out)
                except Exception as exc:  # noqa: BLE001
                    log.error("record not handled", topic=msg.topic, partition=msg.partition, offset=msg.offset,
                              reason=type(exc).__name__)
                    lost()
            await out.flush()  # the batch's alerts and answers, to the producer before the batch is acked
            send_now()  # and to the broker without waiting out the producer's linger
            metrics.screened(event_type, len(batch), rejected=refused)  # ops metrics hook

    return app.agent(source, name=f"screen-{event_type.replace('_', '-')}")(screen)


def _json(model: Alert | Response | DocumentCheck) -> bytes:
    """``model.model_dump_json().encode()``, without the round trip through ``str``."""
    return model.__pydantic_serializer__.to_json(model)


def _agency_header(msg: Any) -> str | None:
    """The ``agency`` header the ingest agent puts on a forwarded event (the broker-authenticated agency)."""
    headers = msg.headers or ()
    for key, value in headers.items() if isinstance(headers, Mapping) else headers:
        if key == "agency" and isinstance(value, bytes):
            return value.decode("ascii", "replace")
    return None
