"""How fast the workers load ``documents.reported`` into their ``documents`` table (issue 19), alone.

    .venv/bin/python bench/documents_load_bench.py --count 300000                  # 2 workers, 12 partitions
    .venv/bin/python bench/documents_load_bench.py --count 300000 --py-spy 30      # and profile worker 0
    .venv/bin/python bench/documents_load_bench.py --count 300000 --worker-env FUGITIVE_ALERTS_PRODUCER_LINGER_MS=50

The documents are produced by a bare aiokafka producer, already normalised (what ``documents
import`` sends), before any worker starts; then ``--workers`` workers start and the bench times
until the table's changelog holds every document. It prints the time from the workers' start
(start-up included, as ``documents_bench.py`` counts it) and the rate from the first changelog
record to the last (start-up excluded), each with the load average. ``--py-spy S`` records worker
0 for S seconds once a tenth of the table is loaded (``py-spy record --format raw``) and prints
``bench/pyspy_summary.py``'s table of it. Uses ``KAFKA_BOOTSTRAP_SERVERS`` if set, else starts
its own broker.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pipeline_data import AGENCY, bureaus
from aiokafka import AIOKafkaProducer
from documents_bench import STATUSES, bench_broker, doc, load
from pipeline_bench import STARTED, cli_service, end_offsets, log
from pyspy_summary import summarise

from fugitive_alerts.local.services import free_port
from schemas import ReportedDocument, Settings, topics


async def produce_documents(settings: Settings, n: int) -> None:
    producer = AIOKafkaProducer(acks="all", linger_ms=20, max_batch_size=512 * 1024, **settings.kafka_client_kwargs())
    await producer.start()
    try:
        futures = []
        for i in range(n):
            country, number = doc(i)
            report = ReportedDocument.model_validate({
                "issuing_country": country, "number": number, "document_type": "passport",
                "status": STATUSES[i % len(STATUSES)], "reporting_country": country,
                "reported_on": "2026-01-15", "reference": f"{country}-BENCH-{i}"})
            futures.append(await producer.send(settings.topic(topics.DOCUMENTS), key=report.key.encode(),
                                               value=report.model_dump_json().encode()))
            if len(futures) >= 50_000:
                await asyncio.gather(*futures)
                futures = []
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


def changelog_count(settings: Settings) -> int:
    return sum(asyncio.run(end_offsets(settings, f"{settings.app_id}-documents-changelog")).values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=300_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--partitions", type=int, default=12)
    ap.add_argument("--py-spy", type=float, metavar="S", help="profile worker 0 for S seconds")
    ap.add_argument("--worker-env", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--keep", action="store_true", help="keep the run directory (worker logs, profile)")
    args = ap.parse_args()

    from consumers import ensure_topics
    from fugitive_alerts.produce import import_bureaus

    run = Path(tempfile.mkdtemp(prefix="documents-load-"))
    with contextlib.ExitStack() as stack:
        bootstrap = bench_broker(stack, run)
        if not args.keep:
            stack.callback(lambda: shutil.rmtree(run, ignore_errors=True))
        stack.callback(lambda: [svc.stop(60.0) for svc in reversed(STARTED)])
        log(f"run directory {run}")
        uid = uuid.uuid4().hex[:6]
        (run / "bureaus.yaml").write_text(yaml.safe_dump(bureaus()))
        settings = Settings(_env_file=None, kafka_bootstrap_servers=bootstrap, topic_prefix=f"docl{uid}.",
                            app_id=f"docl-{uid}", data_dir=run / "data", partitions=args.partitions,
                            bureaus_file=run / "bureaus.yaml", documents_check=True)
        asyncio.run(ensure_topics(settings, agencies=[AGENCY]))
        asyncio.run(import_bureaus(settings, run / "bureaus.yaml"))
        asyncio.run(produce_documents(settings, args.count))
        log(f"{args.count:,} documents on {settings.topic(topics.DOCUMENTS)}; starting {args.workers} worker(s)")

        extra = dict(e.split("=", 1) for e in args.worker_env)
        t0 = time.perf_counter()
        pids = []
        for i in range(args.workers):
            svc = cli_service(f"worker{i}", ["worker", "--web-port", str(free_port()), "--loglevel", "info"],
                              settings, run, {"FUGITIVE_ALERTS_DATA_DIR": str(run / f"w{i}"), **extra})
            svc.start()
            STARTED.append(svc)
            pids.append(svc.pid)
        first: tuple[float, int] | None = None
        spy: subprocess.Popen[bytes] | None = None
        loads = []
        while True:
            n = changelog_count(settings)
            now = time.perf_counter()
            if n and first is None:
                first = (now, n)
            if args.py_spy and spy is None and n >= args.count // 10:
                spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "-r", "200", "-d",
                                        str(int(args.py_spy)), "--pid", str(pids[0]), "--format", "raw",
                                        "-o", str(run / "worker0.pyspy")],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                log(f"py-spy recording worker 0 (pid {pids[0]}) for {args.py_spy:g} s")
            loads.append(float(load()))
            if n >= args.count:
                break
            if any(not svc.is_running() for svc in STARTED):
                raise SystemExit(f"a worker died: see {run} (--keep)")
            if now - t0 > 4 * 3600:
                raise SystemExit("the table is not loaded after 4 h")
            time.sleep(1.0)
        total = now - t0
        assert first is not None
        steady = args.count - first[1]
        rate = steady / (now - first[0]) if now > first[0] else float("nan")
        print(f"\n| documents | workers | from start | docs/s from start | docs/s, first to last changelog record "
              f"| load (1 min) at the end | load mean over the load |\n|---:|---:|---:|---:|---:|---:|---:|\n"
              f"| {args.count:,} | {args.workers} | {total:,.1f} s | {args.count / total:,.0f} | {rate:,.0f} "
              f"| {load()} | {sum(loads) / len(loads):.2f} |")
        if spy is not None:
            spy.wait()
            profile = run / "worker0.pyspy"
            if profile.exists():
                total_samples, inclusive, self_ = summarise(profile, None)
                print(f"\npy-spy, worker 0: {total_samples:,} samples")
                for title, counter in (("inclusive", inclusive), ("self", self_)):
                    print(f"\n| {title} | function |\n|---:|---|")
                    for name, k in counter.most_common(25):
                        print(f"| {k / total_samples:.1%} | `{name}` |")


if __name__ == "__main__":
    main()
