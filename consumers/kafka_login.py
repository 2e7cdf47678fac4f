"""Tell a refused login or an untrusted certificate apart from a broker that is down.

aiokafka reports both as ``KafkaConnectionError("Unable to bootstrap ...")`` and logs the reason.
A process that waits for Kafka at start must not retry a wrong password for two minutes and then
say "start the broker": :func:`login_problem` opens one connection to a bootstrap server the way
every client does (:func:`infra._compat.open_connection`: aiokafka has no public call for it),
and says what is wrong with the login, in words an operator can act on.
"""

from __future__ import annotations

import asyncio
import ssl

from aiokafka.errors import AuthenticationFailedError, KafkaError, SaslAuthenticationFailed

from infra._compat import open_connection
from schemas import Settings

__all__ = ["login_problem"]


async def login_problem(settings: Settings, timeout: float = 10.0) -> str | None:
    """A message saying why Kafka refused this client's TLS handshake or SASL login, or ``None``
    (the login works, or the broker cannot be reached at all, which is another problem)."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    kwargs = settings.kafka_client_kwargs()
    kwargs.pop("bootstrap_servers")
    host, _, port = settings.kafka_bootstrap_servers.split(",")[0].strip().rpartition(":")
    user = settings.kafka_sasl_username
    try:
        await asyncio.wait_for(open_connection(host, int(port), timeout_ms=int(timeout * 1000), **kwargs), timeout)
    except (SaslAuthenticationFailed, AuthenticationFailedError):
        return (f"Kafka at {settings.kafka_bootstrap_servers} refused the login of user {user!r} "
                f"({settings.kafka_sasl_mechanism}): check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD "
                "(or KAFKA_SASL_PASSWORD_FILE), and that the user exists on the cluster")
    except ssl.SSLCertVerificationError as exc:
        return (f"the TLS certificate of Kafka at {settings.kafka_bootstrap_servers} is not trusted "
                f"({exc.verify_message}): set KAFKA_SSL_CAFILE to the CA that signed it")
    except ssl.SSLError as exc:
        return (f"the TLS handshake with Kafka at {settings.kafka_bootstrap_servers} failed ({exc.reason}): "
                "check KAFKA_SECURITY_PROTOCOL and that this port is a TLS listener")
    except (TimeoutError, KafkaError, OSError, ValueError):
        return None
    return None
