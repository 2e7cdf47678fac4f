"""The dispatcher's state as it grows: does its work per event grow with what it holds?

    .venv/bin/python bench/dispatcher_state_bench.py [--digest-sizes 100,1000,10000,30000]
        [--escalation-sizes 1000,10000,100000] [--pending 100] [--bureaus 20] [--repeat 5]

Two parts of the dispatcher hold more the longer it runs, and neither is exercised by
``bench/pipeline_bench.py`` in its minutes (it turns escalation off, and its digests wait 15 minutes):

- **The review digest's queue** (``alerting.digest.step``). Every review-band hit is queued for each
  bureau it concerns, and a bureau's items wait up to ``group_interval`` (15 minutes by default) for
  their digest: at a thousand events a second, tens of thousands of items. For each size N this queues
  N items over ``--bureaus`` bureaus whose first digest has gone out, then times 1,000 more items and
  1,000 decisions.
- **The escalation timers** (``consumers.escalations.EscalationStore``). Every escalated alert's record
  is kept (compacted topic ``alerts.escalations``), and the dispatcher asks every 0.5 s which alerts
  have a step due. For each size N this loads N records as from the topic, ``--pending`` of them
  still pending (due later: the alerts of the last minutes) and the rest acknowledged, then times
  that question, and measures the memory the store holds per record (``tracemalloc``).

Best of ``--repeat``. The ratio columns divide by the smallest size's figure in the same run: 1.0
means the work does not grow with what is held. No Kafka, no network: the state alone, in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alerting import escalation
from alerting.digest import Decided, DigestConfig, DigestState, Queued, step
from consumers.escalations import EscalationStore
from matching import Matcher
from schemas import Alert, WantedPerson
from streams import screen_record

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
CONFIG = DigestConfig()
TIMED = 1_000
TICK_S = 0.5
"""The dispatcher's timer tick (``consumers.dispatcher._TICK``)."""


def _filled_digest(size: int, bureaus: int) -> tuple[DigestState, datetime]:
    """``size`` pending items, after each bureau's first digest went out (so they wait the interval)."""
    state, now = DigestState(), T0
    for b in range(bureaus):
        state, _ = step(state, Queued(f"ncb-{b}", f"first-{b}"), now, CONFIG)
    now += CONFIG.group_wait
    state, _ = step(state, Decided("none"), now, CONFIG)
    for i in range(size):
        if i % 100 == 0:
            now += timedelta(seconds=1)
        state, _ = step(state, Queued(f"ncb-{i % bureaus}", f"A-{i:08d}"), now, CONFIG)
    return state, now


def _time_digest(size: int, bureaus: int) -> tuple[float, float]:
    """Microseconds per queued item and per decision, with ``size`` items already pending."""
    state, now = _filled_digest(size, bureaus)
    start = time.perf_counter()
    for i in range(TIMED):
        state, _ = step(state, Queued(f"ncb-{i % bureaus}", f"B-{i:08d}"), now, CONFIG)
    queued = (time.perf_counter() - start) / TIMED * 1e6
    start = time.perf_counter()
    for i in range(TIMED):
        state, _ = step(state, Decided(f"B-{i:08d}"), now, CONFIG)
    return queued, (time.perf_counter() - start) / TIMED * 1e6


def _alert() -> Alert:
    """A critical alert through the real screening path (fictional person)."""
    notice = {"notice_id": "2026/00001", "names": [{"given": "Athanasius", "family": "Mbarushimanzi"}],
              "birth_dates": ["1951-03-01"], "nationalities": ["RW"], "requesting_country": "RW",
              "offences": ["genocide"]}
    event = {"event_id": "bc-1", "event_type": "border_crossing", "occurred_at": "2026-12-01T03:00:00Z",
             "country": "KE", "post": "NBO-JKIA-T1", "direction": "entry", "agency": "ke-immigration",
             "traveler": {"given": "ATHANASIUS", "family": "MBARUSHIMANZI", "birth_date": "1951-03-01",
                          "nationality": "RW"}}
    matcher = Matcher()
    matcher.upsert(WantedPerson.model_validate(notice))
    outcome = screen_record(json.dumps(event).encode(), topic="t", partition=0, offset=0,
                            expected_type="border_crossing", screener=matcher)
    if not outcome.alerts:
        sys.exit("the bench's fictional traveller did not hit its notice: the matcher changed?")
    return outcome.alerts[0]


def _records(alert: Alert) -> tuple[bytes, bytes]:
    """An escalation record still pending (due in 5 minutes), and one acknowledged by every bureau."""
    timeouts: escalation.Timeouts = {"critical": timedelta(minutes=5), "high": timedelta(hours=4), "normal": None}
    pending, _ = escalation.step(escalation.State(), escalation.Start(alert, ("ncb-ke", "ncb-rw"), timeouts), T0)
    acked = pending
    for bureau in ("ncb-ke", "ncb-rw"):
        acked, _ = escalation.step(acked, escalation.Ack(bureau, "duty", T0), T0)
    assert pending.record is not None and acked.record is not None
    return pending.record.model_dump_json().encode(), acked.record.model_dump_json().encode()


def _time_escalations(size: int, records: tuple[bytes, bytes], pending_count: int, repeat: int) -> tuple[float, float]:
    """Milliseconds per ``due`` question with ``size`` records held, and KiB held per record."""
    store = EscalationStore("alerts.escalations", {})
    pending, acked = records
    tracemalloc.start()
    for i in range(size):
        value = bytes(bytearray(pending if i < pending_count else acked))  # a copy each, as read from Kafka
        store._apply(SimpleNamespace(key=f"A-{i:08d}".encode(), value=value, partition=0, offset=i))
    held = tracemalloc.get_traced_memory()[0] / size / 1024
    tracemalloc.stop()
    now = T0 + timedelta(minutes=1)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(10):
            store.due(now)
        best = min(best, (time.perf_counter() - start) / 10 * 1e3)
    return best, held


def _sizes(text: str, flag: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        sys.exit(f"{flag} must be whole numbers separated by commas, not {text!r}")
    if not sizes or min(sizes) < 1:
        sys.exit(f"{flag}: every size must be at least 1")
    return sizes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Prints two markdown tables, with the machine's 1-minute load beside each row.")
    ap.add_argument("--digest-sizes", default="100,1000,10000,30000", help="review items pending before the timed ones")
    ap.add_argument("--escalation-sizes", default="1000,10000,100000", help="escalation records held")
    ap.add_argument("--pending", type=int, default=100, help="escalation records still pending, whatever the size")
    ap.add_argument("--bureaus", type=int, default=20, help="bureaus the review items are spread over")
    ap.add_argument("--repeat", type=int, default=5, help="runs per size; the best is shown")
    args = ap.parse_args()
    digest_sizes = _sizes(args.digest_sizes, "--digest-sizes")
    escalation_sizes = _sizes(args.escalation_sizes, "--escalation-sizes")
    if args.bureaus < 1 or args.repeat < 1 or args.pending < 0:
        sys.exit("--bureaus and --repeat must be at least 1, --pending at least 0")

    print(f"## The review digest's queue (alerting.digest.step): {args.bureaus} bureaus, {TIMED:,} items timed, "
          f"best of {args.repeat}\n")
    print("| items pending | µs per queued item | µs per decision | queued item, × the smallest size | load (1 min) |")
    print("|---:|---:|---:|---:|---:|")
    _time_digest(min(digest_sizes), args.bureaus)  # warm-up, not shown
    base = None
    for size in digest_sizes:
        queued, decided = min(_time_digest(size, args.bureaus) for _ in range(args.repeat))
        base = base or queued
        print(f"| {size:,} | {queued:.2f} | {decided:.2f} | {queued / base:.2f} | {os.getloadavg()[0]:.2f} |", flush=True)

    records = _records(_alert())
    print(f"\n## The escalation timers (EscalationStore.due, asked every {TICK_S} s): {args.pending} records pending, "
          f"best of {args.repeat}\n")
    print("| records held | ms per tick | share of a core | × the smallest size | KiB held per record | load (1 min) |")
    print("|---:|---:|---:|---:|---:|---:|")
    _time_escalations(min(escalation_sizes), records, args.pending, 1)  # warm-up, not shown
    base = None
    for size in escalation_sizes:
        ms, kib = _time_escalations(size, records, args.pending, args.repeat)
        base = base or ms
        print(f"| {size:,} | {ms:.3f} | {ms / 1e3 / TICK_S:.2%} | {ms / base:.2f} | {kib:.1f} | "
              f"{os.getloadavg()[0]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
