"""The retro-screening agent: a new or changed notice re-screens the events of the retention window.

It consumes ``wanted.notices`` in the worker's consumer group, so each notice change is handled
by one worker, not by all of them. Per batch of wanted records (``take_events``, acknowledged
only after the batch is done):

1. ``streams.retro.classify`` each record against the fingerprint last screened for its notice,
   kept on the compacted topic ``wanted.retro-fingerprints`` (``FingerprintTable``), so it survives restarts;
2. wait until this worker's wanted list (``WantedTable``) has applied the batch, so the worker's
   own matcher holds the new content: retro hits then score exactly as live ones;
3. read each event topic from ``offsets_for_times(now - window)`` to the end offsets taken then
   (group-less consumer), screen each event appended before the notice (plus the grace) against
   the changed notices only, and produce hits to ``alerts`` under their deterministic alert id;
   events appended later were screened live with the notice already loaded;
4. after ``retro_grace_seconds`` past the notice record, read on to the new end offsets: an event
   screened live by a worker that had not loaded the notice yet is caught here;
5. wait for the broker's acks of those alerts, then store the fingerprints.

A crash before 5 replays the batch: the same alerts again (same ids, so the dispatcher sends
nothing twice). A crash after 5 finds the fingerprints on their topic: an identical notice does
not re-screen. Blocking work is bounded: the reader yields to the event loop every few hundred
events, so live screening goes on in between.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import faust
import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from infra import TopicMetadata
from schemas import Alert, Settings, topics

from .retro import Rescreen, Trigger, classify, retro_alerts
from .screening import Screener
from .wanted_table import FingerprintTable, WantedTable

__all__ = ["add_retro_agent", "RetroScreener", "EventLog", "WantedRecord"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class WantedRecord:
    key: bytes | None
    value: bytes | None
    partition: int
    offset: int
    timestamp: float
    """Seconds since the epoch (the Kafka record timestamp)."""


class EventLog:
    """The retained events of the event topics, read between offsets (no consumer group)."""

    def __init__(self, event_topics: dict[str, str], client_kwargs: dict[str, Any]) -> None:
        self.event_types = event_topics
        """topic name -> event_type"""
        self.client_kwargs = client_kwargs
        self._consumer: AIOKafkaConsumer | None = None
        self._metadata: TopicMetadata | None = None
        self._tps: list[TopicPartition] = []

    async def start(self) -> None:
        self._metadata = TopicMetadata(self.client_kwargs)
        await self._metadata.start()
        self._consumer = AIOKafkaConsumer(enable_auto_commit=False, group_id=None, **self.client_kwargs)
        await self._consumer.start()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None
        if self._metadata is not None:
            await self._metadata.close()
            self._metadata = None

    async def _partitions(self) -> list[TopicPartition]:
        assert self._metadata is not None
        return await self._metadata.topic_partitions(self.event_types)

    async def since(self, since_ms: int) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
        """(first offset at or after ``since_ms``, end offset) of every event partition, now."""
        assert self._consumer is not None
        tps = await self._partitions()
        if not tps:
            return {}, {}
        ends = await self._consumer.end_offsets(tps)
        found = await self._consumer.offsets_for_times(dict.fromkeys(tps, since_ms))
        starts = {tp: (hit.offset if (hit := found.get(tp)) is not None else ends[tp]) for tp in tps}
        return starts, ends

    async def ends(self) -> dict[TopicPartition, int]:
        assert self._consumer is not None
        tps = await self._partitions()
        return await self._consumer.end_offsets(tps) if tps else {}

    async def read(
        self, starts: dict[TopicPartition, int], ends: dict[TopicPartition, int]
    ) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
        """Every record from ``starts`` (inclusive) to ``ends`` (exclusive)."""
        assert self._consumer is not None
        todo = {tp: end for tp, end in ends.items() if starts.get(tp, end) < end}
        if not todo:
            return
        self._consumer.assign(list(todo))
        for tp in todo:
            self._consumer.seek(tp, starts[tp])
        while todo:
            batches = await self._consumer.getmany(*todo, timeout_ms=1000, max_records=200)
            for tp, records in batches.items():
                for rec in records:
                    if tp in todo and rec.offset < todo[tp]:
                        yield rec
            for tp in list(todo):
                if await self._consumer.position(tp) >= todo[tp]:
                    del todo[tp]
            await asyncio.sleep(0)  # let live screening run between batches


Send = Callable[[Alert], Awaitable[Awaitable[Any]]]
"""Produce one alert; the awaitable it returns resolves once the broker has acknowledged it."""


class RetroScreener:
    """Handles one batch of wanted records (the agent's body, testable with fakes for its I/O)."""

    def __init__(
        self,
        *,
        screener: Screener,
        fingerprints: MutableMapping[bytes, bytes],
        events: EventLog,
        send: Send,
        window: timedelta,
        grace: float,
        applied: Callable[[dict[int, int]], Awaitable[None]],
    ) -> None:
        self.screener = screener
        self.fingerprints = fingerprints
        self.events = events
        self.send = send
        self.window = window
        self.grace = grace
        self.applied = applied

    def _known(self, notice_id: str) -> str | None:
        fp = self.fingerprints.get(notice_id.encode())
        return fp.decode() if isinstance(fp, bytes | bytearray) else fp

    async def handle(self, records: list[WantedRecord]) -> int:
        """Re-screen the window for the batch's new and changed notices; return the alerts raised."""
        notices: dict[str, Rescreen] = {}
        pending: dict[str, str | None] = {}
        for rec in records:
            nid = rec.key.decode("utf-8", "replace") if rec.key else ""
            known = pending[nid] if nid in pending else self._known(nid)
            change = classify(rec.key, rec.value, known)
            if change.action == "rescreen":
                assert change.trigger is not None
                # The first trigger names it (new, then changed: new); the last record dates it.
                trigger: Trigger = notices[nid].trigger if nid in notices else change.trigger
                notices[change.notice_id] = Rescreen(
                    trigger, datetime.fromtimestamp(rec.timestamp, UTC)
                )
                pending[change.notice_id] = change.fingerprint
            elif change.action == "forget":
                notices.pop(change.notice_id, None)
                pending[change.notice_id] = None
        raised = 0
        if notices:
            last: dict[int, int] = {}
            for rec in records:
                last[rec.partition] = max(last.get(rec.partition, -1), rec.offset)
            await self.applied(last)
            raised = await self._scan(notices, newest=max(r.timestamp for r in records))
        for nid, fp in pending.items():
            if fp is None:
                self.fingerprints.pop(nid.encode(), None)
            else:
                self.fingerprints[nid.encode()] = fp.encode()
        return raised

    async def _scan(self, notices: dict[str, Rescreen], newest: float) -> int:
        started = time.monotonic()
        now = datetime.now(UTC)
        starts, ends = await self.events.since(int((now - self.window).timestamp() * 1000))
        acks: list[Awaitable[Any]] = []
        scanned = await self._screen(starts, ends, notices, now, acks)
        wait = newest + self.grace - time.time()
        if wait > 0:
            await asyncio.sleep(wait)  # the grace period after the notice, not a synchronisation
        later = await self.events.ends()
        scanned += await self._screen(ends, later, notices, datetime.now(UTC), acks)
        for ack in acks:
            await ack  # alerts acknowledged by the broker before the fingerprints are stored
        log.info(
            "retro-screened",
            notices=sorted(notices)[:20],
            notice_count=len(notices),
            events=scanned,
            alerts=len(acks),
            seconds=round(time.monotonic() - started, 3),
        )
        return len(acks)

    async def _screen(
        self,
        starts: dict[TopicPartition, int],
        ends: dict[TopicPartition, int],
        notices: dict[str, Rescreen],
        now: datetime,
        acks: list[Awaitable[Any]],
    ) -> int:
        scanned = 0
        async for rec in self.events.read(starts, ends):
            scanned += 1
            for alert in retro_alerts(
                rec.value,
                topic=rec.topic,
                partition=rec.partition,
                offset=rec.offset,
                appended_at=datetime.fromtimestamp(rec.timestamp / 1000, UTC),
                expected_type=self.events.event_types[rec.topic],
                screener=self.screener,
                notices=notices,
                now=now,
                window=self.window,
                grace=timedelta(seconds=self.grace),
            ):
                log.info(
                    "retro hit",
                    event_id=alert.event_id,
                    notice_id=alert.notice_id,
                    alert_id=alert.alert_id,
                    band=alert.band,
                    urgency=alert.urgency,
                )
                acks.append(await self.send(alert))
        return scanned


def _wait_applied(wanted: WantedTable, timeout: float = 60.0) -> Callable[[dict[int, int]], Awaitable[None]]:
    """Wait until this worker's wanted list has applied the given offsets (partition -> offset)."""

    async def applied(last: dict[int, int]) -> None:
        await wanted.ready.wait()
        deadline = time.monotonic() + timeout
        for partition, offset in last.items():
            while await wanted.position(partition) <= offset:
                if time.monotonic() > deadline:
                    log.warning(
                        "wanted list behind; retro-screening with what it holds",
                        partition=partition,
                        offset=offset,
                    )
                    return
                await asyncio.sleep(0.05)  # polling the loader's position, bounded by the deadline

    return applied


def add_retro_agent(
    app: faust.App,
    settings: Settings,
    *,
    source: faust.TopicT,
    alerts: faust.TopicT,
    screener: Screener,
    wanted: WantedTable,
    fingerprints: FingerprintTable,
) -> Any:
    """Register the retro-screening agent on ``app``; ``fingerprints`` is its memory (a worker service)."""
    event_topics = {settings.topic(name): event_type for event_type, name in topics.EVENT_TOPICS.items()}

    async def send(alert: Alert) -> Awaitable[Any]:
        fut: Awaitable[Any] = await alerts.send(
            key=alert.alert_id.encode(), value=alert.model_dump_json().encode(), force=True
        )
        return fut

    async def retro(stream: faust.StreamT[bytes]) -> None:
        events = EventLog(event_topics, settings.kafka_client_kwargs())
        await events.start()
        await fingerprints.ready.wait()
        worker = RetroScreener(
            screener=screener,
            fingerprints=fingerprints.mapping,
            events=events,
            send=send,
            window=timedelta(days=settings.event_retention_days),
            grace=settings.retro_grace_seconds,
            applied=_wait_applied(wanted),
        )
        try:
            # take_events acks a batch only after it is handled (faust's stubs lack the method)
            async for batch in stream.take_events(500, within=1.0):  # type: ignore[attr-defined]
                records = [
                    WantedRecord(
                        e.message.key,
                        e.message.value,
                        e.message.partition,
                        e.message.offset,
                        e.message.timestamp or time.time(),
                    )
                    for e in batch
                ]
                for attempt in range(1, 4):
                    try:
                        await worker.handle(records)
                        break
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # the agent boundary: log, retry, and never stop the agent
                        log.exception(
                            "retro-screening failed",
                            attempt=attempt,
                            partition=records[0].partition,
                            first_offset=records[0].offset,
                        )
                        await asyncio.sleep(2.0 * attempt)  # back-off between retries
                else:
                    notice_ids = sorted({r.key.decode("utf-8", "replace") for r in records if r.key})
                    log.error(
                        "retro-screening gave up on a batch: re-import these notices to retry",
                        notices=notice_ids[:50],
                        count=len(notice_ids),
                    )
        finally:
            await events.stop()

    return app.agent(source, name="retro-screen")(retro)
