"""The Faust app's Kafka credentials, from the same settings every aiokafka client uses.

Faust builds its own consumer and producers; ``broker_credentials`` is how it passes the
security protocol, SASL login and TLS context on to them (``faust/transport/drivers/aiokafka.py``,
``credentials_to_aiokafka_auth``). PLAINTEXT: ``None``.
"""

from __future__ import annotations

import faust
from faust.types.auth import CredentialsT

from schemas import Settings

__all__ = ["faust_credentials"]


def faust_credentials(settings: Settings) -> CredentialsT | None:
    """``faust.SASLCredentials`` (SASL_PLAINTEXT, or SASL_SSL with the TLS context),
    ``faust.SSLCredentials`` (SSL) or ``None`` (PLAINTEXT), as ``Settings.kafka_client_kwargs``."""
    protocol = settings.kafka_security_protocol
    context = settings.kafka_ssl_context()
    if protocol == "SSL":
        assert context is not None
        return faust.SSLCredentials(context)
    if protocol in ("SASL_PLAINTEXT", "SASL_SSL"):
        assert settings.kafka_sasl_password is not None  # checked when the settings were read
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=settings.kafka_sasl_password.get_secret_value(),
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=context,  # None for SASL_PLAINTEXT
        )
    return None
