"""Shared set-up of the review console tests: officers, items on a real ``reviews`` topic, signed-in clients."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import yaml
from aiohttp.test_utils import TestServer

from consumers.review_auth import Officers, hash_password
from consumers.review_queue import ensure_review_topics
from fugitive_alerts.review_console import ReviewConsole
from schemas import Response, Settings, response_topic, topics
from schemas.reviews import ReviewDecision, ReviewItem
from tests import factories as f
from tests.unit.review_factory import crossing, review_item

from .kafka_helpers import produce, read_until

PASSWORD = "correct horse battery staple"
OFFICERS = {"ke-analyst-1": ["ncb-ke"], "fr-analyst-1": ["ncb-fr"], "rw-analyst-1": ["ncb-rw"],
            "wcu-analyst-1": ["war-crimes-unit"]}
T = TypeVar("T")


def write_officers(path: Path) -> Path:
    digest = hash_password(PASSWORD)
    path.write_text(yaml.safe_dump({"officers": [{"id": officer, "bureaus": bureaus, "password_hash": digest}
                                                 for officer, bureaus in OFFICERS.items()]}))
    return path


def new_items(*bureau_lists: list[str], requesting_bureau: str | None = "ncb-rw") -> list[ReviewItem]:
    """One fresh review item per bureau list (a namesake's border crossing with a unique event id)."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return [review_item(bureaus, event=crossing(int(uuid.uuid4().int % 10**9)), queued_minutes_ago=30 - i,
                        requesting_bureau=requesting_bureau, now=now)
            for i, bureaus in enumerate(bureau_lists)]


def publish_items(settings: Settings, items: list[ReviewItem]) -> None:
    asyncio.run(ensure_review_topics(settings))
    produce(settings, topics.REVIEWS, [(i.item_id.encode(), i.model_dump_json().encode()) for i in items])


def decisions_for(settings: Settings, item_id: str, timeout: float = 30.0) -> list[ReviewDecision]:
    """Every decision on ``reviews.decisions`` for ``item_id``, reading until there is one."""
    key = item_id.encode()
    records = read_until(settings, topics.REVIEW_DECISIONS, lambda rs: any(r.key == key for r in rs), timeout)
    return [ReviewDecision.model_validate_json(r.value) for r in records if r.key == key and r.value is not None]


def passport() -> str:
    """A fresh passport number: tests share the pipeline, and a clearance made by one must not cover another's traveller."""
    return f"RW{uuid.uuid4().int % 10**7:07d}"


def namesake(passport: str, dob: str) -> dict[str, Any]:
    """A namesake of the known notice at a KE border post: same name, another passport and birth date (review band).

    The post is new each time: a confirmed hit leaves a sighting (dedup) at its place, which must not turn
    another test's alert at a usual post into a "seen again" update."""
    traveller = f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob=dob, nationality="RW", passport=passport)
    return f.border_crossing(traveller, event_id=f"bc-namesake-{uuid.uuid4().hex[:10]}",
                             post=f"KE-REVIEW-{uuid.uuid4().hex[:6].upper()}")


def answer_to(settings: Settings, event: dict[str, Any]) -> Response:
    """The agency's answer to ``event`` on ``responses.<agency>``."""
    key = event["event_id"].encode()
    records = read_until(settings, response_topic(event["agency"]), lambda rs: any(r.key == key for r in rs), 90.0)
    return Response.model_validate_json(next(r.value for r in records if r.key == key))


class Officer:
    """A browser-less officer: an aiohttp session with its own cookie jar."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base, self.http = base, http

    async def get(self, path: str, **kw: Any) -> tuple[int, str]:
        async with self.http.get(self.base + path, allow_redirects=False, **kw) as r:
            return r.status, await r.text()

    async def post(self, path: str, data: dict[str, str], **kw: Any) -> tuple[int, str, str]:
        async with self.http.post(self.base + path, data=data, allow_redirects=False, **kw) as r:
            return r.status, r.headers.get("Location", ""), await r.text()

    async def sign_in(self, officer: str, password: str = PASSWORD) -> int:
        status, _, _ = await self.post("/login", {"officer": officer, "password": password})
        return status

    async def csrf(self) -> str:
        _, html = await self.get("/queue")
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        assert found, "the queue page carries the session's CSRF token"
        return found.group(1)

    async def queue_ids(self, query: str = "") -> list[str]:
        status, html = await self.get("/queue" + query)
        assert status == 200, html
        return re.findall(r'<tr data-item="([^"]+)"', html)

    async def decide(self, item_id: str, outcome: str, reason: str = "checked", csrf: str | None = None,
                     ) -> tuple[int, str, str]:
        token = csrf if csrf is not None else await self.csrf()
        return await self.post(f"/items/{item_id}/decision", {"csrf": token, "outcome": outcome, "reason": reason})


@asynccontextmanager
async def running_console(settings: Settings, officers_file: Path | None) -> AsyncIterator[
        tuple[ReviewConsole, Callable[[], Officer]]]:
    """The console app in this process on a free port; ``officer()`` makes a client with an empty cookie jar."""
    console = ReviewConsole(settings, Officers.load(officers_file) if officers_file else None)
    server = TestServer(console.app(), host="127.0.0.1")
    await server.start_server()
    sessions: list[aiohttp.ClientSession] = []

    def officer() -> Officer:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        sessions.append(http)
        return Officer(str(server.make_url("")).rstrip("/"), http)

    try:
        await console.queue.wait_ready(60.0)
        yield console, officer
    finally:
        for http in sessions:
            await http.close()
        await server.close()


def run_scenario(scenario: Any, timeout: float = 120.0) -> None:
    """Run an async test scenario to its end, failing after ``timeout`` seconds."""
    asyncio.run(asyncio.wait_for(scenario, timeout))


async def until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll an async-world condition with a deadline (no sleeps as synchronisation)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.1)  # poll interval


__all__ = ["OFFICERS", "PASSWORD", "Officer", "answer_to", "decisions_for", "namesake", "new_items", "passport", "publish_items",
           "run_scenario", "running_console", "until", "write_officers"]
