"""Review digests on the audit trail, on real parts: a dispatcher process, the real broker and an aiosmtpd server
that refuses some messages. A digest the server refuses for a while is retried with back-off and sent; one it
refuses for good is recorded as failed (and dead-lettered); both outcomes are on ``alerts.deliveries`` under the
digest's id, kind ``digest``, like any delivery."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fugitive_alerts.local.services import Service, free_port
from fugitive_alerts.local.smtp_catcher import SmtpSink
from fugitive_alerts.produce import import_bureaus
from schemas import Settings, topics
from tests import factories as f
from tests.unit.alert_factory import make_alert

from .kafka_helpers import produce, read_until, values

KE_ANALYST, RW_ANALYST = "analyst@ncb-ke.example", "gone@ncb-rw.example"
BUREAUS = {"bureaus": [
    {"id": "ncb-ke", "name": "NCB Nairobi", "country": "KE", "timezone": "Africa/Nairobi", "officers": [
        {"id": "ke-analyst", "name": "Analyst KE", "email": KE_ANALYST, "role": "analyst"}]},
    {"id": "ncb-rw", "name": "NCB Kigali", "country": "RW", "timezone": "Africa/Kigali", "officers": [
        {"id": "rw-analyst", "name": "Analyst RW", "email": RW_ANALYST, "role": "analyst"}]},
]}


class _Refusals:
    """The KE analyst's first message is refused at DATA (451, try later); the RW analyst's address, always (550)."""

    def __init__(self) -> None:
        self.deferred: set[str] = set()

    def __call__(self, stage: str, address: str) -> str | None:
        if address == RW_ANALYST and stage == "RCPT":
            return "550 5.1.1 no such mailbox"
        if address == KE_ANALYST and stage == "DATA" and address not in self.deferred:
            self.deferred.add(address)
            return "451 4.3.0 mailbox busy, try again later"
        return None


@pytest.fixture
def refusing_smtp() -> Iterator[SmtpSink]:
    with SmtpSink(refuse=_Refusals()) as sink:
        yield sink


@pytest.fixture
def dispatcher(settings_factory: Callable[..., Settings], refusing_smtp: SmtpSink,
               tmp_path: Path) -> Iterator[Settings]:
    bureaus = tmp_path / "bureaus.yaml"
    bureaus.write_text(yaml.safe_dump(BUREAUS))
    web_port = free_port()
    settings = settings_factory(smtp=False, twilio=False, smtp_port=refusing_smtp.port, bureaus_file=bureaus,
                                web_port=web_port, public_url=f"http://127.0.0.1:{web_port}",
                                review_group_wait_seconds=0.5, review_group_interval_minutes=0.1,
                                retry_max_delay_seconds=0.5)
    asyncio.run(import_bureaus(settings, bureaus))
    service = Service("dispatcher", [sys.executable, "-m", "fugitive_alerts", "dispatcher"], tmp_path,
                      env=settings.to_env())
    service.start()
    try:
        yield settings
    finally:
        service.stop(30.0)
        print("--- dispatcher log ---\n" + service.log_path.read_text()[-4000:])


def test_a_refused_digest_is_retried_and_every_digest_outcome_is_on_the_delivery_log(
        dispatcher: Settings, refusing_smtp: SmtpSink) -> None:
    traveller = f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-07-11", nationality="RW", passport="RW5550001")
    alert = make_alert(f.border_crossing(traveller, country="KE")).model_copy(
        update={"band": "review", "urgency": "normal"})
    produce(dispatcher, topics.ALERTS, [(alert.alert_id.encode(), alert.model_dump_json().encode())])

    def digests(records: list[Any]) -> list[dict[str, Any]]:
        return [d for d in values(records) if d["kind"] == "digest"]

    recorded = digests(read_until(dispatcher, topics.DELIVERIES, lambda rs: len(digests(rs)) >= 2, 90.0))
    by_bureau = {d["bureau_id"]: d for d in recorded}
    assert len(recorded) == 2 and set(by_bureau) == {"ncb-ke", "ncb-rw"}, recorded
    ke, rw = by_bureau["ncb-ke"], by_bureau["ncb-rw"]
    assert (ke["status"], ke["attempts"], ke["recipient"], ke["channel"]) == ("sent", 2, "ke-analyst", "email")
    assert ke["alert_id"].startswith("D-ncb-ke-") and ke["key"] == f"{ke['alert_id']}/ncb-ke.ke-analyst.digest/email"
    assert (rw["status"], rw["attempts"]) == ("failed", 1) and "550" in rw["error"]
    assert rw["alert_id"].startswith("D-ncb-rw-")

    [sent] = refusing_smtp.wait_for(lambda ms: [m for m in ms if alert.alert_id in m.as_string()], 10.0)
    assert sent["To"] == KE_ANALYST and "[REVIEW]" in str(sent["Subject"])
    assert [(stage, reply[:3]) for stage, address, reply in refusing_smtp.refusals if address == KE_ANALYST] == [
        ("DATA", "451")], "refused once, then accepted"

    dead = values(read_until(dispatcher, topics.DELIVERY_FAILURES,
                             lambda rs: any(v["alert_id"] == rw["alert_id"] for v in values(rs)), 30.0))
    assert [d["key"] for d in dead if d["alert_id"] == rw["alert_id"]] == [rw["key"]]
