"""The review console: analysts decide review-band hits (server-rendered HTML, a little JavaScript).

| route | who | what |
|---|---|---|
| `GET /health`, `GET /ready` | open | the process answers; both review topics are loaded |
| `GET /metrics` | open | Prometheus: queue depth and age of the oldest item per bureau |
| `GET /login`, `POST /login` | open | sign in with the officers file (or through the trusted proxy) |
| `POST /logout` | session + CSRF | sign out |
| `GET /queue` | session | the officer's open items, oldest first; filters `bureau`, `event_type`, `min_age_hours` |
| `GET /items/{item_id}` | session | the event and the notice side by side, reasons, score, the decision form |
| `POST /items/{item_id}/decision` | session + CSRF | `outcome` (confirm, not_the_person, unsure) and `reason` |
| `GET /clearances` | session | the clearances of the officer's bureaus that still hold, newest first |
| `POST /clearances/{item_id}/revoke` | session + CSRF | `reason`: revoke the clearance (a `revoked` decision) |

An item that is not in one of the officer's queues answers 404, exactly as an item that does not
exist, on the page and on the decision route; so does a clearance another bureau made. Pages carry
personal data for authorised analysts; log lines carry ids only. It lives in the shell
(``fugitive_alerts``) because "not the person" reads the event's identity with
``matching.clearance.identity_of``, which ``consumers`` may not import.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import structlog
from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from consumers.review_auth import Officers, Session, Sessions, SignInThrottle, csrf_ok, proxy_principal
from consumers.review_ops import StaleQueueAlerter
from consumers.review_queue import ReviewQueue
from consumers.review_rules import EVENT_TYPES, DecisionRefused, FilterError, QueueFilter, decide
from matching.clearance import identity_of
from schemas import Settings, event_subject
from schemas.reviews import Outcome, ReviewDecision
from schemas.wanted import fingerprint

__all__ = ["COOKIE", "ReviewConsole", "WEB_DIR", "serve"]

log = structlog.get_logger(__name__)

WEB_DIR = Path(__file__).resolve().parent / "web" / "review"
COOKIE = "fa_review_session"
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_NEW_SESSION = web.RequestKey("new_session", Session)
"""A session made during this request (trusted proxy): its cookie is set on the response."""


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


class QueueMetrics:
    """Gauges per bureau, refreshed from the queue at each scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.depth = Gauge("fugitive_alerts_review_queue_depth", "Open review items in the bureau's queue.",
                           ["bureau"], registry=self.registry)
        self.oldest = Gauge("fugitive_alerts_review_oldest_item_age_seconds",
                            "Age of the oldest open review item in the bureau's queue (0 when empty).",
                            ["bureau"], registry=self.registry)
        self.decisions = Gauge("fugitive_alerts_review_decisions", "Decisions on record, by outcome.",
                               ["outcome"], registry=self.registry)

    def refresh(self, queue: ReviewQueue, now: datetime) -> bytes:
        depths = queue.depths(now)
        for gauge in (self.depth, self.oldest, self.decisions):
            gauge.clear()
        for bureau, (count, age) in sorted(depths.items()):
            self.depth.labels(bureau).set(count)
            self.oldest.labels(bureau).set(age)
        for outcome in get_args(Outcome):
            self.decisions.labels(outcome).set(sum(1 for d in queue.decisions.values() if d.outcome == outcome))
        return generate_latest(self.registry)


class ReviewConsole:
    def __init__(self, settings: Settings, officers: Officers | None, *, clock: Callable[[], datetime] | None = None,
                 queue: ReviewQueue | None = None) -> None:
        self.settings = settings
        self.officers = officers
        self.queue = queue if queue is not None else ReviewQueue(settings)
        self.sessions = Sessions(timedelta(minutes=settings.review_session_minutes))
        self.throttle = SignInThrottle()
        self.stale: StaleQueueAlerter | None = None
        self._watch: asyncio.Task[None] | None = None
        self.metrics = QueueMetrics()
        self.now = clock or (lambda: datetime.now(UTC))
        self.secure_cookie = settings.review_public_url.lower().startswith("https://")
        self.templates = Environment(loader=FileSystemLoader(WEB_DIR / "templates"),
                                     autoescape=select_autoescape(default=True, default_for_string=True))
        self.templates.filters["age"] = _age

    # -- the app ------------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers], client_max_size=64 * 1024)
        app.router.add_get("/", self._root)
        app.router.add_get("/health", self._health)
        app.router.add_get("/ready", self._ready)
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/login", self._login_page)
        app.router.add_post("/login", self._login)
        app.router.add_post("/logout", self._logout)
        app.router.add_get("/queue", self._queue)
        app.router.add_get("/items/{item_id}", self._item)
        app.router.add_post("/items/{item_id}/decision", self._decision)
        app.router.add_get("/clearances", self._clearances)
        app.router.add_post("/clearances/{item_id}/revoke", self._revoke)
        app.router.add_static("/static/", WEB_DIR / "static", show_index=False)
        app.on_startup.append(self._start)
        app.on_cleanup.append(self._stop)
        return app

    async def _start(self, app: web.Application) -> None:
        await self.queue.start()
        s = self.settings
        if s.ops_email_to:
            from alerting import SmtpEmail

            email = SmtpEmail(s.smtp_host, s.smtp_port, sender=s.alert_email_from, username=s.smtp_username,
                              password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                              starttls=s.smtp_starttls, timeout=s.smtp_timeout, pool_size=1)
            self.stale = StaleQueueAlerter(email, s.ops_email_to, limit=s.review_oldest_limit_hours * 3600,
                                           reminder=s.ops_reminder_minutes * 60)
            self._watch = asyncio.create_task(self._watch_queues(), name="reviews:ops")

    async def _stop(self, app: web.Application) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        if self.stale is not None:
            await self.stale.email.close()
        await self.queue.stop()

    async def _watch_queues(self) -> None:
        """Ops email when a bureau's oldest open item passes ``review_oldest_limit_hours`` (docs/review.md)."""
        assert self.stale is not None
        await self.queue.wait_ready(None)
        while True:
            now = self.now()
            try:
                await self.stale.on_depths(self.queue.depths(now), now.timestamp())
            except Exception as exc:  # noqa: BLE001 - a failed check is retried at the next interval, never fatal
                log.warning("review queue check failed; retried later", error=type(exc).__name__)
            await asyncio.sleep(self.settings.review_ops_check_seconds)  # the check's interval, not synchronisation

    @web.middleware
    async def _headers(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if exc.status >= 400:
                response = self._page("error.html.j2", status=exc.status, message=exc.reason)
            else:
                exc.headers.update(_SECURITY_HEADERS)
                raise
        response.headers.update(_SECURITY_HEADERS)
        return response

    # -- sessions -----------------------------------------------------------------------------------

    def _session(self, request: web.Request) -> Session | None:
        """The caller's live session; through the trusted proxy, one is made (or renewed) for its officer."""
        now = self.now()
        session = self.sessions.get(request.cookies.get(COOKIE), now)
        s = self.settings
        vouched = proxy_principal(request.remote, {k.lower(): v for k, v in request.headers.items()},
                                  s.review_trusted_proxy, s.review_proxy_user_header, s.review_proxy_bureaus_header)
        if vouched is not None and (session is None or session.principal != vouched):
            session = self.sessions.create(vouched, now)
            request[_NEW_SESSION] = session
            log.info("signed in", officer=vouched.officer_id, via="proxy")
        return session

    def _require(self, request: web.Request) -> Session:
        session = self._session(request)
        if session is None:
            raise web.HTTPSeeOther("/login")
        return session

    def _set_cookie(self, response: web.StreamResponse, session: Session) -> None:
        response.set_cookie(COOKIE, session.id, httponly=True, samesite="Strict", secure=self.secure_cookie,
                            path="/", max_age=int(self.sessions.lifetime.total_seconds()))

    def _page(self, template: str, status: int = 200, session: Session | None = None,
              **context: Any) -> web.Response:
        html = self.templates.get_template(template).render(session=session, now=self.now(), **context)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")

    def _finish(self, request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        new = request.get(_NEW_SESSION)
        if new is not None:
            self._set_cookie(response, new)
        return response

    # -- handlers -----------------------------------------------------------------------------------

    async def _root(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPSeeOther("/queue")

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _ready(self, request: web.Request) -> web.Response:
        ready = self.queue.ready
        return web.json_response({"ready": ready}, status=200 if ready else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=self.metrics.refresh(self.queue, self.now()),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _login_page(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        if session is not None:
            return self._finish(request, _redirect("/queue"))
        return self._page("login.html.j2", password=self.officers is not None)

    async def _login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        officer_id, password = str(form.get("officer", "")).strip(), str(form.get("password", ""))
        if self.officers is None:
            return self._page("login.html.j2", status=400, password=False,
                              error="Password sign-in is not configured: sign in through your organisation's proxy.")
        if not officer_id or not password or len(officer_id) > 64 or len(password) > 1024:
            return self._page("login.html.j2", status=400, password=True, error="Give your officer id and password.")
        if self.throttle.blocked(officer_id, self.now()):
            log.warning("sign-in refused: too many failures", remote=request.remote)
            return self._page("login.html.j2", status=429, password=True, officer=officer_id,
                              error="Too many failed sign-ins for this officer id: try again in 15 minutes.")
        principal = await asyncio.get_running_loop().run_in_executor(None, self.officers.verify, officer_id, password)
        if principal is None:
            self.throttle.failed(officer_id, self.now())
            log.warning("sign-in refused", remote=request.remote)
            return self._page("login.html.j2", status=401, password=True, officer=officer_id,
                              error="Unknown officer or wrong password.")
        self.throttle.succeeded(officer_id)
        old = request.cookies.get(COOKIE)
        if old:
            self.sessions.drop(old)
        session = self.sessions.create(principal, self.now())
        log.info("signed in", officer=principal.officer_id, via="password")
        response = _redirect("/queue")
        self._set_cookie(response, session)
        return response

    async def _logout(self, request: web.Request) -> web.StreamResponse:
        posted = await self._posted(request, "sign-out")
        if isinstance(posted, web.Response):
            return posted
        session, _ = posted
        self.sessions.drop(session.id)
        response = _redirect("/login")
        response.del_cookie(COOKIE, path="/")
        return response

    async def _queue(self, request: web.Request) -> web.StreamResponse:
        session = self._require(request)
        bureaus = sorted(session.principal.bureaus)
        try:
            query = QueueFilter.parse(request.query)
        except FilterError as exc:
            return self._finish(request, self._page("error.html.j2", status=400, session=session, message=str(exc)))
        if query.bureau is not None and query.bureau not in session.principal.bureaus:
            return self._finish(request, self._page("error.html.j2", status=403, session=session,
                                                    message="You can only see the queues of your own bureaus."))
        entries = self.queue.open_queue(session.principal, query, self.now())
        return self._finish(request, self._page(
            "queue.html.j2", session=session, entries=entries, bureaus=bureaus, event_types=EVENT_TYPES, query=query,
            decided=request.query.get("decided", ""), ready=self.queue.ready))

    async def _item(self, request: web.Request) -> web.StreamResponse:
        session = self._require(request)
        entry = self.queue.find(session.principal, request.match_info["item_id"])
        if entry is None:
            return self._finish(request, self._page("error.html.j2", status=404, session=session,
                                                    message="No such item in your queue (it may have been decided)."))
        person = event_subject(entry.item.alert.event)
        return self._finish(request, self._page(
            "item.html.j2", session=session, entry=entry, item=entry.item, alert=entry.item.alert,
            event=entry.item.alert.event, person=person, notice=entry.item.alert.notice,
            clearable=identity_of(person) is not None))

    async def _posted(self, request: web.Request, action: str) -> tuple[Session, Any] | web.Response:
        """The officer's session and the posted form; the 403 page instead when the form's CSRF token is not the
        session's (nothing is written)."""
        session = self._require(request)
        form = await request.post()
        if not csrf_ok(session, str(form.get("csrf", ""))):
            log.warning("form refused: bad CSRF token", action=action, officer=session.principal.officer_id)
            return self._page("error.html.j2", status=403, session=session, message="The form has expired: reload the page.")
        return session, form

    async def _decision(self, request: web.Request) -> web.StreamResponse:
        posted = await self._posted(request, "decision")
        if isinstance(posted, web.Response):
            return posted
        session, form = posted
        item_id = request.match_info["item_id"]
        entry = self.queue.find(session.principal, item_id)
        try:
            identity, print_ = None, ""
            if entry is not None:
                identity = identity_of(event_subject(entry.item.alert.event))
                notice = entry.item.alert.notice
                print_ = fingerprint(notice) if notice is not None else ""
            decision = decide(entry, session.principal, str(form.get("outcome", "")), str(form.get("reason", "")),
                              self.now(), identity=identity, notice_fingerprint=print_)
        except DecisionRefused as exc:
            if exc.status == 404:
                log.warning("decision refused: not in the officer's queue", officer=session.principal.officer_id,
                            item_id=item_id)
            return self._page("error.html.j2", status=exc.status, session=session, message=str(exc),
                              back=f"/items/{item_id}" if exc.status == 400 else None)
        await self.queue.record(decision)
        return _redirect(f"/queue?decided={decision.item_id}")

    async def _clearances(self, request: web.Request) -> web.StreamResponse:
        session = self._require(request)
        items, days = self.queue.items, self.settings.clearance_days
        rows = [(d, items.get(d.item_id), d.at + timedelta(days=days))
                for d in self.queue.clearances(session.principal, self.now())]
        return self._finish(request, self._page(
            "clearances.html.j2", session=session, rows=rows, ready=self.queue.ready, days=days,
            revoked=request.query.get("revoked", "")))

    async def _revoke(self, request: web.Request) -> web.StreamResponse:
        posted = await self._posted(request, "revocation")
        if isinstance(posted, web.Response):
            return posted
        session, form = posted
        item_id = request.match_info["item_id"]
        try:
            decision: ReviewDecision = self.queue.revocation(session.principal, item_id, str(form.get("reason", "")),
                                                              self.now())
        except DecisionRefused as exc:
            if exc.status == 404:
                log.warning("revocation refused: not a clearance of the officer's bureaus",
                            officer=session.principal.officer_id, item_id=item_id)
            return self._page("error.html.j2", status=exc.status, session=session, message=str(exc),
                              back="/clearances", back_label="Back to the clearances")
        await self.queue.record(decision)
        return _redirect(f"/clearances?revoked={decision.item_id}")


def _age(value: datetime, now: datetime) -> str:
    """``"3 d 4 h"``, ``"2 h 5 min"``, ``"40 s"``."""
    seconds = max(0, int((now - value).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{seconds} s"


async def serve(console: ReviewConsole, host: str, port: int, stop: asyncio.Event,
                started: Callable[[], None] | None = None) -> None:
    """Run the console until ``stop`` is set."""
    runner = web.AppRunner(console.app(), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        if started is not None:
            started()
        with contextlib.suppress(asyncio.CancelledError):
            await stop.wait()
    finally:
        await runner.cleanup()
