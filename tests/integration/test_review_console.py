"""The review console on the real broker: review items on ``reviews``, the console in-process on a free port,
officers signing in, listing, opening and deciding; decisions read back from ``reviews.decisions``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from schemas import Settings, alert_id_for, topics
from schemas.reviews import ReviewItem
from tests import factories as f

from .kafka_helpers import produce_json, read_until
from .review_world import (
    PASSWORD,
    Officer,
    answer_to,
    decisions_for,
    namesake,
    new_items,
    passport,
    publish_items,
    run_scenario,
    running_console,
    until,
)
from .world import KNOWN

NAME, PASSPORT = "MBARUSHIMANZI", "RW5550001"
"""The fictional namesake on every item (tests.unit.review_factory.crossing)."""


@pytest.fixture
def world(settings_factory: Callable[..., Settings]) -> Settings:
    return settings_factory(smtp=False, twilio=False)


def test_an_analyst_signs_in_lists_opens_and_clears_a_namesake(world: Settings, officers_file: Path) -> None:
    ke_old, ke_new, fr_only = new_items(["ncb-ke", "ncb-rw"], ["ncb-ke"], ["ncb-fr"])
    publish_items(world, [ke_new, fr_only, ke_old])

    async def scenario() -> None:
        async with running_console(world, officers_file) as (_, officer):
            ke = officer()
            assert await ke.sign_in("ke-analyst-1") == 303
            assert await ke.queue_ids() == [ke_old.item_id, ke_new.item_id], "own bureau's items only, oldest first"
            status, html = await ke.get(f"/items/{ke_old.item_id}")
            assert status == 200
            for shown in (NAME, PASSPORT, "1951-03-01", "RW7000001", ke_old.alert.notice_id, f"{ke_old.alert.score:.2f}",
                          ke_old.alert.reasons[0].split(" ")[0]):
                assert shown in html, f"the item page shows {shown!r}"
            status, location, _ = await ke.decide(ke_old.item_id, "not_the_person", "different birthplace on file")
            assert (status, location) == (303, f"/queue?decided={ke_old.item_id}")
            assert await ke.queue_ids() == [ke_new.item_id], "a decided item leaves the queue"

    run_scenario(scenario())
    [decision] = decisions_for(world, ke_old.item_id)
    assert (decision.outcome, decision.officer, decision.bureau_id, decision.reason) == (
        "not_the_person", "ke-analyst-1", "ncb-ke", "different birthplace on file")
    assert decision.identity is not None and decision.identity.document_number == PASSPORT
    assert decision.identity.birth_date == "1951-03-01" and decision.notice_fingerprint


def test_an_officer_cannot_read_or_decide_another_bureaus_item(world: Settings, officers_file: Path) -> None:
    """Through the page (queue, item, bureau filter) and through crafted requests with a valid session and token."""
    ke_item, fr_item = new_items(["ncb-ke"], ["ncb-fr"])
    publish_items(world, [ke_item, fr_item])

    async def scenario() -> None:
        async with running_console(world, officers_file) as (_, officer):
            fr = officer()
            assert await fr.sign_in("fr-analyst-1") == 303
            status, html = await fr.get("/queue")
            assert status == 200 and ke_item.item_id not in html and NAME not in html
            assert await fr.queue_ids() == [fr_item.item_id]
            status, html = await fr.get("/queue?bureau=ncb-ke")
            assert status == 403 and ke_item.item_id not in html
            status, html = await fr.get(f"/items/{ke_item.item_id}")
            assert status == 404 and NAME not in html and PASSPORT not in html
            status, html = await fr.get("/items/A-0000000000")
            assert status == 404, "another bureau's item answers exactly like one that does not exist"
            for outcome in ("confirm", "not_the_person", "unsure"):
                status, _, html = await fr.decide(ke_item.item_id, outcome, "crafted")
                assert status == 404 and NAME not in html
            # a marker decision that is allowed, so that the read below has an end to wait for
            assert (await fr.decide(fr_item.item_id, "confirm", "matches"))[0] == 303
            ke = officer()
            await ke.sign_in("ke-analyst-1")
            assert await ke.queue_ids() == [ke_item.item_id], "the crafted decisions changed nothing"

    run_scenario(scenario())
    records = read_until(world, topics.REVIEW_DECISIONS, lambda rs: any(r.key == fr_item.item_id.encode() for r in rs))
    assert [r.key for r in records] == [fr_item.item_id.encode()], "nothing was written for the other bureau's item"


def test_decisions_need_a_session_and_the_sessions_csrf_token(world: Settings, officers_file: Path) -> None:
    [item] = new_items(["ncb-ke"])
    publish_items(world, [item])

    async def scenario() -> None:
        async with running_console(world, officers_file) as (console, officer):
            anonymous = officer()
            assert (await anonymous.get("/queue"))[0] == 303
            status, location, _ = await anonymous.post(f"/items/{item.item_id}/decision",
                                                       {"csrf": "x", "outcome": "confirm", "reason": "r"})
            assert (status, location) == (303, "/login")
            assert await anonymous.sign_in("ke-analyst-1", "wrong password") == 401
            assert await anonymous.sign_in("nobody") == 401
            for _ in range(5):
                assert await anonymous.sign_in("rw-analyst-1", "guess") == 401
            assert await anonymous.sign_in("rw-analyst-1") == 429, "guessing is throttled, even the right password"
            ke, other = officer(), officer()
            await ke.sign_in("ke-analyst-1")
            await other.sign_in("ke-analyst-1")
            for token in ("", "forged", await other.csrf()):
                status, _, html = await ke.decide(item.item_id, "confirm", "r", csrf=token)
                assert status == 403 and "expired" in html
            status, _, html = await ke.decide(item.item_id, "confirm", "   ")
            assert status == 400 and "give a reason" in html
            status, _, html = await ke.decide(item.item_id, "perhaps")
            assert status == 400 and "decision must be one of" in html
            assert await ke.queue_ids() == [item.item_id]
            assert item.item_id not in console.queue.decisions

    run_scenario(scenario())


def test_session_cookie_is_httponly_strict_and_a_session_expires(world: Settings, officers_file: Path) -> None:
    async def scenario() -> None:
        async with running_console(world, officers_file) as (console, officer):
            ke = officer()
            async with ke.http.post(ke.base + "/login", data={"officer": "ke-analyst-1", "password": PASSWORD},
                                    allow_redirects=False) as r:
                cookie = r.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
            assert (await ke.get("/queue"))[0] == 200
            later = console.now() + console.sessions.lifetime
            console.now = lambda: later
            assert (await ke.get("/queue"))[0] == 303, "an expired session sends the officer to sign in again"

    run_scenario(scenario())


def test_unsure_refers_the_item_to_the_requesting_bureau(world: Settings, officers_file: Path) -> None:
    [item] = new_items(["ncb-ke", "war-crimes-unit"], requesting_bureau="ncb-rw")
    publish_items(world, [item])

    async def scenario() -> None:
        async with running_console(world, officers_file) as (_, officer):
            ke, rw, wcu = officer(), officer(), officer()
            for who, officer_id in ((ke, "ke-analyst-1"), (rw, "rw-analyst-1"), (wcu, "wcu-analyst-1")):
                await who.sign_in(officer_id)
            assert await wcu.queue_ids() == [item.item_id], "the unit sees the items routed to it"
            assert await rw.queue_ids() == []
            assert (await ke.decide(item.item_id, "unsure", "photo unclear, RW holds the file"))[0] == 303
            assert await ke.queue_ids() == [] and await wcu.queue_ids() == []
            status, html = await rw.get("/queue")
            assert status == 200
            assert item.item_id in html and "referred by ncb-ke" in html
            assert (await rw.decide(item.item_id, "confirm", "our file's photo matches"))[0] == 303
            assert await rw.queue_ids() == []

    run_scenario(scenario())
    [final] = decisions_for(world, item.item_id)[-1:]
    assert (final.outcome, final.bureau_id, final.officer) == ("confirm", "ncb-rw", "rw-analyst-1")


def test_a_restarted_console_rebuilds_the_queue_from_kafka_and_reports_metrics(world: Settings,
                                                                                 officers_file: Path) -> None:
    decided, open_ke, open_both = new_items(["ncb-ke"], ["ncb-ke"], ["ncb-ke", "ncb-fr"])
    publish_items(world, [decided, open_ke, open_both])

    async def first() -> None:
        async with running_console(world, officers_file) as (_, officer):
            ke = officer()
            await ke.sign_in("ke-analyst-1")
            assert (await ke.decide(decided.item_id, "confirm", "it is him"))[0] == 303

    async def second() -> None:
        async with running_console(world, officers_file) as (_, officer):
            ke = officer()
            await ke.sign_in("ke-analyst-1")
            assert await ke.queue_ids() == [open_ke.item_id, open_both.item_id]
            status, text = await ke.get("/metrics")
            assert status == 200
            assert 'fugitive_alerts_review_queue_depth{bureau="ncb-ke"} 2.0' in text
            assert 'fugitive_alerts_review_queue_depth{bureau="ncb-fr"} 1.0' in text
            oldest = float(text.split('fugitive_alerts_review_oldest_item_age_seconds{bureau="ncb-ke"} ')[1].split()[0])
            assert 29 * 60 <= oldest < 40 * 60, "the oldest open item (queued 29 min ago) gives the age"

    run_scenario(first())
    run_scenario(second())


def test_a_trusted_proxy_signs_officers_in_and_the_header_is_ignored_from_elsewhere(
        settings_factory: Callable[..., Settings]) -> None:
    [item] = new_items(["ncb-ke"])
    trusted = settings_factory(smtp=False, twilio=False, review_trusted_proxy="127.0.0.1")
    untrusted = trusted.model_copy(update={"review_trusted_proxy": "10.255.0.1"})
    publish_items(trusted, [item])
    headers = {"X-Forwarded-User": "ke-analyst-1", "X-Forwarded-Groups": "ncb-ke"}

    async def scenario(settings: Settings, expect: int) -> None:
        async with running_console(settings, None) as (_, officer):
            ke: Officer = officer()
            status, html = await ke.get("/queue", headers=headers)
            assert status == expect
            if expect == 200:
                assert item.item_id in html
                status, _, _ = await ke.decide(item.item_id, "confirm", "proxied", csrf=None)
                assert status == 303

    run_scenario(scenario(untrusted, 303))
    run_scenario(scenario(trusted, 200))
    assert decisions_for(trusted, item.item_id)[0].officer == "ke-analyst-1"


def test_items_arriving_while_the_console_runs_appear_in_the_queue(world: Settings, officers_file: Path) -> None:
    first, later = new_items(["ncb-ke"], ["ncb-ke"])
    publish_items(world, [first])

    async def scenario() -> None:
        async with running_console(world, officers_file) as (_, officer):
            ke = officer()
            await ke.sign_in("ke-analyst-1")
            assert await ke.queue_ids() == [first.item_id]
            await asyncio.to_thread(publish_items, world, [later])
            await until(lambda: ke_has(ke, later), 30.0, "the new item in the queue")

    async def ke_has(ke: Officer, item: ReviewItem) -> bool:
        return item.item_id in await ke.queue_ids()

    run_scenario(scenario())


def test_retention_tombstones_old_decisions_and_hides_items_past_retention(world: Settings, officers_file: Path) -> None:
    from datetime import UTC, datetime, timedelta

    decided, kept = new_items(["ncb-ke"], ["ncb-ke"])
    expired = kept.model_copy(update={"item_id": "A-EXPIRED000", "queued_at": datetime.now(UTC) - timedelta(days=400)})
    publish_items(world, [decided, kept, expired])

    async def scenario() -> None:
        async with running_console(world, officers_file) as (console, officer):
            ke = officer()
            await ke.sign_in("ke-analyst-1")
            assert await ke.queue_ids() == [decided.item_id, kept.item_id], "an item past retention is not shown"
            assert (await ke.decide(decided.item_id, "not_the_person", "namesake"))[0] == 303
            assert await console.queue.sweep(datetime.now(UTC) + timedelta(days=364)) == []
            assert await console.queue.sweep(datetime.now(UTC) + timedelta(days=365)) == [decided.item_id]
            assert decided.item_id not in console.queue.decisions

    run_scenario(scenario())
    key = decided.item_id.encode()
    records = read_until(world, topics.REVIEW_DECISIONS, lambda rs: any(r.key == key and r.value is None for r in rs))
    assert [r.value is None for r in records if r.key == key] == [False, True], "the decision, then its tombstone"


def test_the_queue_view_feeds_a_digest_loop_with_new_items_and_decisions(world: Settings, officers_file: Path) -> None:
    """What the dispatcher's digest loop will read: open entries at start, then each new item and decision."""
    from consumers.review_queue import ReviewQueue

    before, after = new_items(["ncb-ke"], ["ncb-fr"])
    publish_items(world, [before])

    async def scenario() -> None:
        seen: list[tuple[str, str, bool]] = []
        queue = ReviewQueue(world, on_item=lambda k, v: seen.append(("item", k, v is not None)),
                            on_decision=lambda k, v: seen.append(("decision", k, v is not None)))
        await queue.start()
        try:
            await queue.wait_ready(60.0)
            assert [e.item.item_id for e in queue.open_entries()] == [before.item_id]
            await asyncio.to_thread(publish_items, world, [after])
            await until(lambda: ("item", after.item_id, True) in seen, 30.0, "the new item reported")
            async with running_console(world, officers_file) as (_, officer):
                ke = officer()
                await ke.sign_in("ke-analyst-1")
                assert (await ke.decide(before.item_id, "confirm", "it is him"))[0] == 303
            await until(lambda: ("decision", before.item_id, True) in seen, 30.0, "the decision reported")
            assert [e.item.item_id for e in queue.open_entries()] == [after.item_id]
        finally:
            await queue.stop()

    run_scenario(scenario())


def test_ops_are_emailed_when_a_bureaus_oldest_item_passes_the_limit(settings_factory: Callable[..., Settings],
                                                                   smtp_sink: Any, officers_file: Path) -> None:
    """Real SMTP server; the limit is 0.25 h and the items waited 29-30 min, so ncb-ke is behind at once."""
    ke_item, fr_recent = new_items(["ncb-ke"], ["ncb-fr"])
    from datetime import UTC, datetime

    fr_recent = fr_recent.model_copy(update={"queued_at": datetime.now(UTC)})
    settings = settings_factory(twilio=False, ops_email_to="ops@fugitive-alerts.example",
                                review_oldest_limit_hours=0.25, review_ops_check_seconds=0.2)
    publish_items(settings, [ke_item, fr_recent])

    def about(bureau: str, what: str) -> Callable[[list[Any]], list[Any]]:
        return lambda msgs: [m for m in msgs if f"review queue of {bureau} {what}" in str(m["Subject"])
                             and m["To"] == "ops@fugitive-alerts.example"]

    async def scenario() -> None:
        async with running_console(settings, officers_file) as (_, officer):
            [alert] = await asyncio.to_thread(smtp_sink.wait_for, about("ncb-ke", "is falling behind"), 30.0)
            body = alert.get_body(("plain",)).get_content()
            assert "Open items: 1" in body and "MBARUSHIMANZI" not in body and "RW5550001" not in body
            ke = officer()
            await ke.sign_in("ke-analyst-1")
            assert (await ke.decide(ke_item.item_id, "confirm", "it is him"))[0] == 303
            await asyncio.to_thread(smtp_sink.wait_for, about("ncb-ke", "has caught up"), 30.0)
        assert not about("ncb-fr", "is falling behind")(smtp_sink.messages), "a recent item is not behind"

    run_scenario(scenario())


def test_review_hits_are_queued_announced_in_a_digest_and_a_clearance_covers_that_identity_only(
        pipeline: Settings, smtp_sink: Any, officers_file: Path) -> None:
    """Worker -> dispatcher -> console -> worker: a review hit is queued (its bureaus, the requesting bureau) and
    announced in a digest with ids and places only; after "not the person", the same document with another birth
    date, or the same birth date with another document, is a review hit again, not `cleared`. (The browser test
    covers the cleared traveller and a confirm.)"""
    doc = passport()
    cleared = namesake(doc, "1951-07-11")
    produce_json(pipeline, topics.BORDER_CROSSINGS, [cleared], "event_id")
    item_id = alert_id_for(cleared["event_id"], KNOWN["notice_id"])
    items = read_until(pipeline, topics.REVIEWS, lambda rs: any(r.key.decode() == item_id for r in rs), 90.0)
    item = ReviewItem.model_validate_json(next(r.value for r in items if r.key.decode() == item_id))
    assert set(item.bureaus) == {"ncb-ke", "ncb-rw", "wcu"} and item.requesting_bureau == "ncb-rw"

    [digest] = smtp_sink.wait_for(lambda ms: [m for m in ms if m["To"] == "analyst@ncb-ke.example"
                                              and "[REVIEW]" in str(m["Subject"]) and item_id in m.as_string()], 60)
    body = digest.get_body(("plain",)).get_content()
    assert f"{pipeline.review_public_url}/items/{item_id}" in body and f"KE {cleared['post']}" in body
    found = f.leaked(digest.as_string(), "MBARUSHIMANZI", "ATHANASIUS", doc, "RW7000001", "1951")
    assert not found, f"the digest holds {found}"

    async def clear() -> None:
        async with running_console(pipeline, officers_file) as (console, officer):
            await until(lambda: item_id in console.queue.items, 30, "the console to read the item")
            ke = officer()
            assert await ke.sign_in("ke-analyst-1") == 303
            assert (await ke.decide(item_id, "not_the_person", "other birth date on file"))[0] == 303

    run_scenario(clear())
    other_dob, other_doc = namesake(doc, "1951-07-13"), namesake(passport(), "1951-07-11")
    same = {**cleared, "event_id": f"{cleared['event_id']}-again"}  # first: the control that the worker has it
    produce_json(pipeline, topics.BORDER_CROSSINGS, [same, other_dob, other_doc], "event_id")
    assert answer_to(pipeline, same).result == "cleared"
    for event in (other_dob, other_doc):
        answer = answer_to(pipeline, event)
        assert (answer.result, answer.cleared) == ("review", []), event["event_id"]
    read_until(pipeline, topics.REVIEWS, lambda rs: {alert_id_for(e["event_id"], KNOWN["notice_id"])
                                                     for e in (other_dob, other_doc)} <= {r.key.decode() for r in rs})
