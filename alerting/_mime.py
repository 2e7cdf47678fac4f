"""The bytes of an alert email (multipart/alternative: text and HTML), written directly.

``email.message.EmailMessage`` with ``set_content``/``add_alternative``, then its generator, cost
about 2 ms of CPU per message (header objects parsed and refolded through
``email._header_value_parser``): more than sending it over a pooled connection. The message
here is always the same shape, so it is written out: ASCII headers as they are (a long subject
folded at spaces), a non-ASCII subject as RFC 2047 encoded words (``email.header``), both parts UTF-8 quoted-printable
(``binascii``, in C), and a boundary that quoted-printable output cannot contain (``=_``).
Non-ASCII addresses take the general path (``EmailMessage``), which knows their rules.
"""

from __future__ import annotations

import binascii
import hashlib
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

__all__ = ["encode_message", "needs_smtputf8"]

_MAX_LINE = 78


def encode_message(*, sender: str, to: str, subject: str, message_id: str, text: str, html: str,
                   date: float | None = None) -> bytes:
    """The whole message, CRLF line ends. Raises ``ValueError`` if a header value holds CR or LF.

    ``date`` (a POSIX time; default now) is the ``Date`` header. The MIME boundary is derived from
    the ``Message-ID``, so the same arguments always give the same bytes (a copy sent again after
    a crash is the same message)."""
    for value in (sender, to, subject, message_id):
        if "\r" in value or "\n" in value:
            raise ValueError("Header values may not contain linefeed or carriage return characters")
    if not (sender.isascii() and to.isascii()):
        return _general(sender=sender, to=to, subject=subject, message_id=message_id, text=text, html=html,
                        date=date)
    boundary = f"=_{hashlib.sha256(message_id.encode()).hexdigest()[:32]}"
    head = (f"From: {sender}\r\nTo: {to}\r\nSubject: {_subject(subject)}\r\n"
            f"Date: {formatdate(date, localtime=False)}\r\nMessage-ID: {message_id}\r\n"
            "Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n\r\n')
    return b"".join((
        head.encode("ascii"),
        _part(boundary, "plain", text), _part(boundary, "html", html),
        f"--{boundary}--\r\n".encode("ascii"),
    ))


def needs_smtputf8(*addresses: str) -> bool:
    """True if an address itself (not its display name) is non-ASCII: the server must offer SMTPUTF8."""
    return not all(parseaddr(a)[1].isascii() for a in addresses)


def _subject(subject: str) -> str:
    """ASCII: folded before a space so that no line exceeds 78 characters where it can be helped
    (unfolding gives the subject back); otherwise RFC 2047 encoded words."""
    if not subject.isascii() or "=?" in subject:  # "=?" could read as the start of an encoded word
        return Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    out, width = [], len("Subject: ")
    for i, word in enumerate(subject.split(" ")):
        if i:
            if width + 1 + len(word) > _MAX_LINE:
                out.append("\r\n")
                width = 0
            out.append(" ")
            width += 1
        out.append(word)
        width += len(word)
    return "".join(out)


def _part(boundary: str, subtype: str, body: str) -> bytes:
    encoded = binascii.b2a_qp(body.encode("utf-8"), istext=True).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return b"".join((
        f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode("ascii"),
        encoded, b"\r\n",  # this CRLF belongs to the next boundary (RFC 2046), not to the body
    ))


def _general(*, sender: str, to: str, subject: str, message_id: str, text: str, html: str,
             date: float | None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = formatdate(date, localtime=False)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    utf8 = needs_smtputf8(sender, to)  # else display names become RFC 2047 encoded words
    return msg.as_bytes(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)
