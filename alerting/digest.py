"""Grouped review notifications: one email per bureau per interval, not one per review-band hit.

The grouping follows Prometheus Alertmanager's ``group_by`` / ``group_wait`` / ``group_interval``,
grouped by bureau:

- the first new item of a bureau with nothing pending waits ``group_wait``, so that a burst of
  hits goes out as one digest;
- after a digest, the bureau's next one goes no sooner than ``group_interval`` after it;
- a digest lists the items queued since the last one that are still undecided; an item decided
  in the meantime is left out, and an item already listed is not listed again (a replay after a
  restart re-queues it).

A pure state machine, ``step(state, event, now) -> (state, actions)``: the Kafka loop feeds the
events in and carries the :class:`SendDigest` actions out, so every transition is a unit test.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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


@dataclass(frozen=True, slots=True)
class DigestState:
    pending: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """bureau -> items queued since its last digest, in the order they came."""
    since: dict[str, datetime] = field(default_factory=dict)
    """bureau -> when its oldest pending item was queued."""
    last_sent: dict[str, datetime] = field(default_factory=dict)
    notified: frozenset[tuple[str, str]] = frozenset()
    """(bureau, item) already listed in a digest and not decided yet: a replayed item is not listed again."""


def _due(state: DigestState, bureau: str, config: DigestConfig) -> datetime:
    due = state.since[bureau] + config.group_wait
    last = state.last_sent.get(bureau)
    return max(due, last + config.group_interval) if last is not None else due


def step(state: DigestState, event: Event, now: datetime,
         config: DigestConfig = DigestConfig()) -> tuple[DigestState, list[SendDigest]]:
    """Apply one event at ``now``; return the new state and the digests to send now."""
    if isinstance(event, Queued):
        items = state.pending.get(event.bureau_id, ())
        if event.item_id in items or (event.bureau_id, event.item_id) in state.notified:
            return state, []
        since = state.since if items else {**state.since, event.bureau_id: now}
        state = replace(state, pending={**state.pending, event.bureau_id: (*items, event.item_id)}, since=since)
    elif isinstance(event, Decided):
        pending = {b: tuple(i for i in items if i != event.item_id) for b, items in state.pending.items()}
        empty = {b for b, items in pending.items() if not items}
        state = replace(state, pending={b: i for b, i in pending.items() if i},
                        since={b: t for b, t in state.since.items() if b not in empty},
                        notified=frozenset(n for n in state.notified if n[1] != event.item_id))
    actions = [SendDigest(b, state.pending[b]) for b in sorted(state.pending) if _due(state, b, config) <= now]
    if not actions:
        return state, []
    sent = {a.bureau_id for a in actions}
    return replace(state, pending={b: i for b, i in state.pending.items() if b not in sent},
                   since={b: t for b, t in state.since.items() if b not in sent},
                   last_sent={**state.last_sent, **dict.fromkeys(sent, now)},
                   notified=state.notified.union((a.bureau_id, i) for a in actions for i in a.item_ids)), actions
