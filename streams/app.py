"""The Faust app factory. Build one per worker (or per test) with ``create_app(settings)``."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

import faust
import structlog

from schemas import Settings, topics

from .clearances import ClearanceTable
from .document_agent import DocumentTables, add_document_agents
from .fetch_wait import set_fetch_max_wait
from .idempotent import set_idempotent_producer
from .index_keeper import SnapshotPolicy
from .ingest_agent import add_ingest_agent
from .kafka_auth import faust_credentials
from .membership import membership_settings
from .metrics import WorkerMetrics, install_pages
from .retro_agent import add_retro_agent
from .screen_agent import ResponseTopics, add_screen_agent
from .send_now import SendNow
from .wanted_table import BureauTable, FingerprintTable, WantedTable

__all__ = ["create_app", "faust_settings", "new_faust_app", "ScreeningApp"]

log = structlog.get_logger(__name__)


@dataclass
class ScreeningApp:
    app: faust.App
    wanted: WantedTable
    bureaus: BureauTable
    matcher: Any
    fingerprints: FingerprintTable
    documents: DocumentTables | None = None
    clearances: ClearanceTable | None = None

    @property
    def services(self) -> list[Any]:
        """Services to start with the Faust worker, beside the agents."""
        return [self.wanted, self.bureaus, self.fingerprints, *([self.clearances] if self.clearances is not None else [])]


def faust_settings(settings: Settings, *, web_port: int = 6066) -> dict[str, Any]:
    """The ``faust.App`` settings of the worker (everything but the app id).

    One function, so that the bench's no-op Faust app (``bench/pipeline_bench.py``, the "Faust
    ceiling") runs with exactly the worker's settings. Tuning: see docs/benchmarks.md.
    """
    datadir = settings.data_dir / "faust" / settings.app_id
    datadir.parent.mkdir(parents=True, exist_ok=True)
    return {
        "broker": settings.faust_broker_urls(),
        "broker_credentials": faust_credentials(settings),  # security (issue 6): SASL/TLS, see streams/kafka_auth.py
        "store": "memory://",
        "datadir": str(datadir),
        "topic_partitions": settings.partitions,
        "topic_replication_factor": settings.replication_factor,
        "consumer_auto_offset_reset": "earliest",
        "web_bind": "127.0.0.1",
        "web_port": web_port,
        "web_host": "127.0.0.1",
        "key_serializer": "raw",
        "value_serializer": "raw",
        "producer_acks": -1,
        "producer_linger": settings.producer_linger_ms / 1000.0,  # seconds; see docs/benchmarks.md
        "processing_guarantee": settings.processing_guarantee,
        "consumer_max_fetch_size": settings.faust_consumer_max_fetch_size,
        "broker_max_poll_records": settings.faust_max_poll_records,
        # failover (issue 15): static membership, short session timeout; see streams/membership.py
        **membership_settings(settings, datadir),
        # issue 19: the documents tables (docs/documents.md); the app's default store stays in memory.
        "table_standby_replicas": settings.table_standby_replicas,
        "TableManager": "streams.table_recovery:SeekFirstTableManager",
        "PartitionAssignor": "streams.assignor:StaticMemberAssignor",  # see streams/assignor.py
    }


DEFAULT_FETCH_GATHER_MS = 20
"""The worker's fetch gather when ``faust_fetch_gather_ms`` is not set and the documents check is off."""


def fetch_gather_ms(settings: Settings) -> int:
    """The worker's fetch gather (``streams.fetch_wait``): ``faust_fetch_gather_ms`` when set; unset, 20 ms, or none
    when the documents check is on. A crossing with a document is then answered after a second hop through the same
    worker (its check record, produced a millisecond after the event was fetched), and a gathering fetch holds that
    record for the whole gather when the rate is low: at 5 events/s the answer's median went from about 6 to 26 ms
    with the gather (docs/benchmarks.md, "The documents check and the fetch wait")."""
    if settings.faust_fetch_gather_ms is not None:
        return settings.faust_fetch_gather_ms
    return 0 if settings.documents_check else DEFAULT_FETCH_GATHER_MS


def new_faust_app(settings: Settings, *, web_port: int = 6066) -> faust.App:
    """A ``faust.App`` with the worker's settings, its consumer's fetch wait (``streams.fetch_wait``) and
    an idempotent producer (``streams.idempotent``)."""
    app = faust.App(settings.app_id, **faust_settings(settings, web_port=web_port))
    set_fetch_max_wait(app, settings.faust_fetch_max_wait_ms, settings.client_rack,
                       gather_ms=fetch_gather_ms(settings), gather_bytes=settings.faust_fetch_gather_bytes,
                       consumer_thread=settings.faust_consumer_thread)
    set_idempotent_producer(app)
    return app


def create_app(settings: Settings, matcher: Any = None, *, web_port: int = 6066) -> ScreeningApp:
    """Build the screening app: one agent per event topic, and the wanted list they screen against.

    ``matcher`` defaults to a fresh ``matching.Matcher`` with the settings' thresholds.
    The bureau directory (the ``bureaus`` topic) gives responses the national bureau, and its 24/7
    number, to call after a hit.
    """
    if matcher is None:
        from matching import Matcher, compiled_core_built

        matcher = Matcher(alert_threshold=settings.alert_threshold, review_threshold=settings.review_threshold,
                          tip_alert_threshold=settings.tip_alert_threshold,
                          compiled=settings.matching_core == "compiled" and compiled_core_built())
    app = new_faust_app(settings, web_port=web_port)

    def raw_topic(name: str) -> faust.TopicT:
        return app.topic(settings.topic(name), key_type=bytes, value_type=bytes,
                         key_serializer="raw", value_serializer="raw")

    alerts = raw_topic(topics.ALERTS)
    rejected = raw_topic(topics.REJECTED)
    responses = ResponseTopics(app, settings.topic_prefix, settings.partitions)
    wanted_topic = settings.topic(topics.WANTED)
    # issue 18: the index on local disk, loaded at start instead of rebuilt (streams/index_keeper.py)
    snapshot = SnapshotPolicy(settings.data_dir / "index" / f"{wanted_topic}.snapshot",
                              interval=settings.index_snapshot_interval_seconds,
                              max_age=settings.index_snapshot_max_age_seconds) if settings.index_snapshot else None
    wanted = WantedTable(matcher, wanted_topic, settings.kafka_client_kwargs(), snapshot=snapshot)
    bureaus = BureauTable(settings.topic(topics.BUREAUS), settings.kafka_client_kwargs())
    # issue 17: analysts' "not the person" decisions, read whole (docs/review.md, "Cleared namesakes")
    clearances = ClearanceTable(settings.topic(topics.REVIEW_DECISIONS), settings.kafka_client_kwargs(),
                                settings.clearance_days)
    # ops (issue 5): Prometheus metrics, /metrics, /health and /ready on the worker's web port.
    metrics = WorkerMetrics()
    metrics.watch_wanted_list(lambda: len(matcher))
    metrics.watch_clearances(lambda: len(clearances))
    install_pages(app, metrics, ready=(wanted.ready, bureaus.ready, clearances.ready),
                  client_kwargs=settings.kafka_client_kwargs())

    async def freeze_wanted_list() -> None:
        """issue 18: once the wanted list is loaded, the objects it made (most of the heap) are moved out of
        the garbage collector's reach (``gc.freeze``). They are freed as before when no longer used, but a
        full collection no longer walks them: it took about 0.25 s at 100k notices, several times in a
        drain (docs/benchmarks.md, "Issue 18, ninth round")."""
        await wanted.ready.wait()
        # No gc.collect() first: at 1M notices it would stop the loop for seconds just as the worker became
        # ready; the little cyclic garbage the load may leave is frozen with the list, once.
        gc.freeze()
        log.info("heap frozen after the wanted list loaded", objects=gc.get_freeze_count())

    app.task(freeze_wanted_list)

    def send_now() -> SendNow:
        """An agent's own: its records go when its batch is done, not after the producer's linger (streams/send_now.py)."""
        return SendNow(lambda: app.producer, settings.producer_linger_ms / 1000.0)

    documents = add_document_agents(
        app, settings, raw_topic=raw_topic, alerts=alerts, rejected=rejected, responses=responses,
        directory=bureaus.directory, ready=bureaus.ready, send_now=send_now()) if settings.documents_check else None
    for event_type, name in topics.EVENT_TOPICS.items():
        add_screen_agent(
            app, source=raw_topic(name), event_type=event_type, screener=matcher,
            alerts=alerts, rejected=rejected, ready=(wanted.ready, bureaus.ready, clearances.ready),
            responses=responses, directory=bureaus.directory, metrics=metrics,
            max_record_bytes=settings.max_record_bytes, document_checks=documents.checks if documents else None,
            clearances=clearances.lookup, send_now=send_now(),
        )
    # security (issue 6): ingest.<agency>.* -> events.*
    add_ingest_agent(app, settings, raw_topic, rejected=rejected, responses=responses, metrics=metrics,
                     send_now=send_now())
    fingerprints_topic = settings.topic(topics.RETRO_FINGERPRINTS)

    async def write_fingerprint(key: bytes, value: bytes | None) -> Any:
        return await app.producer.send(fingerprints_topic, key, value, partition=None, timestamp=None, headers=None)

    fingerprints = FingerprintTable(fingerprints_topic, settings.kafka_client_kwargs(), write_fingerprint)
    add_retro_agent(app, settings, source=raw_topic(topics.WANTED), alerts=alerts, screener=matcher, wanted=wanted,
                    fingerprints=fingerprints)
    return ScreeningApp(app=app, wanted=wanted, bureaus=bureaus, matcher=matcher, fingerprints=fingerprints,
                        documents=documents, clearances=clearances)
