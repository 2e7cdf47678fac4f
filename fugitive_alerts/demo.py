"""``fugitive-alerts demo``: the whole stack on this machine, with sample data, live.

Starts Kafka (embedded, KRaft), an SMTP catcher, the Twilio mock, a worker and a dispatcher;
imports the fictional sample wanted list; replays the sample events; shows alerts, SMS and email
deliveries as they happen; and leaves the stack running. Each run uses fresh topics
(``demo-<time>.``) so alerts are raised and delivered anew.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

import typer
from rich.console import Console

from alerting import load_directory, route
from matching import Matcher
from schemas import EVENT_ADAPTER, Alert, Delivery, Settings, WantedPerson, topics
from streams import screen_record

from .common import SAMPLE_DIR, fail, load_settings
from .live import print_live
from .local_kafka import BrokerError
from .produce import import_wanted, publish_events
from .stack import start_pipeline, start_stack, stack_dir, stop_stack

__all__ = ["demo"]


def _expected(settings: Settings, wanted: Path, events: Path) -> tuple[set[str], int]:
    """The alerts and deliveries the sample should produce, by the same engine and routing, in-process."""
    matcher = Matcher(alert_threshold=settings.alert_threshold, review_threshold=settings.review_threshold)
    for line in wanted.read_bytes().splitlines():
        matcher.upsert(WantedPerson.model_validate_json(line))
    directory = load_directory(settings.bureaus_file or SAMPLE_DIR / "bureaus.yaml")
    alerts: set[str] = set()
    deliveries = 0
    for offset, line in enumerate(events.read_bytes().splitlines()):
        event_type = EVENT_ADAPTER.validate_json(line).event_type
        for alert in screen_record(line, topic="-", partition=0, offset=offset, expected_type=event_type,
                                   screener=matcher).alerts:
            alerts.add(alert.alert_id)
            deliveries += len(route(alert, directory))
    return alerts, deliveries


async def _run(settings: Settings, console: Console, wanted: Path, events: Path, rate: float,
               timeout: float) -> dict[str, object]:
    expected_alerts, expected_deliveries = _expected(settings, wanted, events)
    seen_alerts: dict[str, Alert] = {}
    deliveries: list[Delivery] = []
    done = asyncio.Event()

    def on_record(topic: str, item: object) -> None:
        if isinstance(item, Alert):
            seen_alerts[item.alert_id] = item
        elif isinstance(item, Delivery):
            deliveries.append(item)
        if expected_alerts <= set(seen_alerts) and len(deliveries) >= expected_deliveries:
            done.set()

    report = await import_wanted(settings, wanted)
    console.print(f"[bold][5/6][/bold] Wanted list: {report.sent} fictional notices imported "
                  f"(names in Latin, Cyrillic, Arabic, Han, Hangul, Greek, Hebrew, Devanagari, Thai, ...)")
    live = asyncio.create_task(print_live(settings, console, from_beginning=True, deliveries=True,
                                          stop=done, on_record=on_record))
    console.print(f"[bold][6/6][/bold] Replaying {sum(1 for _ in events.open('rb'))} events at {rate:g}/s; "
                  f"expecting {len(expected_alerts)} alerts and {expected_deliveries} deliveries ...")
    published = await publish_events(settings, events, rate=rate)
    try:
        await asyncio.wait_for(done.wait(), timeout)
    except asyncio.TimeoutError:
        console.print(f"[red]Not everything arrived within {timeout:.0f}s[/red]: {len(seen_alerts)} of "
                      f"{len(expected_alerts)} alerts, {len(deliveries)} of {expected_deliveries} deliveries. "
                      f"See the logs in {stack_dir(settings)}/run/.")
    live.cancel()
    latencies = [
        (d.at.timestamp() - published.sent_at[seen_alerts[d.alert_id].event_id])
        for d in deliveries
        if d.channel == "email" and d.status == "sent" and d.alert_id in seen_alerts
        and seen_alerts[d.alert_id].event_type == "border_crossing"
    ]
    return {"alerts": len(seen_alerts), "deliveries": len(deliveries),
            "sent": sum(d.status == "sent" for d in deliveries), "latencies": latencies,
            "ok": expected_alerts <= set(seen_alerts) and len(deliveries) >= expected_deliveries}


def demo(
    stop: bool = typer.Option(False, "--stop", help="Stop the stack a previous demo left running, and exit."),
    rate: float = typer.Option(50.0, help="Events per second for the replay."),
    timeout: float = typer.Option(180.0, help="Seconds to wait for every alert and delivery."),
) -> None:
    """Run the whole pipeline on this machine with sample data, and watch alerts go out.

    Starts an embedded Kafka (KRaft), an SMTP catcher, the Twilio mock (Prism), a worker and a
    dispatcher; imports a fictional wanted list; replays a few hundred events, a handful of them
    true sightings; and shows each alert and each SMS/email delivery as it happens. The stack
    keeps running afterwards: stop it with `fugitive-alerts demo --stop` (or `make stop`).
    """
    console = Console(soft_wrap=True)
    base = load_settings()
    # This process only probes and replays; aiokafka would log each refused probe connection.
    # The worker and dispatcher keep their full logs in their own processes.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    say = lambda line: console.print(f"      {line}", highlight=False)  # noqa: E731
    if stop:
        n = stop_stack(base, say)
        console.print(f"Demo stack stopped ({n} process(es))." if n else "No demo stack was running.")
        return
    started = time.monotonic()
    prefix = f"demo-{datetime.now(timezone.utc):%Y%m%d%H%M%S}."
    console.print("[bold][1-3/6][/bold] Starting Kafka, the SMTP catcher and the Twilio mock ...")
    try:
        stack, settings = start_stack(base, say, prefix)
    except (BrokerError, RuntimeError) as exc:
        fail(f"{exc}\nStop a previous demo with `fugitive-alerts demo --stop`, then try again.", code=1)
    console.print(f"[bold][4/6][/bold] Starting the worker and the dispatcher (topics {prefix}*) ...")
    start_pipeline(settings, base, say)
    outcome = asyncio.run(_run(settings, console, SAMPLE_DIR / "wanted.jsonl", SAMPLE_DIR / "events.jsonl",
                               rate, timeout))
    lat = sorted(outcome["latencies"])  # type: ignore[arg-type]
    console.print()
    console.print(f"[bold]{outcome['alerts']} alerts, {outcome['sent']} of {outcome['deliveries']} deliveries "
                  f"sent[/bold] in {time.monotonic() - started:.0f}s from start.")
    if lat:
        console.print(f"Border crossing -> email accepted by SMTP: median {statistics.median(lat):.2f}s, "
                      f"max {lat[-1]:.2f}s over {len(lat)} emails.")
    mail = stack_dir(base) / "mail"
    console.print(f"Emails: {mail}/*.eml   SMS: accepted by the Twilio mock at {stack.twilio_url}")
    console.print(f"Logs: {stack_dir(base) / 'run'}/")
    console.print("[bold]The stack is still running.[/bold] Stop it with: [cyan]make stop[/cyan] "
                  "(or `fugitive-alerts demo --stop`)")
    if not outcome["ok"]:
        raise SystemExit(1)
