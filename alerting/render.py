"""Render SMS and email bodies from the Jinja2 templates in ``alerting/templates``.

Two environments: text (no escaping; SMS, plain-text email, subject) and HTML (autoescaped, so a
name like ``<script>`` is shown, never run). Both load the i18n extension with null translations,
so templates can move to ``{% trans %}`` blocks when a bureau needs another language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from schemas import Alert, Bureau, Tip, event_subject

__all__ = ["EmailContent", "render_sms", "render_email"]

_KIND = {"border_crossing": "border crossing", "visa_application": "visa application", "tip": "tip"}


@lru_cache(maxsize=2)
def _env(html: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("alerting", "templates"),
        auto_reload=False,  # templates ship with the package: no stat() of the file on every render
        autoescape=html,  # noqa: S701  # text bodies (SMS, plain email) are not HTML; the HTML env escapes
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


def _one_line(text: str) -> str:
    """Collapse whitespace: header values and SMS bodies must stay on one line."""
    return " ".join(text.split())


_HEADLINES = {
    "alert": "ALERT: a person on a wanted list has been seen.",
    "review": "REVIEW: a possible match, recorded for an analyst. Not pushed by SMS.",
    "escalation": "ESCALATED: this alert has not been acknowledged in time. You are the next step.",
    "seen_again": "SEEN AGAIN: the person of an earlier alert has been seen again at the same place.",
    "withdrawn": "STAND DOWN: the notice behind this alert has been withdrawn. No action is needed.",
}


def _context(alert: Alert, bureau: Bureau | None = None, why: str = "", *, kind: str = "alert", level: int = 0,
             original: str | None = None, ack_link: str | None = None) -> dict[str, object]:
    event = alert.event
    subject = event_subject(event)
    if isinstance(event, Tip):
        place = (event.location.city if event.location and event.location.city else None) or event.agency
    else:
        place = alert.post_name or event.post  # the directory's name for the post, else its code
    subject_name = subject.full_name or " ".join(p for p in (subject.given, subject.family) if p)
    return {
        "alert": alert,
        "bureau": bureau,
        "why": why,
        "kind": kind,
        "kind_label": _KIND[alert.event_type],
        "level": level,
        "original": original if original and original != alert.alert_id else None,
        "ack_link": ack_link,
        "headline": _HEADLINES["review" if kind == "alert" and alert.band == "review" else kind],
        "place": _one_line(place),
        "when": event.occurred_at.strftime("%Y-%m-%d %H:%M UTC%z").replace("UTC+0000", "UTC"),
        "subject": subject,
        "subject_name": subject_name,
        "tip_text": event.text if isinstance(event, Tip) else "",
        "notice_names": [n.display() for n in alert.notice.names] if alert.notice else [],  # none for a document hit
    }


def render_sms(alert: Alert, *, kind: str = "alert", level: int = 0, original: str | None = None) -> str:
    """The SMS body: reference, urgency, place and how to acknowledge. No personal data."""
    ctx = _context(alert, kind=kind, level=level, original=original)
    return _one_line(_env(False).get_template("sms.txt.j2").render(ctx))


@dataclass(frozen=True, slots=True)
class EmailContent:
    subject: str
    text: str
    html: str


def render_email(alert: Alert, bureau: Bureau, why: str, *, kind: str = "alert", level: int = 0,
                 original: str | None = None, ack_link: str | None = None) -> EmailContent:
    """Subject (no personal data), plain text and HTML (escaped) for one recipient."""
    ctx = _context(alert, bureau, why, kind=kind, level=level, original=original, ack_link=ack_link)
    return EmailContent(
        subject=_one_line(_env(False).get_template("email_subject.txt.j2").render(ctx)),
        text=_env(False).get_template("email.txt.j2").render(ctx) + "\n",
        html=_env(True).get_template("email.html.j2").render(ctx),
    )
