"""A small pool of connected ``aiosmtplib.SMTP`` clients to one server.

A new SMTP connection costs a TCP handshake, the greeting, EHLO, and with STARTTLS a TLS
handshake and a second EHLO, then login: several round trips and, with TLS, more CPU than the
message itself. The pool keeps up to ``size`` connections open and lends each to one message at
a time (a client is never shared by two transactions). A connection goes back to the pool only
after a message it carried was accepted; after any error it is closed, and the next message
opens a new one. Idle connections older than ``idle_seconds`` are closed rather than reused
(servers drop idle clients, RFC 5321 suggests after 5 minutes), and a connection is retired
after ``max_messages``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import aiosmtplib

__all__ = ["SmtpPool"]


class _Conn:
    __slots__ = ("client", "idle_since", "sent")

    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client, self.idle_since, self.sent = client, 0.0, 0


class SmtpPool:
    def __init__(self, make: Callable[[str | None], aiosmtplib.SMTP], size: int, *,
                 idle_seconds: float = 30.0, max_messages: int = 500) -> None:
        """``make(local_hostname)`` builds an unconnected client (connection options, STARTTLS, login)."""
        if size < 1:
            raise ValueError("an SMTP pool needs at least one connection")
        self.size, self.idle_seconds, self.max_messages = size, idle_seconds, max_messages
        self._make = make
        self._local_hostname: str | None = None  # aiosmtplib looks up getfqdn() in a thread per connect
        self._idle: list[_Conn] = []
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.opened = 0
        """Connections opened so far (for tests and the benchmark)."""

    def _bind(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._slots is None:  # a new event loop: the old connections are unusable
            self._idle.clear()
            self._slots, self._loop = asyncio.Semaphore(self.size), loop
        return self._slots

    async def acquire(self) -> tuple[_Conn, bool]:
        """A connection for one message, and whether it was reused. Must be given back with :meth:`release`."""
        await self._bind().acquire()
        try:
            now = time.monotonic()
            while self._idle:
                conn = self._idle.pop()  # most recently used first: the least likely to have been dropped
                if conn.client.is_connected and now - conn.idle_since < self.idle_seconds:
                    return conn, True
                conn.client.close()
            return await self.connect(), False
        except BaseException:
            self._bind().release()
            raise

    async def connect(self) -> _Conn:
        client = self._make(self._local_hostname)
        await client.connect()  # EHLO, STARTTLS and login as configured in ``make``
        self._local_hostname = client.local_hostname
        self.opened += 1
        return _Conn(client)

    def release(self, conn: _Conn, *, reusable: bool) -> None:
        """Give a connection back: kept if ``reusable`` (its message was accepted) and still connected."""
        conn.sent += reusable
        if reusable and not self._closed and conn.client.is_connected and conn.sent < self.max_messages:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.client.close()
        self._bind().release()

    async def close(self) -> None:
        """QUIT every idle connection (connections lent out are closed when given back)."""
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
                await conn.client.quit(timeout=2.0)
            conn.client.close()
