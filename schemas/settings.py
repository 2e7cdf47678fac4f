"""The one settings class. Read once at start-up (``Settings()``) and passed down."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


def _env(name: str) -> AliasChoices:
    """Accept the conventional variable name as well as the ``FUGITIVE_ALERTS_`` one."""
    return AliasChoices(name, f"FUGITIVE_ALERTS_{name}")


_SECRET_FILES = {
    "kafka_sasl_password": "kafka_sasl_password_file",
    "smtp_password": "smtp_password_file",
    "twilio_auth_token": "twilio_auth_token_file",
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

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS"))
    topic_prefix: str = ""
    """Prepended to every topic name, e.g. ``staging.`` or a test's unique prefix."""
    partitions: int = 1
    """Partition count for the topics the project creates (events, alerts, wanted list)."""
    replication_factor: int = 1

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
    twilio_auth_token: SecretStr = Field(SecretStr("test-token"), validation_alias=_env("TWILIO_AUTH_TOKEN"))
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

    app_id: str = "fugitive-alerts"
    """Faust app id: also its consumer group and the prefix of its changelog topics."""
    dispatcher_group: str = "fugitive-alerts-dispatcher"
    data_dir: Path = Path("var")
    """Where local state lives: the broker's data, Faust tables, logs and pid files."""
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
    ops_email_to: str | None = None
    """Ops contact: emailed when a group is failing (ERR, STOP, STALL, REWIND) for ``ops_alert_after_minutes``."""
    ops_alert_after_minutes: float = 5.0
    ops_reminder_minutes: float = 60.0
    """A reminder while the group is still failing, this long after the previous email."""

    # --- delivery: escalation, acknowledgement, dedup, rate limits (issue 4) ---
    web_host: str = "127.0.0.1"
    web_port: int = 8070
    """The dispatcher's web app: acknowledgement links and Twilio webhooks."""
    ack_secret: SecretStr = SecretStr("dev-only-ack-secret-change-me")
    """HMAC key of acknowledgement links. Set it in production: links signed with another key fail."""
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

    # --- reliability (issue 6, docs/reliability.md) ---
    startup_timeout_seconds: float = 120.0
    """How long a command retries an unreachable Kafka at start before it gives up with a message."""
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    """The Faust worker's guarantee. Exactly-once was evaluated and is not the default: see docs/reliability.md."""
    producer_linger_ms: float = Field(10.0, ge=0.0, le=1000.0)
    """How long the worker's producer waits to fill a batch before sending it. With 0 (Faust's
    default) nearly every response and alert goes in a produce request of its own; 10 ms gave
    ~33% more events per worker CPU-second at 100k notices and every response waits at most this
    long (docs/benchmarks.md, "The producer linger")."""
    faust_consumer_max_fetch_size: int = Field(8 * 1024 * 1024, ge=64 * 1024)
    """Bytes the worker's consumer fetches per partition per request (Faust's ``consumer_max_fetch_size``,
    default 1 MiB). At 1 MiB a no-op Faust agent read ~3,600 events/s however fast it was; at 8 MiB
    ~16,000/s on the same machine (docs/benchmarks.md)."""
    faust_fetch_max_wait_ms: int = Field(20, ge=0, le=1500)
    """How long the broker may hold the worker's fetch request when it has nothing new (Faust hard-codes
    1500 ms, which made events wait up to 1.5 s behind a batch: ``streams/fetch_wait.py``)."""
    fault_exit_before_commit: bool = False
    """Fault injection for tests only: the dispatcher exits abruptly (as if killed) once its first
    batch is delivered and recorded, before the batch's offsets are committed (no send in flight)."""

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
                    raise ValueError(f"cannot read {file_field.upper()} {path}: {exc.strerror}") from None
                setattr(self, field, SecretStr(secret))
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs KAFKA_SASL_USERNAME and "
                "KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)"
            )
        return self

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

    def faust_broker_urls(self) -> list[str]:
        return [f"kafka://{hostport.strip()}" for hostport in self.kafka_bootstrap_servers.split(",")]

    def to_env(self) -> dict[str, str]:
        """These settings as environment variables, for starting another process with the same ones."""
        env: dict[str, str] = {}
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if value is None:
                continue
            alias = info.validation_alias
            key = alias.choices[0] if isinstance(alias, AliasChoices) else f"FUGITIVE_ALERTS_{name.upper()}"
            if name in _SECRET_FILES and getattr(self, _SECRET_FILES[name]) is not None:
                continue  # the other process reads the same file: the secret stays out of its environment
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            elif isinstance(value, bool):
                value = "true" if value else "false"
            env[str(key)] = str(value)
        return env
