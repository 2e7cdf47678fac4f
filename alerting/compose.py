"""One message for one recipient, ready for its channel: address, render, sign, build. Pure.

``compose(alert, recipient, ...)`` returns an ``OutgoingSms`` (number, one-line body without
personal data, the status-callback URL naming the delivery key) or an ``OutgoingEmail`` (the
MIME bytes with the details, a signed acknowledgement link, and a ``Message-ID`` derived from the
delivery key, so a copy sent again carries the same id), by the recipient's channel.

Every message has an idempotency key, ``<alert_id>/<bureau>.<officer>[.<kind><level>]/<channel>``
(``message_key``): the dispatcher never sends a key twice.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote

from schemas import Alert, DeliveryKind, Settings, delivery_key

from .email import OutgoingEmail, build_message
from .render import render_email, render_sms
from .routing import Recipient
from .tokens import AckClaim, sign_ack

__all__ = ["ComposeConfig", "OutgoingSms", "compose", "message_id_for", "message_key", "recipient_key"]


@dataclass(frozen=True, slots=True)
class ComposeConfig:
    public_url: str
    """The dispatcher's web app as officers and Twilio reach it (ack links, status callbacks)."""
    ack_secret: bytes
    ack_link_hours: float
    email_from: str

    @classmethod
    def from_settings(cls, settings: Settings) -> ComposeConfig:
        return cls(settings.public_url.rstrip("/"), settings.ack_secret.get_secret_value().encode(),
                   settings.ack_link_hours, settings.alert_email_from)


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    key: str
    to: str
    body: str
    status_callback: str


def recipient_key(to: Recipient, kind: DeliveryKind = "alert", level: int = 0) -> str:
    base = f"{to.bureau.id}.{to.officer.id}"
    return base if kind == "alert" else f"{base}.{kind}{level or ''}"


def message_key(alert_id: str, to: Recipient, kind: DeliveryKind = "alert", level: int = 0) -> str:
    """The idempotency key of one message (also its ``alerts.deliveries`` key)."""
    return delivery_key(alert_id, recipient_key(to, kind, level), to.channel)


def message_id_for(key: str) -> str:
    """The email ``Message-ID`` of a delivery key: the same key always gives the same id."""
    return f"<{base64.urlsafe_b64encode(key.encode()).decode().rstrip('=')}@fugitive-alerts>"


def ack_link(config: ComposeConfig, alert_id: str, to: Recipient, now: float) -> str:
    """The signed acknowledgement link for one officer of one bureau, valid ``ack_link_hours``."""
    claim = AckClaim(alert_id, to.bureau.id, to.officer.id, int(now + config.ack_link_hours * 3600))
    return f"{config.public_url}/ack/{sign_ack(config.ack_secret, claim)}"


def compose(alert: Alert, to: Recipient, *, config: ComposeConfig, now: float, kind: DeliveryKind = "alert",
            level: int = 0, original: str | None = None) -> OutgoingSms | OutgoingEmail:
    """The message of ``kind`` for ``to`` on its channel. ``original``: for "seen again", the earlier alert.

    ``now`` (POSIX time) dates the email and starts its link's validity: the same arguments give
    the same message, byte for byte."""
    key = message_key(alert.alert_id, to, kind, level)
    if to.channel == "sms":
        if not to.officer.phone:
            raise ValueError(f"officer {to.officer.id} has no phone")
        return OutgoingSms(key, to.officer.phone, render_sms(alert, kind=kind, level=level, original=original),
                           f"{config.public_url}/twilio/status?key={quote(key, safe='')}")
    if not to.officer.email:
        raise ValueError(f"officer {to.officer.id} has no email")
    content = render_email(alert, to.bureau, to.why, kind=kind, level=level, original=original,
                           ack_link=ack_link(config, original or alert.alert_id, to, now))
    return build_message(content, sender=config.email_from, to=to.officer.email, message_id=message_id_for(key),
                         date=now)
