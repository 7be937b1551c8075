"""Journeys through what exists today, each on a phone and a desktop, in Chinese and in English.

Each drives the pages as a person does (fields found by their names, buttons by what they send),
checks every page it passes with the walker's checks, and asserts what the journey is for.
Journeys run before the walker (file order), which then walks the cases they made.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from gridwork.web.tests.browser.journey import COMBOS, PHOTO, checked, combos, new_page
from gridwork.web.tests.browser.server import LiveSite


@combos
def test_a_user_is_locked_out_after_repeated_failures(
    site: LiveSite, context_for: Callable[..., BrowserContext], lang: str, width: str
) -> None:
    # A grid worker of its own for each run: the lockout lasts beyond the test.
    username = f"demo_gw{3 + COMBOS.index((lang, width))}"
    page, watch = new_page(context_for(width, lang), site)
    page.goto("/login/")
    for _ in range(5):  # LOGIN_MAX_FAILURES
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "not-the-password")
        page.click("main form button[type=submit]")
        expect(page.locator(".error[role=alert]")).to_be_visible()
    failed = page.locator(".error[role=alert]").inner_text()
    watch.take()  # the failed logins' own answers are the point here
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Gridwork-Demo-2025")
    page.click("main form button[type=submit]")
    assert page.url.endswith("/login/"), "the right password must not open a locked account"
    # Every failure is answered alike (accounts/lockout.py): a refusal does not tell an attacker
    # that the account exists or is locked; the words say to try again later.
    message = page.locator(".error[role=alert]").inner_text()
    assert message == failed, message
    assert ("too many attempts" in message) if lang == "en" else ("尝试次数过多" in message), message
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    blocked = site.query(
        "SELECT count(*) FROM accounts_loginthrottle"
        " WHERE kind = 'pair' AND failures >= 5 AND blocked_until > ?",
        now,
    )[0][0]
    assert blocked >= 1, "no account at this address is refused for a while"
    checked(page, watch, lang, width, "locked-out")


@combos
def test_an_officer_reveals_an_id_number_and_the_auditor_finds_it(
    site: LiveSite, context_for: Callable[..., BrowserContext], lang: str, width: str
) -> None:
    page, watch = new_page(context_for(width, lang, "demo_centre"), site)
    page.goto("/areas/110112001001/people/")
    page.locator("#people-results ul.rows a").nth(COMBOS.index((lang, width))).click()
    person_path = re.sub(r"^https?://[^/]+", "", page.url)
    person_id = re.search(r"/people/(\d+)/", person_path).group(1)
    masked = page.locator("#identity dd.mono").first.inner_text()
    assert "*" in masked, masked
    checked(page, watch, lang, width, "person-masked")
    page.fill("#id_reason", "Checking a household registration")
    page.locator("#identity button[type=submit]").click()
    expect(page.locator("#identity.revealed")).to_be_visible()
    shown = page.locator("#identity dd.mono").first.inner_text()
    assert "*" not in shown and len(shown) == 18, shown
    checked(page, watch, lang, width, "person-revealed")

    auditor, audit_watch = new_page(context_for(width, lang, "demo_auditor"), site)
    auditor.goto("/audit/?action=reveal")
    row = auditor.locator("tr.action-reveal", has_text=f"#{person_id}").first
    expect(row).to_be_visible()
    assert "Checking a household registration" in row.inner_text()
    checked(auditor, audit_watch, lang, width, "audit-reveal")


@combos
def test_a_grid_worker_reports_a_case_with_a_photo_and_handles_it_on_the_spot(
    site: LiveSite, context_for: Callable[..., BrowserContext], lang: str, width: str
) -> None:
    page, watch = new_page(context_for(width, lang, "demo_gw1"), site)
    page.goto("/cases/new/")
    checked(page, watch, lang, width, "report-form")
    category = page.locator("#id_category option[data-track=routine]").first.get_attribute("value")
    page.select_option("#id_category", category)
    page.fill("#id_title", f"Blocked drain by the gate ({lang}, {width})")
    page.fill("#id_description", "Water stands on the path after the rain.")
    photo = {"name": "drain.png", "mimeType": "image/png", "buffer": PHOTO}
    page.set_input_files("#id_photos", files=[photo])
    page.select_option("#id_building", index=1)
    page.fill("#id_address", "North gate")
    page.click("#report-form button.primary")
    expect(page.locator("ul.messages")).to_be_visible()
    assert re.search(r"/cases/\d+/$", page.url), page.url
    expect(page.locator(".photos img")).to_have_count(1)
    checked(page, watch, lang, width, "case-reported")

    resolve = page.locator("form[action$='/act/resolve/']")
    if not resolve.is_visible():  # one action's form is open; the others fold under their summary
        resolve.locator("xpath=..").locator("summary").click()
    resolve.locator("textarea[name=note]").fill("Cleared the drain with the property company.")
    resolve.locator("input[type=file]").set_input_files(
        files=[{"name": "after.png", "mimeType": "image/png", "buffer": PHOTO}]
    )
    resolve.locator("button[type=submit]").click()
    expect(page.locator(".timeline .action-resolve")).to_be_visible()
    expect(page.locator(".photos img")).to_have_count(2)
    checked(page, watch, lang, width, "case-resolved")
