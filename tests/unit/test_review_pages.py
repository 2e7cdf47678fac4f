"""The console's pages render every event type, escape what they show, and offer only the decisions that apply."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from consumers.review_auth import Sessions
from consumers.review_rules import Entry, Principal, QueueFilter
from fugitive_alerts.review_console import ReviewConsole
from schemas import Settings, event_subject
from tests import factories as f

from .review_factory import T0, crossing, review_item, visa

KE = Principal("ke-analyst-1", frozenset({"ncb-ke"}))
RW = Principal("rw-analyst-1", frozenset({"ncb-rw"}))


def _tip() -> dict[str, Any]:
    return f.tip("Athanasius Mbarushimanzi", "Seen at the market <b>twice</b>\nwith a driver", event_id="tip-review-1")


def _render(event: dict[str, Any], who: Principal = KE, **item_kw: Any) -> str:
    console = ReviewConsole(Settings(_env_file=None), None, clock=lambda: T0)
    item = review_item(["ncb-ke", "ncb-rw"], event=event, **item_kw)
    session = Sessions(timedelta(minutes=5)).create(who, T0)
    person = event_subject(item.alert.event)
    response = console._page("item.html.j2", session=session, entry=Entry(item, tuple(item.bureaus)), item=item,
                             alert=item.alert, event=item.alert.event, person=person, notice=item.alert.notice,
                             clearable=True)
    assert response.status == 200 and response.text is not None
    return response.text


@pytest.mark.parametrize(("event", "expect"), [
    (crossing(1), ["NBO-JKIA-T1", "RW5550001", "border crossing"]),
    (visa(2), ["FR-CONSULATE-NAIROBI", "→ FR", "visa application"]),
    (_tip(), ["Kinshasa", "Seen at the market &lt;b&gt;twice&lt;/b&gt;", "tip"]),
])
def test_the_item_page_renders_each_event_type_with_both_sides(event: dict[str, Any], expect: list[str]) -> None:
    html = _render(event)
    for text in [*expect, "The event", "The notice", "2026/00001", "genocide", 'name="csrf"']:
        assert text in html, text
    assert "<b>twice" not in html, "free text is escaped, never markup"


def test_unsure_is_offered_only_when_someone_else_can_take_the_referral() -> None:
    assert 'value="unsure" class="unsure" >' in _render(crossing(3)).replace("  ", " ")
    assert 'title="you are the requesting bureau"' in _render(crossing(4), who=RW)
    assert 'title="no requesting bureau known"' in _render(crossing(5), requesting_bureau=None)


def test_the_queue_page_lists_entries_in_the_given_order_with_their_age() -> None:
    console = ReviewConsole(Settings(_env_file=None), None, clock=lambda: T0)
    a = review_item(["ncb-ke"], event=crossing(6), queued_minutes_ago=125)
    b = review_item(["ncb-ke"], event=crossing(7), queued_minutes_ago=3)
    session = Sessions(timedelta(minutes=5)).create(KE, T0)
    html = console._page("queue.html.j2", session=session, entries=[Entry(a, ("ncb-ke",)), Entry(b, ("ncb-ke",))],
                         bureaus=["ncb-ke"], event_types=("border_crossing",), query=QueueFilter(), decided="",
                         ready=True).text
    assert html is not None
    assert html.index(a.item_id) < html.index(b.item_id)
    assert "2 h 5 min" in html and "3 min" in html and "2 open items, oldest first" in html
    assert "MBARUSHIMANZI" not in html, "the queue lists ids and places, not names"


def test_the_clearances_page_shows_each_clearance_with_an_escaped_reason_and_a_csrf_revoke_form() -> None:
    from schemas.reviews import ClearedIdentity, ReviewDecision

    console = ReviewConsole(Settings(_env_file=None), None, clock=lambda: T0)
    item = review_item(["ncb-ke"], event=crossing(8))
    cleared = ReviewDecision(item_id=item.item_id, alert_id=item.item_id, notice_id="2026/00001", bureau_id="ncb-ke",
                             officer="ke-analyst-1", outcome="not_the_person", reason="other <i>passport</i>",
                             at=T0 - timedelta(days=2), notice_fingerprint="f" * 32,
                             identity=ClearedIdentity(document_country="RW", document_number="RW5550001",
                                                      birth_date="1951-07-11"))
    session = Sessions(timedelta(minutes=5)).create(KE, T0)
    html = console._page("clearances.html.j2", session=session, rows=[(cleared, item, T0 + timedelta(days=178))],
                         ready=True, days=180, revoked="").text or ""
    for text in (f'data-item="{item.item_id}"', "RW RW5550001, born 1951-07-11", "NBO-JKIA-T1", "2 d 0 h ago",
                 "2027-05-25", f'action="/clearances/{item.item_id}/revoke"', f'value="{session.csrf}"',
                 "other &lt;i&gt;passport&lt;/i&gt;", "1 clearance in force"):
        assert text in html, text
    assert "<i>passport" not in html
