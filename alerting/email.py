"""Email over SMTP with aiosmtplib: plain text plus HTML, STARTTLS and login when configured, pooled connections."""

from __future__ import annotations

import ssl
from email import message_from_bytes, policy
from email.message import EmailMessage

import aiosmtplib

from ._mime import encode_message, needs_smtputf8
from ._smtp_pool import SmtpPool
from .errors import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from .render import EmailContent

__all__ = ["OutgoingEmail", "SmtpEmail", "build_message"]


class OutgoingEmail:
    """One message, ready to send: envelope and the RFC 5322 bytes (``alerting._mime``)."""

    __slots__ = ("sender", "to", "message_id", "data")

    def __init__(self, sender: str, to: str, message_id: str, data: bytes) -> None:
        self.sender, self.to, self.message_id, self.data = sender, to, message_id, data

    def parsed(self) -> EmailMessage:
        """The message parsed back (for tests and tools; the channel sends ``data``)."""
        return message_from_bytes(self.data, policy=policy.default)


def build_message(content: EmailContent, *, sender: str, to: str, message_id: str,
                  date: float | None = None) -> OutgoingEmail:
    """Build the MIME message (text and HTML), dated ``date`` (POSIX time; default now). Header values
    must be single-line: CR/LF raises ``ValueError``."""
    data = encode_message(sender=sender, to=to, subject=content.subject, message_id=message_id,
                          text=content.text, html=content.html, date=date)
    return OutgoingEmail(sender, to, message_id, data)


class SmtpEmail:
    """The email channel. Connections are pooled (``alerting._smtp_pool``): up to ``pool_size``
    open connections to the server, each carrying one message at a time, reopened after an error."""

    channel = "email"

    def __init__(self, host: str, port: int, *, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10.0,
                 tls_context: ssl.SSLContext | None = None, pool_size: int = 4,
                 idle_seconds: float = 30.0) -> None:
        self.host, self.port, self.sender = host, port, sender
        self._username, self._password = username, password
        self._starttls, self._timeout, self._tls_context = starttls, timeout, tls_context
        self.pool = SmtpPool(self._new_smtp, pool_size, idle_seconds=idle_seconds)

    def _new_smtp(self, local_hostname: str | None) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(hostname=self.host, port=self.port, username=self._username, password=self._password,
                               start_tls=self._starttls, tls_context=self._tls_context, timeout=self._timeout,
                               local_hostname=local_hostname)

    async def send(self, message: OutgoingEmail) -> str:
        """Send one message; return its Message-ID once the server has accepted it.

        A reused connection that turns out to be closed (the server dropped it while idle) is
        replaced by a new one straight away, once. Failures: SMTP 5xx (also on RCPT) are permanent;
        4xx, timeouts and unreachable servers transient.
        """
        accepted = False
        try:
            conn, reused = await self.pool.acquire()
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise _classify(exc) from None
        try:
            try:
                errors, _ = await _transaction(conn.client, message)
            except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
                if not reused:
                    raise
                conn.client.close()
                conn = await self.pool.connect()
                errors, _ = await _transaction(conn.client, message)
            accepted = not errors
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise _classify(exc) from None
        finally:
            self.pool.release(conn, reusable=accepted)
        if errors:
            # codes only: the refused address is an officer's, and this text is logged and recorded
            raise PermanentDeliveryError(f"recipient refused: {', '.join(str(r.code) for r in errors.values())}",
                                         channel="email")
        return message.message_id

    async def close(self) -> None:
        """Close the pooled connections (QUIT)."""
        await self.pool.close()


async def _transaction(client: aiosmtplib.SMTP, message: OutgoingEmail) -> tuple[dict[str, aiosmtplib.SMTPResponse], str]:
    options = ["SMTPUTF8"] if needs_smtputf8(message.sender, message.to) else None
    return await client.sendmail(message.sender, [message.to], message.data, mail_options=options)


def _classify(exc: BaseException) -> DeliveryError:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):  # 4xx on RCPT (greylisting, full mailbox) is transient
        permanent = all(500 <= r.code < 600 for r in exc.recipients)
        error = PermanentDeliveryError if permanent else TransientDeliveryError
        return error(f"recipient refused: {_codes(exc.recipients)}", channel="email")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        error = PermanentDeliveryError if 500 <= exc.code < 600 else TransientDeliveryError
        return error(f"smtp server answered {exc.code}", channel="email")
    return TransientDeliveryError(f"smtp server unreachable: {type(exc).__name__}", channel="email")


def _codes(recipients: list[aiosmtplib.SMTPRecipientRefused]) -> str:
    return ", ".join(str(r.code) for r in recipients)
