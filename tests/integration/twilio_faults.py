"""A fault-injecting proxy in front of the Twilio mock (Prism), for retry and fallback tests.

Prism validates every request against Twilio's OpenAPI spec; this proxy sits between the real
``twilio`` client and Prism, records what was sent (to check SMS bodies), and answers the first
requests for chosen numbers with the errors Twilio documents: 500, 429 (``code`` 20500/20429)
or 400 with code 21211 ("The 'To' number is not a valid phone number"). Everything else, and
every request after the planned faults, is passed to Prism unchanged.

It also plays Twilio's memory, which Prism has not: a request to the Messages list resource
(``GET .../Messages.json``) is checked by Prism against the spec, then answered from the messages
Prism actually accepted here, in the spec's ``ListMessageResponse`` shape, filtered by ``To`` and
``From``, newest first. ``crash_on_accept`` runs a callback (e.g. SIGKILL the dispatcher) once a
chosen message has been accepted, before the client hears so: the crash window of a real send.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Self

from aiohttp import ClientSession, web

from fugitive_alerts.local.services import free_port

_ERRORS = {
    400: (21211, "The 'To' number is not a valid phone number."),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
}


class TwilioFaults:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.plan: dict[str, list[int]] = defaultdict(list)
        """To number -> statuses to answer, in order, before passing requests through."""
        self.requests: list[dict[str, str]] = []
        self.answered: list[tuple[str, int]] = []
        self.accepted: list[dict[str, str]] = []
        """Messages Prism accepted (201): To, From, Body, the sid it answered, and when (RFC 2822)."""
        self.lookups: list[dict[str, str]] = []
        """Query parameters of each list request."""
        self._crash: list[tuple[str, str, Callable[[], object]]] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="twilio-faults")

    def fail(self, to: str, *statuses: int) -> None:
        with self._lock:
            self.plan[to].extend(statuses)

    def crash_on_accept(self, to: str, body_part: str, callback: Callable[[], object]) -> None:
        """Once a message to ``to`` whose body holds ``body_part`` is accepted, call ``callback`` (once),
        then answer the client."""
        with self._lock:
            self._crash.append((to, body_part, callback))

    def answers_for(self, to: str) -> list[int]:
        with self._lock:
            return [status for number, status in self.answered if number == to]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET" and request.path.endswith("/Messages.json"):
            return await self._list(request)
        form = {k: str(v) for k, v in (await request.post()).items()}
        to = form.get("To", "")
        with self._lock:
            self.requests.append(form)
            status = self.plan[to].pop(0) if self.plan.get(to) else None
        if status is not None:
            code, message = _ERRORS[status]
            with self._lock:
                self.answered.append((to, status))
            return web.json_response({"code": code, "message": message, "status": status,
                                      "more_info": f"https://www.twilio.com/docs/errors/{code}"}, status=status)
        async with ClientSession() as http, http.request(request.method, self.upstream + request.path_qs, data=form,
                                headers={k: v for k, v in request.headers.items()
                                         if k.lower() in ("authorization", "accept", "user-agent")}) as resp:
            body = await resp.read()
            with self._lock:
                self.answered.append((to, resp.status))
        if resp.status == 201:
            self._accepted(form, str(json.loads(body).get("sid", "")))
        return web.Response(body=body, status=resp.status, content_type=resp.content_type)

    def _accepted(self, form: dict[str, str], sid: str) -> None:
        with self._lock:
            self.accepted.append({"To": form.get("To", ""), "From": form.get("From", ""),
                                  "Body": form.get("Body", ""), "sid": sid,
                                  "at": format_datetime(datetime.now(UTC), usegmt=True)})
            crash = [c for c in self._crash if c[0] == form.get("To") and c[1] in form.get("Body", "")]
            for c in crash:
                self._crash.remove(c)
        for _, _, callback in crash:
            callback()

    async def _list(self, request: web.Request) -> web.StreamResponse:
        """Prism judges the request against the spec; the answer is what was really accepted."""
        async with ClientSession() as http, http.get(self.upstream + request.path_qs, headers={
                k: v for k, v in request.headers.items() if k.lower() in ("authorization", "accept", "user-agent")}) as resp:
            if resp.status != 200:
                return web.Response(body=await resp.read(), status=resp.status, content_type=resp.content_type)
        query = dict(request.query)
        with self._lock:
            self.lookups.append(query)
            found = [m for m in reversed(self.accepted)
                     if m["To"] == query.get("To", m["To"]) and m["From"] == query.get("From", m["From"])]
        account = request.path.split("/")[3]  # /2010-04-01/Accounts/{AccountSid}/Messages.json
        size = int(query.get("PageSize", "50"))
        page = found[:size]
        return web.json_response({
            "messages": [_message(account, m) for m in page], "start": 0, "end": max(len(page) - 1, 0), "page": 0,
            "page_size": size, "first_page_uri": request.path_qs, "previous_page_uri": None,
            "next_page_uri": None, "uri": request.path_qs,
        })

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._runner = runner
        self._started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the Twilio fault proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def _message(account: str, m: dict[str, str]) -> dict[str, Any]:
    """One accepted message as the spec's ``api.v2010.account.message``."""
    uri = f"/2010-04-01/Accounts/{account}/Messages/{m['sid']}.json"
    return {
        "account_sid": account, "api_version": "2010-04-01", "body": m["Body"], "date_created": m["at"],
        "date_sent": m["at"], "date_updated": m["at"], "direction": "outbound-api", "error_code": None,
        "error_message": None, "from": m["From"], "messaging_service_sid": None, "num_media": "0",
        "num_segments": "1", "price": None, "price_unit": "USD", "sid": m["sid"], "status": "sent",
        "subresource_uris": {"media": uri.replace(".json", "/Media.json")}, "to": m["To"], "uri": uri,
    }
