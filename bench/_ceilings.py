"""The two ceilings of ``pipeline_bench.py``, each run as its own process on the events topic.

    python bench/_ceilings.py kafka --count N --topic T --out result.json     # env: the bench's settings
    python bench/_ceilings.py faust --count N --topic T --out result.json [--loop uvloop] [--web-port P]

* **kafka**: a plain aiokafka consumer (no group) reading every partition of the topic from the
  beginning with ``getmany`` and ``orjson.loads`` on each value.
* **faust**: a Faust app built with ``streams.app.new_faust_app`` (the worker's own settings, so
  "same settings" holds by construction) under a fresh app id (its own consumer group), whose one
  agent iterates ``stream.events()`` like the screening agent and ``orjson.loads`` each value, and
  does nothing else. Like the worker it runs with Faust's spinner off and the worker's GIL switch
  interval (``fugitive_alerts.cmd_pipeline.WORKER_SWITCH_INTERVAL``); ``--spinner`` and the
  environment variable ``BENCH_SWITCH_INTERVAL`` (seconds) give the untuned "before" figure.

Each times from its first record to its ``count``-th (wall clock and this process's CPU time)
and writes ``{"count", "wall_s", "cpu_s"}`` to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    import faust

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _write(out: str, count: int, t0: float, c0: float) -> None:
    Path(out).write_text(json.dumps({"count": count, "wall_s": time.perf_counter() - t0,
                                     "cpu_s": time.process_time() - c0}))


async def kafka_ceiling(args: argparse.Namespace) -> None:
    from aiokafka import AIOKafkaConsumer

    from infra import topic_partitions
    from schemas import Settings

    settings = Settings()
    consumer = AIOKafkaConsumer(group_id=None, enable_auto_commit=False, **settings.kafka_client_kwargs())
    await consumer.start()
    try:
        tps = await topic_partitions(settings.kafka_client_kwargs(), [args.topic])
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        n, t0, c0 = 0, 0.0, 0.0
        while n < args.count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for records in batches.values():
                if n == 0 and records:
                    t0, c0 = time.perf_counter(), time.process_time()
                for rec in records:
                    orjson.loads(rec.value)
                n += sum(len(r) for r in batches.values())
        _write(args.out, n, t0, c0)
    finally:
        await consumer.stop()


def noop_faust_app(topic_name: str, tag: str, web_port: int, loop: str = "uvloop"
                   ) -> tuple[faust.App, faust.TopicT]:
    """A Faust app with the worker's own settings (``streams.app.new_faust_app``, so "same settings" holds by
    construction) under a fresh app id (its own consumer group), and ``topic_name`` as a raw topic. Sets the
    event loop and the worker's GIL switch interval (``BENCH_SWITCH_INTERVAL`` overrides it)."""
    if loop != "aio":
        import mode.loop

        mode.loop.use(loop)
    from fugitive_alerts.cmd_pipeline import WORKER_SWITCH_INTERVAL
    from schemas import Settings
    from streams.app import new_faust_app

    sys.setswitchinterval(float(os.environ.get("BENCH_SWITCH_INTERVAL", WORKER_SWITCH_INTERVAL)))
    settings = Settings()
    # A group of its own per run: with one shared id, a second ceiling resumed from the offsets the
    # first one committed, read only the last records, and its rate was not a rate of the topic.
    settings.app_id = f"{settings.app_id}-{tag}-{uuid.uuid4().hex[:8]}"
    app = new_faust_app(settings, web_port=web_port)
    topic = app.topic(topic_name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    return app, topic


def run_faust_worker(app: faust.App, spinner: bool = False) -> None:
    """Run ``app`` as ``fugitive-alerts worker`` runs its app: Faust's terminal spinner off unless asked for."""
    import faust

    worker = faust.Worker(app, loglevel="warning", quiet=True)
    if not spinner:
        worker.spinner = None  # as `fugitive-alerts worker` (fugitive_alerts/cmd_pipeline.py)
    worker.execute_from_commandline()


def faust_ceiling(args: argparse.Namespace) -> None:
    app, topic = noop_faust_app(args.topic, "faust-ceiling", args.web_port, args.loop)
    state = {"n": 0, "t0": 0.0, "c0": 0.0, "last": 0.0, "t_last": 0.0, "c_last": 0.0}

    @app.timer(1.0)
    async def watchdog() -> None:  # records lost by Faust at start-up would make us wait forever
        if state["n"] and time.perf_counter() - state["last"] > 15:
            Path(args.out).write_text(json.dumps({"count": state["n"], "wall_s": state["t_last"] - state["t0"],
                                                  "cpu_s": state["c_last"] - state["c0"], "incomplete": True}))
            os._exit(0)

    @app.agent(topic, name="noop")
    async def noop(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            if state["n"] == 0:
                state["t0"], state["c0"] = time.perf_counter(), time.process_time()
            orjson.loads(event.message.value)
            state["n"] += 1
            state["last"] = state["t_last"] = time.perf_counter()
            state["c_last"] = time.process_time()
            if state["n"] == args.count:
                _write(args.out, state["n"], state["t0"], state["c0"])
                os._exit(0)  # measured; nothing to clean up

    run_faust_worker(app, args.spinner)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=("kafka", "faust"))
    ap.add_argument("--topic", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--loop", default="aio")
    ap.add_argument("--web-port", type=int, default=6066)
    ap.add_argument("--spinner", action="store_true", help="keep Faust's terminal spinner (the 'before' figure)")
    args = ap.parse_args()
    if args.kind == "kafka":
        asyncio.run(kafka_ceiling(args))
    else:
        faust_ceiling(args)


if __name__ == "__main__":
    main()
