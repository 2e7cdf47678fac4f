"""Review-band hits as review items, and the digest email that tells a bureau's analysts about them. Pure.

A review-band alert is not emailed on its own any more: the dispatcher writes it to ``reviews`` as a
:class:`~schemas.reviews.ReviewItem` (:func:`review_item_for`: the bureaus it routes to, the
requesting country's bureau for referrals), and each bureau's analysts get one digest per interval
(``alerting.digest``) rendered by :func:`render_digest`: item ids, event kinds, places, times and
links only, never a name, birth date or document (docs/review.md, "Grouped notifications").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from schemas import Alert, Bureau, BureauDirectory, Officer
from schemas.reviews import ReviewItem

from .render import EmailContent
from .roster import critical_recipients, on_duty
from .routing import bureaus_for

__all__ = ["review_item_for", "digest_id", "digest_recipients", "render_digest"]

_KINDS = {"border_crossing": "border crossing", "visa_application": "visa application", "tip": "tip"}


def review_item_for(alert: Alert, directory: BureauDirectory) -> ReviewItem:
    """The queue entry of a review-band ``alert``: keyed by its alert id and queued when it was raised, so
    that a replayed alert is the same item."""
    bureaus = [bureau.id for bureau, _ in bureaus_for(alert, directory)]
    requesting = next((b.id for b in directory.bureaus
                       if b.country is not None and b.country == alert.requesting_country), None)
    return ReviewItem(item_id=alert.alert_id, alert=alert, bureaus=bureaus, queued_at=alert.raised_at,
                      requesting_bureau=requesting)


def digest_id(bureau_id: str, closed_at: datetime) -> str:
    """The id of a bureau's digest: ``D-<bureau>-<when its interval closed, UTC to the second>``.

    A bureau gets at most one digest per ``group_interval``, so the pair names one digest; it stands in
    for the alert id on ``alerts.deliveries`` (and, through the delivery key, in the email's Message-ID)."""
    return f"D-{bureau_id}-{closed_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def digest_recipients(bureau: Bureau, now: datetime) -> list[Officer]:
    """Who reads a bureau's digest: its analysts; if it has none, the officers on duty (else on call)."""
    analysts = [o for o in bureau.officers if o.role == "analyst"]
    return [o for o in (analysts or on_duty(bureau, now) or critical_recipients(bureau, now)) if o.email]


def _place(item: ReviewItem) -> str:
    alert = item.alert
    post = getattr(alert.event, "post", None)
    where = alert.post_name or post
    return f"{alert.country} {where}" if where else alert.country


def render_digest(bureau: Bureau, items: Sequence[ReviewItem], console_url: str) -> EmailContent:
    """One email listing ``items`` for ``bureau``'s analysts, with a link to each in the review console."""
    base = console_url.rstrip("/")
    count = len(items)
    noun = "item" if count == 1 else "items"
    subject = f"[REVIEW] {count} new {noun} to review for {bureau.name}"
    rows = [(i.item_id, _KINDS.get(i.alert.event_type, i.alert.event_type), _place(i),
             i.queued_at.strftime("%Y-%m-%d %H:%M UTC"), f"{base}/items/{i.item_id}") for i in items]
    text = "\n".join([f"{count} new {noun} in the review queue of {bureau.name} ({bureau.id}):", "",
                      *(f"- {ref}  {kind} at {place}, {when}\n  {link}" for ref, kind, place, when, link in rows),
                      "", f"The queue, oldest first: {base}/queue?bureau={bureau.id}", ""])
    cells = "".join(f"<tr><td><a href=\"{escape(link)}\">{escape(ref)}</a></td><td>{escape(kind)}</td>"
                    f"<td>{escape(place)}</td><td>{escape(when)}</td></tr>" for ref, kind, place, when, link in rows)
    html = (f"<p>{count} new {noun} in the review queue of {escape(bureau.name)} ({escape(bureau.id)}):</p>"
            f"<table><tr><th>item</th><th>event</th><th>where</th><th>queued</th></tr>{cells}</table>"
            f"<p><a href=\"{escape(base)}/queue?bureau={escape(bureau.id)}\">The queue, oldest first</a></p>")
    return EmailContent(subject=subject, text=text, html=html)
