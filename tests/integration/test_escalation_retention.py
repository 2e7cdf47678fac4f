"""Escalation records do not outlive their alerts: on the real broker, a record no step can follow that
last changed longer ago than alerts are kept is deleted (a tombstone on ``alerts.escalations``), and a
dispatcher that loads the topic again no longer holds it; a pending or a recent record stays."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from alerting import escalation
from alerting.escalation import Ack, Start, State
from consumers.admin import ensure_topics
from consumers.escalations import Escalations, EscalationStore
from consumers.publisher import Publisher
from schemas import Settings, topics
from tests import factories as f
from tests.unit.alert_factory import TRAVELER, make_alert
from tests.unit.test_escalation import T0, TIMEOUTS

from .kafka_helpers import produce, read_until


def _record(event_id: str, at_days: float, acked: bool) -> tuple[str, bytes]:
    alert = make_alert(f.border_crossing(TRAVELER, country="KE", event_id=event_id))
    at = T0 + timedelta(days=at_days)
    state, _ = escalation.step(State(), Start(alert, ("ncb-ke", "ncb-rw"), TIMEOUTS), at)
    if acked:
        for bureau in ("ncb-ke", "ncb-rw"):
            state, _ = escalation.step(state, Ack(bureau, "duty", at), at)
    assert state.record is not None
    return alert.alert_id, state.record.model_dump_json().encode()


async def _load(settings: Settings) -> EscalationStore:
    store = EscalationStore(settings.topic(topics.ESCALATIONS), settings.kafka_client_kwargs())
    await store.load(range(settings.partitions))
    return store


def test_old_settled_records_are_deleted_and_not_loaded_again(settings_factory: Any) -> None:
    settings = settings_factory(smtp=False, twilio=False)
    asyncio.run(ensure_topics(settings))
    old, recent, pending = _record("bc-old", 0, True), _record("bc-recent", 59, True), _record("bc-pending", 0, False)
    produce(settings, topics.ESCALATIONS, [(key.encode(), value) for key, value in (old, recent, pending)])
    keep = timedelta(days=settings.alert_retention_days)

    async def expire() -> int:
        store = await _load(settings)
        assert len(store) == 3
        publisher = Publisher(settings)
        await publisher.start()
        now = T0 + timedelta(days=61)
        try:  # the sender is not used to delete records
            return await Escalations(store, None, publisher).expire(now - keep)  # type: ignore[arg-type]
        finally:
            await publisher.stop()

    assert keep == timedelta(days=60)  # twice the default event retention
    assert asyncio.run(expire()) == 1
    read_until(settings, topics.ESCALATIONS, lambda rs: any(r.key == old[0].encode() and r.value is None for r in rs))
    again = asyncio.run(_load(settings))
    assert again.get(old[0]) is None
    assert again.get(recent[0]) is not None and again.get(pending[0]) is not None
