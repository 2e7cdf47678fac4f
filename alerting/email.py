"""Email over SMTP with aiosmtplib: plain text plus HTML, STARTTLS and login when configured."""

from __future__ import annotations

import asyncio
import ssl
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from .errors import PermanentDeliveryError, TransientDeliveryError
from .render import EmailContent

__all__ = ["SmtpEmail", "build_message"]


def build_message(content: EmailContent, *, sender: str, to: str, message_id: str) -> EmailMessage:
    """Build the MIME message. Header values are single-line (``EmailMessage`` refuses CR/LF)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = content.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(content.text)
    msg.add_alternative(content.html, subtype="html")
    return msg


class SmtpEmail:
    channel = "email"

    def __init__(self, host: str, port: int, *, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10.0,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.host, self.port, self.sender = host, port, sender
        self._username, self._password = username, password
        self._starttls, self._timeout, self._tls_context = starttls, timeout, tls_context

    async def send(self, message: EmailMessage) -> str:
        """Send one message; return its Message-ID once the server has accepted it."""
        try:
            errors, _ = await aiosmtplib.send(
                message, hostname=self.host, port=self.port, username=self._username, password=self._password,
                start_tls=self._starttls, tls_context=self._tls_context, timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"recipient refused: {_codes(exc.recipients)}", channel="email") from None
        except aiosmtplib.SMTPResponseException as exc:
            error = PermanentDeliveryError if 500 <= exc.code < 600 else TransientDeliveryError
            raise error(f"smtp server answered {exc.code}", channel="email") from None
        except (aiosmtplib.SMTPException, asyncio.TimeoutError, OSError) as exc:
            raise TransientDeliveryError(f"smtp server unreachable: {type(exc).__name__}", channel="email") from None
        if errors:
            raise PermanentDeliveryError(f"recipient refused: {sorted(errors)}", channel="email")
        return str(message["Message-ID"])


def _codes(recipients: list[aiosmtplib.SMTPRecipientRefused]) -> str:
    return ", ".join(str(r.code) for r in recipients)
