"""Wire models (pydantic v2) for every record on every topic, plus settings. No I/O."""

from . import topics
from .alerts import (
    Acknowledgement,
    Alert,
    Band,
    Channel,
    Delivery,
    DeliveryStatus,
    Rejected,
    Urgency,
    alert_id_for,
    delivery_key,
)
from .bureaus import Bureau, BureauDirectory, Officer, Subscription
from .events import (
    EVENT_ADAPTER,
    BorderCrossing,
    Document,
    Event,
    Location,
    Person,
    Tip,
    VisaApplication,
    event_subject,
)
from .responses import ACTIONS, CallBureau, Response, ResponseHit, ResponseResult, response_topic
from .settings import Settings
from .wanted import Name, NoticeStatus, NoticeType, WantedPerson

AnyEvent = BorderCrossing | VisaApplication | Tip

__all__ = [
    "topics",
    "Acknowledgement",
    "Alert",
    "AnyEvent",
    "Band",
    "BorderCrossing",
    "Bureau",
    "BureauDirectory",
    "Channel",
    "Delivery",
    "DeliveryStatus",
    "Document",
    "Event",
    "EVENT_ADAPTER",
    "Location",
    "Name",
    "NoticeStatus",
    "NoticeType",
    "Officer",
    "Person",
    "Rejected",
    "Response",
    "ResponseHit",
    "ResponseResult",
    "CallBureau",
    "ACTIONS",
    "response_topic",
    "Settings",
    "Subscription",
    "Tip",
    "Urgency",
    "VisaApplication",
    "WantedPerson",
    "alert_id_for",
    "delivery_key",
    "event_subject",
]
