"""Who may do what on Kafka: the project's ACL policy as data (pure; no Kafka here).

:func:`policy` lists the ACL bindings of every principal, for a deployment's settings (topic
prefix, Faust app id, dispatcher group) and its agencies. ``fugitive-alerts acls apply`` creates
them (:mod:`.acls`); docs/security.md explains each line. Everything not listed is denied
(``allow.everyone.if.no.acl.found=false``), so the policy only ever *allows*.

Principals:

- the **worker** (Faust): reads events, ``ingest.*``, the wanted list and the bureau directory;
  writes ``events.*`` (forwarded ingest), ``events.rejected``, ``alerts`` and ``responses.*``;
  owns its consumer group, its internal topics and transactional ids (prefix = app id).
- the **dispatcher**: reads ``alerts`` and the delivery state topics, the bureau directory and the
  wanted list; writes deliveries, acks, escalations, sightings, the delivery dead letters and
  ``events.rejected`` (bad alert records). It cannot write ``events.border-crossings|visa-applications|tips``
  nor the bureau directory (from its host one could otherwise rewrite every officer's phone and email).
- the **review console** (``review-console``): reads ``reviews`` and ``reviews.decisions``; writes
  ``reviews.decisions`` and ``alerts`` (a confirmed review item becomes an alert). The worker also
  reads ``reviews.decisions`` (clearances); the dispatcher reads both and writes ``reviews``.
- the **importer** (the daily ``wanted import`` of outside feeds): writes ``wanted.notices`` and reads it
  (``--full-snapshot`` compares the file with what is there), and nothing else.
- the **directory** (``bureaus import``): owns ``bureaus`` (read, for ``--prune``, and write).
- the **monitor** (lag monitor, ``lag``): reads ``__consumer_offsets``, the event and alert
  topics (offsets and the timestamp of the oldest unconsumed record), describes the two groups.
- each **agency** ``X``: writes ``ingest.X.*`` only, reads ``responses.X`` only, and may use
  consumer groups named ``X.*``. It can neither read wanted lists, alerts nor another agency's
  answers, nor write ``events.*`` or another agency's ingest topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from schemas import Settings, response_topic, topics

__all__ = [
    "AclBinding",
    "Operation",
    "PatternType",
    "ResourceType",
    "policy",
    "Principals",
]


class ResourceType(IntEnum):
    """Kafka's resource types (protocol values)."""

    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5


class PatternType(IntEnum):
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    """Kafka's ACL operations (protocol values). READ, WRITE and DELETE imply DESCRIBE."""

    ALL = 2
    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8
    DESCRIBE_CONFIGS = 10


ALLOW = 3
"""Kafka's permission type ALLOW (the policy never needs DENY)."""

@dataclass(frozen=True, slots=True)
class AclBinding:
    """One ALLOW rule: ``principal`` may do ``operation`` on a resource (any host)."""

    principal: str
    resource_type: ResourceType
    name: str
    pattern: PatternType
    operation: Operation

    def __str__(self) -> str:
        kind = "prefix" if self.pattern is PatternType.PREFIXED else "name"
        return f"{self.principal:<24} {self.operation.name:<16} {self.resource_type.name.lower()} {kind} {self.name}"


@dataclass(frozen=True, slots=True)
class Principals:
    """The SCRAM user names (Kafka principals ``User:<name>``) of the services."""

    worker: str = "worker"
    dispatcher: str = "dispatcher"
    monitor: str = "monitor"
    importer: str = "importer"
    directory: str = "directory"
    reviewer: str = "review-console"


def _rules(principal: str, rtype: ResourceType, pattern: PatternType, names: list[str],
           *operations: Operation) -> list[AclBinding]:
    return [AclBinding(f"User:{principal}", rtype, n, pattern, op) for n in names for op in operations]


def policy(settings: Settings, agencies: list[str], principals: Principals = Principals()) -> list[AclBinding]:
    """Every ACL binding of the deployment described by ``settings`` with these ``agencies``."""
    t = settings.topic
    T, G, X = ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID
    LIT, PRE = PatternType.LITERAL, PatternType.PREFIXED
    R, W, C, D, A = Operation.READ, Operation.WRITE, Operation.CREATE, Operation.DESCRIBE, Operation.ALL
    events = [t(name) for name in topics.EVENT_TOPICS.values()]
    rules: list[AclBinding] = []

    w = principals.worker
    rules += _rules(w, T, LIT, [*events, t(topics.WANTED), t(topics.BUREAUS), t(topics.RETRO_FINGERPRINTS)], R)
    rules += _rules(w, T, LIT, [t(topics.DOCUMENTS), t(topics.DOCUMENT_CHECKS)], R)  # docs/documents.md
    rules += _rules(w, T, LIT, [t(topics.REVIEW_DECISIONS)], R)  # cleared namesakes (docs/review.md)
    rules += _rules(w, T, LIT, [t(topics.DOCUMENT_CHECKS)], W)
    rules += _rules(w, T, PRE, [t(topics.INGEST_PREFIX)], R)
    rules += _rules(w, T, LIT, [*events, t(topics.REJECTED), t(topics.ALERTS), t(topics.RETRO_FINGERPRINTS)], W)
    rules += _rules(w, T, PRE, [t("responses.")], W, C)
    rules += _rules(w, T, PRE, [f"{settings.app_id}-"], A)  # Faust's leader and changelog topics
    rules += _rules(w, G, LIT, [settings.app_id], R)
    rules += _rules(w, X, PRE, [f"{settings.app_id}-"], W, D)  # processing_guarantee=exactly_once

    d = principals.dispatcher
    state = [t(topics.DELIVERIES), t(topics.DELIVERY_INTENTS), t(topics.ACKS), t(topics.ESCALATIONS),
             t(topics.SIGHTINGS)]
    rules += _rules(d, T, LIT, [t(topics.ALERTS), *state, t(topics.BUREAUS), t(topics.WANTED)], R)
    rules += _rules(d, T, LIT, [*state, t(topics.DELIVERY_FAILURES), t(topics.REJECTED)], W)
    rules += _rules(d, G, LIT, [settings.dispatcher_group], R)
    rules += _rules(d, T, LIT, [t(topics.REVIEWS), t(topics.REVIEW_DECISIONS)], R)  # review items and digests
    rules += _rules(d, T, LIT, [t(topics.REVIEWS)], W)

    r = principals.reviewer  # the review console: decisions, and the alert a confirm raises
    rules += _rules(r, T, LIT, [t(topics.REVIEWS), t(topics.REVIEW_DECISIONS)], R)
    rules += _rules(r, T, LIT, [t(topics.REVIEW_DECISIONS), t(topics.ALERTS)], W)

    m = principals.monitor
    rules += _rules(m, T, LIT, ["__consumer_offsets", *events, t(topics.WANTED), t(topics.ALERTS),
                                t(topics.DELIVERIES), t(topics.ACKS)], R)
    rules += _rules(m, T, LIT, [t(topics.DOCUMENTS), t(topics.DOCUMENT_CHECKS)], R)  # the worker's group reads them
    rules += _rules(m, T, LIT, [t(topics.REVIEWS), t(topics.REVIEW_DECISIONS)], R)  # review queues on the dashboard
    rules += _rules(m, T, PRE, [t(topics.INGEST_PREFIX)], R)  # the worker's group commits there too
    rules += _rules(m, G, LIT, [settings.app_id, settings.dispatcher_group], D)

    rules += _rules(principals.importer, T, LIT, [t(topics.WANTED)], R, W)
    rules += _rules(principals.directory, T, LIT, [t(topics.BUREAUS)], R, W)

    for agency in agencies:
        rules += _rules(agency, T, PRE, [t(f"{topics.INGEST_PREFIX}{agency}.")], W)
        rules += _rules(agency, T, LIT, [t(response_topic(agency))], R)
        rules += _rules(agency, G, PRE, [f"{agency}."], R)
    return rules
