"""Time from ``fugitive-alerts worker`` start to ready (``/ready`` answers 200), cold and warm.

    .venv/bin/python bench/worker_start_bench.py --sizes 100000,1000000

For each wanted-list size (the synthetic fictional list of ``bench/matching_bench.py``), on a
local broker of its own (or ``KAFKA_BOOTSTRAP_SERVERS``):

- **ceiling**: a worker with an empty wanted list (what a start costs without any index);
- **cold**: a worker with no index snapshot (builds the index from the topic), which then writes
  its snapshot (the time the snapshot took to appear is reported too);
- **warm**: the same worker restarted: it loads the snapshot and reads on from its offsets.

Each worker is a real ``fugitive-alerts worker`` process. The 1-minute load average is printed
beside every figure: on a shared machine a figure alone means little.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from aiokafka import AIOKafkaProducer
from matching_bench import make_wanted
from pipeline_bench import STARTED, cli_service, http_ok

from fugitive_alerts.local.services import free_port
from schemas import Settings, topics


def load() -> float:
    return os.getloadavg()[0]


async def produce_notices(settings: Settings, n: int) -> None:
    producer = AIOKafkaProducer(acks=1, linger_ms=50, max_batch_size=512 * 1024, **settings.kafka_client_kwargs())
    await producer.start()
    try:
        pending = []
        for w in make_wanted(n)[:-1]:
            pending.append(await producer.send(settings.topic(topics.WANTED), orjson.dumps(w),
                                               key=str(w["notice_id"]).encode()))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def start_to_ready(settings: Settings, run: Path, data_dir: Path, tag: str,
                   then: Any = None) -> tuple[float, float, Any]:
    """Start a worker, return (seconds to /ready, load at ready, what ``then()`` returned), stop it."""
    port = free_port()
    svc = cli_service(f"worker-{tag}", ["worker", "--web-port", str(port), "--loglevel", "warning"], settings, run,
                      {"FUGITIVE_ALERTS_DATA_DIR": str(data_dir)})
    t0 = time.perf_counter()
    svc.start()
    STARTED.append(svc)
    try:
        svc.wait_ready(lambda: http_ok(f"http://127.0.0.1:{port}/ready"), 1800, f"{tag} ready")
        took, at = time.perf_counter() - t0, load()
        extra = then() if then is not None else None
    finally:
        svc.stop(120.0)
        STARTED.remove(svc)
    return took, at, extra


def one_size(bootstrap: str, run: Path, n: int) -> dict[str, Any]:
    uid = uuid.uuid4().hex[:6]
    settings = Settings(_env_file=None, kafka_bootstrap_servers=bootstrap, topic_prefix=f"wsb{uid}.",
                        app_id=f"wsb-{uid}", data_dir=run / f"data-{uid}")
    from consumers import ensure_topics

    asyncio.run(ensure_topics(settings))
    empty_dir, dir_ = run / f"empty-{uid}", run / f"w-{uid}"
    out: dict[str, Any] = {"size": n}
    out["ceiling"] = start_to_ready(settings.model_copy(update={"topic_prefix": f"wsb{uid}e."}), run, empty_dir,
                                    f"empty-{uid}")[:2]
    t0 = time.perf_counter()
    asyncio.run(produce_notices(settings, n))
    out["produce_s"] = time.perf_counter() - t0
    snap = dir_ / "index" / f"{settings.topic(topics.WANTED)}.snapshot"

    def snapshot_written() -> tuple[float, float]:
        t = time.perf_counter()
        while not snap.exists():
            time.sleep(0.2)  # poll for the renamed file (written by the worker's child process)
        return time.perf_counter() - t, snap.stat().st_size / 1e6

    out["cold"] = start_to_ready(settings, run, dir_, f"cold-{uid}", snapshot_written)
    log_path = run / f"worker-warm-{uid}.log"

    def loaded_line() -> str:
        """The warm worker's own log line saying it loaded the snapshot (and in how many seconds)."""
        lines = [ln for ln in log_path.read_text(errors="replace").splitlines() if "index snapshot" in ln]
        return lines[-1].strip() if lines else "(no index snapshot line)"

    took, at, line = start_to_ready(settings, run, dir_, f"warm-{uid}", loaded_line)
    out["warm"] = (took, at)
    out["warm_log"] = line
    if "index snapshot loaded" not in line:
        raise SystemExit(f"the warm worker did not load its snapshot: {line}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000")
    args = ap.parse_args()
    import logging

    from fugitive_alerts.local.kafka import LocalBroker

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    run = Path(tempfile.mkdtemp(prefix="worker-start-bench-"))
    rows = []
    with contextlib.ExitStack() as stack:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            broker = LocalBroker(run / "kafka", free_port(), free_port())
            broker.start(timeout=180)
            stack.callback(broker.stop)
            bootstrap = broker.bootstrap
        stack.callback(lambda: shutil.rmtree(run, ignore_errors=True))
        stack.callback(lambda: [svc.stop(60.0) for svc in reversed(STARTED)])
        for n in (int(s) for s in args.sizes.split(",")):
            rows.append(one_size(bootstrap, run, n))
            print(f"# done {n}: {rows[-1]}", file=sys.stderr, flush=True)
    print("| wanted list | ceiling: empty list s (load) | cold s (load) | snapshot written after ready s | "
          "snapshot MB | warm s (load) | warm / cold | warm / ceiling |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        (c, cl), (k, kl, (sw, mb)), (w, wl) = r["ceiling"], r["cold"], r["warm"]
        print(f"| {r['size']:,} | {c:.1f} ({cl:.1f}) | {k:.1f} ({kl:.1f}) | {sw:.1f} | {mb:,.0f} | {w:.1f} ({wl:.1f}) | "
              f"{w / k:.2f} | {w / c:.2f} |")
    for r in rows:
        print(f"\n{r['size']:,}, warm worker's log: {r['warm_log']}")


if __name__ == "__main__":
    main()
