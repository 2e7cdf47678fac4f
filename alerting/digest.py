"""Grouped review notifications: one email per bureau per interval, not one per review-band hit.

The grouping follows Prometheus Alertmanager's ``group_by`` / ``group_wait`` / ``group_interval``,
grouped by bureau:

- the first new item of a bureau with nothing pending waits ``group_wait``, so that a burst of
  hits goes out as one digest;
- after a digest, the bureau's next one goes no sooner than ``group_interval`` after it;
- a digest lists the items queued since the last one that are still undecided; an item decided
  in the meantime is left out, and an item already listed is not listed again (a replay after a
  restart re-queues it).

A state machine, ``step(state, event, now) -> (state, actions)``: the Kafka loop feeds the
events in and carries the :class:`SendDigest` actions out, so every transition is a unit test. No
I/O and no clock of its own; ``step`` updates ``state`` in place and returns it. Each event costs
the same however many items are pending: at a thousand events a second a bureau can gather tens of
thousands of review items in one ``group_interval``, and copying its queue for every new item made
the dispatcher's work grow with the queue (docs/benchmarks.md, "The dispatcher's state as it grows").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["DigestConfig", "DigestState", "Queued", "Decided", "Tick", "SendDigest", "step"]


@dataclass(frozen=True, slots=True)
class DigestConfig:
    group_wait: timedelta = timedelta(seconds=30)
    group_interval: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Queued:
    """A review item entered a bureau's queue."""

    bureau_id: str
    item_id: str


@dataclass(frozen=True, slots=True)
class Decided:
    """An analyst decided the item: it leaves every pending digest."""

    item_id: str


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passed; digests that are due go out."""


Event = Queued | Decided | Tick


@dataclass(frozen=True, slots=True)
class SendDigest:
    """Email the bureau's analysts one digest listing these items (ids and places only)."""

    bureau_id: str
    item_ids: tuple[str, ...]


@dataclass(slots=True)
class DigestState:
    pending: dict[str, dict[str, None]] = field(default_factory=dict)
    """bureau -> items queued since its last digest, in the order they came (a dict as an ordered set)."""
    since: dict[str, datetime] = field(default_factory=dict)
    """bureau -> when its oldest pending item was queued."""
    last_sent: dict[str, datetime] = field(default_factory=dict)
    notified: dict[str, set[str]] = field(default_factory=dict)
    """item -> the bureaus whose digest listed it, until it is decided: a replayed item is not listed again."""

    def queued(self) -> dict[str, tuple[str, ...]]:
        """bureau -> its pending items, in order (for tests and logs)."""
        return {bureau: tuple(items) for bureau, items in self.pending.items()}


def _due(state: DigestState, bureau: str, config: DigestConfig) -> datetime:
    due = state.since[bureau] + config.group_wait
    last = state.last_sent.get(bureau)
    return max(due, last + config.group_interval) if last is not None else due


def step(state: DigestState, event: Event, now: datetime,
         config: DigestConfig = DigestConfig()) -> tuple[DigestState, list[SendDigest]]:
    """Apply one event at ``now`` to ``state`` (in place); return it and the digests to send now."""
    if isinstance(event, Queued):
        items = state.pending.get(event.bureau_id)
        if (items is not None and event.item_id in items) or event.bureau_id in state.notified.get(event.item_id, ()):
            return state, []
        if items is None:
            items = state.pending[event.bureau_id] = {}
            state.since[event.bureau_id] = now
        items[event.item_id] = None
    elif isinstance(event, Decided):
        for bureau in [b for b, items in state.pending.items() if event.item_id in items]:
            items = state.pending[bureau]
            del items[event.item_id]
            if not items:
                del state.pending[bureau]
                del state.since[bureau]
        state.notified.pop(event.item_id, None)
    actions = [SendDigest(b, tuple(state.pending[b])) for b in sorted(state.pending) if _due(state, b, config) <= now]
    for action in actions:
        del state.pending[action.bureau_id]
        del state.since[action.bureau_id]
        state.last_sent[action.bureau_id] = now
        for item in action.item_ids:
            state.notified.setdefault(item, set()).add(action.bureau_id)
    return state, actions
