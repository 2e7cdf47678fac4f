"""Who gets an alert, on which channels (DESIGN.md "Routing"). Pure: no I/O.

An event in country X matching a notice requested by country Y goes to the bureau of X, the
bureau of Y, and every unit whose subscription matches the notice. Within a bureau:

| urgency  | recipients                          | channels      |
|----------|-------------------------------------|---------------|
| critical | duty officers                       | SMS and email |
| high     | duty officers                       | email         |
| normal   | analysts (duty officers if none)    | email         |

A review-band alert is never pushed by SMS: it goes by email to the analysts, marked for review.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import Alert, Bureau, BureauDirectory, Channel, Officer

__all__ = ["Recipient", "route", "bureaus_for"]


@dataclass(frozen=True, slots=True)
class Recipient:
    bureau: Bureau
    officer: Officer
    channel: Channel
    why: str
    """Why this bureau gets it: ``event country``, ``requesting country`` or ``subscription``."""


def _subscribed(bureau: Bureau, alert: Alert) -> bool:
    sub = bureau.subscription
    if sub is None:
        return False
    offences = {o.casefold() for o in alert.notice.offences}
    return bool(
        offences & {o.casefold() for o in sub.offences}
        or alert.notice.notice_type in sub.notice_types
        or (alert.country in sub.countries)
    )


def bureaus_for(alert: Alert, directory: BureauDirectory) -> list[tuple[Bureau, str]]:
    """The bureaus an alert goes to, each once, with the first reason that selected it."""
    chosen: dict[str, tuple[Bureau, str]] = {}
    for bureau in directory.bureaus:
        if bureau.country is not None and bureau.country == alert.country:
            chosen.setdefault(bureau.id, (bureau, "event country"))
    for bureau in directory.bureaus:
        if bureau.country is not None and bureau.country == alert.requesting_country:
            chosen.setdefault(bureau.id, (bureau, "requesting country"))
    for bureau in directory.bureaus:
        if _subscribed(bureau, alert):
            chosen.setdefault(bureau.id, (bureau, "subscription"))
    return list(chosen.values())


def _officers(bureau: Bureau, role: str) -> list[Officer]:
    return [o for o in bureau.officers if o.role == role]


def route(alert: Alert, directory: BureauDirectory) -> list[Recipient]:
    """Every (bureau, officer, channel) this alert must reach."""
    recipients: list[Recipient] = []
    for bureau, why in bureaus_for(alert, directory):
        if alert.band == "review" or alert.urgency == "normal":
            officers = _officers(bureau, "analyst") or _officers(bureau, "duty") or bureau.officers[:1]
            channels: tuple[Channel, ...] = ("email",)
        else:
            officers = _officers(bureau, "duty") or bureau.officers[:1]
            channels = ("sms", "email") if alert.urgency == "critical" else ("email",)
        for officer in officers:
            for channel in channels:
                if (channel == "sms" and officer.phone) or (channel == "email" and officer.email):
                    recipients.append(Recipient(bureau, officer, channel, why))
    return recipients
