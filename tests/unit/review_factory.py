"""Review items for tests, built from real alerts (tests.unit.alert_factory): fictional people only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.reviews import ReviewItem
from tests import factories as f

from .alert_factory import NOTICE, make_alert

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def review_item(bureaus: list[str], *, queued_minutes_ago: float = 10.0, event: dict[str, Any] | None = None,
                requesting_bureau: str | None = "ncb-rw", now: datetime = T0,
                notice: dict[str, Any] | None = None) -> ReviewItem:
    """A review item of a (real) hit of ``event`` (default: a border crossing in KE) on the factory notice."""
    alert = make_alert(event, notice).model_copy(update={"band": "review", "urgency": "normal"})
    return ReviewItem(item_id=alert.alert_id, alert=alert, bureaus=bureaus,
                      queued_at=now - timedelta(minutes=queued_minutes_ago), requesting_bureau=requesting_bureau)


def crossing(n: int, *, passport: str | None = "RW5550001", dob: str = "1951-03-01") -> dict[str, Any]:
    """The factory traveller crossing at KE, as event ``bc-review-<n>``."""
    traveller = f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob=dob, nationality="RW", passport=passport)
    return f.border_crossing(traveller, event_id=f"bc-review-{n}")


def visa(n: int) -> dict[str, Any]:
    traveller = f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-03-01", nationality="RW", passport="RW7000001")
    return f.visa_application(traveller, event_id=f"va-review-{n}")


__all__ = ["NOTICE", "T0", "crossing", "review_item", "visa"]
