"""The one settings class. Read once at start-up (``Settings()``) and passed down."""

from __future__ import annotations

import hashlib
import os
import ssl
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEV_ACK_SECRET", "DEV_TWILIO_TOKEN", "MIN_KEY_BYTES", "Settings", "secret_env_names"]

DEV_ACK_SECRET = "dev-only-ack-secret-change-me"  # noqa: S105 - the known-bad value the check refuses
"""The built-in acknowledgement key: accepted only with ``FUGITIVE_ALERTS_ENV=demo`` or ``test``."""
DEV_TWILIO_TOKEN = "test-token"  # noqa: S105 - the known-bad value the check refuses
"""The built-in Twilio token: accepted against a mock, or with ``FUGITIVE_ALERTS_ENV=demo`` or ``test``."""
MIN_KEY_BYTES = 32


def _env(name: str) -> AliasChoices:
    """Accept the conventional variable name as well as the ``FUGITIVE_ALERTS_`` one."""
    return AliasChoices(name, f"FUGITIVE_ALERTS_{name}")


_SECRET_FILES = {
    "kafka_sasl_password": "kafka_sasl_password_file",
    "smtp_password": "smtp_password_file",
    "twilio_auth_token": "twilio_auth_token_file",
    "ack_secret": "ack_secret_file",
    "ack_secret_previous": "ack_secret_previous_file",
    "ops_token": "ops_token_file",
}
"""Secret -> the setting naming a file that holds it (docs/security.md "Secrets")."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FUGITIVE_ALERTS_",
        env_file=".env",
        extra="ignore",
        populate_by_name=True,
        hide_input_in_errors=True,  # security (issue 6): a validation error never echoes a secret
    )

    env: Literal["production", "demo", "test"] = "production"
    """``FUGITIVE_ALERTS_ENV``: where this runs. Only ``demo`` (set by ``fugitive-alerts demo``) and
    ``test`` (set by the test suite) accept the built-in acknowledgement key and Twilio token;
    ``production``, the default, refuses to start the dispatcher or the monitor with them."""

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS"))
    topic_prefix: str = ""
    """Prepended to every topic name, e.g. ``staging.`` or a test's unique prefix."""
    partitions: int = 1
    """Partition count for the topics the project creates (events, alerts, wanted list)."""
    replication_factor: int = Field(1, ge=1)
    """Replication factor of the topics the project creates. 1 on a single local broker; 3 on a cluster."""
    min_insync_replicas: int | None = Field(None, ge=1)
    """``min.insync.replicas`` of the topics the project creates: how many replicas must have a write
    before an ``acks=all`` producer is told it is stored. Unset: a majority of ``replication_factor``
    (1 of 1, 2 of 2, 2 of 3, 3 of 5). docs/reliability.md, "Production settings"."""

    # --- Kafka security (issue 6, docs/security.md): TLS and SASL for every client, and the
    # agencies allowed to publish through ingest.<agency>.* topics. Secrets are SecretStr and come
    # from the environment or from a file (``*_FILE``, e.g. a mounted secret); never logged.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", validation_alias=_env("KAFKA_SECURITY_PROTOCOL"))
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "SCRAM-SHA-512", validation_alias=_env("KAFKA_SASL_MECHANISM"))
    kafka_sasl_username: str | None = Field(None, validation_alias=_env("KAFKA_SASL_USERNAME"))
    kafka_sasl_password: SecretStr | None = Field(None, validation_alias=_env("KAFKA_SASL_PASSWORD"))
    kafka_sasl_password_file: Path | None = Field(None, validation_alias=_env("KAFKA_SASL_PASSWORD_FILE"))
    """A file holding the SASL password (one line); used when ``KAFKA_SASL_PASSWORD`` is unset."""
    kafka_ssl_cafile: Path | None = Field(None, validation_alias=_env("KAFKA_SSL_CAFILE"))
    """PEM bundle of the CAs that signed the brokers' certificates; unset: the system's CAs."""
    kafka_ssl_certfile: Path | None = Field(None, validation_alias=_env("KAFKA_SSL_CERTFILE"))
    kafka_ssl_keyfile: Path | None = Field(None, validation_alias=_env("KAFKA_SSL_KEYFILE"))
    """Client certificate and key (PEM) for brokers that require mutual TLS; usually unset with SASL."""
    smtp_password_file: Path | None = Field(None, validation_alias=_env("SMTP_PASSWORD_FILE"))
    twilio_auth_token_file: Path | None = Field(None, validation_alias=_env("TWILIO_AUTH_TOKEN_FILE"))
    max_record_bytes: int = Field(256 * 1024, ge=1024, le=64 * 1024 * 1024)
    """An event or ingest record larger than this is refused before it is decoded (dead letter,
    rejection answer). 256 KiB is far above any real event (a few KiB) and below every limit."""
    ingest_agencies: str = ""
    """Comma-separated agencies whose ``ingest.<agency>.*`` topics the worker checks and forwards
    to ``events.*`` (``FUGITIVE_ALERTS_INGEST_AGENCIES=ke-immigration,fr-visas``). Empty: none."""

    smtp_host: str = Field("127.0.0.1", validation_alias=_env("SMTP_HOST"))
    smtp_port: int = Field(1025, validation_alias=_env("SMTP_PORT"))
    smtp_username: str | None = Field(None, validation_alias=_env("SMTP_USERNAME"))
    smtp_password: SecretStr | None = Field(None, validation_alias=_env("SMTP_PASSWORD"))
    smtp_starttls: bool = Field(False, validation_alias=_env("SMTP_STARTTLS"))
    smtp_timeout: float = 10.0
    smtp_pool_size: int = Field(4, ge=1)
    """Open SMTP connections kept and reused by the dispatcher (each carries one message at a time)."""
    alert_email_from: str = Field("alerts@fugitive-alerts.invalid", validation_alias=_env("ALERT_EMAIL_FROM"))

    twilio_account_sid: str = Field("AC00000000000000000000000000000000", validation_alias=_env("TWILIO_ACCOUNT_SID"))
    twilio_auth_token: SecretStr = Field(SecretStr(DEV_TWILIO_TOKEN), validation_alias=_env("TWILIO_AUTH_TOKEN"))
    twilio_from_number: str = Field("+15005550006", validation_alias=_env("TWILIO_FROM_NUMBER"))
    twilio_api_base_url: str = Field("https://api.twilio.com", validation_alias=_env("TWILIO_API_BASE_URL"))

    bureaus_file: Path | None = Field(None, validation_alias=_env("BUREAUS_FILE"))
    """The bureau directory (YAML). Unset: the fictional sample directory shipped for the demo."""

    alert_threshold: float = 0.80
    """Score at or above which a hit alerts (SMS/email)."""
    review_threshold: float = 0.60
    """Score at or above which a hit is recorded for review (not pushed)."""
    tip_alert_threshold: float = 0.80
    """Score at or above which a hit on a *tip* alerts (tips go to analysts by email, not to a
    desk officer; tips also pass a lower name-evidence gate, docs/matching.md)."""

    matching_core: Literal["compiled", "python"] = "compiled"
    """``compiled``: the matcher's hot loops run in its compiled core when ``scripts/bootstrap``
    built it (``matching/core-rs``), else in Python; ``python``: the Python reference alone. The
    same hits either way (docs/matching.md, "The compiled core")."""

    app_id: str = "fugitive-alerts"
    """Faust app id: also its consumer group and the prefix of its changelog topics."""
    dispatcher_group: str = "fugitive-alerts-dispatcher"
    dispatcher_id: str | None = None
    """This dispatcher's ``group.instance.id`` (KIP-345 static membership): a dispatcher restarted with the
    same id takes its partitions back at once instead of waiting out its dead self's session. Must be
    unique among the running dispatchers and the same across restarts. Unset: ``<host name>-<8 hex digits
    of DATA_DIR/dispatcher/<group>>[-<slot>]`` (a slot per dispatcher running from one data directory)."""
    dispatcher_static_membership: bool = True
    """True (the default): the dispatcher joins its group as a static member (``dispatcher_id``). It does
    not leave the group when it stops, even cleanly: a dispatcher removed for good keeps its partitions
    from the others for the session timeout. False: a stopped dispatcher leaves at once, and a restarted
    one waits for the broker to give up on a SIGKILLed one (docs/reliability.md)."""
    dispatcher_session_timeout_seconds: float = Field(10.0, ge=1.0, le=300.0)
    """How long the group waits for a silent dispatcher before its partitions go to another one. The
    dispatcher heartbeats every third of it, at most every 3 s."""
    data_dir: Path = Path("var")
    """Where local state lives: the broker's data, Faust tables, logs and pid files."""
    index_snapshot: bool = True
    """Keep the worker's wanted-list index on local disk (``DATA_DIR/index/``) and restart from it,
    reading the wanted topic on from the offsets it reflects, instead of rebuilding the index
    (docs/architecture.md, "Index snapshot")."""
    index_snapshot_interval_seconds: float = Field(600.0, ge=10.0)
    """How often the worker rewrites the snapshot when the wanted list changed."""
    index_snapshot_max_age_seconds: float = Field(43200.0, gt=0.0)
    """An older snapshot is not loaded. Keep it below the wanted topic's ``delete.retention.ms``
    (Kafka's default: a day): compaction drops a withdrawal's tombstone that long after cleaning."""
    public_url: str = "http://127.0.0.1:8070"
    """Base URL of the dispatcher's web app as recipients and Twilio reach it (ack links, webhooks)."""
    log_json: bool = False

    # Retro-screening (issue 8, docs/wanted-lists.md): how long events are kept and re-screened.
    event_retention_days: int = Field(30, ge=1, le=3650)
    """Events are kept this long on their topics (``retention.ms``), and a new or changed notice
    re-screens the events of this window."""
    retro_grace_seconds: float = Field(5.0, ge=0.0, le=300.0)
    """After a notice arrives, how long its retro-scan keeps reading newly appended events, to
    cover events screened live by a worker that had not loaded the notice yet."""

    # --- ops (issue 5): lag monitor, metrics, dashboard, ops alerting. See docs/ops.md. ---
    lag_window_seconds: float = 600.0
    """Burrow window: commits older than this leave a partition's window."""
    lag_window_commits: int = 10
    """Burrow window: at most this many commits per partition (Burrow's ``intervals``)."""
    lag_min_distance_seconds: float = 1.0
    """A commit this soon after the previous one replaces it (Burrow's ``min-distance``)."""
    lag_interval_seconds: float = 10.0
    """How often ``monitor`` (and ``lag --watch``) evaluates lag."""
    ops_token: SecretStr | None = None
    """Token for the dashboard and its API (``Authorization: Bearer`` or ``?token=``). Unset: ``monitor``
    makes a random one at start and prints the dashboard URL with it."""
    ops_token_file: Path | None = None
    ops_public_url: str = ""
    """The monitor's URL as ops reach it (e.g. behind a TLS proxy); with https the session cookie is ``Secure``."""
    ops_session_hours: float = Field(12.0, gt=0.0, le=24.0 * 30)
    """How long a dashboard session (the cookie set by ``?token=``) lasts."""
    ops_email_to: str | None = None
    """Ops contact: emailed when a group is failing (ERR, STOP, STALL, REWIND) for ``ops_alert_after_minutes``."""
    ops_alert_after_minutes: float = 5.0
    ops_reminder_minutes: float = 60.0
    """A reminder while the group is still failing, this long after the previous email."""

    # --- delivery: escalation, acknowledgement, dedup, rate limits (issue 4) ---
    web_host: str = "127.0.0.1"
    web_port: int = 8070
    """The dispatcher's web app: acknowledgement links and Twilio webhooks."""
    ack_secret: SecretStr = SecretStr(DEV_ACK_SECRET)
    """HMAC key of acknowledgement links (at least 32 bytes; required outside the demo and the tests).
    It signs every new link."""
    ack_secret_file: Path | None = None
    ack_secret_previous: SecretStr | None = None
    """The key before the last rotation: links it signed are still accepted (for ``ack_link_hours``)."""
    ack_secret_previous_file: Path | None = None
    ack_link_hours: float = 72.0
    escalate_critical_minutes: float = 5.0
    escalate_high_minutes: float = 240.0
    escalate_normal_minutes: float = 0.0
    """Minutes without acknowledgement before the next step of the chain; 0 = never escalate."""
    dedup_window_minutes: float = 360.0
    """The same person at the same place within this window: a "seen again" update, not a new alert."""
    rate_limit_sms: int = 10
    rate_limit_email: int = 60
    rate_limit_window_minutes: float = 60.0
    """Per recipient: at most this many messages per channel per window; 0 = no limit."""
    retry_for_seconds: float = 600.0
    """How long transient delivery errors (SMTP down, Twilio 5xx/429) are retried before giving up."""
    retry_max_delay_seconds: float = 30.0
    """Cap of the exponential back-off between two attempts (full jitter below it)."""

    # --- review console, clearances and grouped review notifications (issue 17, docs/review.md) ---
    review_web_host: str = "127.0.0.1"
    review_web_port: int = Field(8071, ge=1, le=65535)
    review_public_url: str = "http://127.0.0.1:8071"
    """The review console as analysts reach it: digest links; session cookies are ``Secure`` when it is https."""
    review_officers_file: Path | None = None
    """Who may sign in to the review console (YAML or JSON: officer id, bureau(s), argon2 password hash)."""
    review_trusted_proxy: str | None = None
    """Address of an auth proxy whose ``review_proxy_user_header`` is trusted as a sign-in; unset: no proxy sign-in."""
    review_proxy_user_header: str = "X-Forwarded-User"
    review_proxy_bureaus_header: str = "X-Forwarded-Groups"
    """From the trusted proxy only: comma-separated bureau or unit ids of the signed-in officer."""
    review_session_minutes: float = Field(480.0, gt=0.0, le=7 * 24 * 60.0)
    """A console session expires this long after sign-in (then the officer signs in again)."""
    review_group_interval_minutes: float = Field(15.0, gt=0.0)
    """Grouped review notifications: at most one email per bureau per interval."""
    review_group_wait_seconds: float = Field(30.0, ge=0.0)
    review_oldest_limit_hours: float = Field(24.0, gt=0.0)
    """With ``ops_email_to`` set: ops are emailed when a bureau's oldest open review item is older than this."""
    review_ops_check_seconds: float = Field(60.0, gt=0.0)
    """How often the review console checks the queues against ``review_oldest_limit_hours``."""
    clearance_days: int = Field(180, ge=1, le=3650)
    """A "not the person" clearance expires this many days after the decision."""
    review_retention_days: int = Field(365, ge=1, le=3650)
    """Review items and decisions (personal data) are deleted this long after the decision: ``retention.ms``
    on ``reviews``, tombstones on ``reviews.decisions``. At least ``clearance_days``."""

    # --- reliability (issue 6, docs/reliability.md) ---
    startup_timeout_seconds: float = 120.0
    """How long a command retries an unreachable Kafka at start before it gives up with a message."""
    kafka_wait_notice_seconds: float = Field(10.0, gt=0.0)
    """While Kafka confirms none of the records an import or ``publish`` sent (a broker restarted in
    the middle of it), the command says so this often; it goes on when Kafka answers."""
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    """The Faust worker's guarantee. Exactly-once was evaluated and is not the default: see docs/reliability.md."""
    producer_linger_ms: float = Field(10.0, ge=0.0, le=1000.0)
    """How long the worker's producer waits to fill a batch before sending it. With 0 (Faust's
    default) nearly every response and alert goes in a produce request of its own; 10 ms gave
    ~33% more events per worker CPU-second at 100k notices (docs/benchmarks.md, "The producer
    linger"). An agent's records go as soon as its batch is handled, at most once per this long
    per agent (streams/send_now.py), so at a low rate no answer waits it."""
    faust_consumer_max_fetch_size: int = Field(8 * 1024 * 1024, ge=64 * 1024)
    """Bytes the worker's consumer fetches per partition per request (Faust's ``consumer_max_fetch_size``,
    default 1 MiB). At 1 MiB a no-op Faust agent read ~3,600 events/s however fast it was; at 8 MiB
    ~16,000/s on the same machine (docs/benchmarks.md)."""
    faust_max_poll_records: int = Field(4096, ge=1)
    """Records the worker's consumer hands over at most per poll (Faust's ``broker_max_poll_records``,
    default unbounded). Unbounded, a poll decodes everything fetched: with standby copies catching up,
    up to 8 MiB per changelog partition, hundreds of thousands of records in memory at once."""
    faust_fetch_max_wait_ms: int = Field(20, ge=0, le=1500)
    """How long the broker may hold the worker's fetch request when it has nothing new (Faust hard-codes
    1500 ms, which made events wait up to 1.5 s behind a batch: ``streams/fetch_wait.py``)."""
    faust_fetch_gather_ms: int | None = Field(None, ge=0, le=100)
    """While events flow, how long the worker's next fetch may wait for ``faust_fetch_gather_bytes`` to gather
    (``streams/fetch_wait.py``). An empty fetch goes back to one byte, so an event after a quiet spell is answered
    at once; 0: every fetch is answered as soon as one record is there. Unset: 20 ms, or 0 with ``documents_check``,
    where a crossing's check record follows its event through the same worker and would wait out the gather
    (``streams.app.fetch_gather_ms``). 20 ms with 2 KiB measured about 40% less CPU per event at 300 events/s than 0,
    and the 1,000/s latency targets met more often, for about 4 ms more on the median answer (docs/benchmarks.md,
    "Gathering fetches by bytes")."""
    faust_fetch_gather_bytes: int = Field(2 * 1024, ge=1)
    """The bytes a fetch waits for while events flow (``faust_fetch_gather_ms``): about five border crossings.
    Under load they are there within a few milliseconds, so the wait shortens as the rate grows."""
    faust_consumer_thread: bool = False
    """Run the worker's Kafka consumer in a thread of its own, as Faust does. False (the default): in the worker's
    event loop (``streams/consumer_loop.py``): the worker measured 35-40% of a core at 300 events/s, against 41-48%
    with the thread."""
    # --- worker failover (issue 15, docs/reliability.md "Worker failover") ---
    client_rack: str | None = None
    """The worker's rack or availability zone (Kafka's ``client.rack``, KIP-392): with brokers whose
    ``replica.selector.class`` is rack-aware, its consumer fetches from an in-sync replica there. Unset:
    from the leader."""
    worker_id: str | None = None
    """This worker's ``group.instance.id`` (KIP-345 static membership): a worker restarted with the same id
    takes its partitions back at once, without a rebalance. Must be unique among the running workers and
    the same across restarts. Unset: ``<host name>-<8 hex digits of the worker's data directory>``, stable
    per host and data directory; set it where the host name changes on every start (containers)."""
    worker_static_membership: bool = True
    """True (the default): the worker joins its group as a static member (``group.instance.id``, KIP-345),
    so a worker restarted at once takes its partitions back without waiting out its old session. A static
    member does not leave the group when it stops, even cleanly: a worker removed for good keeps its
    partitions from the others for the session timeout. False: a worker stopped cleanly leaves the group
    at once, and a SIGKILLed one's partitions wait out the session timeout (docs/reliability.md)."""
    worker_session_timeout_seconds: float = Field(10.0, ge=1.0, le=300.0)
    """How long the group waits for a silent worker before its partitions go to the others. The broker
    only accepts values within its ``group.min.session.timeout.ms`` (default 6 s) and
    ``group.max.session.timeout.ms``. Faust's default is 60 s."""
    worker_heartbeat_interval_seconds: float = Field(1.0, gt=0.0, le=100.0)
    """How often the worker's consumer heartbeats; at most a third of the session timeout. It also bounds
    how long a surviving worker takes to hear of a rebalance."""
    # --- reported travel documents (issue 19, docs/documents.md) ---
    documents_check: bool = False
    """Check the document of every border crossing and visa application against ``documents.reported``
    (a partitioned Faust table on RocksDB in the workers). Off (the default for now): events are answered
    from name screening alone."""
    table_standby_replicas: int = Field(1, ge=0)
    """Standby copies of each table partition kept warm on other workers (Faust's setting)."""
    documents_block_cache_mb: float = Field(32.0, gt=0)
    documents_write_buffer_mb: float = Field(32.0, gt=0)
    """RocksDB memory of one worker for the document tables, whatever the partitions it holds (active or
    standby): one block cache, and one budget for all the write buffers (memtables). Faust's defaults,
    per partition, are 2 GiB and 3 x 64 MiB."""

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    @model_validator(mode="after")
    def _read_secret_files(self) -> Settings:
        """Fill each secret from its ``*_FILE`` when the secret itself is not set in the environment."""
        for field, file_field in _SECRET_FILES.items():
            path = getattr(self, file_field)
            if path is not None and (getattr(self, field) is None or field not in self.model_fields_set):
                try:
                    secret = Path(path).read_text(encoding="utf-8").strip()
                except OSError as exc:
                    variable = _env_name(file_field, type(self).model_fields[file_field].validation_alias)
                    raise ValueError(f"cannot read {variable} {path}: {exc.strerror}") from None
                setattr(self, field, SecretStr(secret))
        if self.review_retention_days < self.clearance_days:
            raise ValueError(f"FUGITIVE_ALERTS_REVIEW_RETENTION_DAYS ({self.review_retention_days}) must be at least "
                             f"FUGITIVE_ALERTS_CLEARANCE_DAYS ({self.clearance_days}): a clearance needs its decision")
        if self.worker_heartbeat_interval_seconds * 3 > self.worker_session_timeout_seconds:
            raise ValueError(
                "FUGITIVE_ALERTS_WORKER_HEARTBEAT_INTERVAL_SECONDS must be at most a third of "
                "FUGITIVE_ALERTS_WORKER_SESSION_TIMEOUT_SECONDS"
            )
        if self.min_insync_replicas is not None and self.min_insync_replicas > self.replication_factor:
            raise ValueError(
                "FUGITIVE_ALERTS_MIN_INSYNC_REPLICAS cannot exceed FUGITIVE_ALERTS_REPLICATION_FACTOR "
                "(every acks=all write would fail)"
            )
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs KAFKA_SASL_USERNAME and "
                "KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)"
            )
        return self

    @property
    def alert_retention_days(self) -> int:
        """How long alerts and their deliveries are kept: twice ``event_retention_days``, since a notice changed
        at the end of the window re-screens events as old as the window (``retention.ms`` on ``alerts``,
        ``alerts.deliveries`` and ``alerts.deliveries.intents``). A settled escalation record is deleted this
        long after its last change."""
        return 2 * self.event_retention_days

    @property
    def ingest_agency_list(self) -> list[str]:
        """The agencies of ``ingest_agencies``, in order, without blanks or repeats."""
        return list(dict.fromkeys(a.strip() for a in self.ingest_agencies.split(",") if a.strip()))

    def kafka_ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context of every Kafka client (``None`` unless the protocol is SSL or SASL_SSL).

        Verifies the broker's certificate and host name against ``kafka_ssl_cafile`` (or the system's
        CAs); loads the client certificate when ``kafka_ssl_certfile`` is set.
        """
        if self.kafka_security_protocol not in ("SSL", "SASL_SSL"):
            return None
        context = ssl.create_default_context(cafile=str(self.kafka_ssl_cafile) if self.kafka_ssl_cafile else None)
        if self.kafka_ssl_certfile is not None:
            context.load_cert_chain(str(self.kafka_ssl_certfile),
                                    str(self.kafka_ssl_keyfile) if self.kafka_ssl_keyfile else None)
        return context

    def kafka_client_kwargs(self) -> dict[str, object]:
        """Connection arguments shared by every aiokafka client (producers, consumers, admin):
        the bootstrap servers, and the security protocol, TLS context and SASL login if configured."""
        kwargs: dict[str, object] = {"bootstrap_servers": self.kafka_bootstrap_servers.split(",")}
        if self.kafka_security_protocol == "PLAINTEXT":
            return kwargs
        kwargs["security_protocol"] = self.kafka_security_protocol
        context = self.kafka_ssl_context()
        if context is not None:
            kwargs["ssl_context"] = context
        if self.kafka_security_protocol.startswith("SASL_"):
            assert self.kafka_sasl_password is not None  # checked at validation
            kwargs |= {"sasl_mechanism": self.kafka_sasl_mechanism, "sasl_plain_username": self.kafka_sasl_username,
                       "sasl_plain_password": self.kafka_sasl_password.get_secret_value()}
        return kwargs

    @property
    def topic_min_insync_replicas(self) -> int:
        """``min_insync_replicas``, or a majority of ``replication_factor`` when it is unset."""
        if self.min_insync_replicas is not None:
            return self.min_insync_replicas
        return self.replication_factor // 2 + 1

    def faust_broker_urls(self) -> list[str]:
        return [f"kafka://{hostport.strip()}" for hostport in self.kafka_bootstrap_servers.split(",")]

    def ack_keys(self) -> tuple[bytes, ...]:
        """The acknowledgement keys accepted: the current one (which signs), then the previous one."""
        keys = [self.ack_secret.get_secret_value().encode()]
        if self.ack_secret_previous is not None and self.ack_secret_previous.get_secret_value():
            keys.append(self.ack_secret_previous.get_secret_value().encode())
        return tuple(keys)

    def uses_real_twilio(self) -> bool:
        """True when SMS go to Twilio itself (``*.twilio.com``), not to a mock."""
        host = (urlsplit(self.twilio_api_base_url).hostname or "").lower()
        return host == "twilio.com" or host.endswith(".twilio.com")

    def secret_problems(self) -> list[str]:
        """Why the dispatcher or the monitor must not start with these secrets (empty: they may).

        Outside ``FUGITIVE_ALERTS_ENV=demo|test``, the acknowledgement keys must be set, not the
        built-in one and at least ``MIN_KEY_BYTES`` long; with the real Twilio configured, so must
        the Twilio auth token. Each problem names the variable to set, never a value.
        """
        if self.env != "production":
            return []
        problems = []
        for field, variable in (("ack_secret", "FUGITIVE_ALERTS_ACK_SECRET"),
                                ("ack_secret_previous", "FUGITIVE_ALERTS_ACK_SECRET_PREVIOUS")):
            secret: SecretStr | None = getattr(self, field)
            if secret is None:
                continue
            value = secret.get_secret_value().encode()
            if value == DEV_ACK_SECRET.encode():
                problems.append(f"{variable} is the built-in development key: set {variable} (or {variable}_FILE) "
                                f"to a random key of at least {MIN_KEY_BYTES} bytes, e.g. the output of "
                                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`")
            elif len(value) < MIN_KEY_BYTES:
                problems.append(f"{variable} is shorter than {MIN_KEY_BYTES} bytes: set {variable} "
                                f"(or {variable}_FILE) to a random key of at least {MIN_KEY_BYTES} bytes")
        token = self.twilio_auth_token.get_secret_value()
        if self.uses_real_twilio() and (not token or token == DEV_TWILIO_TOKEN):
            problems.append("TWILIO_AUTH_TOKEN is the built-in test token while TWILIO_API_BASE_URL is Twilio: "
                            "set TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) to your account's auth token")
        return problems

    def to_env(self) -> dict[str, str]:
        """These settings as environment variables, for starting another process with the same ones.

        No secret goes into the environment: a secret read from a file is passed on as that file's
        path; any other is written to a file of mode 0600 under ``<data_dir>/secrets/`` and passed
        on as the path of that file (``*_FILE``).
        """
        env: dict[str, str] = {}
        fields = type(self).model_fields
        for name, info in fields.items():
            value = getattr(self, name)
            if value is None:
                continue
            if name in _SECRET_FILES:
                file_field = _SECRET_FILES[name]
                if getattr(self, file_field) is None:  # else the file's path is passed as its own setting
                    env[_env_name(file_field, fields[file_field].validation_alias)] = str(
                        self._secret_file(name, value))
                continue
            if isinstance(value, SecretStr):  # pragma: no cover - every secret has a *_FILE form
                raise TypeError(f"secret setting {name} has no *_FILE form")
            if isinstance(value, bool):
                value = "true" if value else "false"
            env[_env_name(name, info.validation_alias)] = str(value)
        return env

    def _secret_file(self, name: str, value: SecretStr) -> Path:
        """A 0600 file holding ``value``, named by the secret and a digest of its value: two processes
        started with different values (e.g. two Kafka users) never share, nor overwrite, a file."""
        secret = value.get_secret_value()
        directory = (Path(self.data_dir) / "secrets").absolute()
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = directory / f"{name}-{hashlib.sha256(secret.encode()).hexdigest()[:16]}"
        if not path.exists():
            temp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(secret)
            os.replace(temp, path)  # whole or not at all, for a process reading it now
        return path


def _env_name(name: str, alias: object) -> str:
    return str(alias.choices[0]) if isinstance(alias, AliasChoices) else f"FUGITIVE_ALERTS_{name.upper()}"


def secret_env_names() -> list[str]:
    """Every environment variable that can hold a secret's value (not its file), conventional and
    ``FUGITIVE_ALERTS_`` forms: what a process starting another removes from the inherited environment."""
    names: list[str] = []
    for field in _SECRET_FILES:
        alias = Settings.model_fields[field].validation_alias
        names += [str(a) for a in alias.choices] if isinstance(alias, AliasChoices) else [
            f"FUGITIVE_ALERTS_{field.upper()}"]
    return names
