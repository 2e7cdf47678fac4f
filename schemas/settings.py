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
    public_url: str = "http://127.0.0.1:6066"
    """Base URL for links in emails (acknowledgement)."""
    log_json: bool = False

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
