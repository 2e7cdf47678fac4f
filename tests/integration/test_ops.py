"""Ops, end to end on real parts: a stopped worker shows as lagging in ``lag --json``, on the
monitor's ``/metrics``, on the dashboard (headless Chromium) and by email to ops; after a
restart the lag returns to OK.

The Burrow window is made short (seconds, not minutes) through settings, so statuses change
within the test; every wait is a polled condition with a deadline.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fugitive_alerts.local.services import Service, free_port, wait_for
from fugitive_alerts.produce import import_bureaus
from schemas import Settings, alert_id_for, topics
from tests import factories as f

from .kafka_helpers import produce, produce_json, read_until
from .world import BUREAUS, KNOWN

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
TOKEN = "ops-test-token"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _http(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def _lag_json(settings: Settings) -> tuple[int, dict[str, Any]]:
    done = subprocess.run([sys.executable, "-m", "fugitive_alerts", "lag", "--json", "--group", settings.app_id],
                          env={**os.environ, **settings.to_env()}, capture_output=True, text=True,
                          timeout=90, check=False)
    assert done.returncode in (0, 1) and done.stdout, f"lag --json exited {done.returncode}: {done.stderr}"
    return done.returncode, json.loads(done.stdout)


def _group(report: dict[str, Any], group: str) -> dict[str, Any]:
    return next(g for g in report["groups"] if g["group"] == group)


def _lag_until(settings: Settings, ok: Any, timeout: float, what: str) -> tuple[int, dict[str, Any]]:
    """Run ``lag --json`` until ``ok(group_entry)``; return (exit code, report)."""
    def attempt() -> tuple[int, dict[str, Any]] | None:
        code, report = _lag_json(settings)
        return (code, report) if ok(_group(report, settings.app_id)) else None

    return wait_for(attempt, timeout, what)


def _metric(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith((name + "{", name + " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def _scrape_until(url: str, ok: Any, what: str, timeout: float = 30.0) -> str:
    """Scrape ``url`` until ``ok(text)``; return that text."""
    def attempt() -> str | None:
        text = _http(url)[1]
        return text if ok(text) else None

    return wait_for(attempt, timeout, what)


class Ops:
    def __init__(self, settings: Settings, run: Path) -> None:
        self.settings, self.run = settings, run
        self.worker_port, self.monitor_port = free_port(), free_port()
        self.worker = self._service("worker", ["worker", "--web-port", str(self.worker_port), "--loglevel", "info"])
        self.monitor = self._service("monitor", ["monitor", "--port", str(self.monitor_port),
                                                 "--group", settings.app_id])

    def _service(self, name: str, argv: list[str]) -> Service:
        return Service(name, [sys.executable, "-m", "fugitive_alerts", *argv], self.run, env=self.settings.to_env())

    @property
    def monitor_url(self) -> str:
        return f"http://127.0.0.1:{self.monitor_port}"

    def start_worker(self) -> None:
        self.worker.start()
        self.worker.wait_ready(lambda: _http(f"http://127.0.0.1:{self.worker_port}/ready")[0] == 200, 90,
                               "the worker to be ready")


@pytest.fixture(scope="module")
def ops(settings_factory: Any, smtp_sink: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ops]:
    """A worker that the test may stop and restart, and the ops monitor watching its group."""
    run = tmp_path_factory.mktemp("ops")
    bureaus = run / "bureaus.yaml"
    bureaus.write_text(yaml.safe_dump(BUREAUS))
    settings: Settings = settings_factory(
        bureaus_file=bureaus, lag_window_seconds=4.0, lag_min_distance_seconds=0.0, lag_interval_seconds=0.5,
        ops_token=TOKEN, ops_email_to="ops@fugitive-alerts.example", ops_alert_after_minutes=0.05,
        ops_reminder_minutes=60.0,
    )
    asyncio.run(import_bureaus(settings, bureaus))
    produce_json(settings, topics.WANTED, [KNOWN], "notice_id")
    world = Ops(settings, run)
    world.start_worker()
    world.monitor.start()
    world.monitor.wait_ready(lambda: _http(f"{world.monitor_url}/ready")[0] == 200, 60, "the monitor to be ready")
    try:
        yield world
    finally:
        for service in (world.worker, world.monitor):
            service.stop(30.0)
            print(f"--- {service.name} log (last lines) ---\n" + service.log_path.read_text()[-3000:])


def _sighting(n: int) -> dict[str, Any]:
    return f.border_crossing(f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-03-01", nationality="RW",
                                        passport="RW7000001"), event_id=f"bc-ops-{n}")


def _dashboard(url: str, screenshot: Path, *, status: str) -> dict[str, Any]:
    """Open the dashboard in headless Chromium; wait until the group shows ``status`` and the chart has drawn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.goto(f"{url}/dashboard/?token={TOKEN}")
            page.wait_for_selector(f"#groups tbody tr[data-status='{status}']", timeout=60_000)
            page.wait_for_function("Number(document.getElementById('lag-chart').dataset.points) > 1",
                                   timeout=30_000)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
            print(f"dashboard screenshot: {screenshot}")
            return {
                "url": page.url,
                "groups": page.eval_on_selector_all("#groups tbody tr", "rows => rows.map(r => [r.dataset.group, "
                                                    "r.dataset.status, r.children[3].textContent])"),
                "points": int(page.eval_on_selector("#lag-chart", "c => c.dataset.points")),
                "max": float(page.eval_on_selector("#lag-chart", "c => c.dataset.max")),
                "alerts": page.eval_on_selector_all("#alerts tbody tr", "rows => rows.map(r => r.textContent)"),
            }
        finally:
            browser.close()


def test_endpoints_and_auth(ops: Ops) -> None:
    """/health, /ready and /metrics are open; the dashboard and its API refuse a request without the token."""
    assert _http(f"{ops.monitor_url}/health")[0] == 200
    assert _http(f"{ops.monitor_url}/ready")[0] == 200
    assert _http(f"{ops.monitor_url}/metrics")[0] == 200
    assert _http(f"{ops.monitor_url}/dashboard/")[0] == 401
    assert _http(f"{ops.monitor_url}/api/state")[0] == 401
    assert _http(f"{ops.monitor_url}/api/state", token="wrong")[0] == 401
    status, body = _http(f"{ops.monitor_url}/api/state", token=TOKEN)
    assert status == 200 and "groups" in json.loads(body)
    assert _http(f"http://127.0.0.1:{ops.worker_port}/health")[0] == 200
    status, body = _http(f"http://127.0.0.1:{ops.worker_port}/ready")
    assert status == 200 and json.loads(body)["partitions_assigned"] is True, body


def test_the_dashboard_shows_each_bureaus_open_review_items_and_the_oldest_age(ops: Ops) -> None:
    """Review items on the `reviews` topic appear per bureau in /api/state, /metrics and the dashboard's table,
    and a bureau whose queue empties leaves them."""
    from datetime import UTC, datetime

    from tests.unit.review_factory import review_item

    item = review_item(["ncb-ops-test"], queued_minutes_ago=90.0, now=datetime.now(UTC))
    produce(ops.settings, topics.REVIEWS, [(item.item_id.encode(), item.model_dump_json().encode())])

    def queue() -> dict[str, Any] | None:
        state = json.loads(_http(f"{ops.monitor_url}/api/state", token=TOKEN)[1] or "{}")
        return next((r for r in state.get("reviews", []) if r["bureau"] == "ncb-ops-test"), None)

    wait_for(lambda: queue() is not None, 60, "the review item on the dashboard's state")
    shown = queue()
    assert shown is not None and shown["open"] == 1 and shown["oldest_seconds"] >= 90 * 60, shown
    metrics = _http(f"{ops.monitor_url}/metrics")[1]
    assert 'fugitive_alerts_review_queue_depth{bureau="ncb-ops-test"} 1.0' in metrics

    # The item goes (a retention tombstone): the bureau leaves the table and /metrics, no stale depth.
    produce(ops.settings, topics.REVIEWS, [(item.item_id.encode(), None)])
    wait_for(lambda: queue() is None, 60, "the emptied queue to leave the dashboard's state")
    metrics = _http(f"{ops.monitor_url}/metrics")[1]
    assert 'bureau="ncb-ops-test"' not in metrics


def test_stopped_worker_shows_as_lagging_everywhere_and_recovers(ops: Ops, smtp_sink: Any) -> None:
    s, group = ops.settings, ops.settings.app_id
    # A hit while the worker runs: the group commits, the worker counts it.
    first = _sighting(0)
    produce_json(s, topics.BORDER_CROSSINGS, [first], "event_id")
    first_alert = alert_id_for(first["event_id"], KNOWN["notice_id"])
    read_until(s, topics.ALERTS, lambda rs: any(r.key == first_alert.encode() for r in rs), 90)
    worker_metrics = _scrape_until(f"http://127.0.0.1:{ops.worker_port}/metrics",
                                   lambda t: (_metric(t, "fugitive_alerts_alerts_raised_total", band="alert") or 0) >= 1,
                                   "the worker to count the alert")
    assert (_metric(worker_metrics, "fugitive_alerts_events_screened_total", event_type="border_crossing") or 0) >= 1
    assert _metric(worker_metrics, "fugitive_alerts_wanted_notices") == 1.0
    assert "fugitive_alerts_event_to_alert_seconds_count 1.0" in worker_metrics
    code, report = _lag_until(s, lambda g: g["lag"] == 0, 60, "the worker's group to catch up")
    assert code == 0 and _group(report, group)["status"] == "OK"

    # Stop the worker; events keep coming.
    ops.worker.stop(30.0)
    sightings = [_sighting(n) for n in range(1, 6)]
    produce_json(s, topics.BORDER_CROSSINGS, sightings, "event_id")

    # A static member (docs/reliability.md) stays in the group until its session times out (10 s).
    code, report = _lag_until(s, lambda g: g["status"] == "STOP" and g["members"] == 0, 60,
                              "lag --json to show the stopped worker's group as STOP, with no member left")
    assert code == 1, "a failing group makes `lag` exit 1"
    g = _group(report, group)
    assert g["lag"] == 5 and g["members"] == 0 and g["lag_seconds"] > 0
    part = next(p for p in report["partitions"] if p["topic"] == s.topic(topics.BORDER_CROSSINGS))
    assert part["end"] - part["committed"] == 5 and part["status"] == "STOP"
    assert set(part) == {"group", "topic", "partition", "committed", "end", "lag", "lag_seconds", "status"}
    print("lag --json while the worker is stopped:\n" + json.dumps(report, indent=2))

    metrics = _scrape_until(f"{ops.monitor_url}/metrics",
                            lambda t: _metric(t, "fugitive_alerts_consumer_group_status", group=group,
                                              status="STOP") == 1.0, "/metrics to show the group as STOP")
    assert _metric(metrics, "fugitive_alerts_consumer_lag_records", group=group,
                   topic=s.topic(topics.BORDER_CROSSINGS), partition="0") == 5.0
    assert (_metric(metrics, "fugitive_alerts_consumer_lag_seconds", group=group,
                    topic=s.topic(topics.BORDER_CROSSINGS), partition="0") or 0) > 0

    seen = _dashboard(ops.monitor_url, ARTIFACTS / "ops-dashboard-stopped.png", status="STOP")
    assert "token=" not in seen["url"], "the token is swapped for a cookie and leaves the URL"
    assert [group, "STOP", "5"] in seen["groups"]
    assert seen["points"] > 1 and seen["max"] >= 5
    assert any(first_alert in row for row in seen["alerts"])
    assert not any("MBARUSHIMANZI" in row.upper() for row in seen["alerts"]), "no personal data on the dashboard"

    smtp_sink.wait_for(lambda msgs: [m for m in msgs if m["To"] == s.ops_email_to
                                     and f"consumer group {group} is failing" in str(m["Subject"])], timeout=60)

    # Restart: the backlog is screened, the lag returns to OK.
    ops.start_worker()
    code, report = _lag_until(s, lambda g: g["status"] == "OK" and g["lag"] == 0, 120,
                              "the restarted worker to catch up")
    assert code == 0
    # The backlog, fetched together, is screened as one batch, not one event at a time (streams/batches.py).
    worker_metrics = _scrape_until(f"http://127.0.0.1:{ops.worker_port}/metrics",
                                   lambda t: _metric(t, "fugitive_alerts_events_screened_total",
                                                     event_type="border_crossing") == 5.0,
                                   "the restarted worker to count the backlog")
    batched = {part: _metric(worker_metrics, f"fugitive_alerts_screening_batch_events_{part}",
                             event_type="border_crossing") for part in ("sum", "count")}
    assert batched == {"sum": 5.0, "count": 1.0}, batched
    _scrape_until(f"{ops.monitor_url}/metrics",
                  lambda t: _metric(t, "fugitive_alerts_consumer_group_status", group=group, status="OK") == 1.0,
                  "/metrics to show the group OK again")
    _dashboard(ops.monitor_url, ARTIFACTS / "ops-dashboard-recovered.png", status="OK")
    smtp_sink.wait_for(lambda msgs: [m for m in msgs if m["To"] == s.ops_email_to
                                     and f"consumer group {group} has recovered" in str(m["Subject"])], timeout=60)
