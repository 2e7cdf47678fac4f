"""``fugitive-alerts demo``: the whole stack on this machine, with sample data, live.

Starts Kafka (embedded, KRaft), an SMTP catcher, the Twilio mock, a worker and a dispatcher;
imports the fictional sample wanted list; replays the sample events; shows alerts, SMS and email
deliveries as they happen; and leaves the stack running. Each run uses fresh topics
(``demo-<time>.``) so alerts are raised and delivered anew.
"""

from __future__ import annotations

import asyncio
import csv
import html
import logging
import re
import secrets
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import cast

import aiohttp
import typer
from rich.console import Console
from twilio.request_validator import RequestValidator

from alerting import load_directory, route
from matching import Matcher
from schemas import EVENT_ADAPTER, Acknowledgement, Alert, Delivery, ReportedDocument, Settings
from streams import screen_record
from streams.documents import document_alert, document_keys

from .common import SAMPLE_DIR, fail, load_settings
from .documents_import import import_documents
from .importers import read_notices
from .live import print_live
from .local.kafka import BrokerError
from .local.stack import stack_dir, start_pipeline, start_stack, stop_stack
from .produce import import_bureaus, import_wanted, publish_events

__all__ = ["demo"]


def _expected(settings: Settings, wanted: Path, events: Path) -> dict[str, int]:
    """alert_id -> number of first deliveries, by the same engine and routing, in-process."""
    matcher = Matcher(alert_threshold=settings.alert_threshold, review_threshold=settings.review_threshold)
    for notice in read_notices("ftm", wanted, source="sample")[0]:
        matcher.upsert(notice)
    directory = load_directory(SAMPLE_DIR / "bureaus.yaml")
    reported = {doc.key: doc for doc in read_documents(SAMPLE_DIR / "documents.csv")}
    expected: dict[str, int] = {}
    for offset, line in enumerate(events.read_bytes().splitlines()):
        event = EVENT_ADAPTER.validate_json(line)
        for alert in screen_record(line, topic="-", partition=0, offset=offset, expected_type=event.event_type,
                                   screener=matcher).alerts:
            expected[alert.alert_id] = len(route(alert, directory))
        for key in document_keys(event):  # reported travel documents (docs/documents.md)
            if key in reported:
                alert = document_alert(event, key, reported[key], datetime.now(UTC))
                expected[alert.alert_id] = len(route(alert, directory))
    return expected


def read_documents(path: Path) -> list[ReportedDocument]:
    """The sample's reported documents (a CSV with the record's own header)."""
    with path.open(newline="", encoding="utf-8") as fh:
        return [ReportedDocument.model_validate(row) for row in csv.DictReader(fh)]


class _Watch:
    """What the live view has seen so far, and an event for "the condition now holds"."""

    def __init__(self) -> None:
        self.alerts: dict[str, Alert] = {}
        self.deliveries: list[Delivery] = []
        self.acks: list[Acknowledgement] = []
        self.changed = asyncio.Event()

    def on_record(self, topic: str, item: object) -> None:
        if isinstance(item, Alert):
            self.alerts[item.alert_id] = item
        elif isinstance(item, Delivery):
            self.deliveries.append(item)
        elif isinstance(item, Acknowledgement):
            self.acks.append(item)
        self.changed.set()

    async def until(self, condition: Callable[[], bool], timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                return condition()
        return True

    def first(self, alert_id: str) -> int:
        return sum(1 for d in self.deliveries if d.alert_id == alert_id and d.kind == "alert")


def _ack_link(mail: Path, alert_id: str) -> str | None:
    """The acknowledgement link of the newest email the SMTP catcher stored for ``alert_id`` (alert ids are
    deterministic, so an earlier demo's mail, signed with that run's key, can carry the same id)."""
    for path in sorted(mail.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        if alert_id in str(msg["Subject"]):
            body = msg.get_body(("plain",))
            found = re.search(r"(http://\S+/ack/\S+)", body.get_content() if body else "")
            if found:
                return found.group(1)
    return None


async def _ack_by_link(link: str) -> int:
    """Open the link's confirmation page, then press its button (a POST with the page's form key)."""
    async with aiohttp.ClientSession() as http:
        async with http.get(link) as page:
            found = re.search(r'name="form_key" value="([^"]+)"', await page.text())
            if page.status != 200 or not found:
                return page.status
        async with http.post(link, data={"form_key": html.unescape(found.group(1))}) as resp:
            return resp.status


async def _ack_by_sms(settings: Settings, alert_id: str, phone: str) -> int:
    """Reply "ACK <ref>" as Twilio would deliver it: a signed webhook call to the dispatcher."""
    url = f"{settings.public_url}/twilio/inbound"
    form = {"From": phone, "To": settings.twilio_from_number, "Body": f"ACK {alert_id}",
            "MessageSid": "SM" + secrets.token_hex(16)}
    signature = RequestValidator(settings.twilio_auth_token.get_secret_value()).compute_signature(url, form)
    async with aiohttp.ClientSession() as http, http.post(url, data=form,
                                                          headers={"X-Twilio-Signature": signature}) as resp:
        return resp.status


async def _run(settings: Settings, console: Console, wanted: Path, events: Path, rate: float,
               timeout: float) -> dict[str, object]:
    expected = _expected(settings, wanted, events)
    watch = _Watch()
    await import_bureaus(settings, SAMPLE_DIR / "bureaus.yaml")
    report = await import_wanted(settings, wanted, format="ftm", source="sample")
    console.print(f"[bold][5/6][/bold] Wanted list: {report.sent} fictional notices imported from a "
                  f"FollowTheMoney (OpenSanctions-format) file, {wanted.name} (names in Latin, Cyrillic, Arabic, "
                  f"Han, Hangul, Greek, Hebrew, Devanagari, Thai, ...)")
    documents = await import_documents(settings, SAMPLE_DIR / "documents.csv", fmt="csv")
    console.print(f"      Reported travel documents: {documents.sent} imported from {SAMPLE_DIR.name}/documents.csv "
                  "(stolen, lost, revoked...; one of them is on a crossing in the replay)")
    live = asyncio.create_task(print_live(settings, console, from_beginning=True, deliveries=True,
                                          on_record=watch.on_record))
    console.print(f"[bold][6/6][/bold] Replaying {sum(1 for _ in events.open('rb'))} events at {rate:g}/s; "
                  f"expecting {len(expected)} alerts and {sum(expected.values())} deliveries ...")
    published = await publish_events(settings, events, rate=rate)
    ok = await watch.until(lambda: all(a in watch.alerts and watch.first(a) >= n for a, n in expected.items()),
                           timeout)
    critical = [a for a in watch.alerts.values() if a.urgency == "critical"]
    escalated_id = None
    if ok and len(critical) >= 3:
        console.print("\n[bold]Acknowledging[/bold]: one alert by its email link, one by SMS reply; "
                      "the rest are left for escalation ...")
        link = _ack_link(stack_dir(settings) / "mail", critical[0].alert_id)
        if link:
            status = await _ack_by_link(link)
            console.print(f"      opened the ack link in the email for {critical[0].alert_id} and pressed "
                          f"'Acknowledge' on its page: HTTP {status}")
        sms = next((d for d in watch.deliveries if d.alert_id == critical[1].alert_id and d.channel == "sms"), None)
        directory = load_directory(SAMPLE_DIR / "bureaus.yaml")
        bureau = directory.get(sms.bureau_id) if sms else None
        officer = bureau.officer(sms.recipient) if bureau and sms else None
        if officer and officer.phone:
            status = await _ack_by_sms(settings, critical[1].alert_id, officer.phone)
            console.print(f"      replied 'ACK {critical[1].alert_id}' by SMS (signed Twilio webhook): HTTP {status}")
        escalated_id = critical[2].alert_id
        console.print(f"      waiting {settings.escalate_critical_minutes * 60:.0f}s for {escalated_id} to escalate "
                      "to the next officer in its bureaus' chains ...")
        ok = await watch.until(lambda: len(watch.acks) >= 2 and any(
            d.kind == "escalation" and d.alert_id == escalated_id for d in watch.deliveries),
            settings.escalate_critical_minutes * 60 + timeout)
    live.cancel()
    by_id = watch.alerts
    latencies = [d.at.timestamp() - published.sent_at[by_id[d.alert_id].event_id] for d in watch.deliveries
                 if d.channel == "email" and d.status == "sent" and d.kind == "alert" and d.alert_id in by_id
                 and by_id[d.alert_id].event_type == "border_crossing"]
    return {"alerts": len(by_id), "deliveries": len(watch.deliveries), "acks": len(watch.acks),
            "escalations": sum(d.kind == "escalation" for d in watch.deliveries),
            "sent": sum(d.status == "sent" for d in watch.deliveries), "latencies": latencies, "ok": ok}


def demo(
    stop: bool = typer.Option(False, "--stop", help="Stop the stack a previous demo left running, and exit."),
    rate: float = typer.Option(50.0, help="Events per second for the replay."),
    timeout: float = typer.Option(180.0, help="Seconds to wait for every alert and delivery."),
    escalate_after: float = typer.Option(20.0, help="Seconds without acknowledgement before a critical alert "
                                                     "escalates (the product default is 5 minutes)."),
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
    prefix = f"demo-{datetime.now(UTC):%Y%m%d%H%M%S}."
    console.print("[bold][1-3/6][/bold] Starting Kafka, the SMTP catcher and the Twilio mock ...")
    try:
        stack, settings = start_stack(base, say, prefix)
    except (BrokerError, RuntimeError) as exc:
        fail(f"{exc}\nStop a previous demo with `fugitive-alerts demo --stop`, then try again.", code=1)
    console.print(f"[bold][4/6][/bold] Starting the worker and the dispatcher (topics {prefix}*) ...")
    settings = settings.model_copy(update={"escalate_critical_minutes": escalate_after / 60})
    start_pipeline(settings, base, stack, say)
    outcome = asyncio.run(_run(settings, console, SAMPLE_DIR / "wanted.ftm.jsonl", SAMPLE_DIR / "events.jsonl",
                               rate, timeout))
    lat = sorted(cast("list[float]", outcome["latencies"]))
    console.print()
    console.print(f"[bold]{outcome['alerts']} alerts, {outcome['sent']} of {outcome['deliveries']} deliveries "
                  f"sent, {outcome['acks']} acknowledged, {outcome['escalations']} escalation messages[/bold] "
                  f"in {time.monotonic() - started:.0f}s from start.")
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
