"""The email channel (``alerting.SmtpEmail``) against real aiosmtpd servers: pooled connections,
STARTTLS and login on them, reconnection, and the permanent/transient classification."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from alerting import EmailContent, PermanentDeliveryError, SmtpEmail, TransientDeliveryError, build_message
from fugitive_alerts.local.services import free_port
from fugitive_alerts.local.smtp_catcher import SmtpSink

SENDER = "alerts@fugitive-alerts.invalid"


def _message(ref: str, to: str = "duty@ncb-ke.example") -> object:
    content = EmailContent(subject=f"Alert {ref}", text=f"details of {ref}", html=f"<p>details of {ref}</p>")
    return build_message(content, sender=SENDER, to=to, message_id=f"<{ref}@fugitive-alerts.invalid>")


def _subjects(sink: SmtpSink, prefix: str, n: int) -> list[str]:
    got = sink.wait_for(lambda msgs: (m := [m for m in msgs if str(m["Subject"]).startswith(prefix)]) and
                        len(m) >= n and m, timeout=10)
    return sorted(str(m["Subject"]) for m in got)


def test_messages_share_a_few_connections_with_starttls_and_login(tmp_path: Path) -> None:
    """20 concurrent messages through a pool of 2 open at most 2 connections, each after STARTTLS and AUTH."""
    with SmtpSink.with_starttls(tmp_path, credentials=("mailer", "s3cret")) as sink:
        assert sink.cafile is not None
        email = SmtpEmail("127.0.0.1", sink.port, sender=SENDER, username="mailer", password="s3cret",
                          starttls=True, tls_context=ssl.create_default_context(cafile=str(sink.cafile)),
                          pool_size=2)

        async def main() -> list[str]:
            ids = await asyncio.gather(*(email.send(_message(f"pool-{i:02d}")) for i in range(20)))  # type: ignore[arg-type]
            await email.close()
            return list(ids)
        ids = asyncio.run(main())
        assert ids == [f"<pool-{i:02d}@fugitive-alerts.invalid>" for i in range(20)]
        assert _subjects(sink, "Alert pool-", 20) == [f"Alert pool-{i:02d}" for i in range(20)]
        assert 1 <= email.pool.opened <= 2


def test_wrong_password_is_permanent(tmp_path: Path) -> None:
    with SmtpSink.with_starttls(tmp_path, credentials=("mailer", "s3cret")) as sink:
        assert sink.cafile is not None
        email = SmtpEmail("127.0.0.1", sink.port, sender=SENDER, username="mailer", password="wrong",
                          starttls=True, tls_context=ssl.create_default_context(cafile=str(sink.cafile)))
        with pytest.raises(PermanentDeliveryError, match="535"):
            asyncio.run(email.send(_message("badauth")))  # type: ignore[arg-type]


def test_a_connection_the_server_dropped_is_replaced_at_once() -> None:
    """The server restarts between two messages: the second one goes out on a new connection, no error."""
    port = free_port()
    email = SmtpEmail("127.0.0.1", port, sender=SENDER, pool_size=1)

    async def main() -> None:
        with SmtpSink(port=port) as first:
            await email.send(_message("before-restart"))  # type: ignore[arg-type]
            _subjects(first, "Alert before-restart", 1)
        with SmtpSink(port=port) as second:
            await email.send(_message("after-restart"))  # type: ignore[arg-type]
            _subjects(second, "Alert after-restart", 1)
        await email.close()
    asyncio.run(main())
    assert email.pool.opened == 2


def test_unreachable_server_is_transient_and_the_channel_recovers() -> None:
    port = free_port()
    email = SmtpEmail("127.0.0.1", port, sender=SENDER, pool_size=1, timeout=2.0)

    async def main() -> None:
        with pytest.raises(TransientDeliveryError, match="unreachable"):
            await email.send(_message("down"))  # type: ignore[arg-type]
        with SmtpSink(port=port) as sink:
            await email.send(_message("up"))  # type: ignore[arg-type]
            _subjects(sink, "Alert up", 1)
        await email.close()
    asyncio.run(main())


class _Refuse:
    """Refuses one mailbox with 550 and greylists another with 451; accepts the rest."""

    async def handle_RCPT(self, server: object, session: object, envelope: object, address: str,
                          rcpt_options: list[str]) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("later@"):
            return "451 4.7.1 try again later"
        envelope.rcpt_tos.append(address)  # type: ignore[attr-defined]
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 accepted"


def test_refused_recipient_is_permanent_greylisting_transient_and_sending_goes_on() -> None:
    controller = Controller(_Refuse(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        email = SmtpEmail("127.0.0.1", controller.port, sender=SENDER, pool_size=1)

        async def main() -> None:
            with pytest.raises(PermanentDeliveryError, match="550"):
                await email.send(_message("refused", to="nobody@ncb-ke.example"))  # type: ignore[arg-type]
            with pytest.raises(TransientDeliveryError, match="451"):
                await email.send(_message("grey", to="later@ncb-ke.example"))  # type: ignore[arg-type]
            assert await email.send(_message("fine")) == "<fine@fugitive-alerts.invalid>"  # type: ignore[arg-type]
            await email.close()
        asyncio.run(main())
    finally:
        controller.stop()
