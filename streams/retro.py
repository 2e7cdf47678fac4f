"""Retro-screening, the pure part: which notice changes re-screen, and the alerts they raise.

A notice that is new, or whose matching-relevant content changed, re-screens the events kept
for the retention window (``Settings.event_retention_days``). A hit is an ordinary alert with the
same deterministic ``alert_id`` as live screening would give it, plus a ``seen_before`` context
(when and where), and an urgency that follows the age of the sighting:

| age of the sighting (``occurred_at``) | urgency |
|---|---|
| under 24 hours | as live screening sets it (the event type, raised by a caution flag) |
| 1 to 7 days | one step down (critical -> high, high -> normal) |
| 7 days or more | normal |

The agent (``streams.retro_agent``) moves the bytes; everything decided here is tested
without Kafka.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import ValidationError

from schemas import Alert, AnyEvent, SeenBefore, Tip, Urgency, WantedPerson
from schemas.wanted import fingerprint  # moved to schemas (issue 17: clearances need it too); kept importable here

from .screening import Screener, screen_record

__all__ = [
    "Change",
    "fingerprint",
    "classify",
    "urgency_by_age",
    "retro_alerts",
    "Only",
    "Rescreen",
    "Trigger",
]

Trigger = Literal["new_notice", "changed_notice"]
_LOWER: dict[Urgency, Urgency] = {"critical": "high", "high": "normal", "normal": "normal"}


@dataclass(frozen=True, slots=True)
class Change:
    """What one ``wanted.notices`` record means for retro-screening."""

    notice_id: str
    action: Literal["rescreen", "forget", "unchanged", "invalid"]
    fingerprint: str | None = None
    trigger: Trigger | None = None


def classify(key: bytes | None, value: bytes | None, known: str | None) -> Change:
    """Decide from a wanted record and the fingerprint last screened for its notice (``known``).

    - tombstone, or a status other than active: ``forget`` (a later re-issue screens again);
    - active, and its fingerprint differs from ``known``: ``rescreen``, ``new_notice`` when
      nothing was known, else ``changed_notice``;
    - active and identical: ``unchanged`` (a re-import must not alert twice);
    - not a valid notice: ``invalid`` (the wanted-list loader logs and counts it already).
    """
    notice_id = key.decode("utf-8", "replace") if key else ""
    if value is None:
        return Change(notice_id, "forget" if notice_id else "invalid")
    try:
        notice = WantedPerson.model_validate_json(value)
    except ValidationError:
        return Change(notice_id, "invalid")
    if notice_id and notice_id != notice.notice_id:
        return Change(notice_id, "invalid")
    if not notice.active:
        return Change(notice.notice_id, "forget")
    fp = fingerprint(notice)
    if fp == known:
        return Change(notice.notice_id, "unchanged", fp)
    return Change(notice.notice_id, "rescreen", fp, "new_notice" if known is None else "changed_notice")


def urgency_by_age(urgency: Urgency, age: timedelta) -> Urgency:
    """Under a day: unchanged; one to seven days: one step down; a week or more: ``normal``."""
    if age < timedelta(days=1):
        return urgency
    if age < timedelta(days=7):
        return _LOWER[urgency]
    return "normal"


def _place(event: AnyEvent) -> str | None:
    if isinstance(event, Tip):
        return event.location.city if event.location and event.location.city else None
    return event.post


class Only:
    """A screener restricted to some notices: the worker's full matcher (so scores are the same as
    live), keeping only the hits on the notices being retro-screened."""

    def __init__(self, screener: Screener, notice_ids: set[str]) -> None:
        self.screener, self.notice_ids = screener, notice_ids

    def screen(self, event: AnyEvent) -> list:  # type: ignore[type-arg]
        return [h for h in self.screener.screen(event) if h.notice_id in self.notice_ids]


@dataclass(frozen=True, slots=True)
class Rescreen:
    """A notice to retro-screen: why, and when its record was appended to ``wanted.notices``."""

    trigger: Trigger
    issued_at: datetime


def retro_alerts(
    raw: bytes | None,
    *,
    topic: str,
    partition: int,
    offset: int,
    appended_at: datetime,
    expected_type: str,
    screener: Screener,
    notices: dict[str, Rescreen],
    now: datetime,
    window: timedelta,
    grace: timedelta,
) -> list[Alert]:
    """The alerts of one retained event (appended to its topic at ``appended_at``) against ``notices``.

    - An event appended more than ``grace`` after a notice was screened live against it: nothing
      to do here for that notice.
    - An event that is invalid (it was dead-lettered when it came in), or that happened before the
      window (by its ``occurred_at``), raises nothing.
    - A hit on an event appended before the notice's record (issued or changed), that happened
      before it too, is "seen before":
      live screening's alert id, band, score and reasons, with the ``seen_before`` context and a
      reason in front, and an urgency that follows the age of the sighting.
    - A hit on an event appended after the notice's record, within ``grace`` of it, is the live
      alert a worker that had not loaded the notice yet could have missed: raised as live
      screening raises it (same id, no context), whenever the event says it happened. A late
      upload of an old crossing is screened live like any other event, so a worker that had the
      notice already raised this alert, and the dispatcher sees the same alert again, not a
      second version with another urgency for other recipients.
    """
    due = {nid for nid, r in notices.items() if appended_at < r.issued_at + grace}
    if not due:
        return []
    outcome = screen_record(
        raw,
        topic=topic,
        partition=partition,
        offset=offset,
        expected_type=expected_type,
        screener=Only(screener, due),
        now=now,
    )
    if outcome.event is None or not outcome.alerts:
        return []
    event = outcome.event
    age = max(now - event.occurred_at, timedelta(0))
    if age > window:
        return []
    place = _place(event)
    alerts = []
    for alert in outcome.alerts:
        rescreen = notices[alert.notice_id]
        if appended_at >= rescreen.issued_at or event.occurred_at >= rescreen.issued_at:  # live screening's alert
            alerts.append(alert)
            continue
        seen = SeenBefore(
            occurred_at=event.occurred_at,
            country=event.country,
            place=place,
            age_hours=round(age.total_seconds() / 3600, 2),
            trigger=rescreen.trigger,
        )
        when = event.occurred_at.strftime("%Y-%m-%d %H:%M UTC")
        verb = "issued" if rescreen.trigger == "new_notice" else "changed"
        at = f"{place}, {event.country}" if place else event.country
        reason = f"seen before the notice was {verb}: {_age_text(age)} ago, {when}, at {at}"
        alerts.append(
            alert.model_copy(
                update={
                    "seen_before": seen,
                    "urgency": urgency_by_age(alert.urgency, age),
                    "reasons": [reason, *alert.reasons],
                }
            )
        )
    return alerts


def _age_text(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    if hours < 1:
        return f"{max(int(age.total_seconds() // 60), 0)} min"
    if hours < 48:
        return f"{int(hours)} h"
    return f"{int(hours // 24)} days"
