"""The dispatcher's web app: acknowledgement links and Twilio webhooks (aiohttp).

| route | what |
|---|---|
| `GET /ack/{token}` | an officer opened the signed link in an email: a confirmation page (records nothing) |
| `POST /ack/{token}` | the page's button: record the ack (needs the page's form key, same origin) |
| `POST /twilio/inbound` | Twilio forwards an SMS reply ("ACK A-1B2C3D4E5F"): record the ack if it is the sender's |
| `POST /twilio/status?key=...` | Twilio reports a message's status (queued, sent, delivered, undelivered, failed) |
| `GET /health` | liveness |
| `GET /metrics` | the dispatcher's Prometheus metrics (deliveries by channel and outcome, hand-off latency) |

An ack is something a person does. A GET (or HEAD) of a link, which mail scanners and link
previews do on their own, only shows the page; the POST from that page records the ack. The
form carries a key derived from the link's token and the ack key (``alerting.form_key``), and a
POST whose ``Origin`` or ``Sec-Fetch-Site`` says it came from another site is refused.

An SMS "ACK <ref>" is confirmed only when the alert is known (the escalation view of the
compacted ``alerts.escalations`` topic, read whole by the web app) and a bureau of the sender is
among the alert's bureaus; otherwise the reply says what was wrong and nothing is recorded.
Twilio signs requests without a timestamp, so a captured request could be replayed: every
inbound ``MessageSid`` is remembered (the last ``_SEEN_SIDS``, for a day) and a repeat is
answered without acting on it again.

Twilio requests must carry a valid ``X-Twilio-Signature`` (checked with the twilio library's
``RequestValidator`` against ``public_url`` + path): without one the answer is 403. The URL Twilio
signs is the public one, so ``FUGITIVE_ALERTS_PUBLIC_URL`` must be what Twilio calls.
"""

from __future__ import annotations

import html
import re
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import structlog
from aiohttp import web
from twilio.request_validator import RequestValidator

from alerting import (
    InvalidToken,
    Recipient,
    form_key,
    render_ack_confirm,
    render_ack_message,
    verify_ack,
    verify_form_key,
)
from infra.web import security_headers
from schemas import Acknowledgement, Delivery, StoredEscalation, topics

from .compacted import CompactedView
from .metrics import metrics_handler

if TYPE_CHECKING:
    from .dispatcher import Dispatcher

__all__ = ["SeenSids", "create_web_app"]

log = structlog.get_logger(__name__)
_ACK = re.compile(r"^\s*ACK\s+(A-[0-9A-F]{10})\b", re.IGNORECASE)
_STATUS = {"queued": "queued", "accepted": "queued", "sending": "queued", "sent": "sent",
           "delivered": "delivered", "undelivered": "undelivered", "failed": "failed"}
_SEEN_SIDS = 100_000
_SEEN_SECONDS = 24 * 3600.0


class SeenSids:
    """Inbound ``MessageSid``s seen recently (bounded, oldest forgotten first)."""

    def __init__(self, size: int = _SEEN_SIDS, ttl: float = _SEEN_SECONDS) -> None:
        self.size, self.ttl = size, ttl
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, sid: str, now: float) -> bool:
        """Remember ``sid``; True if it was not seen within the last ``ttl`` seconds."""
        while self._seen and (len(self._seen) >= self.size or now - next(iter(self._seen.values())) > self.ttl):
            self._seen.popitem(last=False)
        if sid in self._seen:
            return False
        self._seen[sid] = now
        return True


def _page(title: str, text: str, status: int = 200) -> web.Response:
    return web.Response(text=render_ack_message(title, text), status=status, content_type="text/html")


def _twiml(message: str) -> web.Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{html.escape(message)}</Message></Response>'
    return web.Response(text=body, content_type="application/xml")


def _escalation_bureaus(raw: bytes) -> frozenset[str]:
    """The bureaus an alert went to, from its ``alerts.escalations`` record (nothing else is kept)."""
    return frozenset(StoredEscalation.model_validate_json(raw).bureaus)


def _same_site(request: web.Request, public: str) -> bool:
    """False when the browser says the POST came from another site (``Origin``, ``Sec-Fetch-Site``)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    mine = urlsplit(public)
    theirs = urlsplit(origin)
    return (theirs.scheme, theirs.netloc) in ((mine.scheme, mine.netloc), (request.scheme, request.host))


def create_web_app(dispatcher: Dispatcher) -> web.Application:
    settings = dispatcher.settings
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    keys = settings.ack_keys()
    public = settings.public_url.rstrip("/")
    seen = SeenSids()
    views: list[CompactedView[frozenset[str]]] = []

    def alert_bureaus(alert_id: str) -> frozenset[str] | None:
        """The bureaus of a known alert, or ``None`` when no escalation record names it."""
        item = dispatcher.escalations.get(alert_id)
        if item is not None:
            return frozenset(item.bureaus)
        return next((v.values[alert_id] for v in views if alert_id in v.values), None)

    async def record_ack(alert_id: str, bureau_id: str, officer: str, channel: str) -> None:
        ack = Acknowledgement(alert_id=alert_id, bureau_id=bureau_id, officer=officer, channel=channel,
                              at=datetime.now(UTC))
        await dispatcher.publisher.publish(topics.ACKS, alert_id, ack.model_dump_json().encode())
        log.info("ack recorded", alert_id=alert_id, bureau_id=bureau_id, officer=officer, channel=channel)

    def bureau_name(bureau_id: str) -> str:
        bureau = dispatcher.directory.get(bureau_id)
        return f"{bureau.name} ({bureau_id})" if bureau is not None else bureau_id

    async def ack_page(request: web.Request) -> web.Response:
        """GET and HEAD: show what would be acknowledged, and one button. Records nothing."""
        token = request.match_info["token"]
        try:
            claim = verify_ack(keys, token, time.time())
        except InvalidToken as exc:
            return _page("Not acknowledged", str(exc), status=403)
        page = render_ack_confirm(alert_id=claim.alert_id, bureau=bureau_name(claim.bureau_id),
                                  officer=claim.officer_id, action=token, form_key=form_key(keys[0], token))
        return web.Response(text=page, content_type="text/html")

    async def ack_confirm(request: web.Request) -> web.Response:
        """POST from the confirmation page: record the acknowledgement."""
        token = request.match_info["token"]
        try:
            claim = verify_ack(keys, token, time.time())
        except InvalidToken as exc:
            return _page("Not acknowledged", str(exc), status=403)
        form = await request.post()
        if not _same_site(request, public) or not verify_form_key(keys, token, str(form.get("form_key", ""))):
            log.warning("ack form refused: not posted from its page", alert_id=claim.alert_id)
            return _page("Not acknowledged", "Open the link from the email again and press the button.", status=403)
        await record_ack(claim.alert_id, claim.bureau_id, claim.officer_id, "link")
        return _page(f"Acknowledged {claim.alert_id}",
                     f"Recorded for {claim.officer_id} ({bureau_name(claim.bureau_id)}). "
                     "Escalation for your bureau stops.")

    async def twilio_form(request: web.Request) -> dict[str, str] | None:
        form = {k: str(v) for k, v in (await request.post()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not validator.validate(public + request.path_qs, form, signature):
            log.warning("twilio webhook refused: bad signature", path=request.path)
            return None
        return form

    async def inbound(request: web.Request) -> web.Response:
        form = await twilio_form(request)
        if form is None:
            return web.Response(status=403, text="invalid X-Twilio-Signature")
        sid = form.get("MessageSid", "")
        if not sid or not seen.first_time(sid, time.monotonic()):
            log.warning("twilio inbound dropped: repeated or missing MessageSid")
            return web.Response(status=204)
        match = _ACK.match(form.get("Body", ""))
        if not match:
            return _twiml("To acknowledge an alert, reply: ACK <reference>, e.g. ACK A-1B2C3D4E5F")
        alert_id = match.group(1).upper()
        sender = form.get("From", "")
        officers = [(b, o) for b in dispatcher.directory.bureaus for o in b.officers if o.phone and o.phone == sender]
        if not officers:
            log.warning("ack from an unknown number", alert_id=alert_id)
            return _twiml("This number is not in the bureau directory; acknowledge by the email link or call your bureau.")
        bureaus = alert_bureaus(alert_id)
        if bureaus is None:
            log.warning("sms ack for an unknown alert", alert_id=alert_id)
            return _twiml(f"Not acknowledged: no alert {alert_id} is known. Check the reference in the SMS.")
        mine = [(b, o) for b, o in officers if b.id in bureaus]
        if not mine:
            log.warning("sms ack for another bureau's alert", alert_id=alert_id,
                        bureaus=sorted({b.id for b, _ in officers}))
            return _twiml(f"Not acknowledged: alert {alert_id} was not sent to your bureau. "
                          "Check the reference, or call your bureau.")
        for bureau, officer in mine:
            await record_ack(alert_id, bureau.id, officer.id, "sms")
        return _twiml(f"Acknowledged {alert_id}. Thank you.")

    async def status(request: web.Request) -> web.Response:
        form = await twilio_form(request)
        if form is None:
            return web.Response(status=403, text="invalid X-Twilio-Signature")
        key = request.query.get("key", "")
        new_status = _STATUS.get(form.get("MessageStatus", "").lower())
        # a callback that arrives before our own record of the send waits for it (Sender.settled)
        known = await dispatcher.sender.settled(key) if new_status is not None else None
        if known is None or new_status is None:
            return web.Response(status=204)
        update = known.model_copy(update={"status": new_status, "at": datetime.now(UTC),
                                          "error": form.get("ErrorCode") or known.error})
        raw = update.model_dump_json().encode()
        await dispatcher.publisher.publish(topics.DELIVERIES, known.alert_id, raw)
        dispatcher.deliveries.record(update, raw)
        log.info("delivery status", key=key, status=new_status)
        if new_status in ("undelivered", "failed"):
            await _fall_back(dispatcher, update)
        return web.Response(status=204)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def start_view(_: web.Application) -> None:
        view: CompactedView[frozenset[str]] = CompactedView(
            settings.topic(topics.ESCALATIONS), settings.kafka_client_kwargs(), _escalation_bureaus)
        await view.start()
        views.append(view)

    async def stop_view(_: web.Application) -> None:
        while views:
            await views.pop().stop()

    app = web.Application(client_max_size=64 * 1024, middlewares=[security_headers])
    app.on_startup.append(start_view)
    app.on_cleanup.append(stop_view)
    app.add_routes([web.get("/ack/{token}", ack_page), web.post("/ack/{token}", ack_confirm),
                    web.post("/twilio/inbound", inbound), web.post("/twilio/status", status),
                    web.get("/health", health), web.get("/metrics", metrics_handler())])
    return app


async def _fall_back(dispatcher: Dispatcher, failed: Delivery) -> None:
    """Twilio could not deliver an SMS: try the officer's email, once (its key is idempotent)."""
    item = dispatcher.escalations.get(failed.alert_id)
    bureau = dispatcher.directory.get(failed.bureau_id)
    officer = bureau.officer(failed.recipient) if bureau else None
    if item is None or bureau is None or officer is None or failed.channel != "sms":
        return
    await dispatcher.sender.fall_back(item.alert, Recipient(bureau, officer, "sms", "fallback"), failed.kind,
                                      failed.level, failed)
