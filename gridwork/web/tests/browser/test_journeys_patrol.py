"""A patrol on the grid worker's phone and desktop, in Chinese and in English: start it, walk with
the position followed, note what is seen, make it a case, end the patrol; the server holds the
walk's fixes, the finding and its case, and the patrol's page shows them."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from gridwork.web.tests.browser.journey import checked, combos, new_page
from gridwork.web.tests.browser.server import LiveSite
from gridwork.web.tests.browser.test_journeys_cases import _grid_centre

WORKER = "demo_gw1"  # the demo's worker of the first grid (GRID in test_journeys_cases)


@combos
def test_a_patrol_is_walked_noted_and_ended(
    site: LiveSite, context_for: Callable[..., BrowserContext], lang: str, width: str
) -> None:
    start = _grid_centre(site)
    context = context_for(width, lang, WORKER)
    context.grant_permissions(["geolocation"], origin=site.url)
    context.set_geolocation({**start, "accuracy": 8})
    page, watch = new_page(context, site)
    page.goto("/patrol/")
    leftover = page.locator("[data-end-form] button")
    if leftover.count():  # one patrol at a time: one left open (by the demo's day) is ended first
        leftover.click()
        page.wait_for_url("**/patrols/*/")
        page.goto("/patrol/")
    page.locator("form[action$='/patrol/start/'] button[type=submit]").click()
    expect(page.locator("#patrol-live")).to_be_visible()
    expect(page.locator("[data-gps]")).to_contain_text("±")
    for step in range(1, 4):  # a slow walk north: about 30 m a step
        page.wait_for_timeout(1200)
        context.set_geolocation(
            {"longitude": start["longitude"], "latitude": start["latitude"] + 0.00027 * step, "accuracy": 8}
        )
    checked(page, watch, lang, width, "patrol-live")

    mark = f"Loose manhole cover {uuid.uuid4().hex[:8]}"
    page.fill("#id_note", mark)
    page.locator("[data-finding-form] button[type=submit]").click()
    finding = page.locator("ul.findings li", has_text=mark)
    expect(finding).to_be_visible()
    finding.locator("form.finding-case button[type=submit]").click()
    expect(page.locator("ul.findings li", has_text=mark).locator("a[href*='/cases/']")).to_be_visible()

    page.locator("[data-end-form] button").click()
    page.wait_for_url("**/patrols/*/")
    expect(page.locator("body")).to_contain_text(mark)
    checked(page, watch, lang, width, "patrol-ended")

    ((patrol_id, status, case_id),) = site.query(
        "SELECT p.id, p.status, f.case_id FROM fieldwork_patrol p"
        " JOIN fieldwork_patrolfinding f ON f.patrol_id = p.id WHERE f.note = ?",
        mark,
    )
    assert status == "ended" and case_id is not None
    ((fixes,),) = site.query("SELECT COUNT(*) FROM fieldwork_patrolfix WHERE patrol_id = ?", patrol_id)
    assert fixes >= 2, f"the walk's positions reached the server: {fixes} fixes"
    ((source,),) = site.query("SELECT source FROM cases_case WHERE id = ?", case_id)
    assert source == "patrol"
