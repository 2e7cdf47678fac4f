"""The dispatcher's web app: acknowledgement links and Twilio webhooks (aiohttp).

| route | what |
|---|---|
| `GET /ack/{token}` | an officer opened the signed link in an email: record the ack |
| `POST /twilio/inbound` | Twilio forwards an SMS reply ("ACK A-1B2C3D4E5F"): record the ack |
| `POST /twilio/status?key=...` | Twilio reports a message's status (queued, sent, delivered, undelivered, failed) |
| `GET /health` | liveness |
| `GET /metrics` | the dispatcher's Prometheus metrics (deliveries by channel and outcome, hand-off latency) |

Twilio requests must carry a valid ``X-Twilio-Signature`` (checked with the twilio library's
``RequestValidator`` against ``public_url`` + path): without one the answer is 403. The URL Twilio
signs is the public one, so ``FUGITIVE_ALERTS_PUBLIC_URL`` must be what Twilio calls.
"""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog
from aiohttp import web
from twilio.request_validator import RequestValidator

from alerting import InvalidToken, Recipient, verify_ack
from schemas import Acknowledgement, Delivery, topics

from .metrics import metrics_handler

if TYPE_CHECKING:
    from .dispatcher import Dispatcher

__all__ = ["create_web_app"]

log = structlog.get_logger(__name__)
_ACK = re.compile(r"^\s*ACK\s+(A-[0-9A-F]{10})\b", re.IGNORECASE)
_STATUS = {"queued": "queued", "accepted": "queued", "sending": "queued", "sent": "sent",
           "delivered": "delivered", "undelivered": "undelivered", "failed": "failed"}
_PAGE = ("<!doctype html><meta charset=utf-8><title>{title}</title>"
         "<body style='font-family:sans-serif'><h2>{title}</h2><p>{text}</p>")


def _page(title: str, text: str, status: int = 200) -> web.Response:
    return web.Response(text=_PAGE.format(title=html.escape(title), text=html.escape(text)), status=status,
                        content_type="text/html")


def _twiml(message: str) -> web.Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{html.escape(message)}</Message></Response>'
    return web.Response(text=body, content_type="application/xml")


def create_web_app(dispatcher: Dispatcher) -> web.Application:
    settings = dispatcher.settings
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    secret = settings.ack_secret.get_secret_value().encode()
    public = settings.public_url.rstrip("/")

    async def record_ack(alert_id: str, bureau_id: str, officer: str, channel: str) -> None:
        ack = Acknowledgement(alert_id=alert_id, bureau_id=bureau_id, officer=officer, channel=channel,
                              at=datetime.now(UTC))
        await dispatcher.publisher.publish(topics.ACKS, alert_id, ack.model_dump_json().encode())
        log.info("ack recorded", alert_id=alert_id, bureau_id=bureau_id, officer=officer, channel=channel)

    async def ack_link(request: web.Request) -> web.Response:
        try:
            claim = verify_ack(secret, request.match_info["token"], time.time())
        except InvalidToken as exc:
            return _page("Not acknowledged", str(exc), status=403)
        await record_ack(claim.alert_id, claim.bureau_id, claim.officer_id, "link")
        return _page(f"Acknowledged {claim.alert_id}",
                     f"Recorded for {claim.officer_id} ({claim.bureau_id}). Escalation for your bureau stops.")

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
        match = _ACK.match(form.get("Body", ""))
        if not match:
            return _twiml("To acknowledge an alert, reply: ACK <reference>, e.g. ACK A-1B2C3D4E5F")
        alert_id = match.group(1).upper()
        sender = form.get("From", "")
        officers = [(b, o) for b in dispatcher.directory.bureaus for o in b.officers if o.phone and o.phone == sender]
        if not officers:
            log.warning("ack from an unknown number", alert_id=alert_id)
            return _twiml("This number is not in the bureau directory; acknowledge by the email link or call your bureau.")
        for bureau, officer in officers:
            await record_ack(alert_id, bureau.id, officer.id, "sms")
        return _twiml(f"Acknowledged {alert_id}. Thank you.")

    async def status(request: web.Request) -> web.Response:
        form = await twilio_form(request)
        if form is None:
            return web.Response(status=403, text="invalid X-Twilio-Signature")
        key = request.query.get("key", "")
        known = dispatcher.deliveries.get(key)
        new_status = _STATUS.get(form.get("MessageStatus", "").lower())
        if known is None or new_status is None:
            return web.Response(status=204)
        update = known.model_copy(update={"status": new_status, "at": datetime.now(UTC),
                                          "error": form.get("ErrorCode") or known.error})
        await dispatcher.publisher.publish(topics.DELIVERIES, known.alert_id, update.model_dump_json().encode())
        dispatcher.deliveries.record(update)
        log.info("delivery status", key=key, status=new_status)
        if new_status in ("undelivered", "failed"):
            await _fall_back(dispatcher, update)
        return web.Response(status=204)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(client_max_size=64 * 1024)
    app.add_routes([web.get("/ack/{token}", ack_link), web.post("/twilio/inbound", inbound),
                    web.post("/twilio/status", status), web.get("/health", health),
                    web.get("/metrics", metrics_handler())])
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
