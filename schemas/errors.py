"""The one exception base of fugitive-alerts, and the tree of the errors the project raises.

Catch :class:`FugitiveAlertsError` to catch anything the project raises on purpose (a message
for a person, never a traceback). Each error also keeps the built-in base its callers caught
before (``ValueError`` for bad input, ``RuntimeError`` for a process or service that failed), so
``except ValueError`` still works. The classes live next to the code that raises them; this
module only holds the root, so that every package may import it (``schemas`` imports nothing
of the project). ::

    FugitiveAlertsError
    ├── bad input (also ValueError): exit 2 on the command line
    │   ├── fugitive_alerts.importers.InputError     a wanted-list file that cannot be read at all
    │   ├── fugitive_alerts.importers.RowError       one row that cannot become a notice (skipped, reported)
    │   └── alerting.InvalidToken                    an acknowledgement link malformed, forged or expired
    ├── alerting.AlertingError
    │   ├── alerting.DirectoryError                  the bureau directory file is missing or invalid
    │   └── alerting.DeliveryError                   a channel could not hand a message over (channel, retry_after)
    │       ├── alerting.TransientDeliveryError      5xx, 429, timeouts: retry later
    │       └── alerting.PermanentDeliveryError      4xx, invalid recipient: retrying will not help
    ├── Kafka (also RuntimeError)
    │   ├── consumers.BrokerUnavailable              Kafka did not answer within the deadline
    │   ├── infra.TopicNotFound                      a topic a reader needs does not exist
    │   ├── fugitive_alerts.acls.AclError            the broker refused an ACL
    │   ├── fugitive_alerts.sent.RecordsRefused      records a command sent were not written
    │   └── infra._compat.IncompatibleLibrary        aiokafka is not the version its private calls were checked on
    └── the local stack (also RuntimeError)
        ├── fugitive_alerts.local.ServiceError       a background service did not start, died, or is not ready
        ├── fugitive_alerts.local.BrokerError        the local Kafka could not be set up, started or reached
        └── fugitive_alerts.local.TwilioMockError    the Twilio mock could not be installed or started
"""

from __future__ import annotations

__all__ = ["FugitiveAlertsError"]


class FugitiveAlertsError(Exception):
    """Base of every exception fugitive-alerts raises on purpose. Its message is for a person:
    it says what is wrong and what to do, and never holds personal data."""
