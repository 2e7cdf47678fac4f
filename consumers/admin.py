"""Topic administration: create the project's topics up front with the right partitions and policies.

Faust declares only what is missing (its own leader topic); topics auto-created on
first use can disagree on partition counts and then Faust raises ``PartitionsMismatch``.
Creating them here, once, before any worker or producer starts, avoids that. Replication and
``min.insync.replicas`` come from the settings (docs/reliability.md, "Production settings").
"""

from __future__ import annotations

import asyncio

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    KafkaConnectionError,
    TopicAlreadyExistsError,
    TopicAuthorizationFailedError,
)

from schemas import Settings, response_topic, topics
from schemas.errors import FugitiveAlertsError

from .kafka_login import login_problem
from .review_queue import review_topic_specs

__all__ = ["ensure_topics", "topic_specs", "wait_for_broker", "BrokerUnavailable"]

log = structlog.get_logger(__name__)


_NOT_AUTHORIZED = (TopicAuthorizationFailedError.errno, ClusterAuthorizationFailedError.errno)


class BrokerUnavailable(FugitiveAlertsError, RuntimeError):
    """The Kafka broker did not answer within the deadline."""


def topic_specs(settings: Settings) -> list[NewTopic]:
    """Every topic the pipeline uses, with its partition count, replication and cleanup policy.

    Every topic gets ``min.insync.replicas`` (``Settings.topic_min_insync_replicas``: 2 of 3 replicas
    by default), so that an ``acks=all`` write is acknowledged only once a majority holds it, and a
    broker lost after the acknowledgement loses nothing (docs/reliability.md).
    """
    n, rf = settings.partitions, settings.replication_factor
    isr = {"min.insync.replicas": str(settings.topic_min_insync_replicas)}
    specs = []
    for name in (*topics.EVENT_TOPICS.values(), topics.REJECTED, topics.ALERTS, topics.DELIVERIES, topics.ACKS,
                 topics.DELIVERY_FAILURES, topics.DOCUMENT_CHECKS, topics.DELIVERY_INTENTS):
        # Event topics keep the retro-screening window (docs/wanted-lists.md). Alerts and deliveries keep
        # twice that: a notice changed at the end of the window re-screens events as old as the window,
        # and the dispatcher must still find those alerts' deliveries, or it would send them again.
        days = {**dict.fromkeys(topics.EVENT_TOPICS.values(), settings.event_retention_days),
                topics.ALERTS: settings.alert_retention_days,
                topics.DELIVERIES: settings.alert_retention_days,
                topics.DELIVERY_INTENTS: settings.alert_retention_days}.get(name)
        kept = {**isr, "retention.ms": str(days * 86_400_000)} if days else dict(isr)
        specs.append(NewTopic(settings.topic(name), num_partitions=n, replication_factor=rf, topic_configs=kept))
    for agency in settings.ingest_agency_list:  # security (issue 6): per-agency ingest, as the event topics
        for event_type in topics.EVENT_TOPICS:
            specs.append(NewTopic(settings.topic(topics.ingest_topic(agency, event_type)), num_partitions=n,
                                  replication_factor=rf,
                                  topic_configs={**isr,
                                                 "retention.ms": str(settings.event_retention_days * 86_400_000)}))
    for spec in review_topic_specs(settings):  # issue 17: retention of personal data (docs/review.md)
        spec.topic_configs = {**isr, **spec.topic_configs}
        specs.append(spec)
    for name in sorted(topics.COMPACTED - {topics.REVIEW_DECISIONS}):
        specs.append(
            NewTopic(
                settings.topic(name), num_partitions=n, replication_factor=rf,
                topic_configs={**isr, "cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1"},
            )
        )
    return specs


async def wait_for_broker(settings: Settings, timeout: float | None = None) -> None:
    """Retry until the broker answers, or raise ``BrokerUnavailable`` with what to do."""
    timeout = settings.startup_timeout_seconds if timeout is None else timeout
    deadline = asyncio.get_running_loop().time() + timeout
    attempt = 0
    while True:
        attempt += 1
        admin = AIOKafkaAdminClient(**settings.kafka_client_kwargs(), request_timeout_ms=5000)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except (TimeoutError, KafkaConnectionError, OSError) as exc:
            problem = await login_problem(settings) if attempt == 1 else None  # security (issue 6)
            if problem is not None:  # a wrong password or an untrusted certificate: retrying won't help
                raise BrokerUnavailable(problem) from None
            if asyncio.get_running_loop().time() >= deadline:
                raise BrokerUnavailable(
                    f"Kafka at {settings.kafka_bootstrap_servers} did not answer in {timeout:.0f}s "
                    f"({type(exc).__name__}). Start it with `fugitive-alerts broker start`, or set "
                    "KAFKA_BOOTSTRAP_SERVERS to a reachable broker."
                ) from None
            log.warning("kafka not reachable yet, retrying", bootstrap=settings.kafka_bootstrap_servers,
                        attempt=attempt)
            await asyncio.sleep(min(0.2 * 2**attempt, 3.0))  # back-off between retries, not synchronisation
        finally:
            await admin.close()


async def ensure_topics(settings: Settings, agencies: list[str] | None = None) -> list[str]:
    """Create missing topics; return the names created. Existing topics are left as they are.

    ``agencies``: also create their ``responses.<agency>`` topics (the worker creates one itself
    the first time it answers an agency; a client that waits for answers creates it first).
    """
    await wait_for_broker(settings)
    specs = topic_specs(settings) + [
        NewTopic(settings.topic(response_topic(a)), num_partitions=settings.partitions,
                 replication_factor=settings.replication_factor,
                 topic_configs={"min.insync.replicas": str(settings.topic_min_insync_replicas)})
        for a in agencies or []
    ]
    admin = AIOKafkaAdminClient(**settings.kafka_client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        if missing:
            response = await admin.create_topics(missing)
            denied = sorted(name for name, code, *_ in response.topic_errors if code in _NOT_AUTHORIZED)
            if denied:  # with ACLs on, an admin creates the topics (`fugitive-alerts acls apply`)
                log.warning("not authorized to create or see these topics; an admin must create them", topics=denied)
                missing = [spec for spec in missing if spec.name not in denied]
            for name, code, *rest in response.topic_errors:
                # 36 = TOPIC_ALREADY_EXISTS: another process created it meanwhile.
                if code not in (0, TopicAlreadyExistsError.errno, *_NOT_AUTHORIZED):
                    raise RuntimeError(f"could not create topic {name!r}: error {code} {rest[-1] if rest else ''}")
        return [spec.name for spec in missing]
    finally:
        await admin.close()
