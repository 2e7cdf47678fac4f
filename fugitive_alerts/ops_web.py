"""The ops monitor: lag on an interval, an hour of history, ``/metrics``, health, the dashboard, ops emails.

| route | auth | what |
|---|---|---|
| `GET /health` | open | liveness: the process answers |
| `GET /ready` | open | readiness: the last lag evaluation reached the broker, recently |
| `GET /metrics` | open | Prometheus exposition (lag, statuses, members, topic end offsets) |
| `GET /dashboard/` | token | the dashboard (static HTML and JS from ``fugitive_alerts/web/static``) |
| `GET /api/state` | token | what the dashboard polls: groups, partitions, history, throughput, alerts, failures |

The token (``FUGITIVE_ALERTS_OPS_TOKEN``) is accepted as ``Authorization: Bearer <token>``, or as
``?token=<token>`` in a browser, which opens a session: a random session id (never the token) in
an HttpOnly, SameSite=Strict cookie that expires after ``FUGITIVE_ALERTS_OPS_SESSION_HOURS`` and is
``Secure`` when ``FUGITIVE_ALERTS_OPS_PUBLIC_URL`` is https (or the request came over TLS), then a
redirect to the same page without the token. The redirect only ever goes to a path of this
server (``//evil.example/x`` becomes ``/evil.example/x``). Anything else gets 401. Every answer
carries the security headers of ``infra.web``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import secrets
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from yarl import URL

from consumers.activity import Activity
from consumers.lag import LagMonitor, LagReport
from consumers.metrics import LagMetrics
from consumers.ops_alerts import OpsAlerter
from consumers.review_queue import ReviewQueue
from infra.web import security_headers
from schemas import Settings, topics

__all__ = ["STATIC_DIR", "OpsMonitor"]

log = structlog.get_logger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
COOKIE = "fa_ops_session"
MAX_SESSIONS = 1000
HISTORY_SECONDS = 3600.0


class OpsMonitor:
    def __init__(self, settings: Settings, token: str, *, interval: float | None = None,
                 groups: list[str] | None = None, all_groups: bool = False,
                 alerter: OpsAlerter | None = None) -> None:
        self.settings, self.token = settings, token
        self.interval = interval if interval is not None else settings.lag_interval_seconds
        self.lag = LagMonitor(settings, groups=groups, all_groups=all_groups)
        self.activity = Activity(settings, since=HISTORY_SECONDS)
        self.metrics = LagMetrics()
        self.alerter = alerter
        self.report: LagReport | None = None
        self.history: deque[dict[str, Any]] = deque()
        self.last_ok: float | None = None
        self.last_error: str | None = None
        self._ends: tuple[float, dict[str, int]] | None = None
        self._sessions: dict[str, float] = {}
        """session id -> expiry (monotonic seconds)."""
        self.session_seconds = settings.ops_session_hours * 3600
        self.secure_cookie = settings.ops_public_url.lower().startswith("https://")
        self._throughput_topics = {name: settings.topic(name) for name in (*topics.EVENT_TOPICS.values(),
                                                                            topics.ALERTS)}
        # issue 17: open review items per bureau (docs/review.md), read-only; None until readable
        self.reviews: ReviewQueue | None = None
        self.reviews_error: str | None = None

    # -- the loop -----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        await self.lag.start()
        await self.activity.start()
        await self._start_reviews()
        try:
            while not stop.is_set():
                await self.tick()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.interval)  # the interval between evaluations
        finally:
            if self.reviews is not None:
                await self.reviews.stop()
            await self.activity.stop()
            await self.lag.stop()

    async def _start_reviews(self) -> None:
        """Follow the review topics; tried again at each evaluation until it works."""
        queue = ReviewQueue(self.settings, read_only=True)
        try:
            await queue.start()
        except Exception as exc:  # noqa: BLE001 - no review topics yet, or no ACL: the dashboard says so, the rest runs
            error = f"review queues not readable yet: {type(exc).__name__}"
            if error != self.reviews_error:
                log.warning("review queues not readable", error=type(exc).__name__)
            self.reviews_error = error
            with contextlib.suppress(Exception):
                await queue.stop()
            return
        self.reviews, self.reviews_error = queue, None

    def review_queues(self) -> list[dict[str, Any]]:
        """Open review items per bureau, oldest age in seconds; empty until the review topics are read.

        Also sets the review gauges on /metrics, cleared first so that a bureau whose queue emptied
        drops out instead of keeping its last depth. Called by each evaluation and by /api/state."""
        if self.reviews is None or not self.reviews.ready:
            return []
        depths = self.reviews.depths(datetime.now(UTC))
        self.metrics.review_depth.clear()
        self.metrics.review_oldest.clear()
        for bureau, (count, age) in depths.items():
            self.metrics.review_depth.labels(bureau).set(count)
            self.metrics.review_oldest.labels(bureau).set(age)
        return [{"bureau": b, "open": n, "oldest_seconds": round(age, 1)} for b, (n, age) in sorted(depths.items())]

    async def tick(self) -> None:
        try:
            report = await asyncio.wait_for(self.lag.evaluate(), max(30.0, self.interval * 3))
            ends = await self.lag.end_offsets(list(self._throughput_topics.values()))
            await self.activity.poll()
        except Exception as exc:  # noqa: BLE001 - the broker may be down: report it on /ready, keep trying
            self.last_error = f"{type(exc).__name__}: {exc}"
            self.metrics.evaluations.labels("error").inc()
            log.warning("lag evaluation failed", error=self.last_error)
            return
        self.report, self.last_ok, self.last_error = report, time.time(), None
        self.metrics.update(report)
        for name, end in ends.items():
            self.metrics.end_offset.labels(name).set(end)
        self._record(report, ends)
        if self.reviews is None:
            await self._start_reviews()
        self.review_queues()  # refreshes the review gauges on /metrics
        if self.alerter is not None:
            await self.alerter.on_report(report)

    def _record(self, report: LagReport, ends: dict[str, int]) -> None:
        now = report.evaluated_at
        rates: dict[str, float] = {}
        if self._ends is not None and now > self._ends[0]:
            then, before = self._ends
            events = [self.settings.topic(t) for t in topics.EVENT_TOPICS.values()]
            rates["events"] = sum(ends.get(t, 0) - before.get(t, 0) for t in events) / (now - then)
            alerts = self.settings.topic(topics.ALERTS)
            rates["alerts"] = (ends.get(alerts, 0) - before.get(alerts, 0)) / (now - then)
        self._ends = (now, ends)
        self.history.append({
            "t": now,
            "lag": {g.group: g.lag for g in report.groups},
            "lag_seconds": {g.group: round(g.lag_seconds, 3) for g in report.groups},
            "status": {g.group: str(g.status) for g in report.groups},
            "rate": {k: round(max(v, 0.0), 3) for k, v in rates.items()},
        })
        while self.history and now - self.history[0]["t"] > HISTORY_SECONDS:
            self.history.popleft()

    def ready(self) -> bool:
        return self.last_ok is not None and time.time() - self.last_ok < max(3 * self.interval, 30.0)

    def state(self) -> dict[str, Any]:
        report = self.report.to_json() if self.report is not None else {"groups": [], "partitions": []}
        return {**report, "ready": self.ready(), "error": self.last_error, "interval": self.interval,
                "reviews": self.review_queues(), "reviews_error": self.reviews_error,
                "history": list(self.history), "alerts": self.activity.recent_alerts(),
                "failures": self.activity.recent_failures()}

    # -- the web app --------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        offered = [header[7:] if header.startswith("Bearer ") else "", request.query.get("token", "")]
        if any(o and hmac.compare_digest(o.encode(), self.token.encode()) for o in offered):
            return True
        expires = self._sessions.get(request.cookies.get(COOKIE, ""))
        return expires is not None and time.monotonic() < expires

    def _new_session(self) -> str:
        now = time.monotonic()
        for sid in [sid for sid, expires in self._sessions.items() if expires <= now]:
            del self._sessions[sid]
        while len(self._sessions) >= MAX_SESSIONS:  # bounded: the oldest session goes first
            del self._sessions[next(iter(self._sessions))]
        sid = secrets.token_urlsafe(32)
        self._sessions[sid] = now + self.session_seconds
        return sid

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path in ("/health", "/ready", "/metrics"):
            return await handler(request)  # type: ignore[no-any-return]
        if not self._authorised(request):
            return web.json_response({"error": "unauthorised: give the ops token (Authorization: Bearer, "
                                               "or ?token= in a browser)"}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer realm="fugitive-alerts ops"'})
        if "token" in request.query and request.method == "GET":
            # Swap the token in the URL for a session cookie, so it stays out of history and Referer headers.
            query = {k: v for k, v in request.query.items() if k != "token"}
            response = web.HTTPFound(str(URL.build(path=own_path(request.path), query=query)))
            response.set_cookie(COOKIE, self._new_session(), httponly=True, samesite="Strict", path="/",
                                max_age=int(self.session_seconds), secure=self.secure_cookie or request.secure)
            raise response
        return await handler(request)  # type: ignore[no-any-return]

    def web_app(self) -> web.Application:
        app = web.Application(middlewares=[security_headers, self._auth])

        async def health(request: web.Request) -> web.Response:
            return web.json_response({"status": "ok"})

        async def ready(request: web.Request) -> web.Response:
            ok = self.ready()
            return web.json_response({"ready": ok, "broker": ok, "error": self.last_error}, status=200 if ok else 503)

        async def metrics(request: web.Request) -> web.Response:
            return web.Response(body=self.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

        async def api_state(request: web.Request) -> web.Response:
            return web.json_response(self.state())

        async def index(request: web.Request) -> web.FileResponse:
            return web.FileResponse(STATIC_DIR / "index.html")

        async def root(request: web.Request) -> web.Response:
            raise web.HTTPFound("/dashboard/")

        app.router.add_get("/health", health)
        app.router.add_get("/ready", ready)
        app.router.add_get("/metrics", metrics)
        app.router.add_get("/api/state", api_state)
        app.router.add_get("/", root)
        app.router.add_get("/dashboard/", index)
        app.router.add_static("/dashboard/static/", STATIC_DIR)
        return app


def own_path(path: str) -> str:
    """``path`` as a path of this server: one leading slash, no backslashes, so a redirect to it can
    never leave the site (``//evil.example/x`` and ``/\\evil.example`` are protocol-relative URLs)."""
    return "/" + path.replace("\\", "/").lstrip("/")


async def serve(monitor: OpsMonitor, host: str, port: int, stop: asyncio.Event) -> None:
    """Run the monitor loop and its web server until ``stop`` is set."""
    runner = web.AppRunner(monitor.web_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        await monitor.run(stop)
    finally:
        await runner.cleanup()
