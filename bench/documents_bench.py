"""Benchmark of the reported-documents table (issue 19) on a real broker and real workers.

    .venv/bin/python bench/documents_bench.py                           # 10M documents, 2 workers, 12 partitions
    .venv/bin/python bench/documents_bench.py --count 200000            # a small run
    .venv/bin/python bench/documents_bench.py --count 1000000 --workers 1 --partitions 12

Starts its own Kafka (free ports, temporary directory) unless ``KAFKA_BOOTSTRAP_SERVERS`` is set.
No dispatcher: what is timed ends at the desk's answer. Phases, each printed with the load average:

1. **Import.** Writes ``--count`` fictional reported documents to a JSONL file and times
   ``documents import`` on it (``fugitive_alerts.documents_import``), then the **aiokafka producer
   ceiling**: the same records, already serialised, sent by a bare producer (acks=all, linger
   20 ms, 512 KiB batches) to a scratch topic with as many partitions.
2. **Table load.** Starts ``--workers`` workers (each its own data directory) and times until the
   table's changelog holds every document and one probe crossing per partition, carrying a
   reported document, is answered ``hit``. Then each worker's table size on disk (active and
   standby partitions) and peak RSS (VmHWM).
3. **Latency.** ``--duration`` s at a steady ``--rate`` crossings/s: half carry a document (a share
   ``--hit-share`` of them reported), half none. Event -> response (stamped by this process at send,
   taken when the answer arrives here), p50/p99/max with the check and without it, same run. Run
   twice: at once, while each worker's standby copy of the others' partitions is still catching up
   with the changelog; then, once every copy has caught up to within Faust's standby buffer (read
   from the workers' RocksDB beside them, ``_table_state.py``; the wait is printed), in the steady
   state a deployment runs in.
4. **Restart with local state**: all workers stopped (SIGTERM) and started; the time until every
   probe is answered again. **With the state wiped**: the same after deleting the data directories
   (restored from the changelog).
5. **Failover** (2+ workers): one worker is killed (SIGKILL) during a paced run; every event must
   still be answered (the count unanswered and the max latency are printed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pipeline_data import AGENCY, bureaus
from _procstat import Sampler, machine
from _table_state import lagging, partition_dbs
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from pipeline_bench import STARTED, cli_service, end_offsets, http_ok, log

from fugitive_alerts.local.services import free_port, wait_for
from schemas import Settings, response_topic, topics

COUNTRIES = ("FR", "DE", "KE", "RW", "GB", "IT", "ES", "NL")
STATUSES = ("stolen", "lost", "stolen_blank", "revoked", "invalidated")


def load() -> str:
    return open("/proc/loadavg").read().split()[0]


def bench_broker(stack: contextlib.ExitStack, run: Path) -> str:
    """``KAFKA_BOOTSTRAP_SERVERS`` if set, else a broker of the run's own, stopped when ``stack`` closes."""
    from fugitive_alerts.local.kafka import LocalBroker

    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        return bootstrap
    broker = LocalBroker(run / "kafka", free_port(), free_port())
    broker.start(timeout=120)
    stack.callback(broker.stop)
    return broker.bootstrap


def doc(i: int) -> tuple[str, str]:
    """(issuing country, number) of generated document ``i``; numbers outside 0..N-1 are never reported."""
    return COUNTRIES[i % len(COUNTRIES)], f"B{i:08d}"


def write_documents(path: Path, n: int) -> None:
    with path.open("wb") as fh:
        for i in range(n):
            country, number = doc(i)
            fh.write(orjson.dumps({"issuing_country": country, "number": number, "document_type": "P",
                                   "status": STATUSES[i % len(STATUSES)], "reporting_country": country,
                                   "reported_on": "2026-01-15", "reference": f"{country}-BENCH-{i}"}) + b"\n")


def crossing(event_id: str, number: int | None, rng: random.Random) -> bytes:
    person: dict[str, Any] = {"given": f"G{rng.randrange(10**6)}", "family": f"F{rng.randrange(10**6)}",
                              "birth_date": "1980-01-01", "nationality": "FR"}
    if number is not None:
        country, num = doc(number)
        person["document"] = {"type": "passport", "number": num, "country": country}
    return orjson.dumps({"event_id": event_id, "event_type": "border_crossing",
                         "occurred_at": "2026-11-28T08:12:00Z", "country": "KE", "post": "KE-POST-001",
                         "direction": "entry", "agency": AGENCY, "traveler": person})


def probes(n: int, partitions: int) -> list[int]:
    """One reported document per partition of ``documents.checks``, as the producer partitions its key."""
    part, found = DefaultPartitioner(), {}
    for i in range(min(n, 100_000)):
        country, number = doc(i)
        found.setdefault(part(f"{country}:{number}".encode(), list(range(partitions)), list(range(partitions))), i)
        if len(found) == partitions:
            break
    return sorted(found.values())


async def ask(settings: Settings, events: list[tuple[str, bytes]], rate: float | None,
              deadline: float) -> dict[str, tuple[float, float | None, str | None]]:
    """Send ``events`` (paced at ``rate``/s, or at once) and collect the answers: id -> (sent, got, result)."""
    resp = settings.topic(response_topic(AGENCY))
    consumer = AIOKafkaConsumer(group_id=None, enable_auto_commit=False, **settings.kafka_client_kwargs())
    producer = AIOKafkaProducer(acks="all", linger_ms=0, **settings.kafka_client_kwargs())
    await consumer.start()
    await producer.start()
    out: dict[str, tuple[float, float | None, str | None]] = {}
    try:
        ends = await end_offsets(settings, resp)
        consumer.assign(list(ends))
        for tp, off in ends.items():
            consumer.seek(tp, off)

        async def send() -> None:
            t0 = time.perf_counter()
            for n, (eid, value) in enumerate(events):
                if rate:
                    await asyncio.sleep(max(0.0, t0 + n / rate - time.perf_counter()))
                out[eid] = (time.perf_counter(), None, None)
                await producer.send(settings.topic(topics.BORDER_CROSSINGS), key=eid.encode(), value=value)

        sender = asyncio.create_task(send())
        stop = time.monotonic() + deadline
        while time.monotonic() < stop and (not sender.done() or any(v[1] is None for v in out.values())):
            for recs in (await consumer.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for r in recs:
                    eid = r.key.decode() if r.key else ""
                    if eid in out and out[eid][1] is None:
                        out[eid] = (out[eid][0], now, json.loads(r.value)["result"])
        await sender
    finally:
        await producer.stop()
        await consumer.stop()
    return out


async def producer_ceiling(settings: Settings, path: Path, topic: str, partitions: int) -> float:
    """Seconds a bare aiokafka producer takes to send the file's records (key known from the line number)."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(**settings.kafka_client_kwargs())
    await admin.start()
    await admin.create_topics([NewTopic(topic, partitions, 1)])
    await admin.close()
    producer = AIOKafkaProducer(acks="all", linger_ms=20, max_batch_size=512 * 1024, **settings.kafka_client_kwargs())
    await producer.start()
    try:
        t = time.perf_counter()
        futures = []
        with path.open("rb") as fh:
            for i, line in enumerate(fh):
                country, number = doc(i)
                futures.append(await producer.send(topic, key=f"{country}:{number}".encode(), value=line[:-1]))
                if len(futures) >= 50_000:  # bounded memory at 10M records
                    await asyncio.gather(*futures)
                    futures = []
        await asyncio.gather(*futures)
        return time.perf_counter() - t
    finally:
        await producer.stop()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


class Workers:
    def __init__(self, args: argparse.Namespace, settings: Settings, run: Path, sampler: Sampler) -> None:
        self.args, self.settings, self.run, self.sampler = args, settings, run, sampler
        self.procs: list[Any] = []
        self.peak: dict[int, float] = {}

    def datadir(self, i: int) -> Path:
        return self.run / f"w{i}"

    def start(self, tag: str) -> None:
        self.procs = []
        for i in range(self.args.workers):
            port = free_port()
            svc = cli_service(f"worker{i}-{tag}", ["worker", "--web-port", str(port), "--loglevel", "info"],
                              self.settings, self.run, {"FUGITIVE_ALERTS_DATA_DIR": str(self.datadir(i))})
            svc.start()
            STARTED.append(svc)
            self.sampler.watch(f"worker{i}-{tag}", svc.pid or 0)
            self.procs.append((svc, port, f"worker{i}-{tag}"))

    def wait_web(self) -> None:
        for svc, port, _ in self.procs:
            svc.wait_ready(lambda p=port: http_ok(f"http://127.0.0.1:{p}/ready"), 900, f"{svc.name} ready")

    def note_peaks(self) -> None:
        for i, (_, _, name) in enumerate(self.procs):
            self.peak[i] = max(self.peak.get(i, 0.0), self.sampler.peak.get(name, 0.0))

    def stop(self, kill: int | None = None) -> None:
        self.note_peaks()
        for i, (svc, _, _) in enumerate(self.procs):
            if kill is None:
                svc.stop(60.0)
            elif i == kill:
                svc.kill()

    def active(self, i: int) -> set[int]:
        """The table partitions worker ``i`` is active for: the last "Highwater - Active" table Faust logged."""
        svc = self.procs[i][0]
        lines = svc.log_path.read_text(errors="replace").splitlines()
        starts = [n for n, line in enumerate(lines) if "Highwater - Active" in line]
        found: set[int] = set()
        topic = ""
        for line in lines[starts[-1] + 3:] if starts else []:
            if line.startswith("+"):
                break
            cells = [c.strip() for c in line.split("|")]
            if len(cells) > 2:
                topic = topic if cells[1] == "\u3003" else cells[1]  # Faust prints 〃 for "same topic"
                if topic.endswith("-documents-changelog") and cells[2].isdigit():
                    found.add(int(cells[2]))
        return found

    def disk_mb(self) -> list[tuple[float, int, float, int]]:
        """Per worker: MB and count of the documents table's partition DBs it is active for, then of the others."""
        out = []
        for i in range(self.args.workers):
            active = self.active(i)
            sizes = {k: sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
                     for k, p in partition_dbs(self.datadir(i), "documents").items()}
            mine = [v for k, v in sizes.items() if k in active]
            rest = [v for k, v in sizes.items() if k not in active]
            out.append((sum(mine) / 1e6, len(mine), sum(rest) / 1e6, len(rest)))
        return out


def ready_after(settings: Settings, workers: Workers, tag: str, probe_ids: list[int], wipe: bool) -> float:
    """Stop the workers (and wipe their state), start them, and time until every probe is answered ``hit``."""
    workers.stop()
    if wipe:
        for i in range(workers.args.workers):
            shutil.rmtree(workers.datadir(i), ignore_errors=True)
    t0 = time.perf_counter()
    workers.start(tag)
    return answered(settings, tag, probe_ids, t0)


def answered(settings: Settings, tag: str, probe_ids: list[int], t0: float) -> float:
    rng = random.Random(5)
    while True:
        events = [(f"probe-{tag}-{uuid.uuid4().hex[:6]}-{i}", i) for i in probe_ids]
        got = asyncio.run(ask(settings, [(e, crossing(e, i, rng)) for e, i in events], None, 30.0))
        if all(v[2] == "hit" for v in got.values()):
            return time.perf_counter() - t0
        if time.perf_counter() - t0 > 3600:
            raise SystemExit(f"workers not answering after {tag}")


def paced(settings: Settings, args: argparse.Namespace, n: int, tag: str, deadline: float,
          kill: Workers | None = None) -> dict[str, list[float] | int]:
    rng = random.Random(9)
    events = []
    for k in range(int(args.rate * args.duration)):
        with_doc = k % 2 == 0
        number = (rng.randrange(n) if rng.random() < args.hit_share else n + rng.randrange(10**7)) if with_doc else None
        eid = f"{tag}-{'d' if with_doc else 'n'}-{k}"
        events.append((eid, crossing(eid, number, rng)))
    if kill is not None:  # kill one worker half-way through
        loop_task = asyncio.new_event_loop()
        try:
            async def both() -> Any:
                task = asyncio.create_task(ask(settings, events, args.rate, deadline))
                await asyncio.sleep(args.duration / 2)
                kill.stop(kill=1)
                return await task
            got = loop_task.run_until_complete(both())
        finally:
            loop_task.close()
    else:
        got = asyncio.run(ask(settings, events, args.rate, deadline))
    lat: dict[str, list[float] | int] = {"doc": [], "nodoc": [], "missing": 0}
    for eid, (sent, recv, _) in got.items():
        if recv is None:
            lat["missing"] = int(lat["missing"]) + 1  # type: ignore[call-overload]
        else:
            lat["doc" if "-d-" in eid else "nodoc"].append((recv - sent) * 1000)  # type: ignore[union-attr]
    return lat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=10_000_000, help="reported documents to generate and import")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--partitions", type=int, default=12)
    ap.add_argument("--rate", type=float, default=50, help="crossings/s of the latency phase")
    ap.add_argument("--duration", type=float, default=60, help="seconds of the latency phase")
    ap.add_argument("--hit-share", type=float, default=0.1, help="share of documents on crossings that are reported")
    ap.add_argument("--no-failover", action="store_true")
    ap.add_argument("--no-restarts", action="store_true", help="skip the restarts with local and wiped state")
    ap.add_argument("--linger-ms", type=float, help="the workers' producer linger (FUGITIVE_ALERTS_PRODUCER_LINGER_MS)")
    ap.add_argument("--json", metavar="FILE", help="also write the raw results here")
    ap.add_argument("--keep", action="store_true", help="keep the run directory (worker logs, data) for diagnosis")
    args = ap.parse_args()

    import logging

    from consumers import ensure_topics
    from fugitive_alerts.documents_import import import_documents
    from fugitive_alerts.produce import import_bureaus

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    res: dict[str, Any] = {"args": vars(args), "machine": machine()}
    run = Path(tempfile.mkdtemp(prefix="documents-bench-"))
    sampler = Sampler(interval=0.5).start()
    with contextlib.ExitStack() as stack:
        bootstrap = bench_broker(stack, run)
        if not args.keep:
            stack.callback(lambda: shutil.rmtree(run, ignore_errors=True))  # last but one: the pid files are in it
        log(f"run directory {run}" + (" (kept)" if args.keep else ""))
        stack.callback(lambda: [svc.stop(60.0) for svc in reversed(STARTED)])
        uid = uuid.uuid4().hex[:6]
        (run / "bureaus.yaml").write_text(yaml.safe_dump(bureaus()))
        settings = Settings(_env_file=None, kafka_bootstrap_servers=bootstrap, topic_prefix=f"docb{uid}.",
                            app_id=f"docb-{uid}", data_dir=run / "data", partitions=args.partitions,
                            bureaus_file=run / "bureaus.yaml", documents_check=True,
                            **({"producer_linger_ms": args.linger_ms} if args.linger_ms is not None else {}))
        asyncio.run(ensure_topics(settings, agencies=[AGENCY]))
        asyncio.run(import_bureaus(settings, run / "bureaus.yaml"))

        path = run / "documents.jsonl"
        write_documents(path, args.count)
        log(f"{args.count:,} documents written ({path.stat().st_size / 1e6:,.0f} MB); importing")
        t0 = time.perf_counter()
        report = asyncio.run(import_documents(settings, path, fmt="jsonl"))
        res["import"] = {"s": time.perf_counter() - t0, "sent": report.sent, "load": load()}
        scratch = settings.topic("bench.producer-ceiling")
        res["ceiling"] = {"s": asyncio.run(producer_ceiling(settings, path, scratch, args.partitions)), "load": load()}
        log(f"import {args.count / res['import']['s']:,.0f}/s, producer ceiling {args.count / res['ceiling']['s']:,.0f}/s")

        workers = Workers(args, settings, run, sampler)
        t0 = time.perf_counter()
        workers.start("load")
        changelog = f"{settings.app_id}-documents-changelog"
        wait_for(lambda: sum(asyncio.run(end_offsets(settings, changelog)).values()) >= report.sent, 24 * 3600,
                 "the table to hold every document", interval=2.0)
        res["table_load"] = {"s": time.perf_counter() - t0, "load": load()}
        probe_ids = probes(args.count, args.partitions)
        workers.wait_web()
        answered(settings, "first", probe_ids, t0)
        res["disk"] = workers.disk_mb()
        log(f"table loaded in {res['table_load']['s']:,.0f} s; disk {res['disk']}; latency phase")
        res["latency"] = {**paced(settings, args, args.count, "lat", args.duration + 60), "load": load()}
        t1 = time.perf_counter()
        ends = {tp.partition: end for tp, end in asyncio.run(end_offsets(settings, changelog)).items()}
        wait_for(lambda: lagging([workers.datadir(i) for i in range(args.workers)], "documents", ends) == 0,
                 24 * 3600, "the standby copies to catch up", interval=5.0)
        res["standbys_caught_up_s"] = (time.perf_counter() - t0, time.perf_counter() - t1, load())
        log(f"standbys caught up {res['standbys_caught_up_s'][0]:,.0f} s after the workers started; latency again")
        res["latency_steady"] = {**paced(settings, args, args.count, "steady", args.duration + 60), "load": load()}
        if not args.no_restarts:
            res["restart_local_s"] = (ready_after(settings, workers, "local", probe_ids, wipe=False), load())
            res["restart_wiped_s"] = (ready_after(settings, workers, "wiped", probe_ids, wipe=True), load())
            res["disk_after_wipe"] = workers.disk_mb()
        if args.workers >= 2 and not args.no_failover:
            res["failover"] = {**paced(settings, args, args.count, "fo", args.duration + 240, kill=workers),
                               "load": load()}
        workers.note_peaks()
        res["peak_rss_mb"] = workers.peak
        res["peak_rss_by_start"] = dict(sampler.peak)
    sampler.stop()
    print(render(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, default=str))


def render(res: dict[str, Any]) -> str:
    a, n = res["args"], res["args"]["count"]
    imp, ceil = n / res["import"]["s"], n / res["ceiling"]["s"]
    out = ["## Machine", "", *[f"- {k}: {v}" for k, v in res["machine"].items()], "",
           f"## Reported documents: {n:,}, {a['workers']} worker(s), {a['partitions']} partitions", "",
           "| figure | value | load (1 min) |", "|---|---:|---:|",
           f"| import (`documents import`, JSONL) | {imp:,.0f} docs/s ({res['import']['s']:,.1f} s) | {res['import']['load']} |",
           f"| aiokafka producer ceiling, same records | {ceil:,.0f} docs/s | {res['ceiling']['load']} |",
           f"| import / ceiling | {imp / ceil:.0%} | |",
           f"| table loaded by the workers (changelog complete) | {res['table_load']['s']:,.1f} s "
           f"({n / res['table_load']['s']:,.0f} docs/s) | {res['table_load']['load']} |"]
    for i, (mb, parts, other_mb, others) in enumerate(res["disk"]):
        out.append(f"| worker {i}: table on disk | active {mb:,.1f} MB in {parts} partitions, standby (or "
                   f"formerly held) {other_mb:,.1f} MB in {others} | |")
    for i, mb in res["peak_rss_mb"].items():
        starts = ", ".join(f"{name.split('-', 1)[1]} {v:,.0f}" for name, v in res.get("peak_rss_by_start", {}).items()
                           if name.startswith(f"worker{i}-"))
        out.append(f"| worker {i}: peak RSS (VmHWM, over all its restarts) | {mb:,.0f} MB (by start: {starts}) | |")
    if "standbys_caught_up_s" in res:
        since_start, after_latency, caught_load = res["standbys_caught_up_s"]
        out.append(f"| standby copies caught up with the changelog, after the workers started | {since_start:,.1f} s "
                   f"({after_latency:,.1f} s after the first latency phase) | {caught_load} |")
    for i, (mb, parts, other_mb, others) in enumerate(res.get("disk_after_wipe", [])):
        out.append(f"| worker {i}: table on disk after the wiped restart | active {mb:,.1f} MB in {parts}, "
                   f"other {other_mb:,.1f} MB in {others} | |")
    if "restart_local_s" in res:
        (local, local_load), (wiped, wiped_load) = res["restart_local_s"], res["restart_wiped_s"]
        out += [f"| ready after a restart with local state | {local:,.1f} s | {local_load} |",
                f"| ready after a restart with the state wiped | {wiped:,.1f} s | {wiped_load} |"]
    for title, lat in (("right after the load, standbys catching up", res["latency"]),
                       ("standbys caught up", res.get("latency_steady"))):
        if lat is None:
            continue
        out += ["", f"## Event -> response at {a['rate']:g} crossings/s for {a['duration']:g} s, {title} "
                f"(load {lat['load']})", "", "| | events | p50 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|"]
        for name, key in (("with the document check", "doc"), ("without (no document)", "nodoc")):
            v = lat[key]
            out.append(f"| {name} | {len(v):,} | {pct(v, .5):.1f} | {pct(v, .99):.1f} | "
                       f"{max(v, default=float('nan')):.1f} |")
        out.append(f"\nUnanswered: {lat['missing']}.")
    if "failover" in res:
        fo = res["failover"]
        allv = fo["doc"] + fo["nodoc"]
        out += ["", f"## Failover: worker 1 killed (SIGKILL) half-way (load {fo['load']})", "",
                f"Answered {len(allv):,}, unanswered {fo['missing']}; p99 {pct(allv, .99):,.0f} ms, "
                f"max {max(allv, default=float('nan')):,.0f} ms."]
    return "\n".join(out)


if __name__ == "__main__":
    main()
