"""What to do with one new alert, decided in one pure call (``plan_alert``).

1. An alert for a notice known to be withdrawn is not delivered.
2. It is routed (``alerting.routing.route``): bureaus, officers on shift, channels.
3. A repeat of an earlier alert (same person, same place, within the window: ``alerting.dedup``)
   becomes one "seen again" update per recipient and starts no escalation.
4. Otherwise every recipient gets the alert, and its escalation starts (``alerting.escalation``).
   The escalation record is written before the messages go out, so an acknowledgement that
   arrives while one of them is still being sent or retried finds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas import Alert, BureauDirectory, Sighting

from . import dedup, escalation
from .actions import RecordSighting, Send
from .routing import route

__all__ = ["AlertPlan", "plan_alert"]


@dataclass(frozen=True, slots=True)
class AlertPlan:
    withdrawn: bool = False
    """The notice is withdrawn: nothing is sent."""
    sighting: RecordSighting | None = None
    start: escalation.Start | None = None
    send: Send | None = None

    @property
    def original(self) -> str | None:
        return self.send.original if self.send is not None else None


def plan_alert(alert: Alert, *, directory: BureauDirectory, notice_active: bool | None, sighting: Sighting | None,
               window: timedelta, timeouts: escalation.Timeouts, now: datetime) -> AlertPlan:
    """``notice_active``: ``False`` if the notice is known to be withdrawn; ``sighting``: the current
    sighting at the alert's dedup key (``dedup.sighting_key``), if any."""
    if notice_active is False:
        return AlertPlan(withdrawn=True)
    recipients = tuple(route(alert, directory, now))
    _, verdict = dedup.step(sighting, dedup.Seen(alert, window), now)
    if verdict.original is not None:
        return AlertPlan(sighting=verdict.record,
                         send=Send(alert, recipients, kind="seen_again", original=verdict.original))
    start = escalation.Start(alert, tuple(sorted({r.bureau.id for r in recipients})), timeouts)
    return AlertPlan(sighting=verdict.record, start=start, send=Send(alert, recipients))
