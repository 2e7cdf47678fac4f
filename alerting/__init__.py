"""Channels (Twilio SMS, SMTP email), routing to bureaus, templates. No Kafka."""

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
from .ratelimit import RateLimiter
from .render import EmailContent, render_email, render_sms
from .roster import critical_recipients, on_duty, staffed
from .routing import Recipient, bureaus_for, channels_for, escalation_chain, escalation_step, route
from .sms import TwilioSms
from .tokens import AckClaim, InvalidToken, form_key, sign_ack, verify_ack, verify_form_key

__all__ = [
    "AckClaim",
    "InvalidToken",
    "RateLimiter",
    "channels_for",
    "critical_recipients",
    "escalation_chain",
    "escalation_step",
    "on_duty",
    "sign_ack",
    "staffed",
    "verify_ack",
    "form_key",
    "verify_form_key",
    "render_ack_confirm",
    "render_ack_message",
    "AlertingError",
    "DeliveryError",
    "DirectoryError",
    "EmailContent",
    "PermanentDeliveryError",
    "Recipient",
    "OutgoingEmail",
    "SmtpEmail",
    "TransientDeliveryError",
    "TwilioSms",
    "build_message",
    "bureaus_for",
    "load_directory",
    "render_email",
    "render_sms",
    "route",
]
