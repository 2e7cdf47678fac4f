"""Wire models (pydantic v2) for every record on every topic, plus settings. No I/O."""

from . import topics
from ._base import describe_validation_error
from .alerts import (
    Acknowledgement,
    Alert,
    Band,
    BureauEscalation,
    Channel,
    Delivery,
    DeliveryIntent,
    DeliveryKind,
    DeliveryStatus,
    Escalation,
    Rejected,
    SeenBefore,
    Sighting,
    StoredEscalation,
    Urgency,
    alert_id_for,
    delivery_key,
)
from .bureaus import WEEKDAYS, Bureau, BureauDirectory, Officer, Shift, Subscription, Weekday
from .checks import DocumentCheck, SightingRef, SourcePosition
from .document_hit import DocumentHit
from .documents import DocumentStatus, DocumentType, ReportedDocument, document_key
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
from .rejected import rejected_max_bytes
from .responses import ACTIONS, AppliedClearance, CallBureau, Response, ResponseHit, ResponseResult, response_topic
from .reviews import ReviewDecision, ReviewItem
from .settings import Settings
from .urgency import urgency_for
from .wanted import Name, NoticeStatus, NoticeType, WantedPerson

AnyEvent = BorderCrossing | VisaApplication | Tip

__all__ = [
    "topics",
    "Acknowledgement",
    "Alert",
    "AnyEvent",
    "Band",
    "BureauEscalation",
    "DeliveryKind",
    "Escalation",
    "Sighting",
    "StoredEscalation",
    "BorderCrossing",
    "Bureau",
    "BureauDirectory",
    "Channel",
    "Delivery",
    "DeliveryIntent",
    "DeliveryStatus",
    "Document",
    "DocumentStatus",
    "DocumentType",
    "ReportedDocument",
    "DocumentCheck",
    "DocumentHit",
    "SightingRef",
    "SourcePosition",
    "document_key",
    "Event",
    "EVENT_ADAPTER",
    "Location",
    "Name",
    "NoticeStatus",
    "NoticeType",
    "Officer",
    "Person",
    "Rejected",
    "rejected_max_bytes",
    "SeenBefore",
    "Response",
    "ResponseHit",
    "ReviewDecision",
    "ReviewItem",
    "AppliedClearance",
    "ResponseResult",
    "CallBureau",
    "ACTIONS",
    "response_topic",
    "Settings",
    "Shift",
    "Weekday",
    "WEEKDAYS",
    "Subscription",
    "Tip",
    "Urgency",
    "VisaApplication",
    "WantedPerson",
    "alert_id_for",
    "delivery_key",
    "describe_validation_error",
    "event_subject",
    "urgency_for",
]
