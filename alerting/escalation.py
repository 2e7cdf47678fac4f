"""Escalation of one alert, as pure transitions: ``step(state, event, now) -> (state, actions)``.

Per bureau the alert reached, the record (``schemas.StoredEscalation``) goes through::

    pending(level 0) ──timeout: step 1 sent──► pending(level 1) ── ... ──last step sent──► exhausted
        │                                                                                   │
        ├──────────── an officer of the bureau acknowledges (any level) ──► acked ◄─────────┤
        └──────────── the notice is withdrawn: stand-down sent ──► cancelled ◄──────────────┘

Events, fed by the dispatcher:

- ``Start``, when an alert's first messages go out: create the record, every bureau due in the
  urgency's timeout. A record that exists is kept (a replayed alert keeps its timers).
- ``Tick``, as time passes: each pending bureau whose step is due asks for a ``Send`` of the next
  step of its chain (``alerting.routing.escalation_step``), followed by ``StepSent``; a bureau with
  no step left (or no longer in the directory) is exhausted.
- ``StepSent``, once that step's messages are sent: record the level and when the next step is
  due (or exhausted); nothing if the bureau was acknowledged or cancelled meanwhile.
- ``Ack``, when an officer acknowledges for a bureau: that bureau is acked, no step of it follows.
- ``Withdraw``, when the notice is withdrawn: one stand-down to every officer already told (a
  ``Send``), followed by ``StoodDown``; a second withdrawal meanwhile or later does nothing.
- ``StoodDown``, once the stand-downs are sent: every bureau still pending or exhausted is cancelled.

The record is saved (``Save``) on every change that must survive a restart. A step's messages go
out before its level is saved, so a crash in between replays the step; its messages have
idempotent delivery keys, so nothing is sent twice. Which bureaus have a step being sent right
now is kept in ``State.sending``, in memory only: a restarted dispatcher starts from the saved
record and takes the same next step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from schemas import Alert, BureauDirectory, BureauEscalation, Delivery, Settings, StoredEscalation, Urgency

from .actions import Action, Save, Send
from .routing import Recipient, escalation_chain, escalation_step

__all__ = [
    "Ack",
    "Event",
    "Start",
    "State",
    "StepSent",
    "StoodDown",
    "Tick",
    "Timeouts",
    "Withdraw",
    "due",
    "step",
    "timeouts",
]

Timeouts = Mapping[Urgency, timedelta | None]
"""Time without acknowledgement before the next step, by urgency; ``None`` = never escalate."""
_TOLD = ("sent", "queued", "delivered")
"""Delivery statuses that mean the officer was told, so a stand-down is owed."""


def timeouts(settings: Settings) -> dict[Urgency, timedelta | None]:
    """The escalation timeouts of the settings (``escalate_<urgency>_minutes``; 0 = never)."""
    minutes: dict[Urgency, float] = {"critical": settings.escalate_critical_minutes,
                                     "high": settings.escalate_high_minutes,
                                     "normal": settings.escalate_normal_minutes}
    return {u: timedelta(minutes=m) if m > 0 else None for u, m in minutes.items()}


@dataclass(frozen=True, slots=True)
class State:
    """One alert's escalation: the saved record, plus what is being sent right now (not saved)."""

    record: StoredEscalation | None = None
    sending: frozenset[str] = frozenset()
    """Bureaus whose step is being sent: a tick meanwhile does not start it again."""
    standing_down: bool = False


@dataclass(frozen=True, slots=True)
class Start:
    alert: Alert
    bureau_ids: tuple[str, ...]
    timeouts: Timeouts


@dataclass(frozen=True, slots=True)
class Tick:
    directory: BureauDirectory
    timeouts: Timeouts


@dataclass(frozen=True, slots=True)
class StepSent:
    bureau_id: str
    level: int
    next_due: datetime | None
    """When the step after this one is due; ``None``: this was the last step (exhausted)."""


@dataclass(frozen=True, slots=True)
class Ack:
    bureau_id: str
    officer: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Withdraw:
    directory: BureauDirectory
    deliveries: Sequence[Delivery] = field(default_factory=tuple)
    """The alert's deliveries so far (from ``alerts.deliveries``): who has been told."""


@dataclass(frozen=True, slots=True)
class StoodDown:
    pass


Event = Start | Tick | StepSent | Ack | Withdraw | StoodDown


def _with(record: StoredEscalation, bureau_id: str, now: datetime, **changes: Any) -> StoredEscalation:
    bureaus = dict(record.bureaus)
    bureaus[bureau_id] = bureaus.get(bureau_id, BureauEscalation()).model_copy(update=changes)
    return record.model_copy(update={"bureaus": bureaus, "updated_at": now})


def due(state: State, now: datetime) -> list[str]:
    """The bureaus whose next step is due now and not already being sent."""
    if state.record is None or state.standing_down:
        return []
    return [b for b, s in state.record.bureaus.items()
            if s.state == "pending" and s.due_at is not None and s.due_at <= now and b not in state.sending]


def step(state: State, event: Event, now: datetime) -> tuple[State, list[Action]]:
    """The next state of one alert's escalation, and what to do about it."""
    if isinstance(event, Start):
        return _start(state, event, now)
    if state.record is None:
        return state, []
    if isinstance(event, Tick):
        return _tick(state, state.record, event, now)
    if isinstance(event, StepSent):
        return _step_sent(state, state.record, event, now)
    if isinstance(event, Ack):
        return _ack(state, state.record, event)
    if isinstance(event, Withdraw):
        return _withdraw(state, state.record, event, now)
    return _stood_down(state, state.record, now)


def _start(state: State, event: Start, now: datetime) -> tuple[State, list[Action]]:
    alert = event.alert
    timeout = event.timeouts.get(alert.urgency)
    if state.record is not None or alert.band != "alert" or timeout is None or not event.bureau_ids:
        return state, []
    record = StoredEscalation(
        alert_id=alert.alert_id, notice_id=alert.notice_id, urgency=alert.urgency, alert=alert,
        bureaus={b: BureauEscalation(level=0, due_at=now + timeout, state="pending") for b in event.bureau_ids},
        updated_at=now,
    )
    return replace(state, record=record), [Save(record)]


def _tick(state: State, record: StoredEscalation, event: Tick, now: datetime) -> tuple[State, list[Action]]:
    sends: list[Action] = []
    sending = set(state.sending)
    changed = record
    timeout = event.timeouts.get(record.urgency)
    for bureau_id in due(state, now):
        bureau = event.directory.get(bureau_id)
        level = record.bureaus[bureau_id].level + 1
        chain = escalation_chain(bureau) if bureau is not None else []
        if bureau is None or level > len(chain):  # no step left (or the bureau left the directory)
            changed = _with(changed, bureau_id, now, state="exhausted", due_at=None)
            continue
        last = level >= len(chain)
        next_due = None if last or timeout is None else now + timeout
        sending.add(bureau_id)
        sends.append(Send(record.alert, tuple(escalation_step(record.alert, bureau, level)), kind="escalation",
                          level=level, then=StepSent(bureau_id, level, next_due)))
    saves: list[Action] = [Save(changed)] if changed is not record else []
    return replace(state, record=changed, sending=frozenset(sending)), saves + sends


def _step_sent(state: State, record: StoredEscalation, event: StepSent, now: datetime) -> tuple[State, list[Action]]:
    state = replace(state, sending=state.sending - {event.bureau_id})
    current = record.bureaus.get(event.bureau_id)
    if current is None or current.state != "pending" or current.level != event.level - 1:
        return state, []  # acknowledged or cancelled while the step was being sent
    changed = _with(record, event.bureau_id, now, level=event.level, due_at=event.next_due,
                    state="pending" if event.next_due is not None else "exhausted")
    return replace(state, record=changed), [Save(changed)]


def _ack(state: State, record: StoredEscalation, event: Ack) -> tuple[State, list[Action]]:
    current = record.bureaus.get(event.bureau_id)
    if current is None or current.state == "acked":
        return state, []
    changed = _with(record, event.bureau_id, event.at, state="acked", acked_by=event.officer, due_at=None)
    return replace(state, record=changed), [Save(changed)]


def _open(record: StoredEscalation) -> list[str]:
    return [b for b, s in record.bureaus.items() if s.state in ("pending", "exhausted")]


def _told(record: StoredEscalation, event: Withdraw) -> tuple[Recipient, ...]:
    told = sorted({(d.bureau_id, d.recipient, d.channel) for d in event.deliveries
                   if d.alert_id == record.alert_id and d.status in _TOLD and d.kind != "withdrawn"})
    recipients = []
    for bureau_id, officer_id, channel in told:
        bureau = event.directory.get(bureau_id)
        officer = bureau.officer(officer_id) if bureau is not None else None
        if bureau is not None and officer is not None:
            recipients.append(Recipient(bureau, officer, channel, "withdrawn"))
    return tuple(recipients)


def _withdraw(state: State, record: StoredEscalation, event: Withdraw, now: datetime) -> tuple[State, list[Action]]:
    if state.standing_down or not _open(record):
        return state, []
    standing = replace(state, standing_down=True)
    return standing, [Send(record.alert, _told(record, event), kind="withdrawn", then=StoodDown())]


def _stood_down(state: State, record: StoredEscalation, now: datetime) -> tuple[State, list[Action]]:
    if not state.standing_down:
        return state, []
    state = replace(state, standing_down=False)
    changed = record
    for bureau_id in _open(record):
        changed = _with(changed, bureau_id, now, state="cancelled", due_at=None)
    if changed is record:
        return state, []
    return replace(state, record=changed), [Save(changed)]
