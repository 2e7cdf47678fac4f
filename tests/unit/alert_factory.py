"""Build real Alert objects through the real screening path (matching.Matcher + streams.screen_record)."""

from __future__ import annotations

import json
from typing import Any

from matching import Matcher
from schemas import Alert, WantedPerson
from streams import screen_record
from tests import factories as f

NOTICE = f.notice("Mbarushimanzi", "Athanasius", notice_id="2026/00001", dob="1951-03-01", nationality="RW",
                  passport="RW7000001", requesting="RW", offences=["genocide"])
TRAVELER = f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-03-01", nationality="RW", passport="RW7000001")


def matcher_with(*notices: dict[str, Any]) -> Matcher:
    m = Matcher()
    for n in notices:
        m.upsert(WantedPerson.model_validate(n))
    return m


def make_alert(event: dict[str, Any] | None = None, notice: dict[str, Any] | None = None) -> Alert:
    event = event or f.border_crossing(TRAVELER, country="KE")
    outcome = screen_record(json.dumps(event).encode(), topic="t", partition=0, offset=0,
                            expected_type=event["event_type"], screener=matcher_with(notice or NOTICE))
    assert outcome.alerts, "the factory event should hit the factory notice"
    return outcome.alerts[0]
