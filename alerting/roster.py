"""Who is on duty at a bureau at a given instant, in the bureau's own time zone. Pure.

Shifts are wall-clock times in the bureau's IANA zone, so a shift "08:00-18:00" stays 08:00-18:00
local across daylight-saving changes (``zoneinfo`` does the conversion). A shift whose end is not
after its start runs past midnight: "22:00-06:00" on ``fri`` covers Friday 22:00 to Saturday 06:00.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from schemas import WEEKDAYS, Bureau, Officer, Shift

__all__ = ["on_duty", "staffed", "critical_recipients"]


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _covers(shift: Shift, local: datetime) -> bool:
    start, end = _hhmm(shift.start), _hhmm(shift.end)
    now = local.time()
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local - timedelta(days=1)).weekday()]
    if start < end:
        return today in shift.days and start <= now < end
    # Runs past midnight (or the whole day when start == end).
    return (today in shift.days and now >= start) or (yesterday in shift.days and now < end)


def _officers(bureau: Bureau, ids: list[str]) -> list[Officer]:
    found = (bureau.officer(i) for i in dict.fromkeys(ids))
    return [o for o in found if o is not None]


def staffed(bureau: Bureau, at: datetime) -> bool:
    """True if the bureau's roster has a shift running at ``at`` (always, without a roster)."""
    if not bureau.roster:
        return True
    local = at.astimezone(ZoneInfo(bureau.timezone))
    return any(_covers(s, local) for s in bureau.roster)


def on_duty(bureau: Bureau, at: datetime) -> list[Officer]:
    """The officers on shift at ``at``; without a roster, the officers with role ``duty``."""
    if not bureau.roster:
        return [o for o in bureau.officers if o.role == "duty"] or bureau.officers[:1]
    local = at.astimezone(ZoneInfo(bureau.timezone))
    return _officers(bureau, [o for s in bureau.roster if _covers(s, local) for o in s.officers])


def critical_recipients(bureau: Bureau, at: datetime) -> list[Officer]:
    """Who gets a critical alert now: the officers on duty, or outside staffed hours the on-call officers
    (then the escalation chain's first step, so that someone is always woken)."""
    officers = on_duty(bureau, at)
    if officers:
        return officers
    fallback = bureau.on_call or bureau.escalation[:1] or ([bureau.head] if bureau.head else [])
    return _officers(bureau, fallback) or bureau.officers[:1]
