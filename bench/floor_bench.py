"""The CPU floor of consuming at a paced rate: what reading events costs before any screening.

    .venv/bin/python bench/floor_bench.py                       # 300 and 1,000 events/s
    .venv/bin/python bench/floor_bench.py --rates 300 --duration 30

On a broker of its own (free ports, temporary directory), one topic of one partition, a producer
paces small events (one request each, as border posts send them). One consumer at a time reads
them, each in a process of its own:

- **aiokafka**: a plain ``AIOKafkaConsumer`` (uvloop, ``getmany``, ``orjson.loads``, fetch wait 20 ms);
- **Faust, consumer in the worker's loop**: a Faust agent that decodes each value and does nothing
  else, built with the worker's own settings (``streams.app.new_faust_app``): the worker's default;
- **Faust, consumer thread**: the same with ``FUGITIVE_ALERTS_FAUST_CONSUMER_THREAD=true``
  (Faust's own arrangement).

For each consumer and rate it prints the CPU of the consumer and of the broker (% of one core, and
ms per event), measured after a pre-warm of the broker (its JIT compiler works through its first
minute). The worker's CPU per event at the same rate (``pipeline_bench.py --find-capacity``) is
read against these: the pipeline cannot use less than the framework it runs on.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import orjson
from _procstat import cpu_seconds, machine
from _rundir import run_directory

from fugitive_alerts.local.services import free_port

TOPIC = "floor.events"
CONSUMERS = {
    "aiokafka": ("kafka", {}),
    "Faust, consumer in the worker's loop": ("faust", {"FUGITIVE_ALERTS_FAUST_CONSUMER_THREAD": "false"}),
    "Faust, consumer thread": ("faust", {"FUGITIVE_ALERTS_FAUST_CONSUMER_THREAD": "true"}),
}
EVENT = orjson.dumps({"event_id": "bc-0", "event_type": "border_crossing", "occurred_at": "2026-04-14T08:12:00Z",
                      "country": "KE", "post": "NBO-JKIA-T1", "direction": "entry", "agency": "ke-immigration",
                      "traveler": {"given": "AMANI", "family": "ODHIAMBO", "birth_date": "1980-01-01",
                                   "nationality": "KE", "document": {"type": "passport", "number": "KE0000000",
                                                                     "country": "KE"}}})


def child(kind: str, web_port: int) -> None:
    """Consume TOPIC forever (until killed)."""
    if kind == "kafka":
        import uvloop
        from aiokafka import AIOKafkaConsumer, TopicPartition

        from schemas import Settings

        async def run() -> None:
            consumer = AIOKafkaConsumer(group_id=None, enable_auto_commit=False, fetch_max_wait_ms=20,
                                        **Settings().kafka_client_kwargs())
            await consumer.start()
            tp = TopicPartition(TOPIC, 0)
            consumer.assign([tp])
            await consumer.seek_to_end(tp)
            while True:
                for records in (await consumer.getmany(timeout_ms=1000)).values():
                    for rec in records:
                        orjson.loads(rec.value)

        uvloop.run(run())
        return
    from _ceilings import noop_faust_app, run_faust_worker

    app, topic = noop_faust_app(TOPIC, "floor", web_port)
    import faust

    @app.agent(topic, name="noop")
    async def noop(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            orjson.loads(event.message.value)

    run_faust_worker(app)

async def pace(bootstrap: str, rate: float, seconds: float) -> int:
    """Send ``rate`` events a second for ``seconds``, each as a request of its own (no linger)."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0, acks="all")
    await producer.start()
    try:
        t0, n = time.perf_counter(), 0
        while time.perf_counter() - t0 < seconds:
            delay = t0 + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # pacing, not synchronisation
            await producer.send(TOPIC, value=EVENT, key=str(n).encode())
            n += 1
        await producer.flush()
        return n
    finally:
        await producer.stop()


async def create_topic(bootstrap: str) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(TOPIC, 1, 1)])
    finally:
        await admin.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rates", default="300,1000", help="paced events/s, comma-separated")
    ap.add_argument("--duration", type=float, default=20, help="measured seconds per consumer and rate")
    ap.add_argument("--warmup", type=float, default=5, help="seconds of traffic before each measurement")
    ap.add_argument("--prewarm", type=float, default=60,
                    help="seconds at 600/s before the first measurement (the broker's CPU per request still fell after 30 s)")
    ap.add_argument("--keep", action="store_true", help="keep the run directory")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "WEB_PORT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return

    import logging

    from fugitive_alerts.local.kafka import LocalBroker

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # the broker's start-up probes
    rates = [float(r) for r in args.rates.split(",")]
    print(f"Machine: {machine()}\n")
    rows: list[str] = []
    with run_directory("floor-bench-", keep=args.keep) as run:
        broker = LocalBroker(run / "kafka", free_port(), free_port())
        broker.start(timeout=120)
        try:
            bootstrap = broker.bootstrap
            asyncio.run(create_topic(bootstrap))
            env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "FUGITIVE_ALERTS_DATA_DIR": str(run / "data")}
            print(f"# pre-warm: {args.prewarm:.0f} s at 600/s  [load {os.getloadavg()[0]:.2f}]", flush=True)
            asyncio.run(pace(bootstrap, 600, args.prewarm))
            for number, (name, (kind, extra)) in enumerate(CONSUMERS.items()):
                log = (run / f"{number}-{kind}.log").open("w")
                proc = subprocess.Popen([sys.executable, __file__, "--child", kind, str(free_port())],
                                        env={**env, **extra}, stdout=log, stderr=subprocess.STDOUT)
                try:
                    for rate in rates:
                        print(f"# {name}: {args.warmup:.0f} s, then {args.duration:.0f} s at {rate:.0f}/s"
                              f"  [load {os.getloadavg()[0]:.2f}]", flush=True)
                        # a consumer's first warm-up also covers its start and group join (10 s more)
                        asyncio.run(pace(bootstrap, rate, args.warmup + (10 if rate == rates[0] else 0)))
                        c0, b0, t0 = cpu_seconds(proc.pid), cpu_seconds(broker.pid or 0), time.perf_counter()
                        sent = asyncio.run(pace(bootstrap, rate, args.duration))
                        wall = time.perf_counter() - t0
                        if proc.poll() is not None:
                            sys.exit(f"the {name} consumer exited ({proc.returncode}); see {log.name} in {run}")
                        mine, theirs = cpu_seconds(proc.pid) - c0, cpu_seconds(broker.pid or 0) - b0  # CPU seconds
                        rows.append(f"| {name} | {rate:,.0f} | {mine / wall:.0%} | {1000 * mine / sent:.2f} | "
                                    f"{theirs / wall:.0%} | {1000 * theirs / sent:.2f} | "
                                    f"{1000 * (mine + theirs) / sent:.2f} | {os.getloadavg()[0]:.2f} |")
                finally:
                    proc.terminate()
                    proc.wait(30)
                    log.close()
        finally:
            broker.stop()
    print("\n| consumer | events/s | consumer CPU | ms per event | broker CPU (with the producer's requests) | "
          "ms per event | consumer + broker ms per event | load (1 min) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
