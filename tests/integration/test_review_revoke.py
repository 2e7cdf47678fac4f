"""Revoking a clearance on the real broker: in the console (listed per bureau, CSRF, another bureau's refused through
the page and a crafted request), and on the real pipeline with ``fugitive-alerts review revoke``: after it the same
traveller is a review hit again, not ``cleared``."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from schemas import Settings, alert_id_for, topics

from .kafka_helpers import produce_json, read_until
from .review_world import (
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


def _listed(html: str) -> list[str]:
    return re.findall(r'<tr data-item="([^"]+)" data-bureau=', html)


def test_an_officer_lists_and_revokes_their_bureaus_clearance_and_cannot_touch_another_bureaus(
        settings_factory: Callable[..., Settings], officers_file: Path) -> None:
    world = settings_factory(smtp=False, twilio=False)
    ke_item, fr_item = new_items(["ncb-ke"], ["ncb-fr"])
    publish_items(world, [ke_item, fr_item])

    async def scenario() -> None:
        async with running_console(world, officers_file) as (_, officer):
            ke, fr = officer(), officer()
            assert await ke.sign_in("ke-analyst-1") == 303 and await fr.sign_in("fr-analyst-1") == 303
            assert (await ke.decide(ke_item.item_id, "not_the_person", "other birth date on file"))[0] == 303
            assert (await fr.decide(fr_item.item_id, "not_the_person", "other passport on file"))[0] == 303

            status, html = await ke.get("/clearances")
            assert status == 200 and _listed(html) == [ke_item.item_id], "own bureau's clearances only"
            assert "RW5550001" in html and "1951-03-01" in html, "the identity cleared, for the bureau that cleared it"
            status, html = await fr.get("/clearances")
            assert _listed(html) == [fr_item.item_id] and ke_item.item_id not in html

            # another bureau's clearance, through a crafted request with a valid session and CSRF token
            token = await fr.csrf()
            status, _, html = await fr.post(f"/clearances/{ke_item.item_id}/revoke", {"csrf": token, "reason": "x"})
            assert status == 404 and "no such clearance of your bureau" in html and "RW5550001" not in html
            # no token, a foreign token, no reason: refused, nothing written
            for form in ({"reason": "stolen"}, {"csrf": token, "reason": "stolen"}, {"csrf": await ke.csrf()}):
                status, _, _ = await ke.post(f"/clearances/{ke_item.item_id}/revoke", form)
                assert status in (400, 403), form
            assert _listed((await ke.get("/clearances"))[1]) == [ke_item.item_id], "still in force"

            status, location, _ = await ke.post(f"/clearances/{ke_item.item_id}/revoke",
                                                {"csrf": await ke.csrf(), "reason": "passport reported stolen"})
            assert (status, location) == (303, f"/clearances?revoked={ke_item.item_id}")
            status, html = await ke.get(location)
            assert status == 200 and _listed(html) == [] and f"The clearance of {ke_item.item_id} is revoked" in html
            assert ke_item.item_id not in await ke.queue_ids(), "a revoked item does not come back to the queue"
            status, _, _ = await ke.post(f"/clearances/{ke_item.item_id}/revoke",
                                         {"csrf": await ke.csrf(), "reason": "again"})
            assert status == 404, "revoked already"
            assert _listed((await fr.get("/clearances"))[1]) == [fr_item.item_id], "the other bureau's still holds"

    run_scenario(scenario())
    cleared, revoked = decisions_for(world, ke_item.item_id)
    assert (revoked.outcome, revoked.officer, revoked.bureau_id, revoked.reason) == (
        "revoked", "ke-analyst-1", "ncb-ke", "passport reported stolen")
    assert revoked.revokes is not None and (revoked.revokes.officer, revoked.revokes.at) == (cleared.officer, cleared.at)
    assert [d.outcome for d in decisions_for(world, fr_item.item_id)] == ["not_the_person"], "nothing written for fr"


def _revoke_cli(settings: Settings, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", **settings.to_env()}
    return subprocess.run([sys.executable, "-m", "fugitive_alerts", "review", "revoke", *argv], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_after_revoke_on_the_command_line_the_same_traveller_is_a_review_hit_again(
        pipeline: Settings, officers_file: Path) -> None:
    """Worker and dispatcher processes: clear a namesake in the console, the same traveller is `cleared`; revoke it
    with `fugitive-alerts review revoke`; the same traveller again is a review hit with a new item on `reviews`."""
    event = namesake(passport(), "1951-07-11")
    produce_json(pipeline, topics.BORDER_CROSSINGS, [event], "event_id")
    item_id = alert_id_for(event["event_id"], KNOWN["notice_id"])
    read_until(pipeline, topics.REVIEWS, lambda rs: any(r.key.decode() == item_id for r in rs), 90.0)

    async def clear() -> None:
        async with running_console(pipeline, officers_file) as (console, officer):
            await until(lambda: item_id in console.queue.items, 30, "the console to read the item")
            ke = officer()
            assert await ke.sign_in("ke-analyst-1") == 303
            assert (await ke.decide(item_id, "not_the_person", "other birth date on file"))[0] == 303

    run_scenario(clear())
    again = {**event, "event_id": f"{event['event_id']}-again"}
    produce_json(pipeline, topics.BORDER_CROSSINGS, [again], "event_id")
    assert answer_to(pipeline, again).result == "cleared", "the control: the worker applies the clearance"

    unknown = _revoke_cli(pipeline, "A-0000000000", "--reason", "typo")
    assert unknown.returncode == 2 and "no decision on record for item A-0000000000" in unknown.stderr
    done = _revoke_cli(pipeline, item_id, "--reason", "passport reported stolen", "--by", "ops-admin-1")
    assert done.returncode == 0, done.stderr
    assert f"revoked the clearance of {item_id}" in done.stdout and "cleared by ke-analyst-1 of ncb-ke" in done.stdout
    twice = _revoke_cli(pipeline, item_id, "--reason", "again")
    assert twice.returncode == 2 and "revoked already" in twice.stderr and "Traceback" not in twice.stderr
    revoked = decisions_for(pipeline, item_id)[-1]
    assert (revoked.outcome, revoked.officer, revoked.bureau_id) == ("revoked", "ops-admin-1", "ncb-ke")

    third = {**event, "event_id": f"{event['event_id']}-third"}
    produce_json(pipeline, topics.BORDER_CROSSINGS, [third], "event_id")
    answer = answer_to(pipeline, third)
    assert (answer.result, answer.cleared) == ("review", []), "the revoked clearance no longer applies"
    new_item = alert_id_for(third["event_id"], KNOWN["notice_id"])
    read_until(pipeline, topics.REVIEWS, lambda rs: any(r.key.decode() == new_item for r in rs), 90.0)
