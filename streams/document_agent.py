"""The reported-documents table and its two agents. Thin: decode, call ``streams.documents``, produce.

Topology (docs/documents.md): ``documents.reported`` (compacted, keyed by document) feeds the
Faust table ``documents`` (RocksDB, changelog ``<app id>-documents-changelog``) through the
``documents-report`` agent; ``documents.checks`` (keyed by document, same partition count) is
read by ``documents-check``, which looks the document up in the same partition of the table,
records the sighting in the table ``document-sightings``, and produces the alerts and the one
answer. Faust assigns the same partition numbers of co-partitioned topics to the same worker, so
a check and the report it needs are always in the same worker, in the same RocksDB partition.

The check agent takes the checks that have arrived in batches (``streams.batches``, as the screening
agent does) and writes a batch's sightings together (``streams.table_batch``, as the report agent
writes reports): the answers first, then the sightings, then the batch is acknowledged.

Each agent catches errors at its boundary: a bad record is dead-lettered with the reason and
the agent goes on. Sends go straight to the producer (as in ``streams.screen_agent``); Faust
flushes it before it commits source offsets, so at-least-once holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import faust
import structlog
from aiokafka import TopicPartition
from faust.types import TableT

from schemas import BureauDirectory, Rejected, ReportedDocument, Settings, SightingRef, topics

from .batches import ready_batches
from .documents import add_sighting, check_document, classify_report, decode_check, retro_alert, sightings_in_window
from .retro_agent import EventLog
from .rocksdb_memory import SharedMemory
from .screen_agent import ResponseTopics
from .table_batch import TableBatch, table_get

__all__ = ["DocumentTables", "add_document_agents"]

log = structlog.get_logger(__name__)

REPORT_BATCH = 1024
"""Reported documents loaded together at most: one changelog send and one RocksDB write batch per
partition (``streams.table_batch``)."""
REPORT_WITHIN = 0.1
"""Seconds a report may wait for its batch to fill: the delay of a lone report before it is in the table."""
CHECK_BATCH = 256
"""Check records handled together at most: what has arrived, never waited for (``streams.batches``)."""


@dataclass
class DocumentTables:
    reports: TableT[bytes, bytes]
    sightings: TableT[bytes, bytes]
    checks: faust.TopicT
    memory: SharedMemory


def add_document_agents(
    app: faust.App,
    settings: Settings,
    *,
    raw_topic: Callable[[str], faust.TopicT],
    alerts: faust.TopicT,
    rejected: faust.TopicT,
    responses: ResponseTopics,
    directory: Callable[[], BureauDirectory | None],
    ready: asyncio.Event,
    send_now: Callable[[], object] = lambda: None,
) -> DocumentTables:
    """Declare the tables and register the report and check agents on ``app``."""
    window = timedelta(days=settings.event_retention_days)
    mib = 1024 * 1024
    memory = SharedMemory(int(settings.documents_block_cache_mb * mib), int(settings.documents_write_buffer_mb * mib))

    def table(name: str, help: str) -> TableT[bytes, bytes]:
        # "rocksdb:<name>", not "rocksdb://": Faust tests the table's store URL for truth, and yarl's
        # URL("rocksdb://") is falsy, so the table would silently use the app's memory store.
        made = app.Table(name, store=f"rocksdb:{name}", partitions=settings.partitions, key_type=bytes,
                         value_type=bytes, help=help)
        memory.use_for(made)
        return made

    reports = table("documents", "document key -> ReportedDocument (JSON), from documents.reported")
    sightings = table("document-sightings", "document key -> recent events that carried it (positions)")
    checks = raw_topic(topics.DOCUMENT_CHECKS)
    events = EventLog({settings.topic(name): t for t, name in topics.EVENT_TOPICS.items()},
                      settings.kafka_client_kwargs())

    async def produce(topic: faust.TopicT | str, key: bytes, value: bytes) -> None:
        name = topic if isinstance(topic, str) else topic.get_topic_name()
        await app.producer.send(name, key, value, partition=None, timestamp=None, headers=None)

    async def dead_letter(msg: Any, error: str) -> None:
        log.warning("record rejected", topic=msg.topic, partition=msg.partition, offset=msg.offset, error=error)
        record = Rejected.of(msg.value, topic=msg.topic, partition=msg.partition, offset=msg.offset, error=error)
        await produce(rejected, f"{msg.topic}:{msg.partition}:{msg.offset}".encode(), record.model_dump_json().encode())

    async def read_event(source: Any) -> bytes | None:
        tp = TopicPartition(source.topic, source.partition)
        async for rec in events.read({tp: source.offset}, {tp: source.offset + 1}):
            return rec.value  # type: ignore[no-any-return]
        return None

    async def retro(key: str, report: ReportedDocument, seen: list[SightingRef]) -> None:
        now = datetime.now(UTC)
        for ref in seen:
            alert = retro_alert(await read_event(ref.source), key, report, now, window)
            if alert is not None:
                log.info("retro document hit", event_id=alert.event_id, alert_id=alert.alert_id,
                         reference=report.reference, urgency=alert.urgency)
                await produce(alerts, alert.alert_id.encode(), alert.model_dump_json().encode())

    async def send_changelog(topic: str, partition: int, key: bytes, value: bytes | None) -> Any:
        return await app.producer.send(topic, key, value, partition=partition, timestamp=None, headers=None)

    async def load_reports(batch: list[Any]) -> None:
        """One batch of ``documents.reported``: classified, written (changelog, then RocksDB), then retro-screened."""
        writes = TableBatch(reports, send_changelog)
        handled: list[Any] = []
        retros: list[tuple[str, ReportedDocument, list[SightingRef]]] = []
        for event in batch:
            msg = event.message
            try:
                key = msg.key
                change = classify_report(key, msg.value, writes.get(msg.partition, key) if key else None)
                if change.action == "invalid":
                    await dead_letter(msg, change.error or "invalid")
                elif change.action != "unchanged":
                    writes.set(msg.partition, key, change.value)  # None for a delete
                    handled.append(msg)
                    if change.new:
                        assert change.report is not None
                        seen = sightings_in_window(table_get(sightings, msg.partition, key), datetime.now(UTC), window)
                        if seen:
                            retros.append((key.decode(), change.report, seen))
            except Exception as exc:  # the agent boundary: one bad record must not stop the table
                log.exception("reported document failed", topic=msg.topic, partition=msg.partition, offset=msg.offset)
                await dead_letter(msg, f"internal error on a reported document: {type(exc).__name__}")
        try:
            await writes.commit()
        except Exception as exc:  # the batch's writes failed: each of its records is dead-lettered
            log.exception("reported documents not written", records=len(handled))
            for msg in handled:
                await dead_letter(msg, f"internal error on a reported document: {type(exc).__name__}")
            return
        for key, report, seen in retros:
            try:
                await retro(key, report, seen)
            except Exception:  # the agent boundary: the report is loaded; its retro alerts are lost, and logged
                log.exception("retro-screening a reported document failed", reference=report.reference)

    async def report_agent(stream: faust.StreamT[bytes]) -> None:
        await events.start()
        try:
            # Faust's take_events, not streams.batches.ready_batches: a table load gains from full batches
            # (one RocksDB write per batch) more than from answering at once, and take_events waits up to
            # REPORT_WITHIN to fill one. A batch is acked once handled.
            async for batch in stream.take_events(REPORT_BATCH, within=REPORT_WITHIN):  # type: ignore[attr-defined]
                await load_reports(batch)
        finally:
            await events.stop()

    async def handle_check(msg: Any, seen_by: TableBatch) -> None:
        """One check record: its sighting added to ``seen_by``, then its alerts, next hop or answer produced."""
        check = decode_check(msg.value, msg.key)
        if isinstance(check, str):
            await dead_letter(msg, check)
            return
        key = msg.key
        raw = table_get(reports, msg.partition, key)  # co-partitioned: the report is in the check's partition
        report = ReportedDocument.model_validate_json(raw) if raw else None
        now = datetime.now(UTC)
        seen = SightingRef(event_id=check.event.event_id, occurred_at=check.event.occurred_at, source=check.source)
        seen_by.set(msg.partition, key, add_sighting(seen_by.get(msg.partition, key), seen, now, window))
        outcome = check_document(check, report, directory=directory(), now=now)
        for alert in outcome.alerts:
            log.info("document hit", event_id=alert.event_id, alert_id=alert.alert_id,
                     reference=report.reference if report else None, urgency=alert.urgency)
            await produce(alerts, alert.alert_id.encode(), alert.model_dump_json().encode())
        if outcome.forward is not None:
            next_key, record = outcome.forward
            await produce(checks, next_key.encode(), record.model_dump_json().encode())
        if outcome.response is not None:
            topic = await responses.for_agency(outcome.response.agency)
            await produce(topic, outcome.response.event_id.encode(), outcome.response.model_dump_json().encode())

    async def check_agent(stream: faust.StreamT[bytes]) -> None:
        await ready.wait()  # the bureau directory: answers name the bureau to call
        # What has arrived, as the screening agent takes it (streams.batches): a lone check at once, under load
        # a batch, whose sightings go to the changelog and RocksDB together (streams.table_batch); acked after.
        async for batch in ready_batches(stream, CHECK_BATCH):
            seen_by = TableBatch(sightings, send_changelog)
            for event in batch:
                msg = event.message
                try:
                    await handle_check(msg, seen_by)
                except Exception as exc:  # the agent boundary
                    log.exception("document check failed", topic=msg.topic, partition=msg.partition,
                                  offset=msg.offset)
                    await dead_letter(msg, f"internal error while checking a document: {type(exc).__name__}")
            send_now()  # the answers go without waiting out the producer's linger (streams/send_now.py)
            try:
                await seen_by.commit()
            except Exception:  # the answers are out; the sightings of this batch are not recorded (logged, ids only)
                log.exception("document sightings not written", checks=len(batch),
                              first_offset=batch[0].message.offset, partition=batch[0].message.partition)

    app.agent(raw_topic(topics.DOCUMENTS), name="documents-report")(report_agent)
    app.agent(checks, name="documents-check")(check_agent)
    return DocumentTables(reports=reports, sightings=sightings, checks=checks, memory=memory)
