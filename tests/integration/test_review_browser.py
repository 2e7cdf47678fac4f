"""The review flow end to end in Debian's Chromium (Playwright), as an analyst uses it, on the real pipeline.

The worker and the dispatcher run as processes (the package's ``pipeline``: real broker, SMTP
server, Twilio mock); the console runs as its own process (``fugitive-alerts review-console --port
N``). Two namesakes of a listed person cross a KE border post: their review-band hits reach the
queue. An analyst of ncb-ke signs in, sees the queue, opens an item and clears the namesake; the
same traveller crosses again and the agency gets ``cleared``, with no review and no email. They
confirm the other item, which becomes a critical alert sent by SMS and email. They cannot see
ncb-fr's queue or item. The clearance is on their Clearances page. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fugitive_alerts.local.services import Service, free_port, wait_for
from schemas import Settings, alert_id_for, topics

from .kafka_helpers import produce_json, read_all, read_until, values
from .review_world import PASSWORD, answer_to, decisions_for, namesake, new_items, passport, publish_items, write_officers
from .test_ops import CHROMIUM, CHROMIUM_ARGS
from .world import KNOWN

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _text(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode())
    except OSError:
        return ""


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


@pytest.fixture
def console(pipeline: Settings, tmp_path: Path) -> Iterator[tuple[Settings, str, Path]]:
    officers = write_officers(tmp_path / "officers.yaml")
    settings = pipeline.model_copy(update={"review_officers_file": officers})
    port = free_port()
    service = Service("review-console", [sys.executable, "-m", "fugitive_alerts", "review-console", "--port", str(port)],
                      tmp_path, env=settings.to_env())
    url = f"http://127.0.0.1:{port}"
    service.start()
    try:
        service.wait_ready(lambda: _status(f"{url}/ready") == 200, 90, "the review console to be ready")
        yield settings, url, service.log_path
    finally:
        service.stop(30.0)
        print("--- review console log (last lines) ---\n" + service.log_path.read_text()[-3000:])


def test_an_analyst_clears_a_namesake_confirms_a_hit_and_cannot_see_another_bureaus_queue(
        console: tuple[Settings, str, Path], smtp_sink: Any) -> None:
    from playwright.sync_api import expect, sync_playwright

    settings, url, log_path = console
    cleared_doc, confirmed_doc = passport(), passport()
    cleared, confirmed = namesake(cleared_doc, "1951-07-11"), namesake(confirmed_doc, "1951-07-12")
    produce_json(settings, topics.BORDER_CROSSINGS, [cleared, confirmed], "event_id")
    cleared_id, confirmed_id = (alert_id_for(e["event_id"], KNOWN["notice_id"]) for e in (cleared, confirmed))
    [fr_item] = new_items(["ncb-fr"])
    publish_items(settings, [fr_item])
    read_until(settings, topics.REVIEWS, lambda rs: {cleared_id, confirmed_id} <= {r.key.decode() for r in rs}, 90.0)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{url}/queue")
            expect(page).to_have_url(f"{url}/login")
            page.fill("input[name=officer]", "ke-analyst-1")
            page.fill("input[name=password]", PASSWORD)
            page.click("#login button[type=submit]")
            expect(page).to_have_url(f"{url}/queue")
            rows = page.locator("#queue tbody tr[data-item]")

            def listed() -> list[str]:
                return list(rows.evaluate_all("rs => rs.map(r => r.dataset.item)"))

            wait_for(lambda: {cleared_id, confirmed_id} <= set(page.goto(f"{url}/queue") and listed()), 30.0,
                     "the dispatcher's review items in the queue")
            assert fr_item.item_id not in listed(), "another bureau's item is not listed"
            expect(page.locator("#who")).to_contain_text("ke-analyst-1")
            page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)

            page.click(f"a[href='/items/{cleared_id}']")
            expect(page.locator("#event")).to_contain_text(cleared_doc)
            expect(page.locator("#notice")).to_contain_text("RW7000001")
            page.fill("#reason", "Different birth date and passport on the visa file; namesake.")
            page.screenshot(path=str(ARTIFACTS / "review-item.png"), full_page=True)
            page.click("button[value=not_the_person]")
            expect(page.locator("#decided")).to_contain_text(cleared_id)
            assert cleared_id not in listed() and confirmed_id in listed()
            page.screenshot(path=str(ARTIFACTS / "review-decided.png"), full_page=True)

            page.click(f"a[href='/items/{confirmed_id}']")
            expect(page.locator("#event")).to_contain_text(confirmed_doc)
            page.fill("#reason", "Photo and fingerprints match the notice.")
            page.click("button[value=confirm]")
            expect(page.locator("#decided")).to_contain_text(confirmed_id)

            # the filter applies on change (JavaScript): tips only -> none of these items
            page.select_option("select[name=event_type]", "tip")
            expect(page).to_have_url(f"{url}/queue?bureau=&event_type=tip&min_age_hours=")
            assert confirmed_id not in listed()

            # another bureau's queue and item are not shown
            response = page.goto(f"{url}/queue?bureau=ncb-fr")
            assert response is not None and response.status == 403
            expect(page.locator("#error")).to_contain_text("only see the queues of your own bureaus")
            page.screenshot(path=str(ARTIFACTS / "review-other-bureau.png"), full_page=True)
            response = page.goto(f"{url}/items/{fr_item.item_id}")
            assert response is not None and response.status == 404
            assert "MBARUSHIMANZI" not in page.content()

            # the clearance is listed on the Clearances page, with its revoke form (revoking: test_review_revoke.py)
            page.click("#nav-clearances")
            expect(page).to_have_url(f"{url}/clearances")
            row = page.locator(f"#clearances tbody tr[data-item='{cleared_id}']")
            expect(row).to_contain_text(cleared_doc)
            expect(row.locator("form.revoke button")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "review-clearances.png"), full_page=True)
        finally:
            browser.close()

    [decision] = decisions_for(settings, cleared_id)
    assert (decision.outcome, decision.officer, decision.bureau_id) == ("not_the_person", "ke-analyst-1", "ncb-ke")
    assert decision.identity is not None and decision.identity.document_number == cleared_doc

    # the same traveller crosses again: `cleared` to the agency, by whom; no alert, no review item, no email
    again = {**cleared, "event_id": f"bc-namesake-{uuid.uuid4().hex[:10]}"}
    produce_json(settings, topics.BORDER_CROSSINGS, [again], "event_id")
    answer = answer_to(settings, again)
    assert (answer.result, answer.hits) == ("cleared", [])
    assert [(c.cleared_by, c.bureau_id) for c in answer.cleared] == [("ke-analyst-1", "ncb-ke")]
    again_id = alert_id_for(again["event_id"], KNOWN["notice_id"])
    for topic in (topics.ALERTS, topics.REVIEWS):  # written before the answer, had they been written at all
        assert again_id not in {r.key.decode() for r in read_all(settings, topic)}, f"a cleared hit is not on {topic}"

    # the confirmed item is a critical alert: SMS and email to the duty officers
    sent = read_until(settings, topics.DELIVERIES, lambda rs: {("ke-duty", "sms"), ("ke-duty", "email")} <= {
        (d["recipient"], d["channel"]) for d in values(rs) if d["alert_id"] == confirmed_id and d["status"] == "sent"},
        90.0)
    assert {d["recipient"] for d in values(sent) if d["alert_id"] == confirmed_id} >= {"ke-duty", "rw-duty"}
    alert = next(json.loads(r.value) for r in read_all(settings, topics.ALERTS)
                 if r.key.decode() == confirmed_id and b'"band":"alert"' in r.value)
    assert alert["urgency"] == "critical" and "confirmed in review by ke-analyst-1 (ncb-ke)" in alert["reasons"]
    smtp_sink.wait_for(lambda ms: [m for m in ms if confirmed_id in str(m["Subject"])
                                   and m["To"] == "duty@ncb-ke.example"], timeout=30)
    assert not [m for m in smtp_sink.messages if again_id in m.as_string()], "no email about the cleared crossing"

    log = log_path.read_text().lower()
    assert "review decided" in log and cleared_id.lower() in log, "the control: the decision was logged, by id"
    for personal in ("mbarushimanzi", "athanasius", cleared_doc.lower(), "rw7000001", "1951-07-11", "19510711"):
        assert personal not in log, f"the console's log holds personal data ({personal})"
