""""Seen again": the same person at the same place is one alert, not many. Pure transitions.

A sighting is keyed by (notice, country, place), the place being the border post, or a tip's
city, or else the reporting agency. The state per key is the first alert raised there
(``schemas.Sighting``, kept on the compacted ``alerts.sightings`` topic):

| state | event: an alert (band ``alert``) at the key | outcome |
|---|---|---|
| none | any | a new alert; the sighting is recorded |
| first alert A, last seen less than the window ago | another alert B | B is "seen again" of A; ``last_seen``, ``count`` move on |
| first alert A, last seen longer ago | another alert B | a new alert; B becomes the first sighting |
| first alert A | A again (a replay) | a new alert (its deliveries are idempotent); nothing recorded |

The window slides: each repeat within it extends it. Review-band alerts are never deduplicated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas import Alert, Sighting, Tip

from .actions import RecordSighting

__all__ = ["Seen", "Verdict", "place_of", "sighting_key", "step"]


@dataclass(frozen=True, slots=True)
class Seen:
    alert: Alert
    window: timedelta


@dataclass(frozen=True, slots=True)
class Verdict:
    """``original``: the earlier alert this one repeats (a "seen again" update), or ``None`` (a new alert)."""

    original: str | None
    record: RecordSighting | None


def place_of(alert: Alert) -> str:
    """Where the person was seen: a tip's city, else the border post or consulate, else the agency."""
    event = alert.event
    if isinstance(event, Tip) and event.location and event.location.city:
        return event.location.city
    return getattr(event, "post", None) or event.agency


def sighting_key(alert: Alert) -> str | None:
    """The dedup key of an alert, or ``None`` if it is never deduplicated (review band)."""
    if alert.band != "alert":
        return None
    return f"{alert.notice_id}|{alert.country}|{place_of(alert)}"


def step(state: Sighting | None, event: Seen, now: datetime) -> tuple[Sighting | None, Verdict]:
    """The sighting after ``event.alert``, and whether that alert is new or a repeat."""
    alert = event.alert
    key = sighting_key(alert)
    if key is None:
        return state, Verdict(None, None)
    if state is not None and state.alert_id == alert.alert_id:
        return state, Verdict(None, None)
    if state is not None and now - state.last_seen <= event.window:
        updated = state.model_copy(update={"last_seen": now, "count": state.count + 1})
        return updated, Verdict(state.alert_id, RecordSighting(key, updated))
    first = Sighting(alert_id=alert.alert_id, notice_id=alert.notice_id, country=alert.country,
                     place=place_of(alert), first_seen=now, last_seen=now)
    return first, Verdict(None, RecordSighting(key, first))
