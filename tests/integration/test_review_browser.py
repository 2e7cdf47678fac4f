"""The review console end to end in Debian's Chromium (Playwright), as an analyst uses it.

The console runs as its own process (``fugitive-alerts review-console --port N``) on the real
broker. An analyst of ncb-ke signs in, sees the queue, opens an item, decides "not the person",
and cannot see ncb-fr's queue or item. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fugitive_alerts.local.services import Service, free_port, wait_for
from schemas import Settings

from .review_world import PASSWORD, decisions_for, new_items, publish_items, write_officers
from .test_ops import CHROMIUM, CHROMIUM_ARGS

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
def console(settings_factory: Callable[..., Settings], tmp_path: Path) -> Iterator[tuple[Settings, str, Path]]:
    officers = write_officers(tmp_path / "officers.yaml")
    settings = settings_factory(smtp=False, twilio=False, review_officers_file=officers)
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


def test_an_analyst_clears_a_namesake_in_the_browser_and_cannot_see_another_bureaus_queue(
        console: tuple[Settings, str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    settings, url, log_path = console
    ke_item, ke_other, fr_item = new_items(["ncb-ke", "ncb-rw"], ["ncb-ke"], ["ncb-fr"])
    publish_items(settings, [ke_item, ke_other, fr_item])
    ARTIFACTS.mkdir(exist_ok=True)
    wait_for(lambda: 'fugitive_alerts_review_queue_depth{bureau="ncb-ke"} 2.0' in _text(f"{url}/metrics"), 30.0,
             "the console to have read the new items")

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
            assert rows.evaluate_all("rs => rs.map(r => r.dataset.item)") == [ke_item.item_id, ke_other.item_id]
            expect(page.locator("#who")).to_contain_text("ke-analyst-1")
            page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)

            page.click(f"a[href='/items/{ke_item.item_id}']")
            expect(page.locator("#event")).to_contain_text("RW5550001")
            expect(page.locator("#notice")).to_contain_text("RW7000001")
            expect(page.locator("#score")).to_have_text(f"{ke_item.alert.score:.2f}")
            page.fill("#reason", "Different place of birth on the visa file; namesake.")
            page.screenshot(path=str(ARTIFACTS / "review-item.png"), full_page=True)
            page.click("button[value=not_the_person]")
            expect(page.locator("#decided")).to_contain_text(ke_item.item_id)
            assert rows.evaluate_all("rs => rs.map(r => r.dataset.item)") == [ke_other.item_id]
            page.screenshot(path=str(ARTIFACTS / "review-decided.png"), full_page=True)

            # the filter applies on change (JavaScript): tips only -> nothing listed
            page.select_option("select[name=event_type]", "tip")
            expect(page).to_have_url(f"{url}/queue?bureau=&event_type=tip&min_age_hours=")
            expect(page.locator("#queue tbody tr.empty")).to_be_visible()

            # another bureau's queue and item are not shown
            response = page.goto(f"{url}/queue?bureau=ncb-fr")
            assert response is not None and response.status == 403
            expect(page.locator("#error")).to_contain_text("only see the queues of your own bureaus")
            page.screenshot(path=str(ARTIFACTS / "review-other-bureau.png"), full_page=True)
            response = page.goto(f"{url}/items/{fr_item.item_id}")
            assert response is not None and response.status == 404
            assert "MBARUSHIMANZI" not in page.content()
        finally:
            browser.close()

    [decision] = decisions_for(settings, ke_item.item_id)
    assert (decision.outcome, decision.officer, decision.bureau_id) == ("not_the_person", "ke-analyst-1", "ncb-ke")
    assert decision.identity is not None and decision.identity.document_number == "RW5550001"
    log = log_path.read_text().lower()
    assert "review decided" in log and ke_item.item_id.lower() in log, "the control: the decision was logged, by id"
    for personal in ("mbarushimanzi", "athanasius", "rw5550001", "rw7000001", "1951-03-01", "19510301"):
        assert personal not in log, f"the console's log holds personal data ({personal})"
