"""Who gets an alert, on which channels (docs/delivery.md, "Who gets what"). Pure: no I/O.

An event in country X matching a notice requested by country Y goes to the bureau of X, the
bureau of Y, and every unit whose subscription matches the notice. Within a bureau:

| urgency  | recipients                                                   | channels      |
|----------|--------------------------------------------------------------|---------------|
| critical | officers on duty now; outside staffed hours, the on-call ones | SMS and email |
| high     | officers on duty now (else on call)                          | email         |
| normal   | analysts (officers on duty if none)                          | email         |

A review-band alert is never pushed by SMS: it goes by email to the analysts, marked for review.
Escalation steps (``escalation_step``) go to the next officer of the bureau's chain, then its
head, on the same channels as the first recipients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from schemas import Alert, Bureau, BureauDirectory, Channel, Officer

from .roster import critical_recipients, on_duty

__all__ = ["Recipient", "route", "bureaus_for", "channels_for", "escalation_chain", "escalation_step", "fallback_for"]


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
    notice = alert.notice  # None for a reported document (docs/documents.md): no offences, no notice type
    offences = {o.casefold() for o in notice.offences} if notice else set()
    return bool(
        offences & {o.casefold() for o in sub.offences}
        or (notice is not None and notice.notice_type in sub.notice_types)
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


def _role(bureau: Bureau, role: str) -> list[Officer]:
    return [o for o in bureau.officers if o.role == role]


def channels_for(alert: Alert) -> tuple[Channel, ...]:
    """SMS and email for a critical alert, email otherwise; a review hit is never an SMS."""
    if alert.band == "alert" and alert.urgency == "critical":
        return ("sms", "email")
    return ("email",)


def _first_recipients(alert: Alert, bureau: Bureau, now: datetime) -> list[Officer]:
    if alert.band == "review" or alert.urgency == "normal":
        return _role(bureau, "analyst") or on_duty(bureau, now) or critical_recipients(bureau, now)
    if alert.urgency == "critical":
        return critical_recipients(bureau, now)
    return on_duty(bureau, now) or critical_recipients(bureau, now)


def _reachable(bureau: Bureau, officers: list[Officer], channels: tuple[Channel, ...], why: str) -> list[Recipient]:
    return [
        Recipient(bureau, officer, channel, why)
        for officer in officers
        for channel in channels
        if (channel == "sms" and officer.phone) or (channel == "email" and officer.email)
    ]


def route(alert: Alert, directory: BureauDirectory, now: datetime | None = None) -> list[Recipient]:
    """Every (bureau, officer, channel) this alert must reach first."""
    now = now or datetime.now(UTC)
    channels = channels_for(alert)
    recipients: list[Recipient] = []
    for bureau, why in bureaus_for(alert, directory):
        recipients += _reachable(bureau, _first_recipients(alert, bureau, now), channels, why)
    return recipients


def escalation_chain(bureau: Bureau) -> list[Officer]:
    """The bureau's escalation chain in order, ending with its head (each officer once)."""
    ids = list(dict.fromkeys([*bureau.escalation, *([bureau.head] if bureau.head else [])]))
    return [o for o in (bureau.officer(i) for i in ids) if o is not None]


def escalation_step(alert: Alert, bureau: Bureau, level: int) -> list[Recipient]:
    """Recipients of escalation ``level`` (1 = first step of the chain); empty past the end."""
    chain = escalation_chain(bureau)
    if not 1 <= level <= len(chain):
        return []
    return _reachable(bureau, [chain[level - 1]], channels_for(alert), "escalation")


def fallback_for(to: Recipient) -> Recipient | None:
    """The officer's other channel, when a message on ``to.channel`` failed for good (``None``: there is none)."""
    other: Channel = "email" if to.channel == "sms" else "sms"
    if (other == "email" and to.officer.email) or (other == "sms" and to.officer.phone):
        return Recipient(to.bureau, to.officer, other, to.why)
    return None
