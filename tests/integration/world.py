"""The people and bureaus of the integration tests (all fictional), and the pipeline they run in."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from fugitive_alerts.local.services import Service, free_port
from fugitive_alerts.produce import import_bureaus
from schemas import Settings, topics
from tests import factories as f

from .kafka_helpers import produce_json

KNOWN = f.notice("Mbarushimanzi", "Athanasius", notice_id="2026/00001", dob="1951-03-01", nationality="RW",
                 passport="RW7000001", requesting="RW", offences=["genocide"])
WITHDRAWN_LATER = f.notice("Kravetsenko", "Olesya", notice_id="2026/00002", dob="1979-06-21", sex="F",
                           nationality="UA", passport="FE700002", requesting="UA")
PROBE = f.notice("Quillfeather", "Barnabus", notice_id="2026/00003", dob="1960-01-01", nationality="GB",
                 passport="GB7000003", requesting="GB")

BUREAUS = {"bureaus": [
    {"id": "ncb-ke", "name": "NCB Nairobi", "country": "KE", "timezone": "Africa/Nairobi", "officers": [
        {"id": "ke-duty", "name": "Duty KE", "phone": "+254712345678", "email": "duty@ncb-ke.example"},
        {"id": "ke-analyst", "name": "Analyst KE", "email": "analyst@ncb-ke.example", "role": "analyst"}]},
    {"id": "ncb-rw", "name": "NCB Kigali", "country": "RW", "timezone": "Africa/Kigali", "officers": [
        {"id": "rw-duty", "name": "Duty RW", "phone": "+250720123456", "email": "duty@ncb-rw.example"}]},
    {"id": "ncb-fr", "name": "NCB Paris", "country": "FR", "timezone": "Europe/Paris", "officers": [
        {"id": "fr-duty", "name": "Duty FR", "phone": "+33612345678", "email": "duty@ncb-fr.example"}]},
    {"id": "ncb-cd", "name": "NCB Kinshasa", "country": "CD", "timezone": "Africa/Kinshasa", "officers": [
        {"id": "cd-analyst", "name": "Analyst CD", "email": "analyst@ncb-cd.example", "role": "analyst"}]},
    {"id": "wcu", "name": "War Crimes Unit", "timezone": "Europe/Amsterdam", "officers": [
        {"id": "wcu-duty", "name": "Duty WCU", "email": "duty@wcu.example"}],
     "subscription": {"offences": ["genocide", "war crimes", "crimes against humanity"]}},
]}


def _start(name: str, argv: list[str], settings: Settings, run: Path, extra: dict[str, str]) -> Service:
    service = Service(name, [sys.executable, "-m", "fugitive_alerts", *argv], run, env={**settings.to_env(), **extra})
    service.start()
    return service


@contextmanager
def worker_process(settings: Settings, run: Path, extra: dict[str, str] | None = None) -> Iterator[Service]:
    """A ``fugitive-alerts worker`` process on ``settings`` (and ``extra`` environment), stopped at the end,
    with the last lines of its log printed."""
    worker = _start("worker", ["worker", "--web-port", str(free_port())], settings, run, extra or {})
    try:
        yield worker
    finally:
        worker.stop(30.0)
        print("--- worker log (last lines) ---\n" + worker.log_path.read_text()[-3000:])


@pytest.fixture(scope="package")
def pipeline(settings_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A worker and a dispatcher running as real processes on their own topics."""
    run = tmp_path_factory.mktemp("pipeline")
    bureaus = run / "bureaus.yaml"
    bureaus.write_text(yaml.safe_dump(BUREAUS))
    web_port = free_port()
    settings: Settings = settings_factory(bureaus_file=bureaus, web_port=web_port,
                                          public_url=f"http://127.0.0.1:{web_port}", documents_check=True,
                                          # review digests (docs/review.md): quick groups, so tests see them
                                          review_group_wait_seconds=1.0, review_group_interval_minutes=0.1,
                                          # many tests alert the same duty officers here: the per-officer
                                          # limit (10 SMS an hour) would couple them by their order (the
                                          # review browser test's SMS went unsent in the full suite); the
                                          # limit has tests of its own (test_delivery.py)
                                          rate_limit_sms=0, rate_limit_email=0)
    asyncio.run(import_bureaus(settings, bureaus))  # before the worker starts: responses name a bureau
    produce_json(settings, topics.WANTED, [KNOWN, WITHDRAWN_LATER], "notice_id")
    worker = _start("worker", ["worker", "--web-port", str(free_port())], settings, run, {})
    dispatcher = _start("dispatcher", ["dispatcher"], settings, run, {})
    try:
        yield settings
    finally:
        for service in (worker, dispatcher):
            service.stop(30.0)
        for service in (worker, dispatcher):
            print(f"--- {service.name} log (last lines) ---\n" + service.log_path.read_text()[-3000:])


