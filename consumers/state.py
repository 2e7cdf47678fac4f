"""What the dispatcher knows, all of it read from Kafka.

| what | topic | read |
|---|---|---|
| deliveries made (idempotency, rate limits) | ``alerts.deliveries`` | the assigned partitions, on every assignment |
| escalation timers | ``alerts.escalations`` (compacted) | the assigned partitions, on every assignment |
| the bureau directory | ``bureaus`` (compacted) | whole, then followed |
| sightings ("seen again") | ``alerts.sightings`` (compacted) | whole, then followed |
| withdrawn notices | ``wanted.notices`` (compacted) | whole, then followed |
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

import structlog

from alerting import DeliveryLimits
from schemas import Bureau, BureauDirectory, Settings, Sighting, WantedPerson, topics

from .compacted import CompactedView
from .delivery_log import DeliveryLog
from .escalations import EscalationStore

__all__ = ["DispatcherState"]

log = structlog.get_logger(__name__)


class DispatcherState:
    def __init__(self, settings: Settings, directory: BureauDirectory | None,
                 on_notice: Callable[[str, bool | None], None]) -> None:
        kwargs = settings.kafka_client_kwargs()
        self.deliveries = DeliveryLog(settings.topic(topics.DELIVERIES), kwargs, settings.topic(topics.DELIVERY_INTENTS))
        self.escalations = EscalationStore(settings.topic(topics.ESCALATIONS), kwargs)
        self.bureaus: CompactedView[Bureau] = CompactedView(settings.topic(topics.BUREAUS), kwargs,
                                                            Bureau.model_validate_json)
        # one record per alert that can be seen again: kept as bytes (infra.Undecoded), read once per alert;
        # written by this dispatcher as it sends (and set here at once), so read back gathered
        self.sightings: CompactedView[Sighting] = CompactedView(
            settings.topic(topics.SIGHTINGS), kwargs, Sighting.model_validate_json,
            encode=lambda s: s.model_dump_json().encode(), gather=True)
        self.notices: CompactedView[bool] = CompactedView(settings.topic(topics.WANTED), kwargs, _notice_active,
                                                          on_change=on_notice, tombstone=False)
        """notice_id -> active? (False for withdrawn, cancelled or tombstoned; absent if never seen)"""
        self._fixed_directory = directory

    @property
    def directory(self) -> BureauDirectory:
        """The live directory from the ``bureaus`` topic (or the one given, in tests)."""
        if self._fixed_directory is not None:
            return self._fixed_directory
        return BureauDirectory.model_construct(bureaus=sorted(self.bureaus.values.values(), key=lambda b: b.id))

    async def start(self) -> None:
        """Read the compacted topics whole; return once caught up with their ends."""
        for view in (self.bureaus, self.sightings, self.notices):
            await view.start()
        for view in (self.bureaus, self.sightings, self.notices):
            await view.ready.wait()
        if self._fixed_directory is None and not self.bureaus.values:
            log.error("the bureau directory is empty: import one with `fugitive-alerts bureaus import FILE`")

    async def stop(self) -> None:
        await asyncio.gather(self.bureaus.stop(), self.sightings.stop(), self.notices.stop())

    async def load(self, partitions: Iterable[int], limits: DeliveryLimits) -> None:
        """Partitions assigned: read their deliveries and timers, then count the deliveries into the
        rate limits (after the log is loaded, so the limits hold across a restart)."""
        parts = sorted(partitions)
        read = await self.deliveries.load(parts)
        pending = await self.escalations.load(parts)
        counted = limits.count(self.deliveries.all())
        log.info("partitions assigned", partitions=parts, deliveries=read, escalations=pending, rate_counted=counted)


def _notice_active(raw: bytes) -> bool:
    return WantedPerson.model_validate_json(raw).active
