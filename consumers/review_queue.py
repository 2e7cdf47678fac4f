"""The review queue on Kafka: a group-less reader of ``reviews`` and ``reviews.decisions``, and the decision producer.

:class:`ReviewQueue` reads both topics whole from the beginning and follows them (no consumer
group, so any number of consoles, and later the dispatcher's digest loop, can hold the same view).
``items`` and ``decisions`` are live ``item id -> record`` maps; the open queue of an officer is
computed from them by :mod:`consumers.review_rules`, the clearances that hold by
:mod:`consumers.review_clearances`. :meth:`ReviewQueue.record` writes a decision (acks=all) and
applies it at once, so the deciding console never shows a decided item again.
:func:`revoke_clearance` is the command line's revocation: it reads ``reviews.decisions`` whole,
checks the item's last decision is a clearance that holds, and writes the ``revoked`` record.

Retention (docs/review.md): ``reviews`` deletes records after ``review_retention_days``
(``retention.ms``, with day-long segments so deletion is not held up by an open segment), and the
queue ignores items older than that meanwhile. :meth:`ReviewQueue.sweep` (hourly, and at start)
replaces each decision that old by a tombstone on the compacted ``reviews.decisions``; compaction
then removes the value, and the tombstone itself after ``delete.retention.ms`` (a day).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, MutableMapping
from datetime import UTC, datetime, timedelta

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import ClusterAuthorizationFailedError, TopicAlreadyExistsError, TopicAuthorizationFailedError

from schemas import Settings, topics
from schemas.reviews import ReviewDecision, ReviewItem, confirmed_alert

from .compacted import CompactedView
from .review_clearances import clearances_of, revocation, revoke
from .review_rules import (
    Entry,
    Principal,
    QueueFilter,
    due_for_deletion,
    find_visible,
    open_entries,
    open_queue,
    queue_depths,
)

__all__ = ["ReviewQueue", "ensure_review_topics", "review_topic_specs", "revoke_clearance"]

log = structlog.get_logger(__name__)
SWEEP_EVERY_SECONDS = 3600.0
_DAY_MS = str(86_400_000)


def review_topic_specs(settings: Settings) -> list[NewTopic]:
    """``reviews`` keeps ``review_retention_days``; ``reviews.decisions`` is compacted."""
    n, rf = settings.partitions, settings.replication_factor
    return [
        NewTopic(settings.topic(topics.REVIEWS), num_partitions=n, replication_factor=rf,
                 topic_configs={"retention.ms": str(settings.review_retention_days * 86_400_000),
                                "segment.ms": _DAY_MS}),
        NewTopic(settings.topic(topics.REVIEW_DECISIONS), num_partitions=n, replication_factor=rf,
                 topic_configs={"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1",
                                "segment.ms": _DAY_MS, "delete.retention.ms": _DAY_MS}),
    ]


async def ensure_review_topics(settings: Settings) -> list[str]:
    """Create the two review topics if missing; return the names created (existing ones are left as they are)."""
    admin = AIOKafkaAdminClient(**settings.kafka_client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in review_topic_specs(settings) if spec.name not in existing]
        if missing:
            response = await admin.create_topics(missing)
            denied = (TopicAuthorizationFailedError.errno, ClusterAuthorizationFailedError.errno)
            for name, code, *rest in response.topic_errors:
                if code in denied:  # with ACLs on, an admin creates the topics
                    log.warning("not authorized to create this topic; an admin must create it", topic=name)
                elif code not in (0, TopicAlreadyExistsError.errno):
                    raise RuntimeError(f"could not create topic {name!r}: error {code} {rest[-1] if rest else ''}")
        return [spec.name for spec in missing]
    finally:
        await admin.close()


class ReviewQueue:
    """The review topics as live maps. ``on_item`` / ``on_decision`` are called for each record that arrives
    after the initial load (a decision tombstone passes ``None``); start from :meth:`open_entries` when ready."""

    def __init__(self, settings: Settings, *, on_item: Callable[[str, ReviewItem | None], None] | None = None,
                 on_decision: Callable[[str, ReviewDecision | None], None] | None = None,
                 read_only: bool = False) -> None:
        """``read_only``: a view only (the ops monitor): no topic creation, no decisions, no retention sweep."""
        kwargs = settings.kafka_client_kwargs()
        self.settings = settings
        self.read_only = read_only
        self._items = CompactedView(settings.topic(topics.REVIEWS), kwargs, ReviewItem.model_validate_json,
                                    on_change=on_item)
        self._decisions = CompactedView(settings.topic(topics.REVIEW_DECISIONS), kwargs,
                                        ReviewDecision.model_validate_json, on_change=on_decision)
        self._producer: AIOKafkaProducer | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.retention = timedelta(days=settings.review_retention_days)

    @property
    def items(self) -> dict[str, ReviewItem]:
        """Items on ``reviews`` within the retention period (older ones are being deleted by the broker)."""
        oldest = datetime.now(UTC) - self.retention
        return {k: v for k, v in self._items.values.items() if v.queued_at > oldest}

    @property
    def decisions(self) -> MutableMapping[str, ReviewDecision]:
        return self._decisions.values

    @property
    def ready(self) -> bool:
        """Both topics read up to the end offsets seen at start."""
        return self._items.ready.is_set() and self._decisions.ready.is_set()

    async def wait_ready(self, timeout: float | None) -> None:
        await asyncio.wait_for(asyncio.gather(self._items.ready.wait(), self._decisions.ready.wait()), timeout)

    async def start(self) -> None:
        if self.read_only:
            await self._items.start()
            await self._decisions.start()
            return
        await ensure_review_topics(self.settings)
        self._producer = AIOKafkaProducer(acks="all", enable_idempotence=True,
                                          **self.settings.kafka_client_kwargs())
        await self._producer.start()
        await self._items.start()
        await self._decisions.start()
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="reviews:retention")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await asyncio.gather(self._items.stop(), self._decisions.stop())
        if self._producer is not None:
            await self._producer.stop()

    def open_queue(self, principal: Principal, query: QueueFilter, now: datetime) -> list[Entry]:
        return open_queue(self.items, self.decisions, principal, query, now)

    def open_entries(self) -> list[Entry]:
        """Every open item in every queue, oldest first (e.g. the dispatcher's digest loop at start)."""
        return open_entries(self.items, self.decisions)

    def find(self, principal: Principal, item_id: str) -> Entry | None:
        return find_visible(self.items, self.decisions, principal, item_id)

    def depths(self, now: datetime) -> dict[str, tuple[int, float]]:
        return queue_depths(self.items, self.decisions, now)

    def clearances(self, principal: Principal, now: datetime) -> list[ReviewDecision]:
        """The clearances of the officer's bureaus that hold at ``now``, newest first."""
        return clearances_of(self.decisions, principal, now, self.settings.clearance_days)

    def revocation(self, principal: Principal, item_id: str, reason: str, now: datetime) -> ReviewDecision:
        """The record revoking the item's clearance (``consumers.review_clearances.revoke``); write it with
        :meth:`record`. ``DecisionRefused`` (404) unless one of the officer's bureaus made a clearance that holds."""
        return revoke(self.decisions, principal, item_id, reason, now, self.settings.clearance_days)

    async def record(self, decision: ReviewDecision) -> None:
        """Write the decision to ``reviews.decisions`` (waits for the broker's ack) and apply it here at once.

        A ``confirm`` first writes the confirmed alert to ``alerts`` (``schemas.reviews.confirmed_alert``), where
        the dispatcher routes, escalates and tracks it as any other; only then the decision. A failure in
        between leaves the item open: deciding it again writes the same alert (same id), delivered once.
        """
        assert self._producer is not None, "start() first"
        item = self._items.values.get(decision.item_id)
        if decision.outcome == "confirm" and item is not None:
            alert = confirmed_alert(item, decision)
            await self._producer.send_and_wait(self.settings.topic(topics.ALERTS), key=alert.alert_id.encode(),
                                               value=alert.model_dump_json().encode())
            log.info("review confirmed: alert raised", alert_id=alert.alert_id, urgency=alert.urgency)
        await self._producer.send_and_wait(self.settings.topic(topics.REVIEW_DECISIONS),
                                           key=decision.item_id.encode(),
                                           value=decision.model_dump_json().encode())
        self._decisions.values[decision.item_id] = decision
        log.info("review decided", item_id=decision.item_id, alert_id=decision.alert_id, notice_id=decision.notice_id,
                 bureau_id=decision.bureau_id, officer=decision.officer, outcome=decision.outcome,
                 referred_to=decision.referred_to)

    async def sweep(self, now: datetime) -> list[str]:
        """Tombstone every decision older than the retention period at ``now``; return their item ids."""
        assert self._producer is not None, "start() first"
        due = due_for_deletion(self.decisions, now, self.retention)
        for item_id in due:
            await self._producer.send_and_wait(self.settings.topic(topics.REVIEW_DECISIONS), key=item_id.encode(),
                                               value=None)
            self._decisions.values.pop(item_id, None)
        if due:
            log.info("review decisions past retention deleted", count=len(due))
        return due

    async def _sweep_forever(self) -> None:
        await self._decisions.ready.wait()
        while True:
            try:
                await self.sweep(datetime.now(UTC))
            except Exception as exc:  # noqa: BLE001 - a failed sweep is retried at the next interval, never fatal
                log.warning("retention sweep failed; retried later", error=type(exc).__name__)
            await asyncio.sleep(SWEEP_EVERY_SECONDS)  # the sweep's interval, not synchronisation


async def revoke_clearance(settings: Settings, item_id: str, reason: str, officer: str,
                           now: datetime | None = None, timeout: float | None = 60.0) -> ReviewDecision:
    """Revoke the clearance of ``item_id`` for the bureau that made it, as ``officer``; return the record written.

    Reads ``reviews.decisions`` to its end, checks the item's last decision (``review_clearances.revocation``:
    ``DecisionRefused`` says why not), and writes the ``revoked`` decision (acks=all). Every worker then drops
    the clearance. Raises ``infra.TopicNotFound`` when the topic does not exist.
    """
    topic = settings.topic(topics.REVIEW_DECISIONS)
    view = CompactedView(topic, settings.kafka_client_kwargs(), ReviewDecision.model_validate_json)
    await view.start()
    try:
        await asyncio.wait_for(view.ready.wait(), timeout)
        last = view.values.get(item_id)
        decision = revocation(last, item_id, officer, last.bureau_id if last else "", reason,
                              now or datetime.now(UTC), settings.clearance_days)
    finally:
        await view.stop()
    producer = AIOKafkaProducer(acks="all", enable_idempotence=True, **settings.kafka_client_kwargs())
    await producer.start()
    try:
        await producer.send_and_wait(topic, key=item_id.encode(), value=decision.model_dump_json().encode())
    finally:
        await producer.stop()
    log.info("clearance revoked", item_id=item_id, alert_id=decision.alert_id, notice_id=decision.notice_id,
             bureau_id=decision.bureau_id, officer=officer)
    return decision
