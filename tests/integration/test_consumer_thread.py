"""``FUGITIVE_ALERTS_FAUST_CONSUMER_THREAD=true``: a worker with Faust's consumer thread still screens and answers.

The worker's default runs the consumer in its own event loop (``streams/consumer_loop.py``), and
every other integration test runs that way; this one keeps the opt-out working, on a real broker
with a real worker process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from consumers import ensure_topics
from fugitive_alerts.local.services import Service
from fugitive_alerts.produce import import_bureaus
from schemas import Settings, response_topic, topics
from tests import factories as f

from .kafka_helpers import produce_json, read_until, values
from .world import BUREAUS, KNOWN, worker_process

AGENCY = "ke-immigration"


@pytest.fixture(scope="module")
def threaded_worker(settings_factory: Any, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[tuple[Settings, Service]]:
    run = tmp_path_factory.mktemp("consumer-thread")
    (run / "bureaus.yaml").write_text(yaml.safe_dump(BUREAUS))
    settings: Settings = settings_factory(smtp=False, twilio=False)

    async def prepare() -> None:
        await ensure_topics(settings, agencies=[AGENCY])
        await import_bureaus(settings, run / "bureaus.yaml")

    asyncio.run(prepare())
    produce_json(settings, topics.WANTED, [KNOWN], "notice_id")
    with worker_process(settings, run, {"FUGITIVE_ALERTS_FAUST_CONSUMER_THREAD": "true"}) as worker:
        yield settings, worker


def test_a_worker_with_faust_s_consumer_thread_answers_a_hit_and_a_no_hit(
        threaded_worker: tuple[Settings, Service]) -> None:
    settings, worker = threaded_worker
    hit = f.border_crossing(f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-03-01", nationality="RW",
                                       passport="RW7000001"))
    innocent = f.border_crossing(f.traveler("WAWERU", "JOSEPHINE", dob="1988-07-12", nationality="KE",
                                            passport="KE5550001"))
    produce_json(settings, topics.BORDER_CROSSINGS, [hit, innocent], "event_id")
    wanted = {hit["event_id"].encode(), innocent["event_id"].encode()}
    answers = read_until(settings, response_topic(AGENCY), lambda rs: wanted <= {r.key for r in rs}, 120.0)
    results = {v["event_id"]: v["result"] for v in values(answers)}
    assert results[hit["event_id"]] == "hit"
    assert results[innocent["event_id"]] == "no_hit"
    assert "own thread" in worker.log_path.read_text(), "the worker's start log names where its consumer runs"
