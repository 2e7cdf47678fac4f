"""Escalation timers kept in Kafka, and the loop side of ``alerting.escalation``.

``EscalationStore`` holds the state of every escalation of the assigned partitions, read back
from the compacted ``alerts.escalations`` topic (one record per alert, keyed by ``alert_id``,
so it lives in the partition of the same number as the alert). ``Escalations.feed`` runs one
event through the pure ``alerting.escalation.step`` (one transition at a time) and carries out
what it returns: the record is written (``Save``), messages are sent (``Send``) and the event
that follows them is fed back.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import structlog
from pydantic import ValidationError

from alerting import Save, Send, escalation
from schemas import StoredEscalation, topics

from .publisher import Publisher
from .replay import replay_partitions
from .sender import Sender

__all__ = ["EscalationStore", "Escalations"]

log = structlog.get_logger(__name__)

EXPIRE_BATCH = 1_000
"""Records deleted per pass at most (``Escalations.expire``): the timers' loop waits for a pass, so a
large first clean-up goes a batch per tick, between the escalation steps."""


class EscalationStore:
    """Every escalation record of the assigned partitions, and what is kept with them so that the work
    and the memory per alert do not grow with the alerts ever escalated:

    - a record that is *settled* (every bureau acknowledged or cancelled: no step can follow) is held
      as its JSON, about a sixth of the memory of the decoded record with its alert, and decoded
      when asked for (:meth:`state`, :meth:`get`);
    - the alerts with a bureau pending, by their next due time: ``due`` reads only those;
    - the alerts of each notice (``for_notice``).

    Change a state through :meth:`put`; ``states`` holds the records that are not settled.
    """

    def __init__(self, topic: str, client_kwargs: dict[str, Any]) -> None:
        self.topic = topic
        self.client_kwargs = client_kwargs
        self.states: dict[str, escalation.State] = {}
        self._settled: dict[str, bytes] = {}
        self._next_due: dict[str, datetime] = {}
        """alert -> the earliest due time of its pending bureaus (alerts with none are not here)."""
        self._notice_of: dict[str, str] = {}
        self._by_notice: dict[str, set[str]] = {}
        self._quiet_since: dict[str, datetime] = {}
        """alert -> its record's last change, for the alerts no step can follow by itself (no bureau
        pending, nothing being sent or stood down): what :meth:`expired` reads."""

    def __len__(self) -> int:
        return len(self.states) + len(self._settled)

    async def load(self, partitions: Iterable[int]) -> int:
        """Read the given partitions to their end, adding what they hold; return how many are held."""
        await replay_partitions(self.topic, partitions, self.client_kwargs, self._apply)
        return len(self)

    def _apply(self, rec: Any) -> None:
        key = rec.key.decode() if rec.key else ""
        if rec.value is None:
            self.remove(key)
            return
        try:
            self.put(key, escalation.State(record=StoredEscalation.model_validate_json(rec.value)), rec.value)
        except ValidationError:
            log.warning("unreadable escalation record", partition=rec.partition, offset=rec.offset)

    def put(self, alert_id: str, state: escalation.State, raw: bytes | None = None) -> None:
        """Keep ``state`` as the alert's escalation (a state without a record is not kept); ``raw``: its
        record's JSON, when the caller has it."""
        record = state.record
        if record is None:
            self.remove(alert_id)
            return
        self._notice_of[alert_id] = record.notice_id
        self._by_notice.setdefault(record.notice_id, set()).add(alert_id)
        if _quiet(state):
            self._quiet_since[alert_id] = record.updated_at
        else:
            self._quiet_since.pop(alert_id, None)
        if _settled(state):
            self.states.pop(alert_id, None)
            self._next_due.pop(alert_id, None)
            self._settled[alert_id] = raw if raw is not None else record.model_dump_json().encode()
            return
        self._settled.pop(alert_id, None)
        self.states[alert_id] = state
        times = [s.due_at for s in record.bureaus.values() if s.state == "pending" and s.due_at is not None]
        if times and not state.standing_down:
            self._next_due[alert_id] = min(times)
        else:
            self._next_due.pop(alert_id, None)

    def remove(self, alert_id: str) -> None:
        """Forget the alert's record (its tombstone was read or written)."""
        self.states.pop(alert_id, None)
        self._settled.pop(alert_id, None)
        self._next_due.pop(alert_id, None)
        self._quiet_since.pop(alert_id, None)
        notice_id = self._notice_of.pop(alert_id, None)
        if notice_id is None:
            return
        alerts = self._by_notice[notice_id]  # kept with ``_notice_of``
        alerts.discard(alert_id)
        if not alerts:
            del self._by_notice[notice_id]

    def clear(self) -> None:
        for held in (self.states, self._settled, self._next_due, self._notice_of, self._by_notice, self._quiet_since):
            held.clear()

    def state(self, alert_id: str) -> escalation.State:
        """The alert's escalation (an empty ``State`` when none is held)."""
        held = self.states.get(alert_id)
        if held is not None:
            return held
        raw = self._settled.get(alert_id)
        return escalation.State(record=StoredEscalation.model_validate_json(raw)) if raw is not None else escalation.State()

    def get(self, alert_id: str) -> StoredEscalation | None:
        """The alert's escalation record, as last saved or about to be."""
        return self.state(alert_id).record

    def notices(self) -> list[str]:
        """The notices with an escalation record here."""
        return sorted(self._by_notice)

    def for_notice(self, notice_id: str) -> list[str]:
        return sorted(self._by_notice.get(notice_id, ()))

    def due(self, now: datetime) -> list[str]:
        """The alerts with a step due now, the longest overdue first."""
        ready = sorted((at, a) for a, at in self._next_due.items() if at <= now)
        return [a for _, a in ready if escalation.due(self.states[a], now)]

    def expired(self, before: datetime, limit: int | None = None) -> list[str]:
        """The alerts whose record has not changed since before ``before`` and that no step can follow by
        itself (every bureau acknowledged, cancelled or exhausted), oldest first; at most ``limit``."""
        old = ((at, a) for a, at in self._quiet_since.items() if at < before)
        return [a for _, a in (sorted(old) if limit is None else heapq.nsmallest(limit, old))]

    def is_expired(self, alert_id: str, before: datetime) -> bool:
        at = self._quiet_since.get(alert_id)
        return at is not None and at < before


def _quiet(state: escalation.State) -> bool:
    """No bureau pending, nothing being sent or stood down: only an ack or a withdrawal changes it."""
    assert state.record is not None
    return (not state.sending and not state.standing_down
            and all(b.state != "pending" for b in state.record.bureaus.values()))


def _settled(state: escalation.State) -> bool:
    """Quiet, and no bureau exhausted (a withdrawal would stand it down): nothing can change it but an ack."""
    assert state.record is not None
    return _quiet(state) and all(b.state in ("acked", "cancelled") for b in state.record.bureaus.values())


class Escalations:
    """Feeds events to the escalation machine of each alert and carries out its actions."""

    def __init__(self, store: EscalationStore, sender: Sender, publisher: Publisher) -> None:
        self.store, self.sender, self.publisher = store, sender, publisher
        self._lock = asyncio.Lock()

    async def feed(self, alert_id: str, event: escalation.Event) -> None:
        """One transition (under the lock: transitions never interleave), then its actions."""
        async with self._lock:
            before = self.store.state(alert_id)
            state, actions = escalation.step(before, event, datetime.now(UTC))
            saved = [(a.record, a.record.model_dump_json().encode()) for a in actions if isinstance(a, Save)]
            if state.record is not None:  # a settled record is kept as the JSON just written
                self.store.put(alert_id, state, next((raw for record, raw in saved if record is state.record), None))
            # queued under the lock, so the records are written in the order of the transitions
            writes = [await self.publisher.enqueue(topics.ESCALATIONS, record.alert_id, raw) for record, raw in saved]
        _log(alert_id, event, actions)
        sends = [a for a in actions if isinstance(a, Send)]
        await asyncio.gather(*writes, *(self._send(alert_id, s) for s in sends))

    async def expire(self, before: datetime, limit: int = EXPIRE_BATCH) -> int:
        """Delete (tombstone on ``alerts.escalations``) the oldest ``limit`` records of
        :meth:`EscalationStore.expired`: by then the alert and its deliveries have left their topics too.
        Returns how many; ``limit`` of them means more may be waiting."""
        written = []
        for alert_id in self.store.expired(before, limit):
            async with self._lock:  # not between a transition of this alert and its record
                if not self.store.is_expired(alert_id, before):  # acked or withdrawn meanwhile
                    continue
                written.append(await self.publisher.enqueue(topics.ESCALATIONS, alert_id, None))
                self.store.remove(alert_id)
        await asyncio.gather(*written)
        if written:
            log.info("escalation records deleted", count=len(written), older_than=before.isoformat())
        return len(written)

    async def _send(self, alert_id: str, send: Send) -> None:
        await self.sender.deliver_all(send)
        if isinstance(send.then, escalation.StepSent | escalation.StoodDown):
            await self.feed(alert_id, send.then)


def _log(alert_id: str, event: escalation.Event, actions: list[Any]) -> None:
    for action in actions:
        if isinstance(action, Send) and action.kind == "escalation":
            log.warning("escalating", alert_id=alert_id, level=action.level,
                        bureau_id=action.recipients[0].bureau.id if action.recipients else None)
        elif isinstance(action, Save) and isinstance(event, escalation.Ack):
            log.info("acknowledged", alert_id=alert_id, bureau_id=event.bureau_id, officer=event.officer)
        elif isinstance(action, Save) and isinstance(event, escalation.StoodDown):
            log.info("escalation cancelled: notice withdrawn", alert_id=alert_id)
