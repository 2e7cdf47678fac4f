"""Channels (Twilio SMS, SMTP email), routing to bureaus, templates. No Kafka."""

from .directory import load_directory
from .email import SmtpEmail, build_message
from .errors import (
    AlertingError,
    DeliveryError,
    DirectoryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from .render import EmailContent, render_email, render_sms
from .routing import Recipient, bureaus_for, route
from .sms import TwilioSms

__all__ = [
    "AlertingError",
    "DeliveryError",
    "DirectoryError",
    "EmailContent",
    "PermanentDeliveryError",
    "Recipient",
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
