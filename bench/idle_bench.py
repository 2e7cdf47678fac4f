"""Broker CPU at rest: what an idle worker and an idle dispatcher cost the broker, and why.

    .venv/bin/python bench/idle_bench.py                                   # 20 s per phase
    .venv/bin/python bench/idle_bench.py --seconds 30 --variant FUGITIVE_ALERTS_FAUST_FETCH_MAX_WAIT_MS=20

Starts its own Kafka (free ports, temporary directory), creates the topics, imports two bureaus and
a small wanted list, then measures, each for ``--seconds`` with no event flowing:

1. the broker alone;
2. the broker with one worker (``fugitive-alerts worker``, list loaded);
3. the broker with the worker and the dispatcher;
4. for each ``--variant NAME=VALUE[,NAME=VALUE...]``: the worker restarted with that environment,
   the dispatcher still running.

For each phase it prints the CPU of every process (% of one core, from ``/proc/<pid>/stat``) and,
per client process, its TCP connections to the broker and the requests per second it sends on them:
the ``data_segs_out`` counter of each connection (``bench/_requests.py``), which grows by one for
each request a Kafka client writes when requests are small (fetches, heartbeats, metadata), as they
are at rest.
The connections are those of the process's consumers, producer and admin clients; the busiest one
of the worker is its Faust consumer (one fetch per ``FUGITIVE_ALERTS_FAUST_FETCH_MAX_WAIT_MS``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _pipeline_data import AGENCY, bureaus, wanted_records
from _procstat import Sampler, machine
from _requests import request_rates, segments
from _rundir import run_directory
from pipeline_bench import STARTED, cli_service, http_ok, produce

from fugitive_alerts.local.services import free_port
from schemas import Settings, topics


def load() -> str:
    return open("/proc/loadavg").read().split()[0]


def phase(name: str, seconds: float, sampler: Sampler, port: int, clients: dict[str, int],
          settle: float = 5.0) -> dict[str, Any]:
    time.sleep(settle)  # let start-up traffic (group join, metadata) pass before the window
    before, t0 = segments(port), time.time()
    time.sleep(seconds)  # the measured window: nothing else to wait for
    after, t1 = segments(port), time.time()
    cpu = {proc: sampler.cpu_between(proc, t0, t1) / (t1 - t0) for proc in sampler.pids}
    result = {"phase": name, "cpu": cpu, "requests_per_s": request_rates(before, after, t1 - t0, clients),
              "load": load()}
    print(f"# {time.strftime('%H:%M:%S')} {name}: " + ", ".join(f"{k} {v:.1%}" for k, v in cpu.items())
          + f"  [load {result['load']}]", file=sys.stderr, flush=True)
    return result


def report(results: list[dict[str, Any]], desc: dict[str, str]) -> str:
    lines = ["## Broker CPU at rest (bench/idle_bench.py)", "",
             "Machine: " + ", ".join(f"{k} {v}" for k, v in desc.items()), "",
             "| phase | broker CPU | worker CPU | dispatcher CPU | worker requests/s (per connection) "
             "| dispatcher requests/s (per connection) | load (1 min) |",
             "|---|---:|---:|---:|---|---|---:|"]

    def reqs(r: dict[str, Any], proc: str) -> str:
        rates = r["requests_per_s"].get(proc)
        if not rates:
            return ""
        return f"{sum(rates):.1f} ({', '.join(f'{x:.1f}' for x in rates if x >= 0.05)})"

    for r in results:
        cpu = r["cpu"]

        def pct(proc: str, cpu: dict[str, float] = cpu) -> str:
            return f"{cpu[proc]:.1%}" if proc in cpu and cpu[proc] == cpu[proc] else ""
        lines.append(f"| {r['phase']} | {pct('kafka broker')} | {pct('worker')} | {pct('dispatcher')} "
                     f"| {reqs(r, 'worker')} | {reqs(r, 'dispatcher')} | {r['load']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each measured phase")
    ap.add_argument("--wanted", type=int, default=1000, help="fictional notices on the wanted list")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=VALUE[,NAME=VALUE...]",
                    help="also measure the worker restarted with this environment (repeatable)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the run directory (broker data, service logs); it is kept anyway when the bench fails")
    args = ap.parse_args()

    import logging

    from consumers import ensure_topics
    from fugitive_alerts.local.kafka import LocalBroker
    from fugitive_alerts.produce import import_bureaus

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # the broker's start-up probes
    desc = machine()
    with run_directory("idle-bench-", keep=args.keep) as run:
        sampler = Sampler().start()
        port = free_port()
        broker = LocalBroker(run / "kafka", port, free_port())
        broker.start(timeout=180)
        results: list[dict[str, Any]] = []
        try:
            sampler.watch("kafka broker", broker.pid or 0)
            uid, web = uuid.uuid4().hex[:6], free_port()
            (run / "bureaus.yaml").write_text(yaml.safe_dump(bureaus()))
            settings = Settings(
                _env_file=None, env="test", kafka_bootstrap_servers=broker.bootstrap, topic_prefix=f"idle{uid}.",
                app_id=f"idle-{uid}", dispatcher_group=f"idle-{uid}-dispatcher", data_dir=run / "data",
                smtp_host="127.0.0.1", smtp_port=free_port(), twilio_api_base_url="http://127.0.0.1:9",
                bureaus_file=run / "bureaus.yaml", web_port=web, public_url=f"http://127.0.0.1:{web}",
            )
            asyncio.run(ensure_topics(settings, agencies=[AGENCY]))
            asyncio.run(import_bureaus(settings, run / "bureaus.yaml"))
            import orjson
            notices, _ = wanted_records(args.wanted)
            asyncio.run(produce(settings, settings.topic(topics.WANTED),
                                ((w["notice_id"].encode(), orjson.dumps(w)) for w in notices)))
            results.append(phase("broker alone", args.seconds, sampler, port, {}))

            def start_worker(tag: str, env: dict[str, str]) -> Any:
                wport = free_port()
                svc = cli_service(f"worker-{tag}", ["worker", "--web-port", str(wport), "--loop", "uvloop",
                                                    "--loglevel", "warning"], settings, run, env)
                svc.start()
                STARTED.append(svc)
                svc.wait_ready(lambda: http_ok(f"http://127.0.0.1:{wport}/ready"), 600, "the worker")
                sampler.watch("worker", svc.pid or 0)
                return svc

            worker = start_worker("base", {})
            results.append(phase("+ 1 worker (idle)", args.seconds, sampler, port, {"worker": worker.pid or 0}))
            dispatcher = cli_service("dispatcher", ["dispatcher"], settings, run, {})
            dispatcher.start()
            STARTED.append(dispatcher)
            dispatcher.wait_ready(lambda: http_ok(f"http://127.0.0.1:{web}/metrics"), 180, "the dispatcher")
            sampler.watch("dispatcher", dispatcher.pid or 0)
            clients = {"worker": worker.pid or 0, "dispatcher": dispatcher.pid or 0}
            results.append(phase("+ dispatcher (idle)", args.seconds, sampler, port, clients))
            for spec in args.variant:
                worker.stop(60.0)
                env = dict(e.split("=", 1) for e in spec.split(","))
                worker = start_worker(f"v{len(results)}", env)
                clients["worker"] = worker.pid or 0
                results.append(phase(f"worker with {spec}", args.seconds, sampler, port, clients))
        finally:
            for svc in reversed(STARTED):
                svc.stop(60.0)
            broker.stop()
            sampler.stop()
    print(report(results, desc))


if __name__ == "__main__":
    main()
