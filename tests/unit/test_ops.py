"""Ops pieces without Kafka: ops-email decisions, the activity feed, metrics, dashboard auth."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer

from consumers.activity import Activity
from consumers.burrow import Status
from consumers.lag import GroupLag, LagReport, PartitionLag
from consumers.metrics import DispatcherMetrics, LagMetrics
from consumers.ops_alerts import OpsAlertState
from fugitive_alerts.ops_web import OpsMonitor
from schemas import Delivery, Settings, topics
from streams.metrics import WorkerMetrics
from tests import factories as f

from .alert_factory import make_alert


def _settings() -> Settings:
    return Settings(kafka_bootstrap_servers="127.0.0.1:1", topic_prefix="u.")


def test_ops_email_once_after_n_then_reminder_after_m_then_recovered() -> None:
    state = OpsAlertState(after=300, reminder=3600)
    assert state.check("g", Status.STOP, now=0) is None
    assert state.check("g", Status.STOP, now=299) is None
    assert state.check("g", Status.STALL, now=300) == "alert"
    assert state.check("g", Status.STOP, now=301) is None
    assert state.check("g", Status.ERR, now=3899) is None
    assert state.check("g", Status.ERR, now=3900) == "reminder"
    assert state.check("g", Status.OK, now=3901) == "recovered"
    assert state.check("g", Status.OK, now=3902) is None


def test_warn_never_emails_and_a_short_failure_stays_quiet() -> None:
    state = OpsAlertState(after=300, reminder=3600)
    assert [state.check("g", Status.WARN, now=t) for t in range(0, 1000, 100)] == [None] * 10
    assert state.check("g", Status.STOP, now=1000) is None
    assert state.check("g", Status.OK, now=1200) is None, "no recovery email without an alert"
    assert state.check("g", Status.STOP, now=1300) is None, "the clock restarts after a recovery"


def test_activity_keeps_ids_and_state_never_personal_data() -> None:
    activity = Activity(_settings())
    alert = make_alert()
    activity._apply("alert", alert.model_dump_json().encode())
    at = datetime.now(UTC)
    for status, channel in (("sent", "sms"), ("failed", "email")):
        d = Delivery(key=f"{alert.alert_id}/b.o/{channel}", alert_id=alert.alert_id, bureau_id="ncb-ke",
                     recipient="ke-duty", channel=channel, status=status, at=at, error="smtp server answered 550"
                     if status == "failed" else None)
        activity._apply("delivery", d.model_dump_json().encode())
    [recent] = activity.recent_alerts()
    assert recent["alert_id"] == alert.alert_id and recent["bureaus"] == ["ncb-ke"]
    assert recent["state"] == "partly failed"
    text = json.dumps([recent, *activity.recent_failures()])
    for name in alert.notice.names:
        assert name.family and name.family.lower() not in text.lower()
    assert not f.leaked(text, "RW7000001", "1951")
    activity._apply("ack", json.dumps({"alert_id": alert.alert_id}).encode())
    assert activity.recent_alerts()[0]["state"] == "acknowledged"
    activity._apply("alert", b"not json")  # ignored, not fatal


def test_worker_and_dispatcher_metrics_use_the_naming_conventions() -> None:
    worker = WorkerMetrics()
    worker.screened("tip", rejected=True)
    worker.screened("border_crossing", 40)
    worker.alert_raised("alert", None)
    worker.watch_wanted_list(lambda: 3)
    text = worker.exposition().decode()
    assert 'fugitive_alerts_events_rejected_total{event_type="tip"} 1.0' in text
    assert 'fugitive_alerts_alerts_raised_total{band="alert"} 1.0' in text
    assert "fugitive_alerts_wanted_notices 3.0" in text
    assert 'fugitive_alerts_screening_batch_events_count{event_type="border_crossing"} 1.0' in text
    assert 'fugitive_alerts_screening_batch_events_sum{event_type="border_crossing"} 40.0' in text
    assert 'fugitive_alerts_screening_batch_events_bucket{event_type="border_crossing",le="32.0"} 0.0' in text
    dispatcher = DispatcherMetrics()
    alert = make_alert()
    sent = Delivery(key="k", alert_id=alert.alert_id, bureau_id="b", recipient="o", channel="sms", status="sent",
                    at=alert.raised_at + timedelta(seconds=2))
    dispatcher.record_delivery(alert, sent)
    text = generate(dispatcher)
    assert 'fugitive_alerts_deliveries_total{channel="sms",outcome="sent"} 1.0' in text
    assert 'fugitive_alerts_alert_to_provider_seconds_sum{channel="sms"} 2.0' in text


def generate(metrics: DispatcherMetrics) -> str:
    from prometheus_client import generate_latest

    return generate_latest(metrics.registry).decode()


def test_lag_metrics_mirror_the_report_and_drop_vanished_partitions() -> None:
    metrics = LagMetrics()
    part = PartitionLag("g", "t", 0, 5, 9, 4, 12.5, Status.STOP)
    metrics.update(LagReport(0.0, [GroupLag("g", Status.STOP, 0, "Empty", 4, 12.5, [part])]))
    text = metrics.exposition().decode()
    assert 'fugitive_alerts_consumer_lag_records{group="g",partition="0",topic="t"} 4.0' in text
    assert 'fugitive_alerts_consumer_group_status{group="g",status="STOP"} 1.0' in text
    assert 'fugitive_alerts_consumer_group_status{group="g",status="OK"} 0.0' in text
    metrics.update(LagReport(1.0, [GroupLag("g", Status.OK, 1, "Stable", 0, 0.0, [])]))
    assert "fugitive_alerts_consumer_lag_records{" not in metrics.exposition().decode()


def test_dashboard_and_api_refuse_requests_without_the_token() -> None:
    async def run() -> None:
        monitor = OpsMonitor(_settings(), "s3cret", interval=1.0)
        async with TestClient(TestServer(monitor.web_app())) as client:
            for path in ("/dashboard/", "/api/state", "/dashboard/static/dashboard.js", "/"):
                assert (await client.get(path)).status == 401, path
            assert (await client.get("/api/state", headers={"Authorization": "Bearer nope"})).status == 401
            ok = await client.get("/api/state", headers={"Authorization": "Bearer s3cret"})
            assert ok.status == 200 and (await ok.json())["ready"] is False
            assert (await client.get("/health")).status == 200
            assert (await client.get("/ready")).status == 503, "not ready before a lag evaluation reached Kafka"
            assert (await client.get("/metrics")).status == 200
            # A browser: ?token= sets a cookie and redirects to the URL without it.
            first = await client.get("/dashboard/?token=s3cret", allow_redirects=False)
            assert first.status == 302 and first.headers["Location"] == "/dashboard/"
            assert "HttpOnly" in first.headers["Set-Cookie"]
            page = await client.get("/dashboard/")
            assert page.status == 200 and "lag-chart" in await page.text()
            script = await client.get("/dashboard/static/dashboard.js")
            assert script.status == 200 and "drawChart" in await script.text()

    asyncio.run(run())


def test_dashboard_page_has_no_external_urls() -> None:
    from fugitive_alerts.ops_web import STATIC_DIR

    for path in STATIC_DIR.iterdir():
        text = path.read_text()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path


def test_topic_names_followed_by_the_activity_feed() -> None:
    names = Activity(_settings()).names
    assert names == {"u." + topics.ALERTS: "alert", "u." + topics.DELIVERIES: "delivery", "u." + topics.ACKS: "ack"}


def test_the_monitor_redirects_only_to_its_own_paths_and_its_session_is_not_the_token() -> None:
    """Issue 20: no open redirect (//evil.example), a random expiring session id, security headers."""
    from yarl import URL

    from infra.web import SECURITY_HEADERS

    async def run() -> None:
        settings = _settings().model_copy(update={"ops_public_url": "https://ops.example", "ops_session_hours": 2.0})
        monitor = OpsMonitor(settings, "s3cret", interval=1.0)
        async with TestClient(TestServer(monitor.web_app())) as client:
            base = f"http://{client.server.host}:{client.server.port}"
            for path, expected in (("//evil.example/x", "/evil.example/x"), ("/\\evil.example", "/evil.example"),
                                   ("///evil.example", "/evil.example")):
                url = URL(f"{base}{path}?token=s3cret&a=1", encoded=True)
                first = await client.session.get(url, allow_redirects=False)
                assert first.status == 302 and first.headers["Location"] == f"{expected}?a=1", path
            first = await client.get("/dashboard/?token=s3cret", allow_redirects=False)
            cookie = first.cookies["fa_ops_session"]
            assert cookie.value and cookie.value != "s3cret" and "s3cret" not in first.headers["Set-Cookie"]
            assert cookie["secure"] and cookie["httponly"] and cookie["max-age"] == str(2 * 3600)
            for name, value in SECURITY_HEADERS.items():
                assert first.headers[name] == value, name
            page = await client.get("/dashboard/", cookies={"fa_ops_session": cookie.value})  # Secure: not sent over http
            assert page.status == 200, "the session cookie opens the dashboard"
            for name, value in SECURITY_HEADERS.items():
                assert page.headers[name] == value, name
            assert (await client.get("/health")).headers["X-Frame-Options"] == "DENY"
            client.session.cookie_jar.clear()
            forged = await client.get("/dashboard/", cookies={"fa_ops_session": "s3cret"})
            assert forged.status == 401, "the token itself is not a session"
            monitor._sessions = dict.fromkeys(monitor._sessions, 0.0)  # every session has expired
            expired = await client.get("/dashboard/", cookies={"fa_ops_session": cookie.value})
            assert expired.status == 401

    asyncio.run(run())
