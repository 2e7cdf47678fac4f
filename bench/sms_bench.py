"""Micro-benchmark of the SMS hand-off: N messages through ``alerting.TwilioSms`` to Prism.

    .venv/bin/python bench/sms_bench.py --count 1000 --concurrency 64

Prism serves Twilio's OpenAPI spec (``fugitive_alerts.local.twilio_mock``) and validates each request.
``TwilioSms`` uses the twilio library's ``AsyncTwilioHttpClient`` (one aiohttp session, no
thread). An aiohttp trace counts the TCP connections opened, to show whether they are reused.
Prints messages/s, latency per send, this process's CPU per message, Prism's CPU per message.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from _procstat import cpu_seconds

from alerting import TwilioSms
from fugitive_alerts.local.services import free_port
from fugitive_alerts.local.twilio_mock import start_twilio_mock


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


async def run(url: str, count: int, concurrency: int, prism_pid: int) -> dict[str, Any]:
    sms = TwilioSms("AC" + "0" * 32, "test-token", "+15005550006", url)
    opened = {"n": 0}
    trace = aiohttp.TraceConfig()

    async def on_create(*_: Any) -> None:
        opened["n"] += 1
    trace.on_connection_create_end.append(on_create)
    sms._http.session._trace_configs.append(trace)  # the client's own session (one per TwilioSms)
    trace.freeze()
    for _ in range(5):
        await sms.send("+254712345678", "ALERT A-1B2C3D4E5F warm-up")
    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(i: int) -> None:
        async with limit:
            t = time.perf_counter()
            await sms.send("+254712345678", f"ALERT A-{i:010d} border crossing KE-POST-001. Ack: reply ACK A-{i:010d}",
                           "http://127.0.0.1:8080/twilio/status?key=x")
            latencies.append((time.perf_counter() - t) * 1e3)
    c0, p0, t0 = time.process_time(), cpu_seconds(prism_pid), time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    wall = time.perf_counter() - t0
    cpu, prism = time.process_time() - c0, cpu_seconds(prism_pid) - p0
    await sms.close()
    return {"rate": count / wall, "p50": pct(latencies, 50), "p99": pct(latencies, 99), "connections": opened["n"],
            "cpu_ms": cpu / count * 1e3, "prism_ms": prism / count * 1e3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args()
    port = free_port()
    prism = start_twilio_mock(port, Path(tempfile.mkdtemp(prefix="sms-bench-")), error_responses=False)
    try:
        print(f"# load average {' '.join(open('/proc/loadavg').read().split()[:3])}; {args.count:,} SMS, "
              f"{args.concurrency} in flight")
        r = asyncio.run(run(f"http://127.0.0.1:{port}", args.count, args.concurrency, prism.pid or 0))
        print("\n| messages/s | p50 ms | p99 ms | TCP connections opened | client CPU ms/msg | Prism CPU ms/msg |")
        print("|---:|---:|---:|---:|---:|---:|")
        print(f"| {r['rate']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['connections']} | {r['cpu_ms']:.2f} "
              f"| {r['prism_ms']:.2f} |")
        print(f"\n# load average at the end {' '.join(open('/proc/loadavg').read().split()[:3])}")
    finally:
        prism.stop()


if __name__ == "__main__":
    main()
