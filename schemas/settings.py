"""The one settings class. Read once at start-up (``Settings()``) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


def _env(name: str) -> AliasChoices:
    """Accept the conventional variable name as well as the ``FUGITIVE_ALERTS_`` one."""
    return AliasChoices(name, f"FUGITIVE_ALERTS_{name}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FUGITIVE_ALERTS_",
        env_file=".env",
        extra="ignore",
        populate_by_name=True,
    )

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS"))
    topic_prefix: str = ""
    """Prepended to every topic name, e.g. ``staging.`` or a test's unique prefix."""
    partitions: int = 1
    """Partition count for the topics the project creates (events, alerts, wanted list)."""
    replication_factor: int = 1

    smtp_host: str = Field("127.0.0.1", validation_alias=_env("SMTP_HOST"))
    smtp_port: int = Field(1025, validation_alias=_env("SMTP_PORT"))
    smtp_username: str | None = Field(None, validation_alias=_env("SMTP_USERNAME"))
    smtp_password: SecretStr | None = Field(None, validation_alias=_env("SMTP_PASSWORD"))
    smtp_starttls: bool = Field(False, validation_alias=_env("SMTP_STARTTLS"))
    smtp_timeout: float = 10.0
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

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def kafka_client_kwargs(self) -> dict[str, object]:
        """Connection arguments shared by every aiokafka client (producers, consumers, admin)."""
        return {"bootstrap_servers": self.kafka_bootstrap_servers.split(",")}

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
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            elif isinstance(value, bool):
                value = "true" if value else "false"
            env[str(key)] = str(value)
        return env
