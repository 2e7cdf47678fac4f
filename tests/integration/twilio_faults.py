"""A fault-injecting proxy in front of the Twilio mock (Prism), for retry and fallback tests.

Prism validates every request against Twilio's OpenAPI spec; this proxy sits between the real
``twilio`` client and Prism, records what was sent (to check SMS bodies), and answers the first
requests for chosen numbers with the errors Twilio documents: 500, 429 (``code`` 20500/20429)
or 400 with code 21211 ("The 'To' number is not a valid phone number"). Everything else, and
every request after the planned faults, is passed to Prism unchanged.
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from typing import Self

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
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="twilio-faults")

    def fail(self, to: str, *statuses: int) -> None:
        with self._lock:
            self.plan[to].extend(statuses)

    def answers_for(self, to: str) -> list[int]:
        with self._lock:
            return [status for number, status in self.answered if number == to]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
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
            return web.Response(body=body, status=resp.status, content_type=resp.content_type)

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
