"""Delivery decided in pure code: routing, rosters, escalation, dedup, rate limits, composing
messages; and the channels (Twilio SMS, SMTP email). No Kafka.

| module | concept |
|---|---|
| ``routing``, ``roster`` | who gets an alert, on which channels; the escalation chain |
| ``plan`` | what to do with one new alert (``plan_alert``) |
| ``escalation`` | the escalation state machine: ``escalation.step(state, event, now)`` |
| ``dedup`` | "seen again": ``dedup.step(sighting, event, now)`` |
| ``ratelimit`` | per-officer limits per channel (``DeliveryLimits``) |
| ``compose`` | one message for one recipient: render, sign, build (``compose``) |
| ``tokens``, ``pages`` | signed acknowledgement links; the confirmation page an officer acks from |
| ``sms``, ``email`` | the channels |
"""

from . import dedup, escalation
from .actions import Action, RecordSighting, Save, Send
from .compose import ComposeConfig, OutgoingSms, compose, message_id_for, message_key, recipient_key
from .directory import load_directory
from .email import OutgoingEmail, SmtpEmail, build_message
from .errors import (
    AlertingError,
    DeliveryError,
    DirectoryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from .pages import render_ack_confirm, render_ack_message
from .plan import AlertPlan, plan_alert
from .ratelimit import DeliveryLimits, RateLimiter
from .render import EmailContent, render_email, render_sms
from .review_notices import digest_id, digest_recipients, render_digest, review_item_for
from .roster import critical_recipients, on_duty, staffed
from .routing import Recipient, bureaus_for, channels_for, escalation_chain, escalation_step, fallback_for, route
from .sms import TwilioSms
from .tokens import AckClaim, InvalidToken, form_key, sign_ack, verify_ack, verify_form_key

__all__ = [
    "digest_id",
    "digest_recipients",
    "render_digest",
    "review_item_for",
    "AckClaim",
    "Action",
    "AlertPlan",
    "AlertingError",
    "ComposeConfig",
    "DeliveryError",
    "DeliveryLimits",
    "DirectoryError",
    "EmailContent",
    "InvalidToken",
    "OutgoingEmail",
    "OutgoingSms",
    "PermanentDeliveryError",
    "RateLimiter",
    "Recipient",
    "RecordSighting",
    "Save",
    "Send",
    "SmtpEmail",
    "TransientDeliveryError",
    "TwilioSms",
    "build_message",
    "bureaus_for",
    "channels_for",
    "compose",
    "critical_recipients",
    "dedup",
    "escalation",
    "escalation_chain",
    "escalation_step",
    "fallback_for",
    "load_directory",
    "message_id_for",
    "message_key",
    "on_duty",
    "plan_alert",
    "recipient_key",
    "render_email",
    "render_sms",
    "route",
    "sign_ack",
    "staffed",
    "verify_ack",
    "form_key",
    "verify_form_key",
    "render_ack_confirm",
    "render_ack_message",
]
