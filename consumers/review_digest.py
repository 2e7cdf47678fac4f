"""The dispatcher's review side: review-band alerts become items on ``reviews``, analysts get digests.

- :meth:`ReviewDigests.queue` writes a review-band alert to ``reviews`` as a
  :class:`~schemas.reviews.ReviewItem` (``alerting.review_item_for``) instead of emailing it.
- The digest loop follows ``reviews`` and ``reviews.decisions`` (group-less views, as the review
  console) and feeds ``alerting.digest.step``: an item queued -> ``Queued`` for each of its bureaus,
  a decision -> ``Decided`` (an ``unsure`` one queues the item again for the bureau it was referred
  to), a tick every second. Each ``SendDigest`` is one email per analyst of the bureau
  (``alerting.render_digest``: ids and places only), sent by the dispatcher's ``Sender`` like any
  delivery: retried with back-off while the SMTP server refuses it for a while, and its outcome
  recorded on ``alerts.deliveries`` (kind ``digest``) under the digest's id, ``D-<bureau>-<time>``
  (``alerting.digest_id``).

With several dispatchers every one keeps the grouping state, and the one that holds partition 0 of
``alerts`` sends (:attr:`ReviewDigests.leader`); a rebalance in the middle of an interval can send a
digest twice or drop one. After a restart, items queued within the last interval are listed again;
older open items are not (the console and its ``/metrics`` show them).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog

from alerting import (
    Recipient,
    digest,
    digest_id,
    digest_recipients,
    message_id_for,
    message_key,
    render_digest,
    review_item_for,
)
from alerting.email import OutgoingEmail, build_message
from schemas import Alert, BureauDirectory, Settings, topics
from schemas.reviews import ReviewDecision, ReviewItem

from .compacted import CompactedView
from .publisher import Publisher
from .review_rules import entry_of, open_entries
from .sender import Sender

__all__ = ["ReviewDigests"]

log = structlog.get_logger(__name__)
_TICK = 1.0
"""Seconds between two checks for due digests."""


class ReviewDigests:
    def __init__(self, settings: Settings, publisher: Publisher, sender: Sender,
                 directory: Callable[[], BureauDirectory], leader: Callable[[], bool]) -> None:
        self.settings, self.publisher, self.sender = settings, publisher, sender
        self.directory, self.leader = directory, leader
        self.config = digest.DigestConfig(group_wait=timedelta(seconds=settings.review_group_wait_seconds),
                                          group_interval=timedelta(minutes=settings.review_group_interval_minutes))
        self.state = digest.DigestState()
        kwargs = settings.kafka_client_kwargs()
        # every open item holds its whole alert: kept as bytes (infra.Undecoded), decoded for a digest;
        # one per review hit, and a digest waits seconds for more anyway: read gathered
        self.items: CompactedView[ReviewItem] = CompactedView(
            settings.topic(topics.REVIEWS), kwargs, ReviewItem.model_validate_json, on_change=self._on_item,
            encode=lambda item: item.model_dump_json().encode(), gather=True)
        self.decisions: CompactedView[ReviewDecision] = CompactedView(
            settings.topic(topics.REVIEW_DECISIONS), kwargs, ReviewDecision.model_validate_json,
            on_change=self._on_decision)
        self._task: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        self.sent = 0
        """Digest emails sent by this dispatcher (for tests and logs)."""

    async def queue(self, alert: Alert) -> None:
        """Write a review-band alert to ``reviews`` (keyed by its alert id; a replay writes the same item)."""
        item = review_item_for(alert, self.directory())
        await self.publisher.publish(topics.REVIEWS, item.item_id, item.model_dump_json().encode())
        log.info("review item queued", bureaus=item.bureaus)

    async def start(self) -> None:
        await self.items.start()
        await self.decisions.start()
        self._task = asyncio.create_task(self._run(), name="review-digests")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._sending):
            task.cancel()
        await asyncio.gather(self.items.stop(), self.decisions.stop())

    def _feed(self, event: digest.Queued | digest.Decided | digest.Tick) -> None:
        self.state, actions = digest.step(self.state, event, datetime.now(UTC), self.config)
        if actions and self.leader():
            task = asyncio.get_running_loop().create_task(self._send(actions))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    def _on_item(self, item_id: str, item: ReviewItem | None) -> None:
        if item is None:
            return
        entry = entry_of(item, self.decisions.values.get(item_id))
        for bureau in entry.bureaus if entry else ():
            self._feed(digest.Queued(bureau, item_id))

    def _on_decision(self, item_id: str, decision: ReviewDecision | None) -> None:
        self._feed(digest.Decided(item_id))
        if decision is not None and decision.referred_to is not None and item_id in self.items.values:
            self._feed(digest.Queued(decision.referred_to, item_id))  # the referred bureau is told too

    async def _run(self) -> None:
        await asyncio.gather(self.items.ready.wait(), self.decisions.ready.wait())
        recent = datetime.now(UTC) - self.config.group_interval
        for entry in open_entries(self.items.values, self.decisions.values):
            if entry.item.queued_at >= recent:
                for bureau in entry.bureaus:
                    self._feed(digest.Queued(bureau, entry.item.item_id))
        while True:
            self._feed(digest.Tick())
            await asyncio.sleep(_TICK)  # a timer tick, not synchronisation

    async def _send(self, actions: list[digest.SendDigest]) -> None:
        directory, now = self.directory(), datetime.now(UTC)
        sends = []  # every bureau's and analyst's at once: one being retried holds up no other
        for action in actions:
            bureau = next((b for b in directory.bureaus if b.id == action.bureau_id), None)
            items = [self.items.values[i] for i in action.item_ids if i in self.items.values]
            if bureau is None or not items:
                continue
            content = render_digest(bureau, items, self.settings.review_public_url)
            ref = digest_id(bureau.id, now)
            for officer in digest_recipients(bureau, now):
                assert officer.email is not None
                to = Recipient(bureau, officer, "email", "review digest")
                message = build_message(content, sender=self.settings.alert_email_from, to=officer.email,
                                        message_id=message_id_for(message_key(ref, to, "digest")))
                sends.append(self._deliver(ref, to, message, len(items)))
        await asyncio.gather(*sends)

    async def _deliver(self, ref: str, to: Recipient, message: OutgoingEmail, count: int) -> None:
        """One analyst's digest, through the dispatcher's sender: retried, recorded on ``alerts.deliveries``."""
        try:
            delivery = await self.sender.deliver_composed(ref, to, message, "digest")
        except Exception as exc:  # noqa: BLE001 - one failed digest (e.g. Kafka down when recording) must not stop the loop
            log.error("review digest not sent", digest_id=ref, bureau_id=to.bureau.id, officer=to.officer.id,
                      error=type(exc).__name__)
            return
        if delivery.status != "sent":
            log.error("review digest not sent", digest_id=ref, bureau_id=to.bureau.id, officer=to.officer.id,
                      attempts=delivery.attempts, error=delivery.error)
            return
        self.sent += 1
        log.info("review digest sent", digest_id=ref, bureau_id=to.bureau.id, officer=to.officer.id, items=count,
                 attempts=delivery.attempts)
