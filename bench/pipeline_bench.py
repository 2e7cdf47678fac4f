"""Benchmark of the whole pipeline on a real broker, beside raw Kafka and a no-op Faust agent.

    .venv/bin/python bench/pipeline_bench.py                          # 100k notices, 100k backlog, 1,000/s paced
    .venv/bin/python bench/pipeline_bench.py --workers 2 --partitions 2 --no-latency
    .venv/bin/python bench/pipeline_bench.py --wanted 10000 --backlog 20000 --rate 500 --duration 20
    .venv/bin/python bench/pipeline_bench.py --find-capacity                 # highest rate that meets the targets

Starts its own Kafka (free ports, temporary directory) unless ``KAFKA_BOOTSTRAP_SERVERS`` is set,
an SMTP sink (``python -m aiosmtpd`` with its ``Sink`` handler: accepts and drops every message, in a
process of its own) and Prism serving Twilio's OpenAPI spec. Then:

1. **Wanted list.** Imports ``--wanted`` fictional notices (``bench/_pipeline_data.py``), starts the
   worker(s) once so the list is loaded and the retro-screening agent has handled every new notice
   (as in production, the list is there before the traffic), and stops them.
2. **Throughput.** Publishes a backlog of ``--backlog`` border crossings (``--sightings`` of them
   listed persons), starts ``--workers`` workers, and times the drain: sustained events/s =
   backlog / (last response's timestamp - first response's), each response stamped by the
   worker's producer when it is sent. Also the workers' CPU seconds over that window.
3. **Ceilings**, on the same topic (same records, same partitions), one process each:
   a plain aiokafka consumer (``getmany`` + ``orjson.loads``) and a no-op Faust agent built with
   the worker's own ``faust_settings`` (``bench/_ceilings.py``).
4. **Latency** (one run of ``--duration`` s after ``--warmup`` s, at a steady ``--rate`` events/s)
   with the dispatcher running: each event is stamped by this process's producer (record
   timestamp = ``time.time()`` at ``send``). *event→response* and *event→alert*: until the
   record arrives at this process's consumer ("received"), and until the worker's producer
   stamped it ("produced"). *alert→provider*: ``Delivery.at`` (set when SMTP or the Twilio mock
   accepted the message) minus the alert's ``raised_at`` (set when the worker screened the event).
5. CPU (% of one core over the paced phase) and peak RSS (VmHWM) of every process.

With ``--find-capacity``, phases 2-4 give way to a capacity search: after a pre-warm of
``--capacity-prewarm`` s at ``--capacity-prewarm-rate``/s, not measured (the broker's JIT compiler
works through its first minute), the whole stack runs while the paced rate steps up
(``--capacity-rates``, default 100, 200, 400, 800, ...), each step ``--capacity-warmup`` s then
``--capacity-duration`` s measured, until a step misses a target:
event → alert p99 ≤ 50 ms (received), alert → SMS accepted p99 ≤ 200 ms, every event answered and no
growing lag. It prints each step's figures, the CPU of every process, and the worker + broker +
dispatcher CPU per event: how many border posts one box serves. ``--capacity-rounds N`` runs the
steps N times over: a shared box of this kind varies from run to run, and the capacity is then the
highest rate that met the targets in every round, with how many rounds each rate met.
``--log-gc`` also logs the garbage-collection pauses of every Python process and of the Twilio mock
(``bench/_gclog.py``), and each step lists those of 20 ms or more that fell inside it: a process
standing in its collector holds up everything that passes through it.

Prints the machine, the load average and the tables (Markdown).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _gclog
from _pipeline_data import AGENCY, EventMaker, bureaus, wanted_records
from _procstat import Sampler, machine
from _requests import request_rates, segments
from _rundir import run_directory
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from fugitive_alerts.local.services import Service, free_port, port_is_free, wait_for
from infra import topic_partitions
from schemas import Settings, response_topic, topics

HERE = Path(__file__).resolve().parent


def log(msg: str) -> None:
    print(f"# {time.strftime('%H:%M:%S')} {msg}  [load {open('/proc/loadavg').read().split()[0]}]",
          file=sys.stderr, flush=True)


# -- Kafka helpers -------------------------------------------------------------------------------


async def produce(settings: Settings, topic: str, items: Iterable[tuple[bytes, bytes]]) -> int:
    producer = AIOKafkaProducer(acks="all", linger_ms=20, max_batch_size=512 * 1024, **settings.kafka_client_kwargs())
    await producer.start()
    n, futures = 0, []
    try:
        for key, value in items:
            futures.append(await producer.send(topic, key=key, value=value))
            n += 1
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return n


async def end_offsets(settings: Settings, topic: str) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(group_id=None, **settings.kafka_client_kwargs())
    await consumer.start()
    try:
        tps = await topic_partitions(settings.kafka_client_kwargs(), [topic])
        return await consumer.end_offsets(tps) if tps else {}
    finally:
        await consumer.stop()


async def committed(settings: Settings, group: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(**settings.kafka_client_kwargs())
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        return sum(m.offset for tp, m in offsets.items() if tp.topic == topic and m.offset > 0)
    except KafkaError:  # the group coordinator is not there yet
        return -1
    finally:
        await admin.close()


async def read_all(settings: Settings, topic: str, start: dict[TopicPartition, int] | None = None) -> list[Any]:
    """Every record of ``topic`` from ``start`` (default: the beginning) to its end offsets now."""
    consumer = AIOKafkaConsumer(group_id=None, enable_auto_commit=False, **settings.kafka_client_kwargs())
    await consumer.start()
    try:
        ends = await end_offsets(settings, topic)
        consumer.assign(list(ends))
        for tp in ends:
            consumer.seek(tp, (start or {}).get(tp, 0))
        out: list[Any] = []
        async def behind() -> bool:
            return any([await consumer.position(tp) < end for tp, end in ends.items()])
        while await behind():
            for recs in (await consumer.getmany(timeout_ms=500, max_records=20_000)).values():
                out += recs
        return out
    finally:
        await consumer.stop()


async def skip_to_end(settings: Settings, group: str, topic: str) -> None:
    """Commit ``group``'s offsets at the end of ``topic``: the dispatcher ignores the backlog's alerts."""
    ends = await end_offsets(settings, topic)
    consumer = AIOKafkaConsumer(group_id=group, enable_auto_commit=False, **settings.kafka_client_kwargs())
    await consumer.start()
    try:
        consumer.assign(list(ends))
        await consumer.commit(ends)
    finally:
        await consumer.stop()


# -- processes -----------------------------------------------------------------------------------


def cli_service(name: str, argv: list[str], settings: Settings, run: Path, extra_env: dict[str, str]) -> Service:
    return Service(name, [sys.executable, "-m", "fugitive_alerts", *argv], run,
                   env={**settings.to_env(), **extra_env}, cwd=run)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2.0) as r:
            return r.status == 200
    except OSError:
        return False


STARTED: list[Service] = []
"""Every process this bench started, stopped at exit (newest first)."""


def start_workers(args: argparse.Namespace, settings: Settings, run: Path, tag: str,
                  variant: tuple[str, list[str]] | None = None) -> list[tuple[Service, int]]:
    loop, env = variant or (args.loop, args.worker_env)
    workers = []
    for i in range(args.workers):
        port = free_port()
        svc = cli_service(f"worker{i}-{tag}", ["worker", "--web-port", str(port), "--loop", loop,
                                               "--loglevel", args.worker_loglevel],
                          settings, run, dict(e.split("=", 1) for e in env))
        svc.start()
        STARTED.append(svc)
        workers.append((svc, port))
    for svc, port in workers:
        svc.wait_ready(lambda p=port: http_ok(f"http://127.0.0.1:{p}/ready"), 600, f"{svc.name} ready")
    return workers


def start_dispatcher(settings: Settings, run: Path, web: int, sampler: Sampler) -> None:
    """The dispatcher, past the alerts already on the topic (the backlog's), watched by ``sampler``."""
    asyncio.run(skip_to_end(settings, settings.dispatcher_group, settings.topic(topics.ALERTS)))
    dispatcher = cli_service("dispatcher", ["dispatcher"], settings, run, {})
    dispatcher.start()
    STARTED.append(dispatcher)
    dispatcher.wait_ready(lambda: http_ok(f"http://127.0.0.1:{web}/metrics"), 120, "the dispatcher")
    sampler.watch("dispatcher", dispatcher.pid or 0)


# -- phases --------------------------------------------------------------------------------------


def throughput(args: argparse.Namespace, settings: Settings, run: Path, maker: EventMaker,
               sampler: Sampler, prefix: str = "bl", variant: tuple[str, list[str]] | None = None,
               ) -> tuple[dict[str, Any], list[tuple[Service, int]]]:
    src = settings.topic(topics.EVENT_TOPICS["border_crossing"])
    resp = settings.topic(response_topic(AGENCY))
    before = sum(asyncio.run(end_offsets(settings, resp)).values())
    backlog = ((f"{prefix}-{i}".encode(), maker.event(f"{prefix}-{i}")[0]) for i in range(args.backlog))
    asyncio.run(produce(settings, src, backlog))
    log(f"backlog {prefix} of {args.backlog:,} events published; starting {args.workers} worker(s) {variant or ''}")
    workers = start_workers(args, settings, run, prefix, variant)
    for i, (svc, _) in enumerate(workers):
        assert svc.pid is not None
        sampler.watch(f"worker{i}", svc.pid)
    log("workers ready (wanted list loaded): draining")
    spy = None
    if args.py_spy:
        spy = Service("py-spy", [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(workers[0][0].pid),
                                 "--format", "raw", "--rate", "200", "--nonblocking", "--duration", "30", "-o", args.py_spy], run)
        spy.start()
        STARTED.append(spy)
    progress = {"n": -1, "at": time.monotonic()}

    def drained() -> bool:
        n = sum(asyncio.run(end_offsets(settings, resp)).values()) - before
        if n != progress["n"]:
            progress.update(n=n, at=time.monotonic())
        stuck = time.monotonic() - progress["at"] > (30 if n > 0 else 600)
        return n >= args.backlog or stuck  # done, or no progress (lost events are reported below)
    wait_for(drained, 3600, "the backlog to drain", interval=0.5)
    if spy is not None:  # py-spy writes its file when its 30 s are over (not when signalled)
        spy.wait_ready(lambda: Path(args.py_spy).exists(), 120, "the py-spy profile")
    mine = f"{prefix}-".encode()
    records: list[Any] = []

    def all_answered() -> bool:  # a redelivered event answers twice: count distinct events
        records[:] = [r for r in asyncio.run(read_all(settings, resp)) if r.key.startswith(mine)]
        return len({r.key for r in records}) >= args.backlog
    with contextlib.suppress(TimeoutError):
        wait_for(all_answered, 30, "every backlog event to be answered", interval=1.0)
    stamps = [r.timestamp / 1000 for r in records]
    t0, t1 = min(stamps), max(stamps)
    cpu = sum(sampler.cpu_between(f"worker{i}", t0, t1) for i in range(args.workers))
    alerts = sum(1 for r in asyncio.run(read_all(settings, settings.topic(topics.ALERTS)))
                 if orjson.loads(r.value)["event_id"].startswith(f"{prefix}-"))
    log(f"drained {len(stamps):,} in {t1 - t0:.1f} s: {len(stamps) / (t1 - t0):,.0f}/s, {alerts:,} alerts")
    missing = args.backlog - len({r.key for r in records})
    if missing:
        log(f"WARNING: {missing} backlog events got no response")
    return {"events": args.backlog - missing, "duplicates": len(stamps) - (args.backlog - missing), "missing": missing,
            "wall_s": t1 - t0, "cpu_s": cpu, "alerts": alerts,
            "load": open("/proc/loadavg").read().split()[0]}, workers


def ceiling(kind: str, args: argparse.Namespace, settings: Settings, run: Path, spec: str | None = None,
            tag: str = "") -> dict[str, Any]:
    loop, *opts = (spec or args.loop).split(",")
    env = [o for o in opts if "=" in o] if spec else args.worker_env
    out = run / f"ceiling-{kind}{tag}.json"
    argv = [sys.executable, str(HERE / "_ceilings.py"), kind, "--topic",
            settings.topic(topics.EVENT_TOPICS["border_crossing"]), "--count", str(args.backlog),
            "--out", str(out), "--loop", loop, "--web-port", str(free_port()), *(["--spinner"] if "spinner" in opts else [])]
    svc = Service(f"ceiling-{kind}{tag}", argv, run, env={**settings.to_env(), **dict(e.split("=", 1) for e in env)},
                  cwd=run)
    svc.start()
    STARTED.append(svc)
    svc.wait_ready(out.exists, 900, f"the {kind} ceiling")
    svc.stop(10.0)
    result = json.loads(out.read_text())
    result["load"] = open("/proc/loadavg").read().split()[0]
    log(f"{kind} ceiling: {result['count'] / result['wall_s']:,.0f}/s")
    return result


async def paced(args: argparse.Namespace, settings: Settings, maker: EventMaker, rate: float | None = None,
                duration: float | None = None, warmup: float | None = None, prefix: str = "pc",
                on_end: Callable[[], None] | None = None) -> dict[str, Any]:
    """Warm-up, then ``duration`` s at ``rate``/s (default: the arguments'); returns latencies and the alerts seen.
    ``on_end``: called when the last answer is in, before the bench's own clients close."""
    rate = args.rate if rate is None else rate
    duration = args.duration if duration is None else duration
    warmup = args.warmup if warmup is None else warmup
    src = settings.topic(topics.EVENT_TOPICS["border_crossing"])
    watch = [settings.topic(response_topic(AGENCY)), settings.topic(topics.ALERTS)]
    kwargs = settings.kafka_client_kwargs()
    producer = AIOKafkaProducer(acks="all", linger_ms=0, **kwargs)
    consumer = AIOKafkaConsumer(group_id=None, enable_auto_commit=False, fetch_max_wait_ms=50, **kwargs)
    await producer.start()
    await consumer.start()
    tps = [tp for t in watch for tp in (await end_offsets(settings, t))]
    consumer.assign(tps)
    await consumer.seek_to_end(*tps)
    sent: dict[str, float] = {}
    listed: set[str] = set()
    responses: dict[str, tuple[float, float]] = {}
    alerts: list[dict[str, Any]] = []
    done = asyncio.Event()

    async def collect() -> None:
        while not done.is_set():
            for recs in (await consumer.getmany(timeout_ms=50)).values():
                now = time.time()
                for rec in recs:
                    if rec.topic == watch[0]:
                        responses[rec.key.decode()] = (rec.timestamp / 1000, now)
                    else:
                        a = orjson.loads(rec.value)
                        alerts.append({"alert_id": a["alert_id"], "event_id": a["event_id"], "band": a["band"],
                                       "raised_at": a["raised_at"], "produced": rec.timestamp / 1000, "received": now})

    async def send(tag: str, seconds: float) -> None:
        start, i, total = time.perf_counter(), 0, int(seconds * rate)
        while i < total:
            due = min(total, int((time.perf_counter() - start) * rate) + 1)
            while i < due:
                event_id = f"{tag}-{i}"
                value, is_listed = maker.event(event_id)
                if is_listed:
                    listed.add(event_id)
                now = time.time()
                sent[event_id] = now
                await producer.send(src, key=event_id.encode(), value=value, timestamp_ms=int(now * 1000))
                i += 1
            await asyncio.sleep(0.002)  # pacing tick

    collector = asyncio.create_task(collect())
    await send(f"wu{prefix}", warmup)
    t0 = time.time()
    await send(prefix, duration)
    t1 = time.time()
    measured = [k for k in sent if k.startswith(f"{prefix}-")]
    deadline = time.time() + 60
    while time.time() < deadline and not all(k in responses for k in measured):
        await asyncio.sleep(0.1)  # waiting for the last answers
    done.set()
    await collector
    if on_end is not None:
        on_end()
    await producer.stop()
    await consumer.stop()
    resp_recv = [(responses[k][1] - sent[k]) * 1e3 for k in measured if k in responses]
    resp_prod = [(responses[k][0] - sent[k]) * 1e3 for k in measured if k in responses]
    mine = [a for a in alerts if a["event_id"].startswith(f"{prefix}-")]
    tenth = max(1, len(measured) // 10)  # in the order sent: is the answer time of the last tenth growing?
    head = [(responses[k][1] - sent[k]) * 1e3 for k in measured[:tenth] if k in responses]
    tail = [(responses[k][1] - sent[k]) * 1e3 for k in measured[-tenth:] if k in responses]
    return {"t0": t0, "t1": t1, "rate": rate, "events": len(measured), "answered": len(resp_recv), "resp_recv": resp_recv,
            "resp_head": head, "resp_tail": tail,
            "resp_prod": resp_prod, "alert_recv": [(a["received"] - sent[a["event_id"]]) * 1e3 for a in mine],
            "alert_prod": [(a["produced"] - sent[a["event_id"]]) * 1e3 for a in mine], "alerts": mine,
            "mix": mix(measured, listed, mine), "load": open("/proc/loadavg").read().split()[0]}


def mix(events: list[str], listed: set[str], alerts: list[dict[str, Any]]) -> dict[str, int]:
    """What the measured events were and what they raised: true sightings, namesakes, alert records."""
    events_set = set(events)
    bands: dict[str, set[str]] = {"alert": set(), "review": set()}
    records = {"alert": 0, "review": 0}
    for a in alerts:
        bands[a["band"]].add(a["event_id"])
        records[a["band"]] += 1
    mine = listed & events_set
    return {"events": len(events), "listed": len(mine),
            "critical_events": len(bands["alert"]), "critical_events_listed": len(bands["alert"] & mine),
            "review_only_events": len(bands["review"] - bands["alert"]),
            "review_only_events_listed": len((bands["review"] - bands["alert"]) & mine),
            "listed_without_alert": len(mine - bands["alert"] - bands["review"]),
            "critical_records": records["alert"], "review_records": records["review"]}


def handoff_start(settings: Settings) -> dict[TopicPartition, int]:
    """The end offsets of the topics ``handoff`` reads (deliveries and delivery intents), taken before a phase."""
    return {tp: o for t in (topics.DELIVERIES, topics.DELIVERY_INTENTS)
            for tp, o in asyncio.run(end_offsets(settings, settings.topic(t))).items()}


def _posix(stamp: str) -> float:
    """A record's ISO 8601 UTC timestamp (``...Z``, which Python 3.11 reads as UTC) as POSIX time."""
    return datetime.fromisoformat(stamp).timestamp()


def handoff(settings: Settings, alerts: list[dict[str, Any]], start: dict[TopicPartition, int]) -> dict[str, list[float]]:
    """``Delivery.at - raised_at`` (ms) of the first deliveries of ``alerts``, per channel. For each SMS, also its
    two halves, split at its ``DeliveryIntent.at`` (the dispatcher starting on that message, before it writes the
    intent): ``sms_pickup``, from the worker raising the alert to there (the worker's producer, the broker, the
    dispatcher's consumer and its queue), and ``sms_send``, from there to Twilio's answer (the intent acknowledged,
    then the request); ``sms_raised``, when each alert was raised (POSIX time). ``start``: ``handoff_start``
    before the phase."""
    raised = {a["alert_id"]: _posix(a["raised_at"]) for a in alerts}
    # Critical alert: SMS + email to 2 duty officers. A review hit is not delivered on its own any more: it is
    # queued on `reviews` and listed in its bureaus' digest emails (docs/review.md), whose deliveries (kind
    # `digest`, named by the digest's id) this topic holds too: the filter on these alerts' ids leaves them out.
    expected = sum(4 for a in alerts if a["band"] == "alert")
    topic = settings.topic(topics.DELIVERIES)
    got: list[dict[str, Any]] = []

    def settled() -> bool:
        got[:] = [d for d in (orjson.loads(r.value) for r in asyncio.run(read_all(settings, topic, start)))
                  if d["alert_id"] in raised]
        return len(got) >= expected
    with contextlib.suppress(TimeoutError):
        wait_for(settled, 120, "deliveries", interval=1.0)
    band = {a["alert_id"]: a["band"] for a in alerts}
    out: dict[str, list[float]] = {"sms": [], "email": [], "email_alert": [], "email_review": [], "failed": [],
                                   "sms_pickup": [], "sms_send": [], "sms_raised": []}
    picked = {i["key"]: _posix(i["at"])
              for i in (orjson.loads(r.value) for r in asyncio.run(read_all(settings, settings.topic(topics.DELIVERY_INTENTS),
                                                                            start)))
              if i["alert_id"] in raised}
    for d in got:
        at = _posix(d["at"])
        if d["status"] == "sent":
            ms = (at - raised[d["alert_id"]]) * 1e3
            out[d["channel"]].append(ms)
            if d["channel"] == "sms" and d["key"] in picked:
                out["sms_pickup"].append((picked[d["key"]] - raised[d["alert_id"]]) * 1e3)
                out["sms_send"].append((at - picked[d["key"]]) * 1e3)
                out["sms_raised"].append(raised[d["alert_id"]])
            if d["channel"] == "email":
                out[f"email_{band[d['alert_id']]}"].append(ms)
        else:
            out["failed"].append(0.0)
    log(f"deliveries: {len(got)} of {expected} expected ({len(out['failed'])} not sent)")
    return out


CAPACITY_TARGETS = {"alert_p99_ms": 50.0, "sms_p99_ms": 200.0}
"""Issue targets a capacity step must meet: event → alert p99 (received) and alert → SMS accepted p99."""
GC_REPORT_MS = 20.0
"""With ``--log-gc``: a step lists the collections of this many ms or more that fell inside it."""


def _clock(t: float) -> str:
    """POSIX time as the local time of day, to the hundredth of a second (to find it in other logs)."""
    return time.strftime("%H:%M:%S", time.localtime(t)) + f"{t % 1:.2f}"[1:]


def _p(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def capacity_step(args: argparse.Namespace, settings: Settings, maker: EventMaker, sampler: Sampler,
                  rate: float) -> dict[str, Any]:
    """One paced step at ``rate``: latencies, hand-off, CPU per process, and whether the targets held.

    "No growing lag": every event answered, and the median answer time of the step's last tenth of
    events at most twice that of its first tenth plus 20 ms (a worker that falls behind answers each
    event later than the one before). A step with no alert, or no SMS, has no p99 to hold against it (a
    step of 100 events at 5/s may bring only review-band hits, which send no SMS); its table shows nan there.
    """
    start = handoff_start(settings)
    log(f"capacity step: {args.capacity_warmup:g} s warm-up, then {args.capacity_duration:g} s at {rate:g}/s")
    port = int(settings.kafka_bootstrap_servers.split(",")[0].rsplit(":", 1)[1])  # the (first) broker
    segs0, at0 = segments(port), time.time()
    end: dict[str, Any] = {}
    # the window's end is taken before the bench's producer and consumer close, so their requests count too
    lat = asyncio.run(paced(args, settings, maker, rate, args.capacity_duration, args.capacity_warmup, f"c{rate:g}",
                            on_end=lambda: end.update(segs=segments(port), at=time.time())))
    requests = request_rates(segs0, end["segs"], end["at"] - at0, dict(sampler.pids))
    h = handoff(settings, lat["alerts"], start)
    seconds = lat["t1"] - lat["t0"]
    cpu = {name: sampler.cpu_between(name, lat["t0"], lat["t1"]) for name in sampler.pids}
    core = sum(v for k, v in cpu.items() if k.startswith(("worker", "kafka broker", "dispatcher")))
    growing = not lat["resp_tail"] or _p(lat["resp_tail"], .5) > 2 * _p(lat["resp_head"], .5) + 20
    alert_p99, sms_p99 = _p(lat["alert_recv"], .99), _p(h["sms"], .99)
    pickup_p99, send_p99 = _p(h["sms_pickup"], .99), _p(h["sms_send"], .99)
    # a latency with nothing to measure (no critical alert in a short step at 5/s) is not held against the step
    ok = (lat["answered"] == lat["events"] and not growing and not h["failed"]
          and (not lat["alert_recv"] or alert_p99 <= CAPACITY_TARGETS["alert_p99_ms"])
          and (not h["sms"] or sms_p99 <= CAPACITY_TARGETS["sms_p99_ms"]))
    step = {"rate": rate, "events": lat["events"], "answered": lat["answered"], "alerts": len(lat["alert_recv"]),
            "sms": len(h["sms"]), "failed": len(h["failed"]),
            "alert_p99_ms": alert_p99, "response_p99_ms": _p(lat["resp_recv"], .99), "sms_p99_ms": sms_p99,
            "sms_to_dispatcher_p99_ms": pickup_p99, "sms_dispatcher_p99_ms": send_p99,
            "email_p99_ms": _p(h["email"], .99), "head_p50_ms": _p(lat["resp_head"], .5),
            "tail_p50_ms": _p(lat["resp_tail"], .5), "growing": growing, "ok": ok,
            "cpu_share": {k: v / seconds for k, v in cpu.items()},
            "core_cpu_ms_per_event": core / max(1, lat["events"]) * 1e3,
            "requests_per_s": {k: sum(v) for k, v in requests.items()},
            "load": open("/proc/loadavg").read().split()[0]}
    slow = sorted(r - lat["t0"] for r, p, s in zip(h["sms_raised"], h["sms_pickup"], h["sms_send"], strict=True)
                  if p + s > CAPACITY_TARGETS["sms_p99_ms"])
    log(f"{rate:g}/s: alert→SMS p99 {sms_p99:.1f} ms; of it, alert→dispatcher p99 {pickup_p99:.1f} ms, "
        f"dispatcher→SMS accepted p99 {send_p99:.1f} ms; {len(slow)} SMS over "
        f"{CAPACITY_TARGETS['sms_p99_ms']:g} ms" + (f", raised {slow[0]:.1f}–{slow[-1]:.1f} s into the step (from "
                                                    f"{_clock(lat['t0'] + slow[0])})" if slow else ""))
    if args.gc_dir is not None:
        found = _gclog.pauses(Path(args.gc_dir), lat["t0"], lat["t1"], dict(sampler.pids), GC_REPORT_MS)
        step["gc_pauses"] = {name: [list(p) for p in found[name]] for name in found}
        log(f"{rate:g}/s: collector pauses of {GC_REPORT_MS:g} ms or more in the step: "
            + ("; ".join(f"{name} " + ", ".join(f"{ms:.0f} ms ({kind}) at {t:.1f} s" for t, kind, ms in found[name])
                         for name in sorted(found)) or "none"))
    log(f"{rate:g}/s: event→alert p99 {alert_p99:.1f} ms, alert→SMS p99 {sms_p99:.1f} ms, "
        f"answered {lat['answered']}/{lat['events']}, growing {growing}: {'PASS' if ok else 'FAIL'}")
    return step


def find_capacity(args: argparse.Namespace, settings: Settings, maker: EventMaker, sampler: Sampler) -> dict[str, Any]:
    """Step the paced rate up until a step misses a target; the capacity is the highest step that met them all."""
    if args.capacity_prewarm > 0:
        log(f"pre-warm: {args.capacity_prewarm:g} s at {args.capacity_prewarm_rate:g}/s, not measured")
        asyncio.run(paced(args, settings, maker, args.capacity_prewarm_rate, args.capacity_prewarm, 0.0, "pw"))
    rates = [float(r) for r in args.capacity_rates.split(",")]
    steps: list[dict[str, Any]] = []
    for n in range(1, args.capacity_rounds + 1):
        if args.capacity_rounds > 1:
            log(f"round {n} of {args.capacity_rounds}")
        for rate in rates:
            steps.append({**capacity_step(args, settings, maker, sampler, rate), "round": n})
            if not steps[-1]["ok"] and not args.capacity_keep_going:
                break  # this round's higher rates are not tried: they count as missed
    met = {rate: sum(1 for s in steps if s["rate"] == rate and s["ok"]) for rate in rates}
    held = [rate for rate, k in met.items() if k == args.capacity_rounds]
    return {"steps": steps, "capacity": max(held) if held else 0.0, "targets": CAPACITY_TARGETS,
            "rounds": args.capacity_rounds, "met": [[rate, k] for rate, k in met.items()],
            "prewarm_s": args.capacity_prewarm, "prewarm_rate": args.capacity_prewarm_rate}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wanted", type=int, default=100_000, help="fictional notices on the wanted list")
    ap.add_argument("--backlog", type=int, default=100_000, help="events pre-published for the throughput figure")
    ap.add_argument("--sightings", type=float, default=0.02, help="share of events that are listed persons")
    ap.add_argument("--rate", type=float, default=1000, help="events/s of the paced (latency) phase")
    ap.add_argument("--duration", type=float, default=60, help="seconds of the measured paced phase")
    ap.add_argument("--warmup", type=float, default=5, help="seconds of paced traffic before measuring")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--partitions", type=int, default=1)
    ap.add_argument("--loop", default="uvloop", choices=("aio", "uvloop"), help="the workers' event loop")
    ap.add_argument("--worker-loglevel", default="warning", help="Faust's log level in the workers")
    ap.add_argument("--worker-env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra environment of the workers and the Faust ceiling (e.g. STREAM_BUFFER_MAXSIZE=...)")
    ap.add_argument("--variant", action="append", default=[], metavar="LOOP[,NAME=VALUE...]",
                    help="first drain a backlog of its own with this worker loop and environment (repeatable)")
    ap.add_argument("--faust-ceiling-variant", action="append", default=[], metavar="LOOP[,spinner][,NAME=VALUE...]",
                    help="also measure the Faust ceiling with this loop / spinner / environment (repeatable)")
    ap.add_argument("--no-ceilings", action="store_true")
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("--find-capacity", action="store_true",
                    help="instead of the backlog, ceilings and one paced run: step the paced rate up (--capacity-rates) "
                         "and report the highest rate at which event→alert p99 ≤ 50 ms, alert→SMS p99 ≤ 200 ms and the "
                         "lag does not grow, with the CPU of every process at each step")
    ap.add_argument("--capacity-rates", default="100,200,400,800,1200,1600,2400,3200", metavar="R1,R2,...",
                    help="the paced rates (events/s) --find-capacity steps through, in order")
    ap.add_argument("--capacity-duration", type=float, default=20, help="measured seconds of each capacity step")
    ap.add_argument("--capacity-warmup", type=float, default=5, help="seconds of traffic before each measured step")
    ap.add_argument("--capacity-prewarm", type=float, default=30, metavar="SECONDS",
                    help="traffic at --capacity-prewarm-rate before the first step, not measured: a broker just started "
                         "compiles its hot paths for about a minute (at 300/s it took 50%% of a core cold, 16-20%% "
                         "warm); 0 for none")
    ap.add_argument("--capacity-prewarm-rate", type=float, default=600, help="events/s of the pre-warm")
    ap.add_argument("--capacity-keep-going", action="store_true", help="run every step, even after one failed")
    ap.add_argument("--capacity-rounds", type=int, default=1, metavar="N",
                    help="run the steps N times over; the capacity is the highest rate met in every round")
    ap.add_argument("--py-spy", metavar="FILE", help="py-spy record (raw) of the first worker while it drains")
    ap.add_argument("--json", metavar="FILE", help="also write the raw results here")
    ap.add_argument("--log-gc", action="store_true",
                    help="log the garbage-collection pauses of every Python process and of the Twilio mock, and list "
                         f"each capacity step's pauses of {GC_REPORT_MS:g} ms or more (bench/_gclog.py)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the run directory (broker data, service logs); it is kept anyway when the bench fails")
    args = ap.parse_args()

    import logging

    from consumers import ensure_topics
    from fugitive_alerts.local.kafka import LocalBroker
    from fugitive_alerts.local.twilio_mock import start_twilio_mock
    from fugitive_alerts.produce import import_bureaus

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # the broker's start-up probes
    desc = machine()
    sampler = Sampler().start()
    sampler.watch("bench (producer, consumers)", os.getpid())
    results: dict[str, Any] = {"args": vars(args), "machine": desc}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on SIGTERM too
    with contextlib.ExitStack() as stack:
        run = stack.enter_context(run_directory("pipeline-bench-", keep=args.keep))  # left last, once all stopped
        args.gc_dir = str(run / "gc") if args.log_gc else None  # (a str: args go into --json)
        if args.gc_dir is not None:  # before any service starts: they inherit the environment
            _gclog.enable(Path(args.gc_dir))
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            broker = LocalBroker(run / "kafka", free_port(), free_port())
            broker.start(timeout=120)
            stack.callback(broker.stop)
            bootstrap = broker.bootstrap
            sampler.watch("kafka broker", broker.pid or 0)
        smtp_port = free_port()  # a sink that parses or keeps messages would cost more CPU than the dispatcher
        sink = Service("smtp-sink", [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                                     "-l", f"127.0.0.1:{smtp_port}"], run)
        sink.start()
        stack.callback(lambda: sink.stop(10.0))
        sink.wait_ready(lambda: not port_is_free(smtp_port), 30, "the SMTP sink")
        sampler.watch("SMTP sink (aiosmtpd, drops messages)", sink.pid or 0)
        twilio_port = free_port()
        prism = start_twilio_mock(twilio_port, run, error_responses=False)
        stack.callback(prism.stop)
        stack.callback(lambda: [svc.stop(60.0) for svc in reversed(STARTED)])  # before the broker stops
        sampler.watch("twilio mock (prism)", prism.pid or 0)
        uid, web = uuid.uuid4().hex[:6], free_port()
        (run / "bureaus.yaml").write_text(yaml.safe_dump(bureaus()))
        settings = Settings(
            _env_file=None, env="test", kafka_bootstrap_servers=bootstrap, topic_prefix=f"bench{uid}.", app_id=f"bench-{uid}",
            dispatcher_group=f"bench-{uid}-dispatcher", data_dir=run / "data", partitions=args.partitions,
            smtp_host="127.0.0.1", smtp_port=smtp_port, twilio_api_base_url=f"http://127.0.0.1:{twilio_port}",
            bureaus_file=run / "bureaus.yaml", web_port=web, public_url=f"http://127.0.0.1:{web}",
            rate_limit_sms=0, rate_limit_email=0, escalate_critical_minutes=0, escalate_high_minutes=0,
        )
        asyncio.run(ensure_topics(settings, agencies=[AGENCY]))
        asyncio.run(import_bureaus(settings, run / "bureaus.yaml"))
        notices, pools = wanted_records(args.wanted)
        maker = EventMaker(notices, pools, args.sightings)
        asyncio.run(produce(settings, settings.topic(topics.WANTED),
                            ((w["notice_id"].encode(), orjson.dumps(w)) for w in notices)))
        del notices
        log(f"{args.wanted:,} notices published; first start of the worker(s): load the list, retro-screen it")
        wanted_end = sum(asyncio.run(end_offsets(settings, settings.topic(topics.WANTED))).values())
        first = start_workers(args, settings, run, "load")
        wait_for(lambda: asyncio.run(committed(settings, settings.app_id, settings.topic(topics.WANTED))) >= wanted_end,
                 1800, "the retro-screening agent to handle the new notices", interval=1.0)
        for svc, _ in first:
            svc.stop(60.0)
        for n, spec in enumerate(args.variant):  # other worker configurations, each on a backlog of its own
            loop, *env = spec.split(",")
            res, workers = throughput(args, settings, run, maker, sampler, f"v{n}", (loop, env))
            results.setdefault("variants", []).append({"variant": spec, **res})
            for svc, _ in workers:
                svc.stop(60.0)
        if args.find_capacity:
            workers = start_workers(args, settings, run, "cap")
            for i, (svc, _) in enumerate(workers):
                sampler.watch(f"worker{i}", svc.pid or 0)
            start_dispatcher(settings, run, web, sampler)
            results["capacity"] = find_capacity(args, settings, maker, sampler)
            args.no_ceilings = args.no_latency = True
        else:
            results["throughput"], workers = throughput(args, settings, run, maker, sampler)
        if not args.no_ceilings:
            results["kafka_ceiling"] = ceiling("kafka", args, settings, run)
            results["faust_ceiling"] = ceiling("faust", args, settings, run)
            for n, spec in enumerate(args.faust_ceiling_variant):
                results.setdefault("faust_ceiling_variants", []).append(
                    {"variant": spec, **ceiling("faust", args, settings, run, spec, f"-v{n}")})
        if not args.no_latency:
            start_dispatcher(settings, run, web, sampler)
            start = handoff_start(settings)
            log(f"paced phase: {args.warmup:g} s warm-up, then {args.duration:g} s at {args.rate:g}/s")
            lat = asyncio.run(paced(args, settings, maker))
            results["latency"] = {k: v for k, v in lat.items() if k != "alerts"}
            results["handoff"] = handoff(settings, lat["alerts"], start)
            # review-band hits go to the review queue; analysts get digests (docs/review.md): count them
            results["handoff"]["digests"] = STARTED[-1].log_path.read_text().count("review digest sent")
            results["cpu"] = {name: sampler.cpu_between(name, lat["t0"], lat["t1"]) / (lat["t1"] - lat["t0"])
                              for name in sampler.pids}
        results["peak_rss_mb"] = dict(sampler.peak)
        results["machine"]["load average at the end"] = " ".join(open("/proc/loadavg").read().split()[:3])
        sampler.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    from _report import report
    print(report(results))


if __name__ == "__main__":
    main()
