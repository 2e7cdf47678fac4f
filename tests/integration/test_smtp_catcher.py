"""The SMTP catcher (stand-alone, as in the demo) and the in-process SmtpSink, with aiosmtplib."""

from __future__ import annotations

import asyncio
import ssl
import sys
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from fugitive_alerts.local.services import Service, free_port, port_is_free
from fugitive_alerts.local.smtp_catcher import SmtpSink


def _message(ref: str, to: str = "duty@ncb-ke.example") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "alerts@fugitive-alerts.invalid"
    msg["To"] = to
    msg["Subject"] = f"Alert {ref}"
    msg["Message-ID"] = f"<{ref}@fugitive-alerts.invalid>"
    msg.set_content("details only in the body")
    return msg


def _send(msg: EmailMessage, port: int, **kwargs: object) -> None:
    asyncio.run(aiosmtplib.send(msg, hostname="127.0.0.1", port=port, timeout=10, **kwargs))  # type: ignore[arg-type]


def test_sink_receives_and_waits(smtp_sink: SmtpSink) -> None:
    _send(_message("ref-sink-1"), smtp_sink.port)
    got = smtp_sink.wait_for(lambda msgs: [m for m in msgs if "ref-sink-1" in str(m["Subject"])], timeout=10)
    assert len(got) == 1
    assert got[0]["X-Envelope-To"] == "duty@ncb-ke.example"
    assert got[0].get_body(("plain",)).get_content().strip() == "details only in the body"
    with pytest.raises(TimeoutError, match=r"did not arrive within 0\.2 s"):
        smtp_sink.wait_for(lambda msgs: [m for m in msgs if "never" in str(m["Subject"])], timeout=0.2)


def test_starttls_is_required_and_works(smtp_sink_tls: SmtpSink) -> None:
    assert smtp_sink_tls.cafile is not None
    with pytest.raises(aiosmtplib.SMTPException, match="STARTTLS"):
        _send(_message("ref-plain"), smtp_sink_tls.port, start_tls=False)
    context = ssl.create_default_context(cafile=str(smtp_sink_tls.cafile))
    _send(_message("ref-tls"), smtp_sink_tls.port, start_tls=True, tls_context=context)
    smtp_sink_tls.wait_for(lambda msgs: [m for m in msgs if "ref-tls" in str(m["Subject"])], timeout=10)


def test_auth_after_starttls(tmp_path: Path) -> None:
    with SmtpSink.with_starttls(tmp_path, credentials=("mailer", "s3cret")) as sink:
        context = ssl.create_default_context(cafile=str(sink.cafile))
        with pytest.raises(aiosmtplib.SMTPException):
            _send(_message("ref-noauth"), sink.port, start_tls=True, tls_context=context)
        with pytest.raises(aiosmtplib.SMTPAuthenticationError):
            _send(_message("ref-badauth"), sink.port, start_tls=True, tls_context=context,
                  username="mailer", password="wrong")  # fmt: skip
        _send(
            _message("ref-auth"),
            sink.port,
            start_tls=True,
            tls_context=context,
            username="mailer",
            password="s3cret",
        )
        assert [str(m["Subject"]) for m in sink.wait_for(lambda msgs: msgs)] == ["Alert ref-auth"]


def test_credentials_without_tls_are_refused() -> None:
    with pytest.raises(ValueError, match="STARTTLS"):
        SmtpSink(credentials=("a", "b"))


def test_standalone_catcher_stores_messages_and_logs_no_body(tmp_path: Path) -> None:
    port = free_port()
    maildir = tmp_path / "mail"
    service = Service("smtp-catcher", [sys.executable, "-m", "fugitive_alerts.local.smtp_catcher",
                                       "--port", str(port), "--maildir", str(maildir)], tmp_path)  # fmt: skip
    service.start()
    try:
        service.wait_ready(lambda: not port_is_free(port), 30, "the SMTP catcher to listen")
        _send(_message("ref-file-1"), port)
        _send(_message("ref-file-2"), port)
        service.wait_ready(lambda: len(list(maildir.glob("*.eml"))) == 2, 10, "two stored messages")
    finally:
        assert service.stop(10)
    files = sorted(maildir.glob("*.eml"))
    assert "ref-file-1" in files[0].read_text() and "ref-file-2" in files[1].read_text()
    log = service.log_path.read_text()
    assert "message-id=<ref-file-1@fugitive-alerts.invalid>" in log and "recipients=1" in log
    assert "duty@ncb-ke.example" not in log, "the log names no address"
    assert "details only in the body" not in log
    assert service.exit_code() == 0


def test_standalone_catcher_bad_usage_exits_2(tmp_path: Path) -> None:
    import subprocess

    result = subprocess.run([sys.executable, "-m", "fugitive_alerts.local.smtp_catcher", "--port", "1025"],
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 2 and "--maildir" in result.stderr
