"""Exceptions raised by the alerting package.

    AlertingError
    ├── DirectoryError            the bureau directory file is missing or invalid
    └── DeliveryError             a channel could not hand a message to its provider
        ├── TransientDeliveryError    5xx, 429, timeouts, connection refused: retry later
        └── PermanentDeliveryError    4xx, invalid recipient: retrying will not help
"""

from __future__ import annotations

from schemas.errors import FugitiveAlertsError

__all__ = [
    "AlertingError",
    "DirectoryError",
    "DeliveryError",
    "TransientDeliveryError",
    "PermanentDeliveryError",
]


class AlertingError(FugitiveAlertsError):
    pass


class DirectoryError(AlertingError):
    pass


class DeliveryError(AlertingError):
    def __init__(self, message: str, *, channel: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.channel = channel
        self.retry_after = retry_after


class TransientDeliveryError(DeliveryError):
    pass


class PermanentDeliveryError(DeliveryError):
    pass
