"""Micro-benchmark of the email hand-off: N messages to an aiosmtpd sink, messages/s and latency.

    .venv/bin/python bench/email_bench.py                       # 2,000 messages, 64 at once, plain and STARTTLS
    .venv/bin/python bench/email_bench.py --count 5000 --concurrency 16 --pool-sizes 1,4,8

The sink is ``python -m aiosmtpd -c aiosmtpd.handlers.Sink`` in its own process (it accepts and
drops every message), with STARTTLS and a self-signed certificate for the ``starttls`` rows. The
messages are text + HTML, about 4 KB. Modes:

* ``per-message``: the old channel: the message built as an ``email.message.EmailMessage``, then
  ``aiosmtplib.send``, i.e. a new connection (EHLO, STARTTLS, QUIT) per message;
* ``pool N``: the channel now: ``alerting.build_message`` (the bytes written directly) and
  ``alerting.SmtpEmail(pool_size=N)``.

Building the message is part of each send here, as it is in the dispatcher.

``--concurrency`` sends are in flight at once (the dispatcher handles 16 alerts at once, each with
up to 4 messages). Latency is from the call to its return (it includes waiting for a pooled
connection). CPU is this process's user+system seconds per 1,000 messages, and the sink's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib
from _procstat import cpu_seconds

from alerting import EmailContent, SmtpEmail, build_message
from fugitive_alerts.local.services import free_port, wait_for
from fugitive_alerts.local.smtp_catcher import make_self_signed_cert

TEXT = ("ALERT border crossing A-1B2C3D4E5F at NBO-JKIA-T1 (KE), 2026-04-14 08:12 UTC.\n" * 12
        + "Acknowledge: http://127.0.0.1:8080/ack/" + "x" * 160 + "\n")
HTML = "<html><body>" + "<p>ALERT border crossing A-1B2C3D4E5F at <b>NBO-JKIA-T1</b> (KE).</p>\n" * 30 + "</body></html>"


def content(i: int) -> tuple[EmailContent, str, str]:
    return (EmailContent(subject=f"[REVIEW] possible match A-{i:010d}", text=TEXT, html=HTML),
            f"analyst{i % 4}@bench.example", f"<bench-{i}@fugitive-alerts>")


def old_build_message(content: EmailContent, *, sender: str, to: str, message_id: str) -> EmailMessage:
    """``alerting.build_message`` before it wrote the bytes itself (commit 139032d)."""
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


class PerMessage:
    """The old channel: ``EmailMessage``, then one ``aiosmtplib.send`` (connect, EHLO, [STARTTLS,
    EHLO], send, QUIT) per message."""

    def __init__(self, host: str, port: int, starttls: bool, tls_context: ssl.SSLContext | None) -> None:
        self.host, self.port, self.starttls, self.tls_context = host, port, starttls, tls_context

    async def send(self, item: tuple[EmailContent, str, str]) -> str:
        msg = old_build_message(item[0], sender="alerts@bench.example", to=item[1], message_id=item[2])
        await aiosmtplib.send(msg, hostname=self.host, port=self.port, start_tls=self.starttls,
                              tls_context=self.tls_context, timeout=10.0)
        return str(msg["Message-ID"])

    async def close(self) -> None:
        return None


class Pooled:
    """The channel now: ``alerting.build_message`` (bytes written directly) and ``SmtpEmail`` (pooled)."""

    def __init__(self, email: SmtpEmail) -> None:
        self.email = email

    async def send(self, item: tuple[EmailContent, str, str]) -> str:
        return await self.email.send(build_message(item[0], sender=self.email.sender, to=item[1], message_id=item[2]))

    async def close(self) -> None:
        await self.email.close()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


async def run(channel: Any, count: int, concurrency: int) -> dict[str, float]:
    messages = [content(i) for i in range(count)]
    for m in messages[:5]:  # warm-up: first connections, TLS context
        await channel.send(m)
    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(m: Any) -> None:
        async with limit:
            t = time.perf_counter()
            await channel.send(m)
            latencies.append((time.perf_counter() - t) * 1e3)
    cpu0, sink0 = time.process_time(), cpu_seconds(SINK_PID)
    t0 = time.perf_counter()
    await asyncio.gather(*(one(m) for m in messages))
    wall = time.perf_counter() - t0
    cpu, sink = time.process_time() - cpu0, cpu_seconds(SINK_PID) - sink0
    await channel.close()
    return {"rate": count / wall, "p50": pct(latencies, 50), "p99": pct(latencies, 99), "max": max(latencies),
            "cpu_ms": cpu / count * 1e6 / 1e3, "sink_ms": sink / count * 1e6 / 1e3}


SINK_PID = 0


def main() -> None:
    global SINK_PID
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--pool-sizes", default="1,4,8")
    ap.add_argument("--no-per-message", action="store_true")
    ap.add_argument("--tls", default="plain,starttls", help="plain, starttls or both")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="email-bench-"))
    cert, key = make_self_signed_cert(tmp)
    client_tls = ssl.create_default_context(cafile=str(cert))
    print(f"# load average {' '.join(open('/proc/loadavg').read().split()[:3])}, {os.cpu_count()} CPUs; "
          f"{args.count:,} messages, {args.concurrency} in flight", flush=True)
    print("\n| server | channel | messages/s | p50 ms | p99 ms | max ms | client CPU ms/msg | sink CPU ms/msg |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for tls in args.tls.split(","):
        port = free_port()
        extra = ["--tlscert", str(cert), "--tlskey", str(key)] if tls == "starttls" else []
        sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                                 "-l", f"127.0.0.1:{port}", *extra], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        SINK_PID = sink.pid
        try:
            wait_for(lambda port=port: _listening(port), 20, "the SMTP sink")
            starttls = tls == "starttls"
            ctx = client_tls if starttls else None
            channels: list[tuple[str, Any]] = []
            if not args.no_per_message:
                channels.append(("per-message (`aiosmtplib.send`)",
                                 lambda port=port, starttls=starttls, ctx=ctx: PerMessage("127.0.0.1", port, starttls, ctx)))
            for n in (int(s) for s in args.pool_sizes.split(",") if s):
                channels.append((f"pool {n}", lambda n=n, port=port, starttls=starttls, ctx=ctx: Pooled(SmtpEmail(
                    "127.0.0.1", port, sender="alerts@bench.example", starttls=starttls, tls_context=ctx, pool_size=n))))
            for name, make in channels:
                r = asyncio.run(run(make(), args.count, args.concurrency))
                print(f"| {tls} | {name} | {r['rate']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} "
                      f"| {r['cpu_ms']:.2f} | {r['sink_ms']:.2f} |", flush=True)
        finally:
            sink.terminate()
            sink.wait(10)
    print(f"\n# load average at the end {' '.join(open('/proc/loadavg').read().split()[:3])}")


def _listening(port: int) -> bool:
    import socket
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    main()
