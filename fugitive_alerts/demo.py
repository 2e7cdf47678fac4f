"""``fugitive-alerts demo``: the whole stack on this machine, with sample data, live.

Starts Kafka (embedded, KRaft), an SMTP catcher, the Twilio mock, a worker, a dispatcher and the
review console (with a demo analyst whose password is made per run); imports the fictional sample
wanted list; replays the sample events; shows alerts, SMS and email deliveries as they happen; has
the analyst clear a namesake in the console, after which the same traveller is answered
``cleared``; and leaves the stack running. Each run uses fresh topics
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
import orjson
import typer
from rich.console import Console
from twilio.request_validator import RequestValidator

from alerting import escalation_step, load_directory, route
from consumers import await_responses
from matching import Matcher
from schemas import (
    EVENT_ADAPTER,
    Acknowledgement,
    Alert,
    BureauDirectory,
    Delivery,
    ReportedDocument,
    Response,
    Settings,
    response_topic,
)
from streams import screen_record
from streams.documents import document_alert, document_keys

from .common import SAMPLE_DIR, fail, load_settings
from .documents_import import import_documents
from .importers import read_notices
from .live import print_live
from .local.kafka import BrokerError
from .local.stack import DEMO_ANALYST, demo_analyst, stack_dir, start_pipeline, start_stack, stop_stack
from .produce import import_bureaus, import_wanted, publish_events
from .responses import response_line

__all__ = ["demo"]


def _expected(settings: Settings, wanted: Path, events: Path) -> dict[str, int]:
    """alert_id -> number of first deliveries, by the same engine and routing, in-process. Review-band hits
    are not delivered one by one: they go to the review queue (docs/review.md)."""
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
            if alert.band == "alert":
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

    def escalated(self, directory: BureauDirectory) -> bool:
        """Whether every critical alert has reached the first step of the escalation chain of every
        bureau it was sent to and that has not acknowledged it, on every channel that step uses
        (``alerting.escalation_step``): the alerts were raised within seconds of each other, and so
        escalate within seconds, each bureau's messages one by one."""
        acked = {(a.alert_id, a.bureau_id) for a in self.acks}
        seen: dict[tuple[str, str], int] = {}
        sent_to: dict[str, set[str]] = {}
        for d in self.deliveries:
            if d.kind == "escalation":
                seen[(d.alert_id, d.bureau_id)] = seen.get((d.alert_id, d.bureau_id), 0) + 1
            elif d.kind == "alert":
                sent_to.setdefault(d.alert_id, set()).add(d.bureau_id)
        for alert in self.alerts.values():
            if alert.urgency != "critical" or alert.band != "alert":
                continue
            for bureau_id in sent_to.get(alert.alert_id, set()) - {b for a, b in acked if a == alert.alert_id}:
                bureau = directory.get(bureau_id)
                step = escalation_step(alert, bureau, 1) if bureau is not None else []
                if seen.get((alert.alert_id, bureau_id), 0) < len(step):
                    return False
        return True


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


def _namesake(wanted: Path, settings: Settings) -> dict[str, object] | None:
    """A fictional namesake of a sample notice (same name, another birth date and passport) whose only hit is in
    the review band: the traveller the demo's analyst clears."""
    matcher = Matcher(alert_threshold=settings.alert_threshold, review_threshold=settings.review_threshold)
    notices = read_notices("ftm", wanted, source="sample")[0]
    for notice in notices:
        matcher.upsert(notice)
    for notice in notices:
        name, dob = notice.names[0], notice.birth_dates[0] if notice.birth_dates else ""
        if len(dob) != 10 or not (name.given and name.family and name.family.isascii()):
            continue
        country = notice.nationalities[0] if notice.nationalities else "FR"
        event: dict[str, object] = {
            "event_id": f"bc-namesake-{secrets.token_hex(4)}", "event_type": "border_crossing",
            "occurred_at": datetime.now(UTC).isoformat(), "country": "FR", "post": "CDG-T2E", "direction": "entry",
            "agency": "fr-paf", "traveler": {
                "given": name.given.upper(), "family": name.family.upper(), "nationality": country,
                "birth_date": f"{dob[:4]}-{'12' if dob[5:7] != '12' else '01'}-{'28' if dob[8:] != '28' else '03'}",
                "document": {"type": "passport", "number": "ZZ4242424", "country": country}}}
        hits = screen_record(orjson.dumps(event), topic="-", partition=0, offset=0, expected_type="border_crossing",
                             screener=matcher).alerts
        if hits and all(h.band == "review" for h in hits):
            return event
    return None


async def _publish_and_answer(settings: Settings, event: dict[str, object], timeout: float) -> Response | None:
    path = stack_dir(settings) / f"{event['event_id']}.jsonl"
    path.write_bytes(orjson.dumps(event) + b"\n")
    answers = await await_responses([settings.topic(response_topic(str(event["agency"])))], {str(event["event_id"])},
                                    settings.kafka_client_kwargs(), lambda: publish_events(settings, path), timeout)
    return answers.get(str(event["event_id"]))


async def _clear_a_namesake(settings: Settings, console: Console, wanted: Path, password: str,
                            timeout: float) -> bool:
    """A namesake crosses (a review item); the demo analyst decides "not the person" in the console; the same
    traveller crosses again and the border post is answered `cleared`."""
    event = _namesake(wanted, settings)
    if event is None:
        console.print("      (no namesake of a sample notice scores in the review band; clearance skipped)")
        return True
    first = await _publish_and_answer(settings, event, timeout)
    if first is None or first.result != "review":
        console.print(f"      the namesake {event['event_id']} was not answered `review`: {first and first.result}")
        return False
    item_id = first.hits[0].alert_id
    console.print(f"      {event['event_id']}: a namesake of a listed person; answered REVIEW, queued as {item_id}")
    base = settings.review_public_url.rstrip("/")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(f"{base}/login", data={"officer": DEMO_ANALYST, "password": password},
                             allow_redirects=False) as resp:
            if resp.status != 303:
                console.print(f"      could not sign in to the review console: HTTP {resp.status}")
                return False
        deadline = time.monotonic() + timeout
        while True:  # the console follows `reviews`; the dispatcher writes the item once it has the alert
            async with http.get(f"{base}/items/{item_id}") as resp:
                found = re.search(r'name="csrf" value="([^"]+)"', await resp.text())
                if resp.status == 200 and found:
                    break
            if time.monotonic() > deadline:
                console.print(f"      {item_id} did not reach the review queue within {timeout:g}s")
                return False
            await asyncio.sleep(0.5)  # poll interval
        reason = "Demo: birth date and passport differ from the notice's; a namesake."
        async with http.post(f"{base}/items/{item_id}/decision", allow_redirects=False,
                             data={"csrf": html.unescape(found.group(1)), "outcome": "not_the_person",
                                   "reason": reason}) as resp:
            console.print(f"      {DEMO_ANALYST} opened {base}/items/{item_id} and chose 'Not the person': "
                          f"HTTP {resp.status}")
    again = {**event, "event_id": f"bc-namesake-{secrets.token_hex(4)}"}
    answer = await _publish_and_answer(settings, again, timeout)
    if answer is None or answer.result != "cleared":
        console.print(f"      the same traveller again ({again['event_id']}) was not answered `cleared`")
        return False
    console.print(f"      the same traveller crosses again ({again['event_id']}): "
                  + response_line(answer).replace("\n", "\n      "), highlight=False)
    return True


async def _run(settings: Settings, console: Console, wanted: Path, events: Path, rate: float,
               timeout: float, password: str) -> dict[str, object]:
    expected = _expected(settings, wanted, events)
    watch = _Watch()
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
            d.kind == "escalation" and d.alert_id == escalated_id for d in watch.deliveries)
            and watch.escalated(directory), settings.escalate_critical_minutes * 60 + timeout)
    live.cancel()
    if ok:
        console.print(f"\n[bold]Review[/bold]: the console is at {settings.review_public_url}/ "
                      f"(sign in as {DEMO_ANALYST}) ...")
        ok = await _clear_a_namesake(settings, console, wanted, password, timeout)
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
    password = demo_analyst(settings, [b.id for b in load_directory(SAMPLE_DIR / "bureaus.yaml").bureaus])
    # The directory first: a dispatcher that starts without one logs an error (as it should, in a deployment)
    asyncio.run(import_bureaus(settings, SAMPLE_DIR / "bureaus.yaml"))
    start_pipeline(settings, base, stack, say)
    console.print(f"      Review console: [cyan]{settings.review_public_url}/[/cyan]  sign in as "
                  f"[bold]{DEMO_ANALYST}[/bold], password [bold]{password}[/bold] (made for this run)",
                  highlight=False)
    outcome = asyncio.run(_run(settings, console, SAMPLE_DIR / "wanted.ftm.jsonl", SAMPLE_DIR / "events.jsonl",
                               rate, timeout, password))
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
    console.print(f"Review console: {settings.review_public_url}/  (user {DEMO_ANALYST}, password {password})",
                  highlight=False)
    console.print("[bold]The stack is still running.[/bold] Stop it with: [cyan]make stop[/cyan] "
                  "(or `fugitive-alerts demo --stop`)")
    if not outcome["ok"]:
        raise SystemExit(1)
