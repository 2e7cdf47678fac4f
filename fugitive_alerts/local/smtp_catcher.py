"""A real SMTP server that keeps what it receives: for the demo and for tests.

Two ways to use it:

- ``python -m fugitive_alerts.local.smtp_catcher --port 1025 --maildir var/mail`` runs a server that
  stores each message as ``<maildir>/<UTC timestamp>-<n>.eml`` and logs one line per message
  (file, Message-ID, number of recipients; never addresses or the body). Stop it with SIGTERM or Ctrl-C.
- :class:`SmtpSink` runs one in-process (``aiosmtpd.controller.Controller`` on 127.0.0.1, a free
  port) and keeps the parsed :class:`email.message.EmailMessage` objects in memory;
  :meth:`SmtpSink.wait_for` blocks on a condition variable until the expected messages arrive.

Both speak STARTTLS when given a certificate (:func:`make_self_signed_cert` makes one for
``IP:127.0.0.1``); clients then need ``start_tls=True`` and
``tls_context=ssl.create_default_context(cafile=<cert>)``. With ``require_starttls`` the server
refuses mail before STARTTLS. :class:`SmtpSink` can also require AUTH (PLAIN/LOGIN) after
STARTTLS. (aiosmtpd 1.4.6 itself logs "Session.login_data is deprecated" on each successful AUTH.)
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import itertools
import shutil
import signal
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from .services import free_port

__all__ = ["SmtpSink", "make_self_signed_cert", "server_tls_context"]

T = TypeVar("T")


def make_self_signed_cert(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """Write ``cert.pem`` / ``key.pem`` for ``host`` (subjectAltName IP:127.0.0.1, DNS:localhost).

    The certificate is its own CA: trust it with ``ssl.create_default_context(cafile=cert)``.
    Uses the ``openssl`` command.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError(
            "the openssl command is needed to make a test certificate (apt-get install openssl)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "7", "-subj", f"/CN={host}",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return cert, key


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server-side TLS context for STARTTLS."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _envelope_bytes(envelope: Envelope) -> bytes:
    content = envelope.original_content or envelope.content or b""
    return content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")


# -- the stand-alone catcher ---------------------------------------------------------------------


class MaildirHandler:
    """Stores each message in ``maildir`` and logs one line about it."""

    def __init__(self, maildir: Path, log: Callable[[str], None]) -> None:
        self.maildir = maildir
        self.log = log
        self._counter = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = _envelope_bytes(envelope)
        now = datetime.now(UTC)
        name = f"{now:%Y%m%dT%H%M%S.%f}Z-{next(self._counter)}.eml"
        tmp = self.maildir / f".{name}.tmp"
        tmp.write_bytes(data)
        tmp.replace(self.maildir / name)
        headers = BytesHeaderParser(policy=email.policy.default).parsebytes(data)
        self.log(
            f"{now:%Y-%m-%dT%H:%M:%SZ} stored {name} message-id={headers.get('Message-ID', '-')} "
            f"recipients={len(envelope.rcpt_tos)}"
        )
        return "250 Message accepted for delivery"


async def _serve(args: argparse.Namespace) -> None:
    maildir: Path = args.maildir
    maildir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240  # once, before serving
    tls = server_tls_context(args.tls_cert, args.tls_key) if args.tls_cert else None
    handler = MaildirHandler(maildir, lambda line: print(line, flush=True))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname=args.host, tls_context=tls, require_starttls=args.require_starttls),
        host=args.host,
        port=args.port,
    )
    stopped = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    tls_note = " (STARTTLS required)" if args.require_starttls else " (STARTTLS offered)" if tls else ""
    print(
        f"SMTP catcher listening on {args.host}:{args.port}{tls_note}; messages go to {maildir}", flush=True
    )
    await stopped.wait()
    server.close()
    await server.wait_closed()
    print("SMTP catcher stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m fugitive_alerts.local.smtp_catcher``; exit 2 on bad usage, 1 if it cannot listen."""
    parser = argparse.ArgumentParser(
        prog="python -m fugitive_alerts.local.smtp_catcher", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=1025, help="port to listen on (default 1025)")
    parser.add_argument("--maildir", type=Path, required=True, help="directory to store messages in")
    parser.add_argument("--tls-cert", type=Path, help="PEM certificate: offer STARTTLS")
    parser.add_argument("--tls-key", type=Path, help="PEM private key for --tls-cert")
    parser.add_argument("--require-starttls", action="store_true", help="refuse mail before STARTTLS")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.require_starttls and not args.tls_cert:
        parser.error("--require-starttls needs --tls-cert and --tls-key")
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port} is not a TCP port")
    try:
        asyncio.run(_serve(args))
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


# -- the in-process sink for tests ------------------------------------------------------------


class _SinkHandler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        refused = self.sink._refusal("RCPT", address)
        if refused is not None:
            return refused
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        for address in envelope.rcpt_tos:
            refused = self.sink._refusal("DATA", address)
            if refused is not None:
                return refused
        msg = email.message_from_bytes(_envelope_bytes(envelope), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        del msg["X-Envelope-From"], msg["X-Envelope-To"]
        msg["X-Envelope-From"] = envelope.mail_from or ""
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.sink._add(msg)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server in a background thread that keeps every message it receives.

    Each message is an :class:`EmailMessage` with two added headers, ``X-Envelope-From`` and
    ``X-Envelope-To`` (comma-separated), holding the SMTP envelope. ``credentials`` (user,
    password) makes AUTH (PLAIN/LOGIN, after STARTTLS) required; it needs ``tls_context``.

    ``refuse(stage, address)``, for fault tests, may answer ``RCPT`` or ``DATA`` for one recipient
    with an SMTP reply (``"451 4.3.0 try again later"``) instead of accepting; ``None`` accepts.
    Each refusal is kept in :attr:`refusals` as (stage, address, reply).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        tls_context: ssl.SSLContext | None = None,
        require_starttls: bool = False,
        credentials: tuple[str, str] | None = None,
        cafile: Path | None = None,
        refuse: Callable[[str, str], str | None] | None = None,
    ) -> None:
        self.host = host
        self.refuse = refuse
        self.refusals: list[tuple[str, str, str]] = []
        self.port = port if port is not None else free_port(host)
        self.cafile = cafile
        """The certificate clients should trust, when the sink speaks STARTTLS."""
        self.credentials = credentials
        self._messages: list[EmailMessage] = []
        self._cond = threading.Condition()
        kwargs: dict[str, Any] = {"tls_context": tls_context, "require_starttls": require_starttls}
        if credentials is not None:
            if tls_context is None:
                raise ValueError("AUTH needs STARTTLS: use SmtpSink.with_starttls(cert_dir, credentials=...)")
            kwargs |= {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": True}
        self._controller = Controller(_SinkHandler(self), hostname=host, port=self.port, **kwargs)

    @classmethod
    def with_starttls(cls, cert_dir: Path, *, require_starttls: bool = True, **kwargs: Any) -> SmtpSink:
        """A sink with a fresh self-signed certificate in ``cert_dir``; trust ``sink.cafile``."""
        cert, key = make_self_signed_cert(cert_dir)
        return cls(
            tls_context=server_tls_context(cert, key),
            require_starttls=require_starttls,
            cafile=cert,
            **kwargs,
        )

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.credentials is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        )
        return AuthResult(success=ok, handled=False)

    def _refusal(self, stage: str, address: str) -> str | None:
        reply = self.refuse(stage, address) if self.refuse is not None else None
        if reply is not None:
            with self._cond:
                self.refusals.append((stage, address, reply))
                self._cond.notify_all()
        return reply

    def _add(self, msg: EmailMessage) -> None:
        with self._cond:
            self._messages.append(msg)
            self._cond.notify_all()

    def start(self) -> Self:
        """Start listening (returns once the server accepts connections)."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        """A copy of the messages received so far, oldest first."""
        with self._cond:
            return list(self._messages)

    def clear(self) -> None:
        """Forget the messages received so far."""
        with self._cond:
            self._messages.clear()

    def wait_for(self, predicate: Callable[[list[EmailMessage]], T], timeout: float = 10.0) -> T:
        """Block until ``predicate(messages so far)`` is truthy; return what it returned.

        E.g. ``sink.wait_for(lambda msgs: [m for m in msgs if ref in str(m["Subject"])])`` waits
        for at least one such message and returns the list. Woken by each arrival (a condition
        variable, no polling). Raises :class:`TimeoutError` after ``timeout`` seconds.
        """
        result: list[T] = []

        def satisfied() -> bool:
            value = predicate(list(self._messages))
            if value:
                result.append(value)
            return bool(value)

        with self._cond:
            if self._cond.wait_for(satisfied, timeout):
                return result[-1]
            total = len(self._messages)
            ids = ", ".join(str(m.get("Message-ID", "?")) for m in self._messages[-5:])
        raise TimeoutError(
            f"the e-mail awaited at {self.host}:{self.port} did not arrive within {timeout:g} s; "
            f"{total} received (last Message-IDs: {ids or 'none'})"
        )


if __name__ == "__main__":
    sys.exit(main())
